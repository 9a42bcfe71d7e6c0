"""Sliding windows of timestamped values per subject, and bursts that fire once while they go on."""

from __future__ import annotations

import bisect
from operator import itemgetter
from typing import Callable, Hashable, NamedTuple

Item = tuple[float, Hashable, Hashable]  # (ts, value, ref)
_TS = itemgetter(0)


class SlidingWindow:
    """Items kept while they are at most ``span`` seconds older than the newest one; a ref is kept once."""

    __slots__ = ("span", "items", "refs", "newest")

    def __init__(self, span: float) -> None:
        self.span = span
        self.items: list[Item] = []
        self.refs: set[Hashable] = set()
        self.newest = float("-inf")

    def add(self, ts: float, value: Hashable, ref: Hashable) -> bool:
        """Insert in time order (late items too); False when ``ref`` is already there (a re-delivered row)."""
        if ref in self.refs:
            return False
        bisect.insort(self.items, (ts, value, ref), key=_TS)
        self.refs.add(ref)
        self.newest = max(self.newest, ts)
        self.drop_before(self.newest - self.span)
        return True

    def drop_before(self, ts: float, inclusive: bool = False) -> None:
        """Forget the items older than ``ts`` (and those at ``ts`` when ``inclusive``)."""
        cut = (bisect.bisect_right if inclusive else bisect.bisect_left)(self.items, ts, key=_TS)
        for _, _, ref in self.items[:cut]:
            self.refs.discard(ref)
        del self.items[:cut]

    def between(self, lo: float, hi: float) -> list[Item]:
        """The items with lo <= ts <= hi, oldest first."""
        return self.items[bisect.bisect_left(self.items, lo, key=_TS):bisect.bisect_right(self.items, hi, key=_TS)]


class Burst(NamedTuple):
    """A burst as far as seen: every item from the window that started it on, and the item that started it."""

    items: list[Item]
    start: Item


class Bursts:
    """Per subject: a burst starts when a window of ``span`` s ending at an item holds >= ``need`` distinct values.

    A burst goes on while qualifying windows keep overlapping the previous one, and while items keep coming within
    ``span`` of its last qualifying one; ``observe`` returns it when it starts and each time it grows.
    """

    def __init__(self, span: float, need: int) -> None:
        self.span = span
        self.need = need
        self.windows: dict[Hashable, SlidingWindow] = {}
        self.last: dict[Hashable, float] = {}  # subject -> ts of the last qualifying item of its current burst
        self.current: dict[Hashable, Burst] = {}   # subject -> its current (or latest) burst

    def observe(self, subject: Hashable, ts: float, value: Hashable, ref: Hashable,
                gate: Callable[[list[Item]], bool] | None = None) -> Burst | None:
        """Add an item; the burst when one starts here (and ``gate`` allows it) or this item extends it, else None."""
        window = self.windows.setdefault(subject, SlidingWindow(self.span))
        if not window.add(ts, value, ref):
            return None
        prev, burst = self.last.get(subject), self.current.get(subject)
        if burst is not None and prev is not None and ts - self.span <= prev:
            burst.items.append((ts, value, ref))     # within the span of the burst: part of it
            if len({v for _, v, _ in window.between(ts - self.span, ts)}) >= self.need:
                self.last[subject] = max(prev, ts)
            return burst
        items = window.between(ts - self.span, ts)
        if len({v for _, v, _ in items}) < self.need:
            return None
        if gate is not None and not gate(items):
            return None
        self.last[subject] = ts
        self.current[subject] = Burst(list(items), (ts, value, ref))
        return self.current[subject]

    def prune(self, horizon: float) -> None:
        """Forget subjects and bursts with nothing newer than ``horizon``."""
        for subject in [s for s, w in self.windows.items() if w.newest < horizon]:
            del self.windows[subject]
        for subject in [s for s, ts in self.last.items() if ts < horizon]:
            del self.last[subject]
            self.current.pop(subject, None)

    def size(self) -> int:
        """How many items are held."""
        return sum(len(w.items) for w in self.windows.values())
