"""D01: is a record-touching access explained by a ticket (phone tickets stand for calls) of that citizen?

Links, strongest first: the operator's own call (a phone ticket assigned to or worked by the operator), own
ticket, an active ticket of the operator's team (narrowed by ``DetectorConfig.team_cover``). Own tickets explain
accesses from ``opened - ticket_before_s`` to ``closed + ticket_after_s`` (a call-back days later); a team's
ticket only while it is open. What the operator answered through own links is remembered per operator-day (the
queues and channels worked), because team cover 'worked' asks for it.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple

from domain.detectors.env import CachedContext, Env
from domain.detectors.model import AccessEvent, Hit, OperatorInfo, TicketLink
from domain.detectors.presence import day_shifts
from domain.detectors.words import ACTION, no_link, word

_PRIORITY = ("call", "ticket", "team_ticket")
OWN = frozenset({"call", "ticket"})
ANY_WORK = "*"   # the operator answered something that day (for a team ticket whose queue/channel is unknown)


class Verdict(NamedTuple):
    """(explained?, code) and the id of the ticket that explained the access (None when none did)."""

    explained: bool
    code: str
    ticket_id: int | None = None


def _candidates(a: AccessEvent, ctx: CachedContext) -> Iterator[TicketLink]:
    yield from ctx.tickets_of_citizen(a.citizen_id)
    # The row's own ticket and call may be older than the recent tickets the context returns.
    if a.ticket_id is not None and (t := ctx.ticket(a.ticket_id)) is not None:
        yield t
    if a.call_id and (t := ctx.ticket_by_call(a.call_id)) is not None:
        yield t


def _own(a: AccessEvent, t: TicketLink, env: Env) -> str | None:
    cfg = env.cfg
    if not (t.assignee_id == a.operator_id or a.operator_id in t.handlers):
        return None
    end = float("inf") if t.closed_at is None else t.closed_at
    if not t.opened_at - cfg.ticket_before_s <= a.ts <= end + cfg.ticket_after_s:
        return None
    return "call" if t.call_id else "ticket"


def _team(a: AccessEvent, op: OperatorInfo | None, t: TicketLink, day: str, env: Env) -> str | None:
    cfg = env.cfg
    if op is None or op.team_id is None or t.team_id != op.team_id:
        return None
    end = float("inf") if t.closed_at is None else t.closed_at
    if not t.opened_at - cfg.ticket_before_s <= a.ts <= end + cfg.ticket_before_s:
        return None
    if cfg.team_cover == "team":
        return "team_ticket"
    if not _on_shift(a, day, env):
        return None
    if cfg.team_cover == "shift":
        return "team_ticket"
    worked = env.worked.get((a.operator_id, day), set())
    return "team_ticket" if (t.work in worked if t.work else bool(worked)) else None


def _on_shift(a: AccessEvent, day: str, env: Env) -> bool:
    """Whether the access falls in a shift of the operator (+- margin); True when the operator has no schedule."""
    shifts = day_shifts(a.operator_id, day, env)
    m = env.cfg.shift_margin_s
    return not shifts or any(s.start - m <= a.ts <= s.end + m for s in shifts)


def explain_link(a: AccessEvent, op: OperatorInfo | None, env: Env) -> Verdict:
    """The verdict of a record-touching access with a citizen: call, ticket, team_ticket or none, with the ticket.

    An own link adds the ticket's queue or channel to what the operator worked that day.
    """
    day = env.clock.day(a.ts)
    found: dict[str, int] = {}
    team: list[TicketLink] = []
    for t in _candidates(a, env.ctx):
        if t.citizen_id != a.citizen_id:
            continue
        if (code := _own(a, t, env)) is not None:
            found.setdefault(code, t.ticket_id)
            env.worked.setdefault((a.operator_id, day), set()).update(w for w in (t.work, ANY_WORK) if w)
        else:
            team.append(t)
    if not found:
        for t in team:
            if _team(a, op, t, day, env):
                found.setdefault("team_ticket", t.ticket_id)
                break
    best = next((c for c in _PRIORITY if c in found), None)
    return Verdict(True, best, found[best]) if best else Verdict(False, "none")


def explain(a: AccessEvent, op: OperatorInfo | None, env: Env) -> tuple[bool, str]:
    """(explained?, code) of a record-touching access with a citizen: call, ticket, team_ticket or none."""
    verdict = explain_link(a, op, env)
    return verdict.explained, verdict.code


def unexplained_hit(a: AccessEvent, day: str, env: Env, rows: list[int]) -> Hit | None:
    """The D01 hit of an unexplained access, once per operator, day and citizen; ``rows`` = the day's unexplained
    rows of the operator and that citizen (the evidence grows with them)."""
    cid = a.citizen_id
    if not env.wants_or_grows("D01", a.operator_id, day, f"c{cid}"):
        return None
    act_ru, act_en = word(ACTION, a.action)
    ru, en = no_link()
    return env.hit("D01", a.operator_id, day, a.ts,
                   (f"{act_ru} записи гражданина №{cid}: {ru}" + (f" (строк за день: {len(rows)})" if len(rows) > 1
                                                                  else ""),
                    f"{act_en} of citizen #{cid}'s record: {en}" + (f" ({len(rows)} rows today)" if len(rows) > 1
                                                                     else "")),
                   access_ids=rows, citizen_ids=(cid,), scope=f"c{cid}")
