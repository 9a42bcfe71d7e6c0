"""The poller's checkpoint rows in the app database: one row per kind of state, each the newest one.

Row 1 holds the live engine's state (poller/checkpoint.py), row 2 the detectors' (poller/security_checkpoint.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Connection, Engine, delete, insert, select

from data_access.schema.appdb import poller_checkpoint as C
from domain.clock import from_utc_naive, utc_naive

ROW_ID = 1          # the live engine's state
SECURITY_ROW_ID = 2  # the access-anomaly detectors' state


@dataclass(frozen=True)
class StoredCheckpoint:
    fingerprint: str
    day_start: int
    taken_at: float
    token: int | None
    digest: str
    payload: bytes


class CheckpointRepository:
    """Writes and reads one checkpoint row (``row_id``)."""

    def __init__(self, engine: Engine, row_id: int = ROW_ID) -> None:
        self.engine, self.row_id = engine, row_id

    def save(self, cp: StoredCheckpoint, fence: Callable[[Connection], None] | None = None) -> None:
        """Replace the checkpoint; ``fence`` refuses the write of a poller that lost its lease."""
        with self.engine.begin() as conn:
            if fence is not None:
                fence(conn)
            conn.execute(delete(C).where(C.c.id == self.row_id))
            conn.execute(insert(C).values(id=self.row_id, fingerprint=cp.fingerprint, day_start=cp.day_start,
                                          taken_at=utc_naive(cp.taken_at), token=cp.token, digest=cp.digest,
                                          payload=cp.payload))

    def load(self) -> StoredCheckpoint | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(C).where(C.c.id == self.row_id)).first()
        if row is None:
            return None
        return StoredCheckpoint(row.fingerprint, int(row.day_start), from_utc_naive(row.taken_at), row.token,
                                row.digest, bytes(row.payload))
