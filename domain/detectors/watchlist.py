"""D06: an access to a record on the watch-list (VIP, public figure, victim), worth more when unexplained."""

from __future__ import annotations

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit
from domain.detectors.words import WATCH_CATEGORY, no_link, word


def watched(a: AccessEvent, unexplained: bool, day: str, env: Env) -> Hit | None:
    """D06 for a record-touching access, once per operator, day, citizen and explained-or-not.

    ``unexplained`` here means: no personal link (the operator's own call or ticket) to the watched citizen.
    """
    scope = f"c{a.citizen_id}" + ("u" if unexplained else "")
    if not env.wants_or_grows("D06", a.operator_id, day, scope):
        return None
    entry = env.ctx.watch(a.citizen_id, a.ts)
    if entry is None:
        return None
    cat_ru, cat_en = word(WATCH_CATEGORY, entry.category)
    ru = f"запись гражданина №{a.citizen_id} в списке наблюдения ({cat_ru})"
    en = f"citizen #{a.citizen_id}'s record is on the watch-list ({cat_en})"
    points = env.cfg.pts("D06")
    if unexplained:
        why_ru, why_en = no_link()
        ru, en, points = f"{ru}; {why_ru}", f"{en}; {why_en}", points + env.cfg.watch_unexplained_bonus
    return env.hit("D06", a.operator_id, day, a.ts, (ru, en), points=points,
                   access_ids=(a.id,), citizen_ids=(a.citizen_id,), scope=scope)
