"""D03 own record, D04 relative or neighbour, D05 co-worker: the operator's own ties to the citizen."""

from __future__ import annotations

import re

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, CitizenInfo, Hit, OperatorInfo
from domain.detectors.surnames import same_surname

_PUNCT = re.compile(r"[\s.,;:№#\"'()]+")


def address_key(address: str | None) -> str:
    """An address reduced for comparison (case, ё, punctuation and spacing ignored); '' when empty."""
    return _PUNCT.sub(" ", (address or "").casefold().replace("ё", "е")).strip()


def same_address(a: str | None, b: str | None) -> bool:
    """Whether two addresses are the same; empty addresses never match."""
    ka = address_key(a)
    return bool(ka) and ka == address_key(b)


def is_own_record(op: OperatorInfo | None, citizen_id: int | None) -> bool:
    """Whether the citizen record is the operator's own."""
    return op is not None and op.citizen_id is not None and op.citizen_id == citizen_id


def own_record(a: AccessEvent, op: OperatorInfo | None, day: str, env: Env) -> Hit | None:
    """D03: the operator opened their own citizen record."""
    if not is_own_record(op, a.citizen_id) or not env.wants_or_grows("D03", a.operator_id, day, f"c{a.citizen_id}"):
        return None
    return env.hit("D03", a.operator_id, day, a.ts,
                   ("оператор открыл собственную запись гражданина", "the operator opened their own citizen record"),
                   access_ids=(a.id,), citizen_ids=(a.citizen_id,), scope=f"c{a.citizen_id}")


def _relative_reasons(op: OperatorInfo, cit: CitizenInfo, surname: bool, address: bool) -> tuple[str, str]:
    names = f"{op.surname}/{cit.surname}"
    if surname and address:
        return f"та же фамилия ({names}) и тот же адрес", f"same surname ({names}) and same address"
    if address:
        return "тот же адрес, что у оператора", "same address as the operator"
    return f"та же фамилия ({names})", f"same surname ({names})"


def relative_or_neighbour(a: AccessEvent, op: OperatorInfo, cit: CitizenInfo, day: str, env: Env) -> Hit | None:
    """D04 for an unexplained access: same surname (any gender form) and/or same address as the operator."""
    scope = f"c{a.citizen_id}"
    if is_own_record(op, a.citizen_id) or not env.wants_or_grows("D04", a.operator_id, day, scope):
        return None
    surname, address = same_surname(op.surname, cit.surname), same_address(op.address, cit.address)
    if not (surname or address):
        return None
    both, addr_only, surname_only = env.cfg.relative_points
    points = both if surname and address else addr_only if address else surname_only
    return env.hit("D04", a.operator_id, day, a.ts, _relative_reasons(op, cit, surname, address), points=points,
                   access_ids=(a.id,), citizen_ids=(a.citizen_id,), scope=scope)


def coworker(a: AccessEvent, op: OperatorInfo, cit: CitizenInfo, day: str, env: Env) -> Hit | None:
    """D05 for an unexplained access: the citizen is a hotline employee (not the operator)."""
    scope = f"c{a.citizen_id}"
    if not cit.is_employee or is_own_record(op, a.citizen_id):
        return None
    if not env.wants_or_grows("D05", a.operator_id, day, scope):
        return None
    return env.hit("D05", a.operator_id, day, a.ts,
                   (f"гражданин №{a.citizen_id} — сотрудник горячей линии, основания для доступа нет",
                    f"citizen #{a.citizen_id} is a hotline employee and nothing explains the access"),
                   access_ids=(a.id,), citizen_ids=(a.citizen_id,), scope=scope)
