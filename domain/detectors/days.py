"""Local calendar days ('YYYY-MM-DD') of UTC epochs in the configured zone, and checks of raw row values."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.clock import day_start, next_day_start

# Rows outside 1970..2100 are garbage: they are counted and skipped, never converted.
MIN_TS = 0.0
MAX_TS = 4102444800.0


def valid_ts(value: object) -> bool:
    """Whether ``value`` is a usable epoch (a finite number within 1970..2100)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and MIN_TS <= value < MAX_TS


class DayClock:
    """Local days of epochs in one zone, cached for the last day seen (rows come mostly in time order)."""

    def __init__(self, tz: str) -> None:
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self._lo = self._hi = 0.0
        self._day = ""

    def day(self, ts: float) -> str:
        """The local day containing ``ts``."""
        if not self._lo <= ts < self._hi:
            self._lo, self._hi = day_start(ts, self.tz), next_day_start(ts, self.tz)
            self._day = datetime.fromtimestamp(ts, self.zone).date().isoformat()
        return self._day

    def start(self, day: str) -> float:
        """The epoch of the local midnight that starts ``day``."""
        return datetime.combine(date.fromisoformat(day), time(0), self.zone).timestamp()

    def hhmm(self, ts: float) -> str:
        """The local wall-clock time of ``ts`` as HH:MM."""
        return datetime.fromtimestamp(ts, self.zone).strftime("%H:%M")

    def hour_of_week(self, ts: float) -> int:
        """The local hour of the week of ``ts``: 0 is Monday 00:00-01:00, 167 is Sunday 23:00-24:00."""
        local = datetime.fromtimestamp(ts, self.zone)
        return local.weekday() * 24 + local.hour

    def date_text(self, ts: float) -> str:
        """The local date of ``ts`` as DD.MM.YYYY."""
        return datetime.fromtimestamp(ts, self.zone).strftime("%d.%m.%Y")
