"""Idempotent counters: each call or ticket contributes numbers to time buckets, and can change its mind.

A call's contribution is computed from its facts before and after every event and the difference is
applied, so a duplicate event changes nothing and an out-of-order event lands where it belongs. Counters are kept per
scope (a queue, a channel, an operator) per 15-minute interval of today (today's totals are their sum), and per
minute for the rolling windows.

A contribution item is a plain tuple ``(scope, minute, field, value)``: ``value`` added to counter ``field`` of
``scope`` in the minute starting at epoch ``minute * 60`` (plain tuples: this is the poller's hot path).

The interval history reads a book's 15-minute buckets: the ones changed since it last looked (:meth:`take_touched`)
and, after a day roll, the day just closed (:attr:`CounterBook.closed_day`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Hashable, Iterable, Iterator

INTERVAL_MIN = 15
INTERVAL_S = INTERVAL_MIN * 60
ROLLING_KEEP_MIN = 60

Item = tuple  # (scope, minute, field, value)


def _float_fields() -> defaultdict:
    """An empty field -> value bucket (a named function, not a lambda: the live state can be pickled)."""
    return defaultdict(float)


def _bucket(buckets: dict, key: int) -> defaultdict:
    bucket = buckets.get(key)
    if bucket is None:
        bucket = buckets[key] = defaultdict(float)
    return bucket


class CounterBook:
    """15-minute intervals of today (and their totals) and per-minute buckets, fed by replaceable contributions."""

    def __init__(self, day_start: float, detailed: bool = True, day_end: float | None = None,
                 interval_only: tuple[str, ...] = (), rolling: bool = True) -> None:
        self.day_start = day_start
        self._day_min = int(day_start // 60)
        self._end_min = _end_minute(day_end)
        self.detailed = detailed  # False: today's totals only (per-operator books)
        # Fields starting with these (the wait histograms) live in the intervals only: no rolling window or day
        # total sums them, so a histogram costs the live screens nothing. ``rolling`` False: no minute buckets.
        self._interval_only = interval_only
        self._rolling = rolling
        self.intervals: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        self.minutes: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        self._totals: dict[Hashable, defaultdict[str, float]] = defaultdict(_float_fields)
        # Contributions dated after today (a source clock a little ahead near midnight): kept by minute until
        # their day comes, counted in no day before.
        self._ahead: dict[Hashable, dict[int, defaultdict[str, float]]] = defaultdict(dict)
        # Minutes before this are not kept one by one (older than any rolling window): the rebuild skips them.
        self.rolling_floor = 0
        self.touched: set[tuple[Hashable, int]] = set()  # (scope, interval index) changed since take_touched
        # (day start, its intervals, or its totals when not detailed) of the day the last roll closed.
        self.closed_day: tuple[float, dict] | None = None

    def replace(self, old: tuple[Item, ...], new: tuple[Item, ...]) -> None:
        """Swap a call's or ticket's old contribution for its new one (both computed from its facts).

        Only the items that differ are applied (a contribution never repeats an item), so an event that adds
        one fact to a call costs one or two counter updates, not a full swap.
        """
        if old == new:
            return
        add = self._add
        if old:
            same = set(old).intersection(new)
            for scope, minute, field, value in old:
                if (scope, minute, field, value) not in same:
                    add(scope, minute, field, -value)
            new = [item for item in new if item not in same]
        for scope, minute, field, value in new:
            add(scope, minute, field, value)

    def add(self, items: Iterable[Item]) -> None:
        """Add contributions that are never taken back (an operator's seconds in a state, once they are over)."""
        add = self._add
        for scope, minute, field, value in items:
            add(scope, minute, field, value)

    def _add(self, scope: Hashable, minute: int, field: str, value: float) -> None:
        if not self.detailed:
            if self._day_min <= minute < self._end_min:
                self._totals[scope][field] += value
                self.touched.add((scope, 0))
            elif minute >= self._end_min:
                _bucket(self._ahead[scope], minute)[field] += value
            return
        only = self._interval_only and field.startswith(self._interval_only)
        # Minutes run across midnight so that the rolling windows do not empty at 00:00.
        if minute >= self.rolling_floor and self._rolling and not only:
            _bucket(self.minutes[scope], minute)[field] += value
        if self._day_min <= minute < self._end_min:
            self._add_interval(scope, minute, field, value, only)
        elif minute >= self._end_min:
            _bucket(self._ahead[scope], minute)[field] += value

    def _add_interval(self, scope: Hashable, minute: int, field: str, value: float, only: bool) -> None:
        index = (minute - self._day_min) // INTERVAL_MIN
        _bucket(self.intervals[scope], index)[field] += value
        self.touched.add((scope, index))
        if not only:
            self._totals[scope][field] += value

    def _add_day(self, scope: Hashable, minute: int, field: str, value: float) -> None:
        """The day part of :meth:`_add` (a contribution dated ahead joins its day when the day comes)."""
        if minute >= self._end_min:
            _bucket(self._ahead[scope], minute)[field] += value
        elif self.detailed:
            only = bool(self._interval_only) and field.startswith(self._interval_only)
            self._add_interval(scope, minute, field, value, only)
        else:
            self._totals[scope][field] += value
            self.touched.add((scope, 0))

    @property
    def today(self) -> dict[Hashable, dict[str, float]]:
        """Today's totals per scope (the sum of the intervals, kept as they change; histograms left out)."""
        return self._totals

    def take_touched(self) -> set[tuple[Hashable, int]]:
        """The (scope, interval index) buckets changed since the last call (index 0 in a book of totals)."""
        touched, self.touched = self.touched, set()
        return touched

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
        """Start a new day at ``day_start``: today's totals and intervals restart from what was dated ahead; the
        closed day's intervals (or totals) are kept in :attr:`closed_day` for the history to flush."""
        self.closed_day = (self.day_start, self.intervals if self.detailed else self._totals)
        self.day_start = day_start
        self._day_min = int(day_start // 60)
        self._end_min = _end_minute(day_end)
        self.intervals = defaultdict(dict)
        self._totals = defaultdict(_float_fields)
        self.touched = set()
        ahead, self._ahead = self._ahead, defaultdict(dict)
        for scope, buckets in ahead.items():
            for minute, fields in buckets.items():
                if minute >= self._day_min:
                    for field, value in fields.items():
                        if value:
                            self._add_day(scope, minute, field, value)


def interval_pieces(start: float, end: float) -> Iterator[tuple[float, float]]:
    """[start, end) cut at the 15-minute borders: (piece start, seconds) in order."""
    while start < end:
        border = start - start % INTERVAL_S + INTERVAL_S
        stop = border if border < end else end
        yield start, stop - start
        start = stop


def _end_minute(day_end: float | None) -> int | float:
    return float("inf") if day_end is None else int(day_end // 60)
