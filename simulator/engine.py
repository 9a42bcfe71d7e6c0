"""HotlineSimulator: the whole hotline wired together, advanced step by step to produce rows."""

from __future__ import annotations

from datetime import date, timedelta

from simulator import profile, rows, staffing
from simulator.adversary import ADVERSARY, Adversary
from simulator.anomalies import Injector
from simulator.arrivals import Arrivals
from simulator.crm import Crm
from simulator.digital import Desks
from simulator.events import Batch
from simulator.pbx import Pbx
from simulator.population import Population
from simulator.portal import Portal
from simulator.roster import Roster
from simulator.scenarios import SCENARIOS
from simulator.workforce import Workforce
from simulator.world import SimConfig, World

PLAN_AHEAD_S = 3600          # a day's shifts are published an hour before it starts
LEAVES = "leaves"
SHIFTS = "shifts"


def requirements(cfg: SimConfig) -> dict[str, list[int]]:
    """Operators to schedule per local hour for every pool (phone queues, digital desks, back office)."""
    out = {q: staffing.phone_required(q, cfg.scale, cfg.wrapup_s, cfg.sl_threshold_s) for q in profile.QUEUES}
    for desk, channels in profile.DESKS.items():
        out[desk] = staffing.desk_required(desk, cfg.scale, min(cfg.targets.get(c, 900) for c in channels))
    out["backoffice"] = staffing.backoffice_required(cfg.scale)
    return out


class HotlineSimulator:
    """The PBX, the CRM, the portal and the people, simulated from ``start``; resumable and deterministic."""

    def __init__(self, cfg: SimConfig, pop: Population, start: float, next_ticket_id: int = 1,
                 next_incident_id: int = 1) -> None:
        self.cfg = cfg
        self.w = w = World(cfg, pop, start)
        self.roster = Roster(pop, w.local, cfg.seed, requirements(cfg))
        self.workforce = Workforce(w)
        self.crm = Crm(w, self.roster, self.workforce, next_ticket_id)
        self.pbx = Pbx(w, self.crm)
        self.desks = Desks(w, self.crm)
        self.portal = Portal(w, next_incident_id)
        self.workforce.stations = {"phone": self.pbx, "digital": self.desks}
        self.arrivals = Arrivals(w, self.pbx, self.desks, self.portal)
        self.injector = Injector(w, self.roster, self.workforce, self.crm, SCENARIOS)
        self.adversary = Adversary(w, self.roster, self.workforce, self.crm, ADVERSARY)
        self.adversary.dormant_last = self.injector.dormant_last   # one account is not dormant for both
        self._begin(start)

    @property
    def now(self) -> float:
        """The simulated time reached."""
        return self.w.now

    def advance_to(self, ts: float) -> Batch:
        """Simulate up to ``ts`` and hand over everything that happened since the last call."""
        self.w.loop.run_until(ts)
        batch, self.w.out = self.w.out, Batch()
        batch.until = self.w.now
        return batch

    def _begin(self, start: float) -> None:
        w = self.w
        today = w.local.date(start)
        self._write_leaves(today, start)
        for day in (today - timedelta(days=1), today):
            self._plan(day, start)
        tomorrow = today + timedelta(days=1)
        publish = w.local.at(tomorrow, 0) - PLAN_AHEAD_S
        if publish <= start:
            self._plan(tomorrow, start)
            tomorrow += timedelta(days=1)
            publish = w.local.at(tomorrow, 0) - PLAN_AHEAD_S
        w.loop.at(publish, self._publish, tomorrow)
        self.arrivals.start()
        self.portal.start()

    def _publish(self, day: date) -> None:
        """An hour before ``day``: its shifts, its leaves, and tomorrow's turn."""
        w = self.w
        for lv in self.roster.leaves_starting(day):
            self._leave_row(lv)
        self._plan(day, w.now)
        w.loop.at(w.local.at(day, 0), self.crm.new_day)
        nxt = day + timedelta(days=1)
        w.loop.at(w.local.at(nxt, 0) - PLAN_AHEAD_S, self._publish, nxt)

    def _plan(self, day: date, not_before: float) -> None:
        w = self.w
        for shift in self.roster.shifts_on(day):
            if shift.end > not_before:
                w.emit(SHIFTS, rows.shift(shift.op.id, shift.start, shift.end))
                self.workforce.schedule(shift, not_before)
        self.portal.plan_day(day, not_before)
        self.injector.plan_day(day, not_before)
        self.adversary.plan_day(day, not_before)

    def _write_leaves(self, today: date, start: float) -> None:
        """Leaves that are running or start today, as the CRM already knows them when the simulation begins."""
        d = today.toordinal()
        for back in range(15, -1, -1):
            for lv in self.roster.leaves_starting(today - timedelta(days=back)):
                if lv.first_day + lv.days > d:
                    self._leave_row(lv)

    def _leave_row(self, lv) -> None:
        w = self.w
        first = date.fromordinal(lv.first_day)
        w.emit(LEAVES, rows.leave(lv.op_id, w.local.at(first, 0), w.local.at(first + timedelta(days=lv.days), 0),
                                  lv.kind))
