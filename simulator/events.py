"""The event loop (one heap for the whole hotline) and the batch of rows a step of simulation produced."""

from __future__ import annotations

import heapq
from typing import Any, Callable


class EventLoop:
    """Discrete-event scheduler: callbacks run in time order, ties in scheduling order."""

    __slots__ = ("heap", "seq", "now")

    def __init__(self, now: float) -> None:
        self.heap: list[tuple[float, int, Callable, tuple]] = []
        self.seq = 0
        self.now = now

    def at(self, ts: float, fn: Callable, *args: Any) -> None:
        """Run ``fn(*args)`` at ``ts`` (never before the current time)."""
        self.seq += 1
        heapq.heappush(self.heap, (ts if ts > self.now else self.now, self.seq, fn, args))

    def run_until(self, ts: float) -> None:
        """Run every event due at or before ``ts``; the clock ends at ``ts``."""
        heap = self.heap
        pop = heapq.heappop
        while heap and heap[0][0] <= ts:
            when, _, fn, args = pop(heap)
            self.now = when
            fn(*args)
        self.now = max(self.now, ts)


class Batch:
    """Rows to insert per table, in-place updates per table and row id, and ground-truth lines."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}
        self.updates: dict[str, dict[int, dict]] = {}
        self.truth: list[dict] = []
        self.until: float | None = None
        self.done: set[str] = set()        # databases already written (a retry skips them)
        self._new: dict[tuple[str, int], dict] = {}

    def add(self, table: str, row: dict) -> None:
        """Queue ``row`` for insertion; a row with an ``id`` can still be changed by :meth:`update`."""
        self.rows.setdefault(table, []).append(row)
        if "id" in row:
            self._new[(table, row["id"])] = row

    def update(self, table: str, row_id: int, values: dict) -> None:
        """Change a row: folded into its insert when it is in this batch, else an UPDATE by id."""
        row = self._new.get((table, row_id))
        if row is not None:
            row.update(values)
        else:
            self.updates.setdefault(table, {}).setdefault(row_id, {}).update(values)

    def counts(self) -> dict[str, int]:
        """Rows to insert per table."""
        return {table: len(rows) for table, rows in self.rows.items() if rows}

    def __bool__(self) -> bool:
        return bool(self.rows or self.updates or self.truth)
