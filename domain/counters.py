"""Idempotent counters: each call or ticket contributes numbers to time buckets, and can change its mind.

A call's contribution is computed from its facts before and after every event and the difference is
applied, so a duplicate event changes nothing and an out-of-order event lands where it belongs. Counters are kept per
scope (a queue, a channel, an operator) per 15-minute interval of today (today's totals are their sum), and per
minute for the rolling windows.

A contribution item is a plain tuple ``(scope, minute, field, value)``: ``value`` added to counter ``field`` of
``scope`` in the minute starting at epoch ``minute * 60`` (plain tuples: this is the poller's hot path).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Hashable

INTERVAL_MIN = 15
ROLLING_KEEP_MIN = 60

Item = tuple  # (scope, minute, field, value)


def _bucket(buckets: dict, key: int) -> defaultdict:
    bucket = buckets.get(key)
    if bucket is None:
        bucket = buckets[key] = defaultdict(float)
    return bucket


class CounterBook:
    """15-minute intervals of today (and their totals) and per-minute buckets, fed by replaceable contributions."""

    def __init__(self, day_start: float, detailed: bool = True, day_end: float | None = None) -> None:
        self.day_start = day_start
        self._day_min = int(day_start // 60)
        self._end_min = _end_minute(day_end)
        self.detailed = detailed  # False: today's totals only (per-operator books)
        self.intervals: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        self.minutes: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        self._totals: dict[Hashable, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._today: dict | None = None
        # Contributions dated after today (a source clock a little ahead near midnight): kept by minute until
        # their day comes, counted in no day before.
        self._ahead: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        # Minutes before this are not kept one by one (older than any rolling window): the rebuild skips them.
        self.rolling_floor = 0

    def replace(self, old: tuple[Item, ...], new: tuple[Item, ...]) -> None:
        """Swap a call's or ticket's old contribution for its new one (both computed from its facts).

        Only the items that differ are applied (a contribution never repeats an item), so an event that adds
        one fact to a call costs one or two counter updates, not a full swap.
        """
        if old == new:
            return
        self._today = None
        add = self._add
        if old:
            same = set(old).intersection(new)
            for scope, minute, field, value in old:
                if (scope, minute, field, value) not in same:
                    add(scope, minute, field, -value)
            new = [item for item in new if item not in same]
        for scope, minute, field, value in new:
            add(scope, minute, field, value)

    def _add(self, scope: Hashable, minute: int, field: str, value: float) -> None:
        if not self.detailed:
            if self._day_min <= minute < self._end_min:
                self._totals[scope][field] += value
            elif minute >= self._end_min:
                _bucket(self._ahead[scope], minute)[field] += value
            return
        # Minutes run across midnight so that the rolling windows do not empty at 00:00.
        if minute >= self.rolling_floor:
            _bucket(self.minutes[scope], minute)[field] += value
        if self._day_min <= minute < self._end_min:
            _bucket(self.intervals[scope], (minute - self._day_min) // INTERVAL_MIN)[field] += value
        elif minute >= self._end_min:
            _bucket(self._ahead[scope], minute)[field] += value

    def _add_day(self, scope: Hashable, minute: int, field: str, value: float) -> None:
        """The day part of :meth:`_add` (a contribution dated ahead joins its day when the day comes)."""
        if minute >= self._end_min:
            _bucket(self._ahead[scope], minute)[field] += value
        elif self.detailed:
            _bucket(self.intervals[scope], (minute - self._day_min) // INTERVAL_MIN)[field] += value
        else:
            self._totals[scope][field] += value

    @property
    def today(self) -> dict[Hashable, dict[str, float]]:
        """Today's totals per scope (the sum of the intervals, computed once per change)."""
        if not self.detailed:
            return self._totals
        if self._today is None:
            totals: dict[Hashable, defaultdict[str, float]] = {}
            for scope, intervals in self.intervals.items():
                sums = totals[scope] = defaultdict(float)
                for bucket in intervals.values():
                    for field, value in bucket.items():
                        sums[field] += value
            self._today = totals
        return self._today

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
        self.rolling_floor = max(self.rolling_floor, oldest)
        for buckets in self.minutes.values():
            for minute in [m for m in buckets if m < oldest]:
                del buckets[minute]

    def roll_day(self, day_start: float, day_end: float | None = None) -> None:
        """Start a new day at ``day_start``: today's totals and intervals restart from what was dated ahead."""
        self.day_start = day_start
        self._day_min = int(day_start // 60)
        self._end_min = _end_minute(day_end)
        self.intervals.clear()
        self._totals.clear()
        self._today = None
        ahead, self._ahead = self._ahead, defaultdict(dict)
        for scope, buckets in ahead.items():
            for minute, fields in buckets.items():
                if minute >= self._day_min:
                    for field, value in fields.items():
                        if value:
                            self._add_day(scope, minute, field, value)


def _end_minute(day_end: float | None) -> int | float:
    return float("inf") if day_end is None else int(day_end // 60)
