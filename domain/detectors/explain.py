"""D01: is a record-touching access explained by a ticket (phone tickets stand for calls) of that citizen?"""

from __future__ import annotations

from typing import Iterator

from domain.detectors.env import CachedContext, Env
from domain.detectors.model import AccessEvent, Hit, OperatorInfo, TicketLink
from domain.detectors.words import ACTION, no_link, word

_PRIORITY = ("call", "ticket", "team_ticket")


def _candidates(a: AccessEvent, ctx: CachedContext) -> Iterator[TicketLink]:
    yield from ctx.tickets_of_citizen(a.citizen_id)
    # The row's own ticket and call may be older than the recent tickets the context returns.
    if a.ticket_id is not None and (t := ctx.ticket(a.ticket_id)) is not None:
        yield t
    if a.call_id and (t := ctx.ticket_by_call(a.call_id)) is not None:
        yield t


def _link(a: AccessEvent, op: OperatorInfo | None, t: TicketLink) -> str | None:
    if t.assignee_id == a.operator_id or a.operator_id in t.handlers:
        return "call" if t.call_id else "ticket"
    if op is not None and op.team_id is not None and t.team_id == op.team_id:
        return "team_ticket"
    return None


def explain(a: AccessEvent, op: OperatorInfo | None, env: Env) -> tuple[bool, str]:
    """(explained?, code) of a record-touching access with a citizen: call, ticket, team_ticket or none."""
    cfg = env.cfg
    found: set[str] = set()
    for t in _candidates(a, env.ctx):
        if t.citizen_id != a.citizen_id:
            continue
        end = float("inf") if t.closed_at is None else t.closed_at
        if t.opened_at - cfg.ticket_before_s <= a.ts <= end + cfg.ticket_after_s and (code := _link(a, op, t)):
            found.add(code)
    best = next((c for c in _PRIORITY if c in found), None)
    return (True, best) if best else (False, "none")


def unexplained_hit(a: AccessEvent, day: str, env: Env) -> Hit | None:
    """The D01 hit of an unexplained access, once per operator, day and citizen."""
    cid = a.citizen_id
    if not env.wants("D01", a.operator_id, day, f"c{cid}"):
        return None
    act_ru, act_en = word(ACTION, a.action)
    ru, en = no_link()
    return env.hit("D01", a.operator_id, day, a.ts,
                   (f"{act_ru} записи гражданина №{cid}: {ru}", f"{act_en} of citizen #{cid}'s record: {en}"),
                   access_ids=(a.id,), citizen_ids=(cid,), scope=f"c{cid}")
