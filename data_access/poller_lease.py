"""Which poller publishes: exactly one active poller per app database, the others stand by and take over.

Two kinds of lease, chosen by the app database's engine (:func:`make_lease`):

- PostgreSQL: a session-level advisory lock held on the poller's own connection. The server releases it the moment
  that connection ends (the process killed -9, its machine gone once TCP keepalives give up, the connection
  terminated), so a standby takes over at its next try without waiting for any time-to-live.
- SQLite (embedded, one machine): a row with a time-to-live (``HOTLINE_POLLER_LEASE_S``), renewed by the active
  poller; a standby takes it when it expired or its process is gone from this host.

Each acquisition increments a fencing token (the ``lease_epoch`` row of ``poller_cursors``): the snapshot store and
the alert writes refuse a poller whose token is older than the newest one, so a poller that lost its lease without
noticing yet cannot undo the work of the one that took over.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from data_access.schema.appdb import poller_cursors as P
from data_access.schema.appdb import poller_lease as L
from domain.clock import from_utc_naive, iso_utc, utc_naive

log = logging.getLogger("hotline.poller")
LEASE_ID = 1
EPOCH = "lease_epoch"  # the fencing token's row in poller_cursors
LOCK_KEYS = (0x484F544C, 1)  # pg_try_advisory_lock(int, int): 'HOTL', 1 = the poller


class PollerAlreadyRunning(RuntimeError):
    """Another poller holds the lease; the message says which and until when."""


class LeaseLost(RuntimeError):
    """A write was refused: another poller took the lease since this one got it (its fencing token is newer)."""


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


def _next_epoch(conn: Connection) -> int:
    """Increment the fencing token and return it (1 on a new database)."""
    if conn.execute(update(P).where(P.c.name == EPOCH).values(value=P.c.value + 1)).rowcount == 0:
        conn.execute(insert(P).values(name=EPOCH, value=1))
    return int(conn.execute(select(P.c.value).where(P.c.name == EPOCH)).scalar_one())


def check_fence(conn: Connection, epoch: int | None) -> None:
    """Raise :class:`LeaseLost` when ``epoch`` is not the newest fencing token (None: no lease, no check).

    On PostgreSQL the token's row is read FOR SHARE: a takeover's increment waits for this transaction, and this
    transaction, begun after the increment, sees it.
    """
    if epoch is None:
        return
    newest = conn.execute(select(P.c.value).where(P.c.name == EPOCH).with_for_update(read=True)).scalar()
    if newest is not None and int(newest) != epoch:
        raise LeaseLost(f"the poller lease was taken over (token {newest}, this poller's {epoch})")


def active_poller(engine: Engine) -> dict | None:
    """The lease row as the Services page shows it: host, pid, since, last renewal (no personal data)."""
    with engine.connect() as conn:
        row = conn.execute(select(L).where(L.c.id == LEASE_ID)).first()
    if row is None:
        return None
    return {"host": row.host, "pid": row.pid, "since": iso_utc(from_utc_naive(row.started_at)),
            "renewed_at": iso_utc(from_utc_naive(row.renewed_at))}


class PollerLease:
    """The row lease: taken when free or expired, renewed by the active poller, released on exit."""

    kind = "row"

    def __init__(self, engine: Engine, ttl_s: float, me: Holder | None = None) -> None:
        self.engine, self.ttl_s = engine, ttl_s
        self.me = me or Holder.this_process()
        self.epoch: int | None = None  # the fencing token of this holding; None while not held
        self.since: float | None = None
        self._renewed_at: float | None = None
        self.refusal = ""  # why the last try_acquire failed (who holds the lease)

    @property
    def held(self) -> bool:
        return self.epoch is not None

    def acquire(self, now: float) -> None:
        """Take the lease, or raise :class:`PollerAlreadyRunning` when a live poller holds it."""
        if not self.try_acquire(now):
            raise PollerAlreadyRunning(self.refusal)

    def try_acquire(self, now: float) -> bool:
        """Take the lease if it is free, expired or its holder is gone; False (and :attr:`refusal`) if not."""
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(L).where(L.c.id == LEASE_ID)).first()
                if row is not None and self._held_by_other(row, now):
                    self.refusal = self._refusal_text(row, now)
                    return False
                if not self._write_row(conn, row, now):
                    self.refusal = "another poller took the lease at the same moment"
                    return False
                epoch = _next_epoch(conn)
        except (IntegrityError, OperationalError) as exc:  # a simultaneous taker won (SQLite: busy snapshot)
            self.refusal = f"another poller took the lease at the same moment ({type(exc).__name__})"
            return False
        self.epoch, self.since, self._renewed_at = epoch, now, now
        return True

    def _write_row(self, conn: Connection, row, now: float) -> bool:
        values = dict(holder=self.me.holder, host=self.me.host, pid=self.me.pid, started_at=utc_naive(now),
                      renewed_at=utc_naive(now))
        if row is None:
            conn.execute(insert(L).values(id=LEASE_ID, **values))
            return True
        return conn.execute(update(L).where(L.c.id == LEASE_ID, L.c.holder == row.holder,
                                            L.c.renewed_at == row.renewed_at).values(**values)).rowcount == 1

    def _refusal_text(self, row, now: float) -> str:
        age = now - from_utc_naive(row.renewed_at)
        return (f"another poller (host {row.host}, pid {row.pid}) renewed its lease {age:.0f} s ago; "
                f"only one poller may publish from this app database. Stop it, or start this one again "
                f"{max(0.0, self.ttl_s - age):.0f} s after it has stopped.")

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
        if not self.held:
            return False
        if self._renewed_at is not None and now - self._renewed_at < self.ttl_s / 6:
            return True
        with self.engine.begin() as conn:
            held = conn.execute(update(L).where(L.c.id == LEASE_ID, L.c.holder == self.me.holder)
                                .values(renewed_at=utc_naive(now))).rowcount == 1
        self._renewed_at = now if held else None
        if not held:
            self.abandon()
        return held

    def expired(self, now: float) -> bool:
        """Whether a standby may have taken the lease by now (renewal failing since longer than its life)."""
        return self._renewed_at is None or now - self._renewed_at > self.ttl_s

    def release(self) -> None:
        """Give the lease up at once (a graceful stop): a standby takes it at its next try."""
        if self.held:
            with self.engine.begin() as conn:
                conn.execute(delete(L).where(L.c.id == LEASE_ID, L.c.holder == self.me.holder))
        self.epoch = self.since = None

    def advance_past(self, floor: int) -> None:
        """Make this holding's token exceed ``floor`` (the snapshot store's newest): after the app database was
        recreated its tokens restart at 1, and the store would refuse them."""
        if not self.held or floor < self.epoch:
            return
        with self.engine.begin() as conn:
            moved = conn.execute(update(P).where(P.c.name == EPOCH, P.c.value == self.epoch)
                                 .values(value=floor + 1)).rowcount == 1
        if moved:
            log.warning("lease token moved from %s to %s, past the snapshot store's", self.epoch, floor + 1)
            self.epoch = floor + 1

    def abandon(self) -> None:
        """Stop counting on this holding (another poller took over, or may have): nothing is written."""
        self.epoch = self.since = None

    def fence(self, conn: Connection) -> None:
        """Inside a write's transaction: refuse it unless this holding is the newest (see :func:`check_fence`)."""
        if not self.held:
            raise LeaseLost("this poller does not hold the lease")
        check_fence(conn, self.epoch)

    def view(self) -> dict:
        """This holding for the snapshot (the Services page): no personal data."""
        return {"kind": self.kind, "host": self.me.host, "pid": self.me.pid, "since": iso_utc(self.since),
                "token": self.epoch}


