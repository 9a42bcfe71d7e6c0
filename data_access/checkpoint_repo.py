"""The poller's checkpoint row in the app database (one row: the newest live state, see poller/checkpoint.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Connection, Engine, delete, insert, select

from data_access.schema.appdb import poller_checkpoint as C
from domain.clock import from_utc_naive, utc_naive

ROW_ID = 1


@dataclass(frozen=True)
class StoredCheckpoint:
    fingerprint: str
    day_start: int
    taken_at: float
    token: int | None
    digest: str
    payload: bytes


class CheckpointRepository:
    """Writes and reads the single checkpoint row."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, cp: StoredCheckpoint, fence: Callable[[Connection], None] | None = None) -> None:
        """Replace the checkpoint; ``fence`` refuses the write of a poller that lost its lease."""
        with self.engine.begin() as conn:
            if fence is not None:
                fence(conn)
            conn.execute(delete(C).where(C.c.id == ROW_ID))
            conn.execute(insert(C).values(id=ROW_ID, fingerprint=cp.fingerprint, day_start=cp.day_start,
                                          taken_at=utc_naive(cp.taken_at), token=cp.token, digest=cp.digest,
                                          payload=cp.payload))

    def load(self) -> StoredCheckpoint | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(C).where(C.c.id == ROW_ID)).first()
        if row is None:
            return None
        return StoredCheckpoint(row.fingerprint, int(row.day_start), from_utc_naive(row.taken_at), row.token,
                                row.digest, bytes(row.payload))
