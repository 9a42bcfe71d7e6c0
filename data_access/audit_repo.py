"""The dashboard's own audit trail: append-only, each row chained to the previous one by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from data_access.schema.appdb import audit_head
from data_access.schema.appdb import audit_log as L
from domain.clock import from_utc_naive, iso_utc, utc_naive

GENESIS = "0" * 64
RETRIES = 20


def row_hash(prev_hash: str, ts: str, actor: str, role: str, action: str, target: str, details: str, ip: str) -> str:
    """The chain hash of one row: any edit of a row, or a removed row, breaks every later hash."""
    payload = json.dumps([prev_hash, ts, actor, role, action, target, details, ip], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    role: str
    action: str
    target: str = ""
    details: dict | None = None
    ip: str = ""


class AuditTrail:
    """Appends and reads the audit trail. Concurrent writers (several web workers) serialise on the head row."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, entry: AuditEntry, now: float) -> str:
        """Write one entry and return its hash."""
        details = json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True, default=str)
        at = utc_naive(now).replace(microsecond=0)
        for _ in range(RETRIES):
            with self.engine.begin() as conn:
                head = conn.execute(select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1)).first()
                if head is None:
                    try:
                        conn.execute(insert(audit_head).values(id=1, hash=GENESIS, count=0))
                    except IntegrityError:
                        continue
                    head = (GENESIS, 0)
                prev, count = head
                new = row_hash(prev, iso_utc(from_utc_naive(at)), entry.actor, entry.role, entry.action,
                               entry.target, details, entry.ip)
                moved = conn.execute(update(audit_head).where(audit_head.c.id == 1, audit_head.c.hash == prev)
                                     .values(hash=new, count=count + 1)).rowcount
                if moved != 1:
                    continue  # another writer appended first: read the new head and try again
                conn.execute(insert(L).values(ts=at, actor=entry.actor[:80], role=entry.role[:20],
                                              action=entry.action[:40], target=entry.target[:200], details=details,
                                              ip=entry.ip[:45], prev_hash=prev, hash=new))
                return new
        raise RuntimeError("could not append to the audit trail")

    def verify(self) -> tuple[bool, int | None]:
        """(True, None) when the chain is intact, else (False, id of the first broken row)."""
        prev = GENESIS
        with self.engine.connect() as conn:
            for row in conn.execute(select(L).order_by(L.c.id)):
                expected = row_hash(prev, iso_utc(from_utc_naive(row.ts)), row.actor, row.role, row.action,
                                    row.target, row.details, row.ip)
                if row.prev_hash != prev or row.hash != expected:
                    return False, row.id
                prev = row.hash
        return True, None

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
