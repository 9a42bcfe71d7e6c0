"""Late HR records: which operator-days to judge again when a termination or a leave is entered after the fact.

D08 judges an access against the termination date and the leaves the CRM holds when the access is judged. A
termination or leave entered later (HR paperwork comes days late) must re-judge the days it covers: compare what
the CRM says now with what it said before, and list, per operator, the local days from the first affected one up
to today (not before ``oldest_day``, the start of the kept journal).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import local_day
from domain.detectors.model import Leave


@dataclass(frozen=True, slots=True)
class HrFacts:
    """What the CRM says about an operator's absences: the termination time and the leaves' [start, end)."""

    terminated_at: float | None
    leaves: frozenset[tuple[float, float]] = frozenset()


def hr_facts(terminated: dict[int, float | None], leaves: dict[int, list[Leave]]) -> dict[int, HrFacts]:
    """The facts per operator from the operators' termination times and their leaves."""
    ids = set(terminated) | set(leaves)
    return {i: HrFacts(terminated.get(i), frozenset((lv.start, lv.end) for lv in leaves.get(i, ()))) for i in ids}


def _first_change(old: HrFacts, new: HrFacts) -> float | None:
    """The earliest moment from which the judgement of an access may differ, or None when nothing changed."""
    starts = []
    if new.terminated_at != old.terminated_at:
        starts += [t for t in (new.terminated_at, old.terminated_at) if t is not None]
    starts += [start for start, _ in new.leaves ^ old.leaves]
    return min(starts) if starts else None


def days_to_rejudge(before: dict[int, HrFacts], after: dict[int, HrFacts], now: float, tz: str,
                    oldest_day: str) -> dict[int, tuple[str, str]]:
    """Per operator known before whose facts changed for a moment before ``now``: (first day, today) to judge again.
    """
    today, out = local_day(now, tz), {}
    for op_id, new in after.items():
        first = None if op_id not in before else _first_change(before[op_id], new)
        if first is None or first >= now:
            continue
        out[op_id] = (max(local_day(first, tz), oldest_day), today)
    return out
