"""A day of one hotline's access journal in which every implemented detector fires at least once."""

from __future__ import annotations

import random

from domain.detectors import AccessEvent, InMemoryContext, Leave, Shift, SignIn, WatchEntry

from .factory import DAY, HOME, HOUR, MIN, OTHER_TEAM, T0, acc, citizen, make_ctx, operator, sign, ticket

DAY0 = T0 - 2 * HOUR          # 08:00 Moscow


def build(seed: int = 7) -> tuple[InMemoryContext, list[AccessEvent], list[SignIn]]:
    """(context, access rows, sign-ins) of the scenario; rows are not sorted."""
    rng = random.Random(seed)
    ctx = _context()
    accesses = _background(ctx, rng) + _anomalies()
    return ctx, accesses, _signins()


def _context() -> InMemoryContext:
    ctx = make_ctx(n_ops=10, citizens=range(100, 500))
    ctx.add(operator(1, citizen_id=160), operator(2), operator(3, status="terminated", terminated_at=T0 - 3 * DAY))
    ctx.add(*(operator(i, team=OTHER_TEAM) for i in (8, 9, 10)))
    ctx.add(citizen(150, surname="Смирнова", gender="F", address=HOME), citizen(151, is_employee=True))
    ctx.add(WatchEntry(152, "vip", None), Leave(2, T0 - 2 * DAY, T0 + 5 * DAY, "vacation"))
    ctx.add(*(Shift(op, DAY0 + k * DAY, DAY0 + k * DAY + 8 * HOUR) for op in (4, 6, 7) for k in (-1, 0, 1)))
    ctx.add(ticket(900, 300, assignee=9), ticket(901, 301, assignee=8, call="c-901"))
    for op in range(1, 11):
        ctx.add_activity(op, T0 - (25 if op == 5 else 1) * DAY)
        for k in range(1, 11):
            ctx.daily_counts[(op, f"2025-03-{10 - k:02d}" if k < 10 else "2025-02-28")] = 24 + (op + k) % 5
    ctx.unexplained[(9, 170)] |= {"2025-03-02", "2025-03-06"}
    ctx.ips[8].append((T0 - 2 * DAY, "10.0.8.1"))     # operator 8's usual address (D16: 172.16.0.9 is new)
    # The journal reaches back 40 days and every citizen but 150-170 was opened in the weeks before (D14).
    ctx.journal_since = T0 - 40 * DAY
    for cid in (*range(100, 150), *range(171, 500)):
        ctx.touches[cid].append(T0 - 5 * DAY)
    return ctx


def _background(ctx: InMemoryContext, rng: random.Random) -> list[AccessEvent]:
    """Ordinary work: tickets assigned to operators and the accesses they explain, plus a little noise."""
    rows, tid = [], 1000
    for i in range(300):
        op, cid = rng.randint(1, 10), rng.randint(200, 499)
        ts = DAY0 + rng.uniform(0, 8 * HOUR)
        if rng.random() < 0.85:
            tid += 1
            team = OTHER_TEAM if op >= 8 else 1
            opened = ts - rng.uniform(-4 * MIN, 20 * MIN)
            ctx.add(ticket(tid, cid, assignee=op, team=team, opened=opened, closed=opened + rng.uniform(5, 30) * MIN,
                           call=f"c-{tid}" if rng.random() < 0.6 else None))
        action = rng.choice(["view", "view", "view", "edit", "search", "print"])
        rows.append(acc(10_000 + i, ts, op=op, cid=cid, action=action, ip=f"10.0.{op}.1"))
    return rows


def _anomalies() -> list[AccessEvent]:
    t = DAY0 + HOUR
    rows = [acc(1, t, op=1, cid=150, ip="10.0.1.1"), acc(2, t + MIN, op=1, cid=151, ip="10.0.1.1"),
            acc(3, t + 2 * MIN, op=1, cid=152, ip="10.0.1.1"), acc(4, t + 3 * MIN, op=1, cid=160, ip="10.0.1.1"),
            acc(5, t, op=2, cid=400, ip="10.0.2.1"), acc(6, t, op=3, cid=401, ip="10.0.3.1"),
            acc(7, T0 + 13 * HOUR, op=4, cid=402, ip="10.0.4.1"), acc(8, t, op=5, cid=403, ip="10.0.5.1"),
            acc(9, t + HOUR, op=9, cid=301, ticket_id=900, ip="10.0.9.1"),
            acc(10, t + 2 * HOUR, op=9, cid=170, ip="10.0.9.1")]
    rows += [acc(100 + i, t + 2 * HOUR + i * 7, op=6, cid=200 + i, action="export", ip="10.0.6.1")
             for i in range(70)]
    # After the day's calls of operator 7 have ended (at 17:00, just off shift).
    rows += [acc(200 + i, DAY0 + 9 * HOUR + i * 30, op=7, cid=300 + i, action="search", ip="10.0.7.1")
             for i in range(18)]
    rows += [acc(300, t + 4 * HOUR, op=8, cid=302, ip="10.0.8.1"), acc(301, t + 4 * HOUR + MIN, op=8, cid=303,
                                                                          ip="172.16.0.9")]
    return rows


def _signins() -> list[SignIn]:
    t = DAY0 + 5 * HOUR
    fails = [sign(1 + i, t + i * MIN, op=None, login="op10", success=False, ip="203.0.113.7") for i in range(6)]
    return fails + [sign(20, t + 20 * MIN, op=10, login="op10", ip="203.0.113.7"),
                    sign(21, DAY0, op=1, login="op1", ip="10.0.1.1")]
