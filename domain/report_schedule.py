"""When the scheduled SLA reports are due: the monthly one on the first working day of the month (for the month
before), the weekly one on the first working day of the week (for the week before), at a set local time.

Pure: days are local days in HOTLINE_TZ; Saturdays, Sundays and the configured holidays are not working days.
A report missed at its time (the poller was down) is still sent within CATCH_UP_DAYS; each subscriber gets it once
(the outbox's idempotency key names the cadence, the period and the subscription).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CADENCES = ("monthly", "weekly")
CATCH_UP_DAYS = 3
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Period:
    cadence: str
    key: str         # 2026-11 (a month) or 2026-W48 (an ISO week)
    since_day: str   # first local day, YYYY-MM-DD
    until_day: str   # last local day (inclusive)


def parse_holidays(text: str) -> frozenset[date]:
    """``2026-01-01,2026-01-02`` -> the days; ValueError naming the first that is not a day."""
    out = set()
    for part in (p.strip() for p in (text or "").split(",")):
        if part:
            if not DAY.fullmatch(part):
                raise ValueError(f"not a day (YYYY-MM-DD): {part!r}")
            out.add(date.fromisoformat(part))
    return frozenset(out)


def working(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def first_working_day(start: date, holidays: frozenset[date], limit: int = 14) -> date:
    """The first working day on or after ``start`` (``start`` itself when none is found within ``limit`` days)."""
    for k in range(limit):
        day = start + timedelta(days=k)
        if working(day, holidays):
            return day
    return start


def _month_period(today: date) -> tuple[date, Period]:
    first = today.replace(day=1)
    last_prev = first - timedelta(days=1)
    since = last_prev.replace(day=1)
    return first, Period("monthly", since.strftime("%Y-%m"), since.isoformat(), last_prev.isoformat())


def _week_period(today: date) -> tuple[date, Period]:
    monday = today - timedelta(days=today.weekday())
    since, until = monday - timedelta(days=7), monday - timedelta(days=1)
    year, week, _ = since.isocalendar()
    return monday, Period("weekly", f"{year}-W{week:02d}", since.isoformat(), until.isoformat())


def due_periods(now: float, tz: str, send_time: str, holidays: frozenset[date],
                cadences: tuple[str, ...] = CADENCES) -> list[Period]:
    """The reports due at ``now``: their first working day has come, the send time has passed, and the catch-up
    time has not."""
    match = HHMM.fullmatch(send_time or "")
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (8, 0)
    local = datetime.fromtimestamp(now, ZoneInfo(tz))
    out = []
    for cadence in cadences:
        start, period = (_month_period if cadence == "monthly" else _week_period)(local.date())
        day = first_working_day(start, holidays)
        due_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz))
        if due_at <= local < due_at + timedelta(days=CATCH_UP_DAYS):
            out.append(period)
    return out
