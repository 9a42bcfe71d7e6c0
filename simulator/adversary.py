"""The adversarial insider: someone who knows the detectors' thresholds and stays just under each of them.

Kept apart from the anomalies the detectors were built on (simulator/anomalies.py and scenarios.py): its own
random stream, its own scenario codes (X...), and it plays only when ``SimConfig.adversary`` is on (the detector
bench turns it on). Labels go to the same ground-truth file; the bench scores the two sets separately.

- X17 six to eight failed sign-ins from the operator's own workstation, then a success (D17 needed 5 from anywhere).
- X19 a dormant account that opens only citizens its team has tickets for (no D01 under the old team cover).
- X07 records of citizens with team tickets opened at night on a day off (D07's day off alone gave 30).
- XLS low and slow: 3 unrelated records a day on 5 working days, never the same citizen twice (under D11, D15).
- XTC team cover: 12-16 citizens of teammates' tickets, a few hours after those tickets were handled.
- XEX exports in batches of 19 citizens, 6-7 minutes apart (D12 needs 20 within 5 minutes).
- XSE searches in batches of 14 citizens, 11-12 minutes apart, by someone without calls (D13: 15 within 10).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from simulator.anomalies import Case, Injector, Scenario
from simulator.roster import Shift
from simulator.scenarios import DORMANT_GAP_S, HOUR, pick_d07, pick_d19

PickResult = tuple | None


class Adversary(Injector):
    """The insider's injector: the anomalies' machinery with its own random stream and switch."""

    tag = "adversary"

    def active(self) -> bool:
        return self.w.cfg.adversary

    def team_citizens(self, case: Case, k: int) -> list[int]:
        """Citizens of the latest tickets the operator's teammates handled (not the operator's own business)."""
        crm, op = self.crm, case.op
        mine = crm.touched.get(op.id, set())
        found = [t.citizen_id for o, t in sorted(crm.last_ticket.items())
                 if o != op.id and t.team_id == op.team_id and t.citizen_id not in mine]
        found = list(dict.fromkeys(c for c in found if c not in self.special))
        self.w.rng.shuffle(found)
        return found[:k]


def _working(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    return inj.on_shift_pick(rng, shifts)


def _desk(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    return inj.on_shift_pick(rng, shifts, ("digital", "backoffice"))


def run_x17(inj: Adversary, case: Case) -> None:
    """Failed sign-ins from the operator's own workstation, spread over half an hour, then a success."""
    w = inj.w
    fails, t = w.rng.randint(6, 8), w.now
    for _ in range(fails):
        inj.sign_in(case.op, t, case.op.ip, success=False)
        t += w.rng.uniform(120, 280)
    inj.sign_in(case.op, t, case.op.ip)
    case.end = t
    case.description = f"{fails} failed sign-ins from the own workstation, then a success"
    inj.finish(case)


def run_x19(inj: Adversary, case: Case) -> None:
    """A dormant account opens 2-3 records of citizens its team has tickets for."""
    w = inj.w
    if w.now - inj.dormant_last.get(case.op.id, -1e18) < DORMANT_GAP_S:
        return
    inj.dormant_last[case.op.id] = w.now
    inj.sign_in(case.op, w.now)
    case.citizens = inj.team_citizens(case, w.rng.randint(2, 3)) or inj.plain_citizens(case.op, 2)
    case.end = inj.browse(case.op, w.now + w.rng.uniform(60, 300), case.citizens, 600.0)
    case.description = "Dormant account opened records its team has tickets for"
    inj.finish(case)


def pick_x07(inj: Injector, rng: random.Random, day: date, shifts: list[Shift]) -> PickResult:
    """A rostered operator on a day off, at 23:00-23:40 local."""
    picked = pick_d07(inj, rng, day, shifts)
    return None if picked is None else (picked[0], inj.w.local.at(day, rng.uniform(23.0, 23.66)))


