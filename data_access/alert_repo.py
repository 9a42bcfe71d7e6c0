"""Alert lifecycle in the dashboard's own database: firing, acknowledged (by whom, when), resolved."""

from __future__ import annotations

import json
from typing import Callable

from sqlalchemy import Connection, Engine, insert, select, update

from data_access.schema.appdb import alerts as A
from domain.alerts import Changes, Condition
from domain.clock import from_utc_naive, iso_utc, utc_naive


def _row_view(row) -> dict:
    return {
        "id": row.id, "key": row.key, "rule": row.rule, "scope": row.scope, "severity": row.severity,
        "params": json.loads(row.params), "fired_at": iso_utc(from_utc_naive(row.fired_at)),
        "resolved_at": iso_utc(from_utc_naive(row.resolved_at)) if row.resolved_at else None,
        "acked_by": row.acked_by, "acked_at": iso_utc(from_utc_naive(row.acked_at)) if row.acked_at else None,
        "state": "resolved" if row.resolved_at else ("acknowledged" if row.acked_at else "firing"),
    }


class AlertRepository:
    """Reads and writes the ``alerts`` table. The poller writes transitions; the web app writes acks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def restore(self) -> list[Condition]:
        """Alerts still firing from before a restart, as conditions for the tracker."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(A).where(A.c.resolved_at.is_(None))).all()
        return [Condition(r.rule, r.scope, r.severity, json.loads(r.params)) for r in rows]

    def apply(self, changes: Changes, now: float, fence: Callable[[Connection], None] | None = None) -> None:
        """Write one evaluation's fired, changed and resolved alerts; idempotent.

        A fired alert whose key already fires (written by another poller during a takeover) is updated, not
        raised twice. ``fence`` runs first in the transaction and raises to refuse the write (a poller that lost
        its lease: data_access/poller_lease.py).
        """
        if not (changes.fired or changes.changed or changes.resolved):
            return
        at = utc_naive(now)
        with self.engine.begin() as conn:
            if fence is not None:
                fence(conn)
            for c in changes.fired:
                if not self._update_firing(conn, c, at):
                    conn.execute(insert(A).values(key=c.key, rule=c.rule, scope=c.scope, severity=c.severity,
                                                  params=json.dumps(c.params, default=str), fired_at=at,
                                                  updated_at=at))
            for c in changes.changed:
                self._update_firing(conn, c, at)
            for key in changes.resolved:
                conn.execute(update(A).where(A.c.key == key, A.c.resolved_at.is_(None))
                             .values(resolved_at=at, updated_at=at))

    @staticmethod
    def _update_firing(conn: Connection, c: Condition, at) -> bool:
        """Update the alert firing under ``c.key``; False when none fires."""
        return conn.execute(update(A).where(A.c.key == c.key, A.c.resolved_at.is_(None))
                            .values(severity=c.severity, params=json.dumps(c.params, default=str),
                                    updated_at=at)).rowcount > 0

    def active(self) -> list[dict]:
        """Firing and acknowledged alerts, critical first, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(A).where(A.c.resolved_at.is_(None)).order_by(A.c.fired_at.desc())).all()
        views = [_row_view(r) for r in rows]
        return sorted(views, key=lambda a: a["severity"] != "critical")

    def recent(self, limit: int = 200) -> list[dict]:
        """The latest alerts of any state, newest first (the history on the alerts page)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(A).order_by(A.c.fired_at.desc(), A.c.id.desc()).limit(limit)).all()
        return [_row_view(r) for r in rows]

    def fired_between(self, start_ts: float, end_ts: float, limit: int = 5000) -> list[dict]:
        """Alerts that fired in [start, end), oldest first (the SLA report's "what happened then")."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(A).where(A.c.fired_at >= utc_naive(start_ts), A.c.fired_at < utc_naive(end_ts))
                                .order_by(A.c.fired_at, A.c.id).limit(limit)).all()
        return [_row_view(r) for r in rows]

    def acknowledge(self, alert_id: int, user: str, now: float) -> bool:
        """Mark an active alert acknowledged by ``user``; False if it is resolved or unknown."""
        with self.engine.begin() as conn:
            result = conn.execute(update(A).where(A.c.id == alert_id, A.c.resolved_at.is_(None),
                                                  A.c.acked_at.is_(None))
                                  .values(acked_by=user[:80], acked_at=utc_naive(now)))
        return result.rowcount == 1
