"""The CRM's operators (employees, not citizens) as the poller copies them into the app database, where the
security pages name them (the copy is read from the CRM by SecuritySource.operators)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, insert, select

from data_access.schema import crm
from data_access.schema.appdb import operator_names as N
from domain.operators import OperatorInfo


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
    """The app database's copy of the operators' names, logins and teams (the poller writes it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def replace_all(self, operators: list[OperatorInfo]) -> None:
        """Replace the copy with ``operators``."""
        rows = [{"id": o.id, "login": o.login, "full_name": o.full_name, "team_id": o.team_id,
                 "team_name": o.team_name, "role": o.role} for o in operators]
        with self.engine.begin() as conn:
            conn.execute(delete(N))
            if rows:
                conn.execute(insert(N), rows)

    def all(self) -> dict[int, OperatorInfo]:
        """Every copied operator by id."""
        with self.engine.connect() as conn:
            return {r.id: OperatorInfo(r.id, full_name=r.full_name, team_name=r.team_name or "", team_id=r.team_id,
                                       login=r.login, role=r.role or "") for r in conn.execute(select(N))}

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