def run_x07(inj: Adversary, case: Case) -> None:
    """Night on a day off: two records of citizens with team tickets."""
    w = inj.w
    inj.sign_in(case.op, w.now)
    case.citizens = inj.team_citizens(case, 2) or inj.plain_citizens(case.op, 2)
    case.end = inj.browse(case.op, w.now + 60, case.citizens, 600.0)
    case.description = "Records of team-ticket citizens opened at night on a day off"
    inj.finish(case)


def run_xls(inj: Adversary, case: Case) -> None:
    """Three unrelated records a day on the operator's next 5 working days (this one first), spread out."""
    w = inj.w
    today = w.local.date(w.now)
    windows = [win for d in range(0, 12) if (win := inj.roster.window(case.op, today + timedelta(days=d)))]
    windows = [(max(a, w.now), b) for a, b in windows if b - max(a, w.now) > 4 * HOUR][:5]
    if len(windows) < 5:
        return
    case.citizens = inj.plain_citizens(case.op, 15)
    times = []
    for k, (a, b) in enumerate(windows):
        for j in range(3):
            ts = a + 1800 + (b - a - 3600) * (j + w.rng.uniform(0.1, 0.9)) / 3
            times.append(ts)
            w.loop.at(ts, _one_record, inj, case.op, case.citizens[3 * k + j])
    case.end, case.day = max(times), w.local.date(max(times))
    case.description = "Low and slow: 3 unrelated records a day on 5 working days"
    inj.finish(case)


def _one_record(inj: Adversary, op, cid: int) -> None:
    inj.browse(op, inj.w.now, [cid], 30.0)


def run_xtc(inj: Adversary, case: Case) -> None:
    """Under the team's cover: teammates' ticket citizens, opened 3 hours after those tickets were handled."""
    w = inj.w
    citizens = inj.team_citizens(case, w.rng.randint(12, 16))
    if len(citizens) < 8:
        return
    case.citizens = citizens
    start = w.now + 3 * HOUR
    if not inj.roster.on_shift(case.op, start + 2 * HOUR):
        start = w.now + 10 * 60
    case.end = start + 2 * HOUR
    w.loop.at(start, _browse_later, inj, case.op, citizens)
    case.description = f"Team cover: {len(citizens)} citizens of teammates' tickets opened hours later"
    inj.finish(case)


def _browse_later(inj: Adversary, op, citizens: list[int]) -> None:
    inj.browse(op, inj.w.now, citizens, 2 * HOUR)


def _batches(inj: Adversary, case: Case, action: str, per: int, gap: tuple[float, float], n: int) -> None:
    w = inj.w
    case.citizens = inj.plain_citizens(case.op, per * n)
    t = w.now
    for b in range(n):
        for i in range(per):
            inj.crm.touch(t + i * w.rng.uniform(2, 4), case.op, case.citizens[b * per + i], action, None, None)
        case.end = t + per * 4
        t += w.rng.uniform(*gap)


def run_xex(inj: Adversary, case: Case) -> None:
    """Exports in 3-4 batches of 19 citizens, 6-7 minutes apart."""
    n = inj.w.rng.randint(3, 4)
    _batches(inj, case, "export", 19, (360, 420), n)
    case.description = f"Split bulk export: {n} batches of 19 citizens, 6-7 minutes apart"
    inj.finish(case)


def run_xse(inj: Adversary, case: Case) -> None:
    """Searches in 3 batches of 14 citizens, 11-12 minutes apart."""
    _batches(inj, case, "search", 14, (660, 720), 3)
    case.description = "Split search burst: 3 batches of 14 citizens, 11-12 minutes apart, no call"
    inj.finish(case)


ADVERSARY: dict[str, Scenario] = {
    "X17": Scenario(_working, run_x17),
    "X19": Scenario(pick_d19, run_x19),
    "X07": Scenario(pick_x07, run_x07),
    "XLS": Scenario(_working, run_xls),
    "XTC": Scenario(_working, run_xtc),
    "XEX": Scenario(_working, run_xex),
    "XSE": Scenario(_desk, run_xse),
}
