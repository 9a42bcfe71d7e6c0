"""D21: gaps in the access journal: calls were answered, and the journal recorded nothing.

Every answered call opens a phone ticket, and the operator then finds and opens the caller's record, so a
half-hour slot with answered calls and no journal row is itself a finding (research 5.1, D21):

- an **operator gap**: an operator answered at least ``operator_min_calls`` calls in the slot and the journal has
  no row of theirs from ``lateness_s`` before the slot to ``lateness_s`` after it (the records were opened some
  other way: another account, a copy, a journal that skips them) - a hit on the operator-day;
- a **journal gap**: the hotline answered at least ``journal_min_calls`` calls in the slot and the journal has no
  row at all in that span (a silent source, lost hours) - a critical compliance alert, not an operator's case.

A slot is judged once it and its lateness lie before the horizon the journal has been read up to, and only when
the rows of its whole span were seen (after a restart the slots before the first row read are not judged).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from domain.detectors.model import Hit

BUCKET_S = 300.0   # rows are counted per 5 minutes, so that a slot's span can reach a little past it


@dataclass(frozen=True)
class GapConfig:
    """The slot, the lateness around it and the calls that make silence a finding."""

    slot_s: float = 1800.0
    lateness_s: float = 600.0
    operator_min_calls: int = 2
    journal_min_calls: int = 20
    look_back_s: float = 86400.0       # slots older than this behind the horizon are not judged any more


@dataclass(frozen=True)
class JournalGap:
    """A slot in which calls were answered and the journal holds no row at all."""

    start: float
    end: float
    calls: int


@dataclass(frozen=True)
class OperatorGap:
    """A slot in which one operator answered calls and the journal holds no row of theirs."""

    operator_id: int
    start: float
    end: float
    calls: int


class JournalGaps:
    """Journal rows counted per operator and 5 minutes, and the slots judged so far."""

    def __init__(self, cfg: GapConfig | None = None) -> None:
        self.cfg = cfg or GapConfig()
        self.rows: dict[float, Counter[int]] = defaultdict(Counter)    # 5-minute bucket -> operator -> rows
        self.calls: dict[float, Counter[int]] = defaultdict(Counter)   # slot -> operator -> answered calls
        self.seen_from: float | None = None    # the journal's rows were read from this time on
        self.judged_until: float | None = None  # slots starting before this were judged

    def watch_from(self, ts: float) -> None:
        """Rows will be read from ``ts`` on (a start or restart); earlier slots cannot be judged."""
        self.seen_from = ts if self.seen_from is None else min(self.seen_from, ts)

    def observe(self, operator_id: int, ts: float) -> None:
        """Count one journal row (any action) of the operator."""
        if not math.isfinite(ts):
            return
        if self.seen_from is None:
            self.seen_from = ts
        self.rows[_floor(ts, BUCKET_S)][operator_id] += 1

    def observe_call(self, operator_id: int, ts: float) -> None:
        """Count one answered call of the operator (a phone ticket it was assigned)."""
        if math.isfinite(ts):
            self.calls[_floor(ts, self.cfg.slot_s)][operator_id] += 1

    def due(self, horizon: float) -> list[float]:
        """Starts of the slots that can be judged now: fully seen, their lateness before ``horizon``, not judged."""
        cfg = self.cfg
        if self.seen_from is None or not math.isfinite(horizon):
            return []
        first = _ceil(max(self.seen_from + cfg.lateness_s, horizon - cfg.look_back_s), cfg.slot_s)
        if self.judged_until is not None:
            first = max(first, self.judged_until)
        slots = []
        start = first
        while start + cfg.slot_s + cfg.lateness_s <= horizon:
            slots.append(start)
            start += cfg.slot_s
        return slots

    def judge(self, start: float) -> tuple[JournalGap | None, list[OperatorGap]]:
        """The findings of one slot (``start`` from ``due``); marks the slot judged."""
        cfg = self.cfg
        calls = self.calls.get(start, Counter())
        end = start + cfg.slot_s
        self.judged_until = max(self.judged_until or end, end)
        span: Counter[int] = Counter()
        bucket = _floor(start - cfg.lateness_s, BUCKET_S)
        while bucket < end + cfg.lateness_s:
            span.update(self.rows.get(bucket, {}))
            bucket += BUCKET_S
        total = sum(calls.values())
        if not span:
            return (JournalGap(start, end, total) if total >= cfg.journal_min_calls else None), []
        return None, [OperatorGap(op, start, end, n) for op, n in sorted(calls.items())
                      if n >= cfg.operator_min_calls and not span.get(op)]

    def prune(self, horizon: float) -> None:
        """Forget the counts no slot still to be judged needs."""
        keep = horizon - self.cfg.look_back_s - self.cfg.slot_s - 2 * self.cfg.lateness_s
        if self.judged_until is not None:
            keep = max(keep, self.judged_until - self.cfg.lateness_s - BUCKET_S)
        for bucket in [b for b in self.rows if b < keep]:
            del self.rows[bucket]
        for slot in [s for s in self.calls if s < keep]:
            del self.calls[slot]


def _floor(ts: float, step: float) -> float:
    return math.floor(ts / step) * step


def _ceil(ts: float, step: float) -> float:
    return math.ceil(ts / step) * step


def gap_hit(gap: OperatorGap, day: str, points: int, hhmm) -> Hit:
    """The D21 hit of an operator gap on its local ``day`` (``hhmm``: the local clock), one per slot."""
    span = f"{hhmm(gap.start)}-{hhmm(gap.end)}"
    return Hit("D21", gap.operator_id, day, gap.end, points,
               f"ответил на звонки ({gap.calls}) в {span}, а в журнале доступа нет ни одной его строки",
               f"answered {gap.calls} calls at {span} and the access journal holds no row of theirs",
               (), (), (), scope=f"gap{int(gap.start)}")
