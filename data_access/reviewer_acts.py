"""D20's reads of the app database: reviewers' audited acts on personal data and what their cases cover."""

from __future__ import annotations

import json

from sqlalchemy import select

from data_access.operator_names import OperatorNames
from data_access.schema.appdb import audit_log as L
from data_access.schema.appdb import case_hits as H
from data_access.schema.appdb import cases as C
from domain.clock import from_utc_naive, local_day, utc_naive
from domain.detectors.reviewers import EXPORT, REVEAL, WATCHED_ACTIONS, Cover, ReviewerAct

MAX_ACTS = 20000


class ReviewerActs:
    """Reads the audit trail's acts of the security roles and the covers of their cases."""

    def __init__(self, engine, tz: str) -> None:
        self.engine = engine
        self.tz = tz
        self.names = OperatorNames(engine)
        self._found: dict[str, int | None] = {}   # a login or name typed into a filter -> its operator (per read)

    def acts(self, since: float, roles: tuple[str, ...] = ("security", "admin")) -> list[ReviewerAct]:
        """The acts since ``since`` in time order, the newest MAX_ACTS when there are more (a flood of reads of
        one's own cases must not push a later act out of sight); a filter's operator given by login or name is
        looked up."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(L.c.id, L.c.ts, L.c.actor, L.c.action, L.c.target, L.c.details)
                                .where(L.c.ts >= utc_naive(since), L.c.action.in_(WATCHED_ACTIONS),
                                       L.c.role.in_(roles)).order_by(L.c.id.desc()).limit(MAX_ACTS)).all()
        out = []
        for entry_id, ts, actor, action, target, details in reversed(rows):
            act = self._act(entry_id, from_utc_naive(ts), actor, action, target, details)
            if act is not None:
                out.append(act)
        return out

    def _act(self, entry_id, ts, actor, action, target, details) -> ReviewerAct | None:
        day = local_day(ts, self.tz)
        if action == REVEAL:
            cid = _int(target.removeprefix("citizen:")) if target.startswith("citizen:") else None
            return ReviewerAct(entry_id, ts, day, actor, action, citizen_id=cid) if cid is not None else None
        if target != "access_log":
            return None                   # an export of something else (an SLA table)
        try:
            info = json.loads(details or "{}")
        except ValueError:
            info = None
        flt = info.get("filter") if isinstance(info, dict) else None
        if not isinstance(flt, dict):   # cut (oversized) or not the page's: what was read cannot be told
            return ReviewerAct(entry_id, ts, day, actor, action, unreadable=True)
        rows = info.get("rows") if isinstance(info.get("rows"), int) else 0
        return ReviewerAct(entry_id, ts, day, actor, action, self._operator(flt.get("operator")),
                           _int(flt.get("citizen")), rows if action == EXPORT else 0)

    def _operator(self, value: object) -> int | None:
        text = str(value).strip() if value not in (None, "") else ""
        if not text:
            return None
        if text.isascii() and text.isdigit():
            return int(text)
        if text not in self._found:   # every block of rows repeats the filter: one lookup per text
            found = self.names.find(text)
            self._found[text] = found[0] if len(found) == 1 else None
        return self._found[text]

    def cover(self, actor: str) -> Cover:
        """The operators of the cases assigned to ``actor`` and the citizens of those cases' evidence."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(C.c.operator_id, H.c.citizen_ids).select_from(
                C.outerjoin(H, H.c.case_id == C.c.id)).where(C.c.assignee == actor)).all()
        citizens: set[int] = set()
        for _op, cids in rows:
            try:
                citizens.update(c for c in json.loads(cids or "[]") if isinstance(c, int))
            except ValueError:
                continue
        return Cover(frozenset(r[0] for r in rows), frozenset(citizens))


def _int(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None
