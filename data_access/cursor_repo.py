"""The poller's named read positions in the app database (the security pipeline's cursors on the CRM's journals)."""

from __future__ import annotations

from sqlalchemy import Engine, case, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.schema.appdb import poller_cursors as P


class CursorRepository:
    """Saved cursors: each a name and the last row id read. A saved cursor only moves forward."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, names: tuple[str, ...]) -> dict[str, int] | None:
        """The saved cursors of ``names``; None unless every one of them was saved."""
        with self.engine.connect() as conn:
            rows = dict(conn.execute(select(P.c.name, P.c.value).where(P.c.name.in_(names))).all())
        return {name: rows[name] for name in names} if all(name in rows for name in names) else None

    def save(self, cursors: dict[str, int]) -> None:
        """Save ``cursors`` (name -> value) in one transaction; a value below the saved one keeps the saved one.

        Two pollers overlapping for a moment (a takeover) may save in any order: the later, smaller value of the
        one that read less never moves a cursor back, so no row is read and judged twice.
        """
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        with self.engine.begin() as conn:
            for name, value in cursors.items():
                stmt = insert(P).values(name=name, value=int(value))
                conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={
                    "value": case((stmt.excluded.value > P.c.value, stmt.excluded.value), else_=P.c.value)}))
