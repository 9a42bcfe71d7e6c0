"""Builders shared by the detector tests: a team of operators, citizens, tickets and a runner."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.detectors import (
    AccessEvent,
    CitizenInfo,
    DetectorConfig,
    DetectorEngine,
    Hit,
    InMemoryContext,
    OperatorInfo,
    SignIn,
    TicketLink,
)

T0 = 1741590000.0          # Monday 2025-03-10 10:00 in Moscow (07:00 UTC)
DAY_T0 = "2025-03-10"
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0
TEAM, OTHER_TEAM = 1, 2
HOME = "г. Москва, ул. Ленина, д. 1, кв. 1"


def operator(oid: int, team: int = TEAM, role: str = "operator", status: str = "active", surname: str = "Смирнов",
             address: str | None = HOME, citizen_id: int | None = None, hired_at: float = T0 - 365 * DAY,
             terminated_at: float | None = None) -> OperatorInfo:
    """An operator; by default active in team 1, hired a year ago."""
    return OperatorInfo(oid, team_id=team, role=role, status=status, hired_at=hired_at, terminated_at=terminated_at,
                        surname=surname, address=address, citizen_id=citizen_id)


def citizen(cid: int, surname: str = "Кузнецов", gender: str | None = "M", address: str | None = None,
            is_employee: bool = False) -> CitizenInfo:
    """A citizen unrelated to the default operator."""
    return CitizenInfo(cid, surname, gender, address, is_employee)


def ticket(tid: int, cid: int | None, assignee: int | None = None, team: int | None = None,
           opened: float = T0 - 10 * MIN, closed: float | None = None, call: str | None = None) -> TicketLink:
    """A ticket of citizen ``cid``."""
    return TicketLink(tid, cid, assignee, team, opened, closed, call)


def acc(aid: int, ts: float, op: int = 1, cid: int | None = 100, action: str = "view", ticket_id: int | None = None,
        call: str | None = None, ip: str = "10.0.0.1") -> AccessEvent:
    """An access row."""
    return AccessEvent(aid, ts, op, cid, action, ticket_id, call, ip)


def sign(sid: int, ts: float, op: int | None = 1, login: str = "op1", success: bool = True,
         ip: str = "10.0.0.1") -> SignIn:
    """A sign-in row."""
    return SignIn(sid, ts, op, login, success, ip)


def make_ctx(n_ops: int = 1, citizens: range = range(100, 200), **extra) -> InMemoryContext:
    """Operators 1..n in team 1, citizens, and a journal that started 10 days ago (nobody is dormant)."""
    ctx = InMemoryContext(journal_since=T0 - 10 * DAY, **extra)
    ctx.add(*(operator(i) for i in range(1, n_ops + 1)), *(citizen(c) for c in citizens))
    return ctx


@dataclass
class Run:
    """Everything one or more engine calls produced."""

    hits: list[Hit] = field(default_factory=list)
    explained: dict[int, tuple[bool, str]] = field(default_factory=dict)
    suppressed: list[tuple[Hit, int]] = field(default_factory=list)
    links: dict[int, tuple[str, int]] = field(default_factory=dict)
    updates: list[Hit] = field(default_factory=list)

    def final(self) -> list[Hit]:
        """Every hit in its latest version (grown by the updates), in firing order."""
        latest = {h.key: h for h in (*self.hits, *self.updates)}
        return [latest[h.key] for h in self.hits]

    def of(self, detector: str) -> list[Hit]:
        """The hits of one detector."""
        return [h for h in self.hits if h.detector == detector]

    def detectors(self) -> set[str]:
        """Which detectors fired."""
        return {h.detector for h in self.hits}


def run(accesses, ctx, signins=(), cfg: DetectorConfig | None = None, engine: DetectorEngine | None = None,
        now: float | None = None, flush: bool = True) -> Run:
    """One call with every row, then (unless ``flush`` is False) a call once every row has settled."""
    engine = engine or DetectorEngine(cfg or DetectorConfig())
    times = [r.ts for r in (*accesses, *signins)] or [T0]
    out = Run()
    calls = [now if now is not None else max(times)]
    if flush:
        calls.append(max(times) + engine.config.settle_s + 1)
    for i, t in enumerate(calls):
        res = engine.process(accesses if i == 0 else [], signins if i == 0 else [], ctx, t)
        out.hits += res.hits
        out.explained.update(res.explained)
        out.suppressed += res.suppressed
        out.links.update(res.links)
        out.updates += res.updates
    return out
