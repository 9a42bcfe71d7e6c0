"""Idempotent counters: each call or ticket contributes numbers to time buckets, and can change its mind.

A call's contribution is computed from its facts before and after every event and the difference is
applied, so a duplicate event changes nothing and an out-of-order event lands where it belongs. Counters are kept per
scope (a queue, a channel, an operator) for today, per 15-minute interval of today, and per minute for the
rolling windows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Hashable, NamedTuple

INTERVAL_S = 900
ROLLING_KEEP_MIN = 60


class Item(NamedTuple):
    """``value`` added to counter ``field`` of ``scope`` in the minute starting at epoch ``minute * 60``."""

    scope: Hashable
    minute: int
    field: str
    value: float


class CounterBook:
    """Today's totals, 15-minute intervals and per-minute buckets, fed by replaceable contributions."""

    def __init__(self, day_start: float, detailed: bool = True) -> None:
        self._day_start_min = int(day_start // 60)
        self.day_start = day_start
        self.detailed = detailed  # False: today's totals only (per-operator books)
        self.today: dict[Hashable, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.intervals: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        self.minutes: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)

    def replace(self, old: tuple[Item, ...], new: tuple[Item, ...]) -> None:
        """Swap a call's or ticket's old contribution for its new one (both computed from its facts)."""
        if old == new:
            return
        for item in old:
            self._add(item, -item.value)
        for item in new:
            self._add(item, item.value)

    def _add(self, item: Item, value: float) -> None:
        if self.detailed:
            # Minutes run across midnight so that the rolling windows do not empty at 00:00.
            self.minutes[item.scope].setdefault(item.minute, defaultdict(float))[item.field] += value
        if item.minute < self._day_start_min:
            return  # before today: part of no daily counter
        self.today[item.scope][item.field] += value
        if not self.detailed:
            return
        interval = (item.minute * 60 - int(self.day_start)) // INTERVAL_S
        self.intervals[item.scope].setdefault(interval, defaultdict(float))[item.field] += value

    def window(self, scope: Hashable, now: float, minutes: int) -> dict[str, float]:
        """Sums of the last ``minutes`` minutes up to ``now`` (the current minute included)."""
        now_min = int(now // 60)
        out: defaultdict[str, float] = defaultdict(float)
        buckets = self.minutes.get(scope, {})
        for minute in range(now_min - minutes + 1, now_min + 1):
            for field, value in buckets.get(minute, {}).items():
                out[field] += value
        return out

    def trim_minutes(self, now: float) -> None:
        """Forget minute buckets older than the longest rolling window."""
        oldest = int(now // 60) - ROLLING_KEEP_MIN
        for buckets in self.minutes.values():
            for minute in [m for m in buckets if m < oldest]:
                del buckets[minute]

    def roll_day(self, day_start: float) -> None:
        """Start a new day at ``day_start``: today's totals and intervals restart from zero."""
        self.day_start = day_start
        self._day_start_min = int(day_start // 60)
        self.today.clear()
        self.intervals.clear()
