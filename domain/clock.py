"""Local days in a time zone: 'today' starts at local midnight; times are UTC epochs everywhere else."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from zoneinfo import ZoneInfo


def day_start(ts: float, tz: str) -> float:
    """UTC epoch of the local midnight that starts the day containing ``ts``."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(ts, zone)
    midnight = datetime.combine(local.date(), dtime(0), zone)
    return midnight.timestamp()


def next_day_start(ts: float, tz: str) -> float:
    """UTC epoch of the local midnight after ``ts``."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(ts, zone)
    return datetime.combine(local.date() + timedelta(days=1), dtime(0), zone).timestamp()


def local_to_epoch(naive: datetime, tz: str) -> float:
    """A naive datetime written in zone ``tz`` (a PBX's local time, or 'UTC') as a UTC epoch."""
    return naive.replace(tzinfo=ZoneInfo(tz)).timestamp()


def epoch_to_local_naive(ts: float, tz: str) -> datetime:
    """The naive wall-clock datetime in zone ``tz`` of a UTC epoch (what a PBX writes to queue_log.time)."""
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).replace(tzinfo=None)


def utc_naive(ts: float) -> datetime:
    """A UTC epoch as the naive UTC datetime the CRM and app databases store."""
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def from_utc_naive(value: datetime) -> float:
    return value.replace(tzinfo=timezone.utc).timestamp()


def iso_utc(ts: float | None) -> str | None:
    """ISO 8601 UTC with a Z, second precision; None stays None."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def parse_iso(text: str, tz: str = "UTC") -> datetime:
    """An ISO 8601 date or time as an aware datetime: 'Z' is UTC, a time without a zone is in ``tz`` (UTC unless
    given). ValueError if it is not ISO 8601."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))


def iso_epoch(text: str | None) -> float | None:
    """An ISO 8601 time (as :func:`iso_utc` writes it) as a UTC epoch; None or '' stays None."""
    return parse_iso(text).timestamp() if text else None


def local_day(ts: float, tz: str) -> str:
    """The local calendar day (YYYY-MM-DD) of ``ts`` in zone ``tz``."""
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%Y-%m-%d")


def day_add(day: str, n: int) -> str:
    """The day ``n`` days after ``day`` (before when negative), both YYYY-MM-DD."""
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()
