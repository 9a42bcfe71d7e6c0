"""Fast epoch -> naive datetime conversion for the hot loop (zoneinfo per row would dominate the run time)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1)
_BUCKET_S = 900  # UTC offsets change on quarter-hour boundaries in every zone in use


def utc_naive(ts: float) -> datetime:
    """A UTC epoch as a naive UTC datetime (the CRM's convention)."""
    return _EPOCH + timedelta(0, ts)      # positional: twice as fast as seconds=


class LocalTime:
    """Epochs as naive wall-clock datetimes, local hours and local dates in one zone."""

    def __init__(self, tz: str) -> None:
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self._offsets: dict[int, float] = {}

    def offset(self, ts: float) -> float:
        """Seconds east of UTC at ``ts``."""
        bucket = int(ts // _BUCKET_S)
        off = self._offsets.get(bucket)
        if off is None:
            delta = datetime.fromtimestamp(bucket * _BUCKET_S, self.zone).utcoffset()
            off = self._offsets[bucket] = delta.total_seconds() if delta else 0.0
        return off

    def naive(self, ts: float) -> datetime:
        """The naive local datetime of ``ts`` (what a PBX writes to queue_log.time)."""
        return _EPOCH + timedelta(0, ts + self.offset(ts))

    def hour(self, ts: float) -> float:
        """Fractional local hour of day, 0 <= h < 24."""
        return ((ts + self.offset(ts)) % 86400) / 3600

    def date(self, ts: float) -> date:
        """The local calendar date of ``ts``."""
        return (_EPOCH + timedelta(seconds=ts + self.offset(ts))).date()

    def at(self, day: date, hours: float) -> float:
        """Epoch of ``hours`` after local midnight of ``day`` (hours may exceed 24)."""
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.zone).timestamp()
        return midnight + hours * 3600

    def __getstate__(self) -> dict:
        return {"tz": self.tz}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["tz"])