class AdvisoryLease(PollerLease):
    """PostgreSQL: an advisory lock on a connection of its own; the row is kept too, for the Services page."""

    kind = "advisory"

    def __init__(self, engine: Engine, ttl_s: float, me: Holder | None = None) -> None:
        super().__init__(engine, ttl_s, me)
        self._conn: Connection | None = None

    def try_acquire(self, now: float) -> bool:
        try:
            conn = self._lock_connection()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                               {"a": LOCK_KEYS[0], "b": LOCK_KEYS[1]}).scalar()
        except Exception as exc:  # noqa: BLE001 - the database away: a standby tries again next cycle
            self._drop()
            self.refusal = f"the app database cannot be reached ({type(exc).__name__})"
            return False
        if not got:
            self.refusal = "another poller holds the advisory lock"
            return False
        try:
            with self.engine.begin() as wconn:
                wconn.execute(delete(L).where(L.c.id == LEASE_ID))
                self._write_row(wconn, None, now)
                epoch = _next_epoch(wconn)
        except Exception:
            self._drop()  # no token, no lock: a standby must not sit on the lock it cannot use
            raise
        self.epoch, self.since, self._renewed_at = epoch, now, now
        return True

    def _lock_connection(self) -> Connection:
        """The connection that holds the lock: autocommit (never idle in a transaction), TCP keepalives set so
        the server drops it (and the lock) within about the lease's life when this machine vanishes."""
        if self._conn is None:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            idle = max(1, int(self.ttl_s / 3))
            for name, value in (("tcp_keepalives_idle", idle), ("tcp_keepalives_interval", max(1, idle // 3)),
                                ("tcp_keepalives_count", 3), ("tcp_user_timeout", int(self.ttl_s * 1000))):
                conn.execute(text(f"SET {name} = {int(value)}"))
            self._conn = conn
        return self._conn

    def renew(self, now: float) -> bool:
        """Whether the lock's connection still holds it; a lost connection is a lost lease (tried again later)."""
        if not self.held or self._conn is None:
            return False
        try:
            held = bool(self._conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND classid = :a AND objid = :b AND objsubid = 2 AND granted)"),
                {"a": LOCK_KEYS[0], "b": LOCK_KEYS[1]}).scalar())
        except Exception as exc:  # noqa: BLE001 - the connection is gone, and the lock with it
            log.error("the poller lease's connection was lost: %s", type(exc).__name__)
            held = False
        if not held:
            self.abandon()
            return False
        self._touch_row(now)
        return True

    def _touch_row(self, now: float) -> None:
        if self._renewed_at is not None and now - self._renewed_at < self.ttl_s / 6:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(update(L).where(L.c.id == LEASE_ID, L.c.holder == self.me.holder)
                             .values(renewed_at=utc_naive(now)))
            self._renewed_at = now
        except Exception as exc:  # noqa: BLE001 - only the page's 'last renewed' is late
            log.warning("the poller lease row was not renewed: %s", type(exc).__name__)

    def expired(self, now: float) -> bool:
        return not self.held

    def abandon(self) -> None:
        self._drop()  # if the lock was still held, ending its connection hands it to a standby
        super().abandon()

    def release(self) -> None:
        if self._conn is not None and self.held:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": LOCK_KEYS[0], "b": LOCK_KEYS[1]})
                with self.engine.begin() as conn:
                    conn.execute(delete(L).where(L.c.id == LEASE_ID, L.c.holder == self.me.holder))
            except Exception as exc:  # noqa: BLE001 - closing the connection below releases the lock anyway
                log.warning("could not release the poller lease cleanly: %s", type(exc).__name__)
        self._drop()
        self.epoch = self.since = None

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back into the pool: the session (and any lock) ends
                self._conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
            self._conn = None


def make_lease(engine: Engine, ttl_s: float, me: Holder | None = None) -> PollerLease:
    """The advisory-lock lease on PostgreSQL, the row lease elsewhere (SQLite: one machine)."""
    cls = AdvisoryLease if engine.dialect.name == "postgresql" else PollerLease
    return cls(engine, ttl_s, me)
