"""The dashboard's own audit trail: append-only, each row chained to the previous one by SHA-256.

Every value is normalised (text made storable, cut to its column, details capped) BEFORE it is hashed, so the row
in the database is exactly what its hash covers. The chain is verified incrementally from a checkpoint (the id and
hash of the last row verified); a full check from the first row stays available.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from data_access.schema.appdb import audit_checkpoint as K
from data_access.schema.appdb import audit_head
from data_access.schema.appdb import audit_log as L
from domain.clock import from_utc_naive, iso_utc, utc_naive

GENESIS = "0" * 64
RETRIES = 20
MAX_DETAILS = 8000          # characters of the details JSON; longer details are cut with a marker
CHECK_BATCH = 5000          # rows read per query while checking the chain
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
WIDTHS = {name: L.c[name].type.length for name in ("actor", "role", "action", "target", "ip")}


def row_hash(prev_hash: str, ts: str, actor: str, role: str, action: str, target: str, details: str, ip: str) -> str:
    """The chain hash of one row: any edit of a row, or a removed row, breaks every later hash."""
    payload = json.dumps([prev_hash, ts, actor, role, action, target, details, ip], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def storable(value: object, width: int | None = None) -> str:
    """``value`` as text every database and JSON encoder accepts (lone surrogates and NUL escaped), cut to width."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if width is None else text[:width]


def details_json(details: dict | None) -> str:
    """The details as JSON of at most MAX_DETAILS characters; longer ones keep their head, cut the same way always."""
    try:
        full = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    except TypeError:  # keys of mixed types cannot be sorted
        full = json.dumps(details or {}, ensure_ascii=False, default=str)
    full = storable(full)
    if len(full) <= MAX_DETAILS:
        return full
    keep = MAX_DETAILS - 100
    while True:
        cut = json.dumps({"truncated": True, "size": len(full), "head": full[:keep]}, ensure_ascii=False)
        if len(cut) <= MAX_DETAILS:
            return cut
        keep -= len(cut) - MAX_DETAILS  # escaping made the head longer: drop as many characters as it overflows


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    role: str
    action: str
    target: str = ""
    details: dict | None = None
    ip: str = ""


