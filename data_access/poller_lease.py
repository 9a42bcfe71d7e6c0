"""One publishing poller per app database: a lease row that a second poller finds taken and refuses to start."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from data_access.schema.appdb import poller_lease as L
from domain.clock import from_utc_naive, utc_naive

LEASE_ID = 1


class PollerAlreadyRunning(RuntimeError):
    """Another poller holds the lease; the message says which and until when."""


@dataclass(frozen=True)
class Holder:
    holder: str
    host: str
    pid: int

    @classmethod
    def this_process(cls) -> "Holder":
        return cls(uuid.uuid4().hex, socket.gethostname()[:120], os.getpid())


def _alive_here(holder: Holder) -> bool:
    """Whether a holder on this host is a running process (a poller killed -9 leaves its row behind)."""
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PollerLease:
    """Taken at start, renewed every cycle, released on exit; expires ``ttl_s`` after its last renewal."""

    def __init__(self, engine: Engine, ttl_s: float, me: Holder | None = None) -> None:
        self.engine, self.ttl_s = engine, ttl_s
        self.me = me or Holder.this_process()
        self._renewed_at: float | None = None

    def acquire(self, now: float) -> None:
        """Take the lease, or raise :class:`PollerAlreadyRunning` when a live poller holds it."""
        with self.engine.begin() as conn:
            row = conn.execute(select(L).where(L.c.id == LEASE_ID)).first()
            if row is not None and self._held_by_other(row, now):
                age = now - from_utc_naive(row.renewed_at)
                raise PollerAlreadyRunning(
                    f"another poller (host {row.host}, pid {row.pid}) renewed its lease {age:.0f} s ago; "
                    f"only one poller may run against this app database. Stop it, or start this one again "
                    f"{max(0.0, self.ttl_s - age):.0f} s after it has stopped.")
            values = dict(holder=self.me.holder, host=self.me.host, pid=self.me.pid, started_at=utc_naive(now),
                          renewed_at=utc_naive(now))
            if row is None:
                try:
                    conn.execute(insert(L).values(id=LEASE_ID, **values))
                except IntegrityError as exc:  # another poller inserted it at the same moment
                    raise PollerAlreadyRunning("another poller took the lease at the same moment") from exc
            else:
                conn.execute(update(L).where(L.c.id == LEASE_ID, L.c.holder == row.holder).values(**values))
        self._renewed_at = now

    def _held_by_other(self, row, now: float) -> bool:
        if row.holder == self.me.holder or now - from_utc_naive(row.renewed_at) > self.ttl_s:
            return False
        if row.host == self.me.host and row.pid == self.me.pid:
            return False  # this process restarting its own engine
        return not (row.host == self.me.host and not _alive_here(Holder(row.holder, row.host, row.pid)))

    def renew(self, now: float) -> bool:
        """False when the lease is no longer ours (another poller took it after it expired).

        Written at most every sixth of the lease's life, not every poll cycle: a poller that stalled long enough
        to lose its lease is past that interval when it comes back, so it still finds out at once.
        """
        if self._renewed_at is not None and now - self._renewed_at < self.ttl_s / 6:
            return True
        with self.engine.begin() as conn:
            held = conn.execute(update(L).where(L.c.id == LEASE_ID, L.c.holder == self.me.holder)
                                .values(renewed_at=utc_naive(now))).rowcount == 1
        self._renewed_at = now if held else None
        return held

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(L).where(L.c.id == LEASE_ID, L.c.holder == self.me.holder))
