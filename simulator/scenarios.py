"""The anomaly scenarios (D01-D19, the README's detector table): who, when and what each one writes."""

from __future__ import annotations

import random
from datetime import date, timedelta

from simulator.anomalies import Case, Injector, Scenario
from simulator.population import Operator, workstation_ip
from simulator.roster import Shift

PickResult = tuple[Operator, float] | None
HOUR = 3600.0
DORMANT_GAP_S = 21 * 86400
MAX_TRIES = 30


def _working(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    return inj.on_shift_pick(rng, shifts)


def _phone(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    return inj.on_shift_pick(rng, shifts, ("phone",))


def _desk(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """Someone who takes no calls (digital desk or back office), so a burst has no call to explain it."""
    return inj.on_shift_pick(rng, shifts, ("digital", "backoffice"))


def _simple(inj: Injector, case: Case, citizens: list[int], description: str, extra_edit: float = 0.0) -> None:
    """Search and open a few citizens' records right now."""
    w = inj.w
    case.citizens = citizens
    case.end = inj.browse(case.op, w.now, citizens, 60.0 * len(citizens))
    if w.rng.random() < extra_edit:
        case.end += w.rng.uniform(20, 90)
        inj.crm.touch(case.end, case.op, citizens[0], "edit", None, None)
    case.description = description
    inj.finish(case)


# -- D01..D06: whose record ------------------------------------------------------------------------------------
def run_d01(inj: Injector, case: Case) -> None:
    """D01: an operator on shift browses 4-8 unrelated citizens' records."""
    w = inj.w
    case.citizens = inj.plain_citizens(case.op, w.rng.randint(4, 8))
    case.end = inj.browse(case.op, w.now, case.citizens, w.rng.uniform(600, 2400))
    case.description = f"Curiosity browsing: {len(case.citizens)} unrelated citizens opened without a call or ticket"
    inj.finish(case)


def run_d02(inj: Injector, case: Case) -> None:
    """D02: other citizens' records opened under the ticket of the operator's last contact."""
    w = inj.w
    ticket = inj.crm.last_ticket.get(case.op.id)
    if ticket is None or w.now - ticket.created > 12 * HOUR:
        if case.tries < MAX_TRIES:
            case.tries += 1
            w.loop.at(w.now + 600, run_d02, inj, case)
        return
    case.citizens = inj.plain_citizens(case.op, w.rng.randint(1, 2))
    case.end = inj.browse(case.op, w.now, case.citizens, 120.0, ticket=ticket)
    case.description = (f"Records of other citizens opened under ticket {ticket.id} "
                        f"(which belongs to citizen {ticket.citizen_id})")
    inj.finish(case)


def pick_d03(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """An employee on shift who has a citizen record of their own."""
    return inj.on_shift_pick(rng, shifts, want=lambda op: op.citizen_id is not None)


def run_d03(inj: Injector, case: Case) -> None:
    """D03: the operator opens their own record (sometimes edits it)."""
    _simple(inj, case, [case.op.citizen_id], "Operator opened their own citizen record", extra_edit=0.5)


def pick_d04(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """An operator on shift with a relative or flatmate among the citizens."""
    pop = inj.w.pop
    return inj.on_shift_pick(rng, shifts, want=lambda op: op.id in pop.relatives or op.id in pop.neighbours)


def run_d04(inj: Injector, case: Case) -> None:
    """D04: a relative's (same surname stem and address) or a flatmate's record."""
    pop, rng = inj.w.pop, inj.w.rng
    relatives, neighbours = pop.relatives.get(case.op.id, []), pop.neighbours.get(case.op.id, [])
    if relatives and (not neighbours or rng.random() < 0.6):
        _simple(inj, case, [rng.choice(relatives)], "Relative's record opened (same surname stem and address)")
    else:
        _simple(inj, case, [rng.choice(neighbours)], "Neighbour's record opened (same address, other family)")


def run_d05(inj: Injector, case: Case) -> None:
    """D05: a co-worker's citizen record, preferably from the same team."""
    pop, rng = inj.w.pop, inj.w.rng
    colleagues = [cid for cid, op_id in pop.employee_of.items() if op_id != case.op.id]
    same_team = [cid for cid in colleagues if pop.op_by_id[pop.employee_of[cid]].team_id == case.op.team_id]
    cid = rng.choice(same_team or colleagues)
    login = pop.op_by_id[pop.employee_of[cid]].login
    _simple(inj, case, [cid], f"Co-worker's citizen record opened (employee {login})")


def run_d06(inj: Injector, case: Case) -> None:
    """D06: a watch-listed citizen's record, sometimes printed."""
    w = inj.w
    cid = w.rng.choice(w.pop.watchlist)
    _simple(inj, case, [cid], "Watch-listed citizen's record opened without a call or ticket")
    if w.rng.random() < 0.25:
        inj.crm.touch(case.end + 30, case.op, cid, "print", None, None)


# -- D07, D08, D19: when the account should not be in use ------------------------------------------------------
def pick_d07(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """A rostered operator on a day off (not on leave, and no night shift of the day before running into it: the
    detectors see a shift that day then), in the daytime."""
    working = {s.op.id for s in shifts}
    pop, roster = inj.w.pop, inj.roster
    midnight = inj.w.local.at(day, 0)
    off = [pop.op_by_id[i] for i in roster.assigned if i not in working
           and roster.leave_on(i, day.toordinal()) is None
           and not _overnight(roster.window(pop.op_by_id[i], day - timedelta(days=1)), midnight)]
    for _ in range(10):
        if not off:
            return None
        op = off[int(rng.random() * len(off))]
        ts = inj.w.local.at(day, rng.uniform(9, 22))
        if not roster.on_shift(op, ts, margin=3600) and not roster.on_shift(op, ts + 2 * HOUR, margin=3600):
            return op, ts
    return None


def _overnight(window: tuple[float, float] | None, midnight: float) -> bool:
    return window is not None and window[1] > midnight


def _signed_in_browse(inj: Injector, case: Case, k: int, description: str) -> None:
    w = inj.w
    inj.sign_in(case.op, w.now)
    case.citizens = inj.plain_citizens(case.op, k)
    case.end = inj.browse(case.op, w.now + w.rng.uniform(30, 120), case.citizens, w.rng.uniform(600, 1200))
    case.description = description
    inj.finish(case)


def run_d07(inj: Injector, case: Case) -> None:
    """D07: sign-in and record access on a day off."""
    _signed_in_browse(inj, case, inj.w.rng.randint(2, 5), "Records opened off shift (the operator's day off)")


def pick_d08(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """An operator on leave that day, or one whose employment has ended."""
    pop, roster = inj.w.pop, inj.roster
    ts = inj.w.local.at(day, rng.uniform(10, 21))
    on_leave = [pop.op_by_id[i] for i in roster.assigned if roster.leave_on(i, day.toordinal()) is not None]
    gone = [op for op in pop.operators if op.status == "terminated" and op.terminated_at and op.terminated_at < ts]
    pool = on_leave if on_leave and (not gone or rng.random() < 0.5) else gone
    return (pool[int(rng.random() * len(pool))], ts) if pool else None


def run_d08(inj: Injector, case: Case) -> None:
    """D08: sign-in and record access during leave or after termination."""
    op = case.op
    why = ("after termination" if op.status == "terminated" else
           f"during {inj.roster.leave_on(op.id, inj.w.local.date(case.start).toordinal()).kind} leave")
    _signed_in_browse(inj, case, inj.w.rng.randint(3, 6), f"Records opened {why}")


def pick_d19(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """A dormant account unused for at least 21 days."""
    ts = inj.w.local.at(day, rng.uniform(9, 20))
    pop = inj.w.pop
    idle = [i for i in sorted(pop.dormant) if ts - inj.dormant_last.get(i, -1e18) >= DORMANT_GAP_S]
    return (pop.op_by_id[idle[int(rng.random() * len(idle))]], ts) if idle else None


def run_d19(inj: Injector, case: Case) -> None:
    """D19: a dormant account signs in and opens records."""
    if inj.w.now - inj.dormant_last.get(case.op.id, -1e18) < DORMANT_GAP_S:
        return
    inj.dormant_last[case.op.id] = inj.w.now
    _signed_in_browse(inj, case, inj.w.rng.randint(3, 8), "Dormant account (no activity for 21+ days) opened records")


# -- D09, D10, D12, D13, D15: how much and how often --------------------------------------------------------------
def _volume(inj: Injector, case: Case, usual: int, description: str) -> None:
    w = inj.w
    extra = max(30, int(1.6 * usual))
    case.citizens = inj.plain_citizens(case.op, extra)
    case.end = inj.browse(case.op, w.now, case.citizens, w.rng.uniform(2, 3) * HOUR, view_only=0.5)
    case.description = description.format(extra=extra, usual=usual)
    inj.finish(case)


def run_d09(inj: Injector, case: Case) -> None:
    """D09: far more citizens than the operator's own usual day."""
    usual = inj.crm.touched_yesterday.get(case.op.id) or _team_median(inj, case.op) or 40
    _volume(inj, case, usual, "Volume spike: {extra} extra citizens opened (usually about {usual} a day)")


def pick_d10(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """Preferably a new hire (no own baseline yet), so only the peers show the excess."""
    start = inj.w.local.at(day, 0)
    return (inj.on_shift_pick(rng, shifts, ("phone",), want=lambda op: start - op.hired_at < 28 * 86400)
            or _phone(inj, rng, day, shifts))


def run_d10(inj: Injector, case: Case) -> None:
    """D10: far more citizens than the team's median."""
    usual = _team_median(inj, case.op) or 40
    _volume(inj, case, usual, "Volume far above peers: {extra} extra citizens opened (team median {usual} a day)")


def _team_median(inj: Injector, op: Operator) -> int:
    pop = inj.w.pop
    counts = sorted(n for i, n in inj.crm.touched_yesterday.items() if pop.op_by_id[i].team_id == op.team_id)
    return counts[len(counts) // 2] if counts else 0


def run_d12(inj: Injector, case: Case) -> None:
    """D12: 20-40 records exported or printed within five minutes."""
    w = inj.w
    action = "export" if w.rng.random() < 0.7 else "print"
    case.citizens = inj.plain_citizens(case.op, w.rng.randint(20, 40))
    span = w.rng.uniform(150, 280)
    for i, cid in enumerate(case.citizens):
        inj.crm.touch(w.now + span * i / len(case.citizens), case.op, cid, action, None, None)
    case.end = w.now + span * (len(case.citizens) - 1) / len(case.citizens)
    case.description = f"Bulk {action}: {len(case.citizens)} citizens' records in {span / 60:.1f} min"
    inj.finish(case)


def run_d13(inj: Injector, case: Case) -> None:
    """D13: 15-25 citizens searched within ten minutes by someone without calls."""
    w = inj.w
    case.citizens = inj.plain_citizens(case.op, w.rng.randint(15, 25))
    span = w.rng.uniform(300, 540)
    for i, cid in enumerate(case.citizens):
        inj.crm.touch(w.now + span * i / len(case.citizens), case.op, cid, "search", None, None)
    case.end = w.now + span * (len(case.citizens) - 1) / len(case.citizens)
    case.description = f"Search burst: {len(case.citizens)} citizens searched in {span / 60:.1f} min without a call"
    inj.finish(case)


def run_d15(inj: Injector, case: Case) -> None:
    """Now and on two later shift days within 14 days: the same unrelated citizen; labelled by the third day."""
    w = inj.w
    today = w.local.date(w.now)
    later = [win for d in range(2, 13) if (win := inj.roster.window(case.op, today + timedelta(days=d)))]
    if len(later) < 2:
        return
    visits = [w.now] + [w.rng.uniform(a + 1800, b - 3600) for a, b in sorted(w.rng.sample(later, 2))]
    case.citizens = inj.plain_citizens(case.op, 1)
    for ts in visits:
        w.loop.at(ts, _d15_visit, inj, case)
    case.end = visits[-1] + 30
    case.day = w.local.date(visits[-1])
    case.description = "The same unrelated citizen opened on 3 different days"
    inj.finish(case)


def _d15_visit(inj: Injector, case: Case) -> None:
    inj.browse(case.op, inj.w.now, case.citizens, 20.0)


# -- D17, D18: the account itself -------------------------------------------------------------------------------
def run_d17(inj: Injector, case: Case) -> None:
    """D17: five to nine failed sign-ins from an outside address, then a success."""
    w = inj.w
    ip = f"95.165.{w.rng.randint(1, 254)}.{w.rng.randint(1, 254)}"
    t = w.now
    fails = w.rng.randint(5, 9)
    for _ in range(fails):
        inj.sign_in(case.op, t, ip, success=False)
        t += w.rng.uniform(20, 240)
    inj.sign_in(case.op, t, ip)
    case.end = t
    case.description = f"{fails} failed sign-ins from {ip}, then a successful one"
    inj.finish(case)


def run_d18(inj: Injector, case: Case) -> None:
    """Waits until the operator is active at their own workstation, then the same login acts from another."""
    w = inj.w
    if w.now - inj.crm.last_access.get(case.op.id, -1e18) > 180:
        if case.tries < MAX_TRIES:
            case.tries += 1
            w.loop.at(w.now + 120, run_d18, inj, case)
        return
    other = workstation_ip(case.op.id + w.rng.randint(1, 40)) if w.rng.random() < 0.5 else \
        f"192.168.{w.rng.randint(0, 20)}.{w.rng.randint(2, 254)}"
    inj.sign_in(case.op, w.now + 5, other)
    case.citizens = inj.plain_citizens(case.op, w.rng.randint(2, 3))
    case.end = inj.browse(case.op, w.now + 20, case.citizens, 200.0, ip=other)
    case.description = f"Same login used from {case.op.ip} and {other} within 5 minutes"
    inj.finish(case)


SCENARIOS: dict[str, Scenario] = {
    "D01": Scenario(_working, run_d01),
    "D02": Scenario(_working, run_d02),
    "D03": Scenario(pick_d03, run_d03),
    "D04": Scenario(pick_d04, run_d04),
    "D05": Scenario(_working, run_d05),
    "D06": Scenario(_working, run_d06),
    "D07": Scenario(pick_d07, run_d07),
    "D08": Scenario(pick_d08, run_d08),
    "D09": Scenario(_phone, run_d09),
    "D10": Scenario(pick_d10, run_d10),
    "D12": Scenario(_working, run_d12),
    "D13": Scenario(_desk, run_d13),
    "D15": Scenario(_working, run_d15),
    "D17": Scenario(_working, run_d17),
    "D18": Scenario(_working, run_d18),
    "D19": Scenario(pick_d19, run_d19),
}