@dataclass(frozen=True)
class StoredEntry:
    """An entry exactly as it is stored and hashed."""

    actor: str
    role: str
    action: str
    target: str
    details: str
    ip: str

    @classmethod
    def of(cls, entry: AuditEntry) -> "StoredEntry":
        """Normalise ``entry``; an action that is not a short snake_case name is a programming error."""
        if not isinstance(entry.action, str) or not ACTION_PATTERN.fullmatch(entry.action):
            raise ValueError(f"audit action {str(entry.action)[:60]!r}: a snake_case name of at most 40 characters")
        return cls(storable(entry.actor, WIDTHS["actor"]), storable(entry.role, WIDTHS["role"]), entry.action,
                   storable(entry.target, WIDTHS["target"]), details_json(entry.details),
                   storable(entry.ip, WIDTHS["ip"]))

    def hash(self, prev: str, ts: str) -> str:
        return row_hash(prev, ts, self.actor, self.role, self.action, self.target, self.details, self.ip)


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the chain: intact or the first broken row, rows hashed, last row verified."""

    intact: bool
    broken_at: int | None
    checked: int
    upto: int


def _stored_hash(row) -> str:
    return row_hash(row.prev_hash, iso_utc(from_utc_naive(row.ts)), row.actor, row.role, row.action, row.target,
                    row.details, row.ip)


class AuditTrail:
    """Appends and reads the audit trail. Concurrent writers (several web workers) serialise on the head row."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, entry: AuditEntry, now: float) -> str:
        """Write one entry (normalised before hashing) and return its hash."""
        stored = StoredEntry.of(entry)
        at = utc_naive(now).replace(microsecond=0)
        ts = iso_utc(from_utc_naive(at))
        for _ in range(RETRIES):
            with self.engine.begin() as conn:
                # FOR UPDATE (PostgreSQL): concurrent writers queue on the head row instead of racing for it
                head = conn.execute(select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1)
                                    .with_for_update()).first()
                if head is None:
                    try:
                        conn.execute(insert(audit_head).values(id=1, hash=GENESIS, count=0))
                    except IntegrityError:
                        continue
                    head = (GENESIS, 0)
                prev, count = head
                new = stored.hash(prev, ts)
                moved = conn.execute(update(audit_head).where(audit_head.c.id == 1, audit_head.c.hash == prev)
                                     .values(hash=new, count=count + 1)).rowcount
                if moved != 1:
                    continue  # another writer appended first: read the new head and try again
                conn.execute(insert(L).values(ts=at, actor=stored.actor, role=stored.role, action=stored.action,
                                              target=stored.target, details=stored.details, ip=stored.ip,
                                              prev_hash=prev, hash=new))
                return new
        raise RuntimeError("could not append to the audit trail")

    def verify(self) -> tuple[bool, int | None]:
        """The full check from the first row: (True, None) when intact, else (False, id of the first broken row)."""
        check = self.check(full=True)
        return check.intact, check.broken_at

    def checkpoint(self) -> tuple[int, str]:
        """(id, hash) of the last row verified; (0, GENESIS) before the first check."""
        with self.engine.connect() as conn:
            row = conn.execute(select(K.c.row_id, K.c.hash).where(K.c.id == 1)).first()
        return (row.row_id, row.hash) if row else (0, GENESIS)

    def check(self, full: bool = False) -> ChainCheck:
        """Verify the rows after the checkpoint (``full``: from the first row), then move the checkpoint forward.

        The checkpoint row itself is verified first: its stored hash must equal the checkpoint's hash and its own
        fields, so editing that row or the checkpoint is found at once. A broken chain leaves the checkpoint where
        it was, so every later check reports the break again.
        """
        upto, prev = (0, GENESIS) if full else self.checkpoint()
        checked = 0
        with self.engine.connect() as conn:
            if upto:
                anchor = conn.execute(select(L).where(L.c.id == upto)).first()
                checked += 1
                if anchor is None or anchor.hash != prev or _stored_hash(anchor) != prev:
                    return ChainCheck(False, upto, checked, upto)
            while True:
                rows = conn.execute(select(L).where(L.c.id > upto).order_by(L.c.id).limit(CHECK_BATCH)).all()
                for row in rows:
                    checked += 1
                    if row.prev_hash != prev or _stored_hash(row) != row.hash:
                        return ChainCheck(False, row.id, checked, upto)
                    upto, prev = row.id, row.hash
                if len(rows) < CHECK_BATCH:
                    break
        self._advance(upto, prev)
        return ChainCheck(True, None, checked, upto)

    def _advance(self, row_id: int, hash_: str) -> None:
        """Move the checkpoint forward to a verified row (never back: another worker may be further already)."""
        if row_id == 0:
            return
        with self.engine.begin() as conn:
            if conn.execute(update(K).where(K.c.id == 1, K.c.row_id < row_id)
                            .values(row_id=row_id, hash=hash_)).rowcount:
                return
            if conn.execute(select(K.c.id).where(K.c.id == 1)).first() is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(K).values(id=1, row_id=row_id, hash=hash_))
                except IntegrityError:
                    pass  # another worker wrote the first checkpoint at the same time

    def page(self, *, actor: str | None = None, action: str | None = None, since: float | None = None,
             until: float | None = None, offset: int = 0, limit: int = 100) -> tuple[list[dict], int]:
        """A page of entries, newest first, and the total count under the filters."""
        query, count = select(L), select(func.count()).select_from(L)
        conds = []
        if actor:
            conds.append(L.c.actor == actor)
        if action:
            conds.append(L.c.action == action)
        if since is not None:
            conds.append(L.c.ts >= utc_naive(since))
        if until is not None:
            conds.append(L.c.ts < utc_naive(until))
        for cond in conds:
            query, count = query.where(cond), count.where(cond)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(L.c.id.desc()).offset(offset).limit(limit)).all()
            total = conn.execute(count).scalar()
        return [{"id": r.id, "ts": iso_utc(from_utc_naive(r.ts)), "actor": r.actor, "role": r.role,
                 "action": r.action, "target": r.target, "details": r.details, "ip": r.ip, "hash": r.hash[:12]}
                for r in rows], total
