"""Injected personal-data access anomalies (the README's detector table) and their ground-truth labels.

Labels go only to the ground-truth file (via :attr:`Batch.truth`); the rows an anomaly writes look like any
other access-journal or sign-in rows. A label is written when its case has scheduled its last row, so a range
that ends in the middle of a case has the label and the rows up to the range's end.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Callable

from domain.clock import iso_utc
from simulator import rows
from simulator.population import Operator
from simulator.world import World

if TYPE_CHECKING:
    from simulator.crm import Crm, Ticket
    from simulator.roster import Roster, Shift
    from simulator.workforce import Workforce

PER_DAY_AT_FULL_SCALE = 1.0   # each scenario once a day at full scale: ~23 incidents among ~2,500 operator-days
MAX_PERIOD_DAYS = 7


@dataclass(frozen=True)
class Scenario:
    """How to choose a case's operator and time on a day, and how to play it."""

    pick: Callable[["Injector", random.Random, date, list["Shift"]], "tuple[Operator, float] | None"]
    run: Callable[["Injector", "Case"], None]


@dataclass
class Case:
    """One injected anomaly: who, when, which citizens, and what happened in words."""

    scenario: str
    op: Operator
    start: float
    end: float = 0.0
    citizens: list[int] = field(default_factory=list)
    description: str = ""
    day: date | None = None       # the label's local day (default: the day of ``start``)
    tries: int = 0
    state: dict = field(default_factory=dict)


class Injector:
    """Plans each day's anomalies and writes their rows when their time comes."""

    tag = "anomalies"   # the random stream of the day's plans (another injector draws from its own)

    def active(self) -> bool:
        """Whether this injector plays at all (SimConfig.anomalies)."""
        return self.w.cfg.anomalies

    def __init__(self, world: World, roster: "Roster", workforce: "Workforce", crm: "Crm",
                 scenarios: dict[str, "Scenario"]) -> None:
        self.w = world
        self.scenarios = scenarios
        self.roster = roster
        self.workforce = workforce
        self.crm = crm
        self.dormant_last: dict[int, float] = {}
        pop = world.pop
        self.special = set(pop.employee_of) | set(pop.watchlist)
        for group in (pop.relatives, pop.neighbours):
            for cids in group.values():
                self.special.update(cids)

    # -- planning --------------------------------------------------------------------------------------------
    def cases_per_day(self, index: int, day: date, rng: random.Random) -> int:
        """How many cases of scenario number ``index`` happen on ``day``."""
        cfg = self.w.cfg
        period = cfg.anomaly_period_days
        if period is None:
            per_day = PER_DAY_AT_FULL_SCALE * cfg.scale
            if per_day >= 1:
                return int(per_day) + (rng.random() < per_day - int(per_day))
            period = min(MAX_PERIOD_DAYS, math.ceil(1 / per_day))
        return 1 if (day.toordinal() + index) % period == 0 else 0

    def plan_day(self, day: date, not_before: float) -> None:
        """Schedule the day's cases (a case whose time has passed is dropped)."""
        if not self.active():
            return
        rng = random.Random(f"{self.w.cfg.seed}:{self.tag}:{day.toordinal()}")
        shifts = self.roster.shifts_on(day)
        for index, (code, scenario) in enumerate(self.scenarios.items()):
            for _ in range(self.cases_per_day(index, day, rng)):
                picked = scenario.pick(self, rng, day, shifts)
                if picked is not None and picked[1] >= not_before:
                    self.w.loop.at(picked[1], scenario.run, self, Case(code, picked[0], picked[1]))

    def on_shift_pick(self, rng: random.Random, shifts: list["Shift"], kinds: tuple[str, ...] = (),
                      want=None) -> tuple[Operator, float] | None:
        """A random operator working that day (of the given team kinds, passing ``want``) and a time in the shift
        that falls on the shifts' day."""
        pop, local = self.w.pop, self.w.local
        if not shifts:
            return None
        day = local.date(shifts[0].start)
        day_start, day_end = local.at(day, 0), local.at(day, 24)
        windows = [(s.op, max(s.start + 1800, day_start), min(s.end - 3600, day_end)) for s in shifts
                   if (not kinds or pop.kind_of(s.op) in kinds) and (want is None or want(s.op))]
        windows = [w for w in windows if w[1] < w[2]]
        if not windows:
            return None
        op, low, high = windows[int(rng.random() * len(windows))]
        return op, rng.uniform(low, high)

    # -- helpers for scenarios -------------------------------------------------------------------------------
    def plain_citizens(self, op: Operator, k: int) -> list[int]:
        """``k`` distinct ordinary citizens this operator has no business with today."""
        w = self.w
        ids = w.pop.citizen_ids
        touched = self.crm.touched.get(op.id, set())
        out: list[int] = []
        while len(out) < k:
            cid = ids[int(w.rng.random() * len(ids))]
            if cid not in self.special and cid not in touched and cid not in out:
                out.append(cid)
        return out

    def browse(self, op: Operator, start: float, citizens: list[int], span_s: float, ip: str | None = None,
               ticket: "Ticket | None" = None, view_only: float = 0.0) -> float:
        """Search and open each citizen's record, spread over ``span_s``; returns the last row's time."""
        w = self.w
        last = start
        for i, cid in enumerate(citizens):
            t = start + span_s * i / max(len(citizens), 1) + w.rng.uniform(0, 0.5 * span_s / max(len(citizens), 1))
            if w.rng.random() >= view_only:
                self.crm.touch(t, op, cid, "search", ticket, ticket.call_id if ticket else None, ip)
                t += w.rng.uniform(3, 20)
            self.crm.touch(t, op, cid, "view", ticket, ticket.call_id if ticket else None, ip)
            last = max(last, t)
        return last

    def sign_in(self, op: Operator, ts: float, ip: str | None = None, success: bool = True) -> None:
        """A sign-in row at ``ts``."""
        self.w.emit_at(ts, "sign_in_events", rows.sign_in(max(ts, self.w.now), op.id, op.login, success,
                                                          ip or op.ip))

    def finish(self, case: Case) -> None:
        """Write the label as soon as all of the case's rows are scheduled (some may lie minutes ahead)."""
        day = case.day or self.w.local.date(case.start)
        self.w.out.truth.append({
            "scenario": case.scenario, "operator_id": case.op.id, "day": day.isoformat(),
            "start": iso_utc(case.start), "end": iso_utc(case.end), "citizen_ids": case.citizens,
            "description": case.description})
