"""The CRM's operators as the security pages name them (copied by the poller; employees, not citizens)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, insert, select

from data_access.schema import crm
from data_access.schema.appdb import operator_names as N


def crm_operators_signature(engine: Engine) -> tuple:
    """A cheap fingerprint of the CRM's operators and teams (one aggregate query): it changes when an operator or
    team is added or removed, is terminated, changes team or status, or a name or login changes length."""
    o, t = crm.operators, crm.teams
    teams = (select(func.count()).select_from(t).scalar_subquery(),
             select(func.sum(func.length(t.c.name))).scalar_subquery())
    with engine.connect() as conn:
        row = conn.execute(select(func.count(), func.max(o.c.id), func.count(o.c.terminated_at), func.sum(o.c.team_id),
                                  func.sum(func.length(o.c.full_name) + func.length(o.c.login)),
                                  func.sum(func.length(o.c.status)), *teams)).first()
    return tuple(row)


class OperatorNames:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def replace_all(self, rows: list[dict]) -> None:
        """Replace the copy with ``rows`` (id, login, full_name, team_id, team_name, role)."""
        with self.engine.begin() as conn:
            conn.execute(delete(N))
            if rows:
                conn.execute(insert(N), rows)

    def all(self) -> dict[int, dict]:
        with self.engine.connect() as conn:
            return {r.id: dict(r._mapping) for r in conn.execute(select(N))}

    def find(self, text: str) -> list[int]:
        """Operator ids whose login is ``text`` (exact) or whose name contains it."""
        text = text.strip()[:64]
        if not text:
            return []
        with self.engine.connect() as conn:
            match = (N.c.login == text) | N.c.full_name.contains(text, autoescape=True)
            rows = conn.execute(select(N.c.id).where(match)
                                .limit(50)).all()
        return [r[0] for r in rows]
