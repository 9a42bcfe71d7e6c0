"""Validation of values typed or posted into the review pages' filters and forms.

Every value a browser sends is untrusted: it may be of any JSON type, hold characters no database driver
accepts (a lone surrogate, NUL), digits ``int()`` refuses (superscripts) or dates past what ``datetime`` holds.
Each check returns a clean value or raises :class:`FilterError` with a message fit for the screen; the message
never repeats the value.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

from domain.clock import next_day_start, parse_iso

MAX_FILTER_TEXT = 64
MAX_ID_DIGITS = 12
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2999, 12, 31, tzinfo=timezone.utc)
REFUSED_CATEGORIES = ("Cc", "Cs")  # control characters and lone surrogates


class FilterError(ValueError):
    """A filter value that cannot be used; the message is shown to the user."""


def filter_text(value: object, name: str, limit: int = MAX_FILTER_TEXT) -> str | None:
    """Stripped text of at most ``limit`` characters; None when empty. Numbers are accepted as their digits."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FilterError(f"{name}: text is expected")
    text = str(value).strip()
    if len(text) > limit:
        raise FilterError(f"{name}: at most {limit} characters")
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in text):
        raise FilterError(f"{name}: unexpected characters")
    return text or None


def filter_int(value: object, name: str, digits: int = MAX_ID_DIGITS) -> int | None:
    """A non-negative whole number of at most ``digits`` ASCII digits; None when empty."""
    text = filter_text(value, name)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > digits:
        raise FilterError(f"{name}: a number is expected")
    return int(text)


def filter_choice(value: object, choices: tuple[str, ...], name: str) -> str | None:
    """One of ``choices``; None when empty."""
    text = filter_text(value, name)
    if text is None:
        return None
    if text not in choices:
        raise FilterError(f"{name}: one of {', '.join(choices)}")
    return text


def filter_date(value: object, name: str, end: bool = False, tz: str = "UTC") -> float | None:
    """An ISO date or time as a UTC epoch; a date or time without a zone is in ``tz`` (the hotline's days), and an
    end date includes its whole day. None when empty."""
    text = filter_text(value, name)
    if text is None:
        return None
    try:
        parsed = parse_iso(text, tz)
    except ValueError:
        raise FilterError(f"{name}: a date such as 2026-11-26 is expected") from None
    if not EARLIEST <= parsed.replace(tzinfo=timezone.utc) <= LATEST:  # the date as written, whatever its zone
        raise FilterError(f"{name}: a date from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}")
    if end and len(text) == 10:
        return next_day_start(parsed.timestamp(), tz)
    return parsed.timestamp()


def filter_period(since: float | None, until: float | None) -> None:
    """A period that ends before it starts is refused."""
    if since is not None and until is not None and until <= since:
        raise FilterError("until: the period ends before it starts")
