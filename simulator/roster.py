"""Who works when: each operator keeps a fixed shift template; days off, leaves and breaks follow from the seed.

Everything here is a pure function of (seed, population, scale, day), so a resumed or repeated run plans the
same shifts and leaves as the first one did.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from simulator import staffing
from simulator.population import Operator, Population
from simulator.timeconv import LocalTime

LEAVE_BLOCK_DAYS = 28
ROSTERED_ROLES = ("operator", "senior", "backoffice")


@dataclass(slots=True)
class Shift:
    """One worked shift with its breaks: (start epoch, seconds, reason)."""

    op: Operator
    start: float
    end: float
    breaks: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Leave:
    op_id: int
    first_day: int      # date ordinal
    days: int
    kind: str           # vacation | sick

    def covers(self, day_ordinal: int) -> bool:
        """Whether the leave includes that day."""
        return self.first_day <= day_ordinal < self.first_day + self.days


class Roster:
    """Shift templates of every rostered operator and the shifts and leaves they give on any day."""

    def __init__(self, pop: Population, local: LocalTime, seed: int, requirements: dict[str, list[int]]) -> None:
        self.pop = pop
        self.local = local
        self.seed = seed
        self.assigned: dict[int, tuple[staffing.Template, int]] = {}
        for pool, ops in _pools(pop).items():
            shifts = staffing.cover(requirements.get(pool, [0] * 24))
            self.assigned.update(_assign(ops, shifts, random.Random(f"{seed}:templates:{pool}")))

    def leaves_of(self, op_id: int, block: int) -> tuple[Leave, ...]:
        """The leaves starting in a 28-day block (a vacation a quarter of the blocks, a sick leave now and then)."""
        return _leaves(self.seed, op_id, block)

    def leave_on(self, op_id: int, day_ordinal: int) -> Leave | None:
        """The leave covering that day, if any."""
        block = day_ordinal // LEAVE_BLOCK_DAYS
        for b in (block - 1, block):
            for lv in self.leaves_of(op_id, b):
                if lv.covers(day_ordinal):
                    return lv
        return None

    def leaves_starting(self, day: date) -> list[Leave]:
        """Leaves whose first day is ``day``."""
        d = day.toordinal()
        return [lv for op_id in self.assigned for lv in self.leaves_of(op_id, d // LEAVE_BLOCK_DAYS)
                if lv.first_day == d]

    def window(self, op: Operator, day: date) -> tuple[float, float] | None:
        """(start, end) of the operator's shift starting on ``day``, None on a day off, leave or before hiring."""
        plan = self.assigned.get(op.id)
        d = day.toordinal()
        if plan is None or not plan[0].works(d, plan[1]) or self.leave_on(op.id, d) is not None:
            return None
        start = self.local.at(day, plan[0].start_h)
        if start < op.hired_at or (op.terminated_at is not None and start >= op.terminated_at):
            return None
        return start, start + plan[0].hours * 3600

    def shifts_on(self, day: date) -> list[Shift]:
        """Every shift starting on ``day``, with breaks, in operator order."""
        rng = random.Random(f"{self.seed}:breaks:{day.toordinal()}")
        out = []
        for op_id in self.assigned:
            win = self.window(self.pop.op_by_id[op_id], day)
            if win is not None:
                out.append(Shift(self.pop.op_by_id[op_id], win[0], win[1], _breaks(rng, *win)))
        return out

    def on_shift(self, op: Operator, ts: float, margin: float = 0.0) -> bool:
        """Whether ``ts`` falls within one of the operator's shifts, widened by ``margin`` seconds."""
        day = self.local.date(ts)
        for d in (day - timedelta(days=1), day):
            win = self.window(op, d)
            if win and win[0] - margin <= ts < win[1] + margin:
                return True
        return False

    def next_window(self, op: Operator, ts: float, days: int = 3) -> tuple[float, float] | None:
        """The operator's first shift that is still running at or after ``ts``, looking ``days`` ahead."""
        day = self.local.date(ts)
        for i in range(-1, days + 1):
            win = self.window(op, day + timedelta(days=i))
            if win and win[1] > ts:
                return win
        return None


def _pools(pop: Population) -> dict[str, list[Operator]]:
    """Rostered operators by pool: a phone queue, a digital desk or the back office."""
    pools: dict[str, list[Operator]] = {}
    for op in pop.operators:
        if op.status != "active" or op.role not in ROSTERED_ROLES or op.id in pop.dormant:
            continue
        team = pop.team_by_id[op.team_id]
        key = team.queuename if team.kind == "phone" else (team.desk or "backoffice")
        pools.setdefault(key, []).append(op)
    return pools


def _assign(ops: list[Operator], shifts, rng: random.Random) -> dict[int, tuple[staffing.Template, int]]:
    """Give each template the operators it needs (largest remainder); spare operators stay in reserve."""
    if not ops or not shifts:
        return {}
    need = {staffing.template(s, h): n / staffing.template(s, h).duty / (1 - staffing.LEAVE_SHARE)
            for (s, h), n in sorted(shifts.items())}
    total = sum(need.values())
    seats = min(len(ops), round(total))
    quota = {t: seats * w / total for t, w in need.items()}
    counts = {t: int(q) for t, q in quota.items()}
    for t in sorted(quota, key=lambda t: counts[t] - quota[t])[: seats - sum(counts.values())]:
        counts[t] += 1
    order = list(ops)
    rng.shuffle(order)
    out, i = {}, 0
    for t, n in counts.items():
        for k in range(n):
            out[order[i].id] = (t, k)
            i += 1
    return dict(sorted(out.items()))


@lru_cache(maxsize=65536)
def _leaves(seed: int, op_id: int, block: int) -> tuple[Leave, ...]:
    rng = random.Random(f"{seed}:leave:{op_id}:{block}")
    base = block * LEAVE_BLOCK_DAYS
    out = []
    if rng.random() < 0.27:
        out.append(Leave(op_id, base + rng.randrange(LEAVE_BLOCK_DAYS), rng.randint(7, 14), "vacation"))
    if rng.random() < 0.10:
        out.append(Leave(op_id, base + rng.randrange(LEAVE_BLOCK_DAYS), rng.randint(2, 7), "sick"))
    return tuple(out)


def _breaks(rng: random.Random, start: float, end: float) -> list[tuple[float, float, str]]:
    """Short breaks and lunch spread over the shift, sometimes training or a technical break."""
    hours = (end - start) / 3600
    if hours >= 12:
        plan = [(2.5, 900, "Перерыв"), (5.5, 2700, "Обед"), (8.5, 900, "Перерыв"), (10.5, 900, "Перерыв")]
    elif hours >= 6:
        plan = [(2.0, 900, "Перерыв"), (4.0, 1800, "Обед"), (6.0, 900, "Перерыв")][: 3 if hours >= 8 else 2]
    else:
        plan = [(2.0, 900, "Перерыв")]
    # Breaks are staggered (lunch over a third of the shift) so that a whole shift never leaves the queue at once.
    lunch_spread = 0.16 * hours * 3600
    out = [(start + at * 3600 + rng.uniform(-1, 1) * (lunch_spread if reason == "Обед" else 2400), dur, reason)
           for at, dur, reason in plan]
    if rng.random() < 0.05:
        out.append((start + rng.uniform(1, hours - 2) * 3600, rng.uniform(1800, 3600), "Обучение"))
    if rng.random() < 0.10:
        out.append((start + rng.uniform(0.5, hours - 1) * 3600, rng.uniform(300, 600), "Тех. перерыв"))
    return sorted(out)
