"""The poller's named read positions in the app database (the security pipeline's cursors on the CRM's journals)."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, update

from data_access.schema.appdb import poller_cursors as P


class CursorRepository:
    """Saved cursors: each a name and the last row id read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, names: tuple[str, ...]) -> dict[str, int] | None:
        """The saved cursors of ``names``; None unless every one of them was saved."""
        with self.engine.connect() as conn:
            rows = dict(conn.execute(select(P.c.name, P.c.value).where(P.c.name.in_(names))).all())
        return {name: rows[name] for name in names} if all(name in rows for name in names) else None

    def save(self, cursors: dict[str, int]) -> None:
        """Save ``cursors`` (name -> value) in one transaction."""
        with self.engine.begin() as conn:
            for name, value in cursors.items():
                if conn.execute(update(P).where(P.c.name == name).values(value=value)).rowcount == 0:
                    conn.execute(insert(P).values(name=name, value=value))
