"""Masking of personal data before it leaves the source adapters."""

from __future__ import annotations

ANONYMOUS = frozenset({"", "anonymous", "unknown", "restricted", "private", "none"})


def mask_phone(number: str) -> str:
    """A caller number with all but the last two digits hidden: ``+7 *** ***-**-35``; empty stays empty."""
    raw = (number or "").strip()
    if raw.lower() in ANONYMOUS:
        return "—" if raw else ""
    digits = [c for c in raw if c.isdigit()]
    if len(digits) < 4:
        return "*" * len(digits)
    tail = "".join(digits[-2:])
    return f"***-**-{tail}" if len(digits) < 10 else f"+7 *** ***-**-{tail}"


def mask_name(surname: str, given: str = "", patronymic: str = "") -> str:
    """``Иванов Иван Иванович`` -> ``И***в И. И.``."""
    s = (surname or "").strip()
    masked = s[0] + "***" + s[-1] if len(s) > 2 else (s[:1] + "*" if s else "")
    initials = " ".join(f"{p.strip()[0]}." for p in (given, patronymic) if p and p.strip())
    return f"{masked} {initials}".strip()
