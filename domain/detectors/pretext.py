"""D02: the access names a ticket or a call that belongs to another citizen (a pretext reason)."""

from __future__ import annotations

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit


def _reasons(a: AccessEvent, other: int, via_call: bool) -> tuple[str, str]:
    cid = a.citizen_id
    if via_call:
        return (f"звонок {a.call_id} относится к другому гражданину (№{other}), открыта запись гражданина №{cid}",
                f"call {a.call_id} belongs to another citizen (#{other}); citizen #{cid}'s record was opened")
    return (f"обращение №{a.ticket_id} относится к другому гражданину (№{other}), открыта запись гражданина №{cid}",
            f"ticket #{a.ticket_id} belongs to another citizen (#{other}); citizen #{cid}'s record was opened")


def ticket_mismatch(a: AccessEvent, day: str, env: Env) -> Hit | None:
    """D02 for a record-touching access with a citizen, once per operator, day and citizen."""
    if not env.wants_or_grows("D02", a.operator_id, day, f"c{a.citizen_id}"):
        return None
    links = []
    if a.ticket_id is not None:
        links.append((env.ctx.ticket(a.ticket_id), False))
    if a.call_id:
        links.append((env.ctx.ticket_by_call(a.call_id), True))
    for t, via_call in links:
        if t is None:
            env.stats["unknown_call" if via_call else "unknown_ticket"] += 1
        elif t.citizen_id is not None and t.citizen_id != a.citizen_id:
            return env.hit("D02", a.operator_id, day, a.ts, _reasons(a, t.citizen_id, via_call),
                           access_ids=(a.id,), citizen_ids=(a.citizen_id, t.citizen_id), scope=f"c{a.citizen_id}")
    return None
