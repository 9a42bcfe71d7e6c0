"""Server-side web sessions: a signed cookie is only a pointer to a row that sign-out or revocation ends."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, insert, or_, select, update

from data_access.schema.appdb import kiosk_tokens as K
from data_access.schema.appdb import users as U
from data_access.schema.appdb import web_sessions as S
from data_access.users_repo import UserRecord, _user
from domain.clock import utc_naive


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionRepository:
    """Starts, resolves and ends sessions; only the SHA-256 of a session id is stored."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, user_id: int, now: float, lifetime_s: float, ip: str = "", token_id: int | None = None) -> str:
        """A new session id for ``user_id`` valid for ``lifetime_s`` (ended earlier by sign-out or revocation)."""
        sid = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(S).values(sid_hash=_hash(sid), user_id=user_id, token_id=token_id,
                                          created_at=utc_naive(now), expires_at=utc_naive(now + lifetime_s),
                                          ip=ip[:45]))
        return sid

    def resolve(self, user_id: int, sid: str, now: float) -> UserRecord | None:
        """The active user of a live session (not ended, not expired, its kiosk token not revoked)."""
        query = (select(U).select_from(S.join(U, U.c.id == S.c.user_id).outerjoin(K, K.c.id == S.c.token_id))
                 .where(S.c.sid_hash == _hash(sid), S.c.user_id == user_id, S.c.ended_at.is_(None),
                        S.c.expires_at > utc_naive(now), U.c.active.is_(True),
                        or_(S.c.token_id.is_(None), K.c.revoked_at.is_(None))))
        with self.engine.connect() as conn:
            return _user(conn.execute(query).first())

    def end(self, sid: str, now: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(S).where(S.c.sid_hash == _hash(sid), S.c.ended_at.is_(None))
                         .values(ended_at=utc_naive(now)))

    def end_for_user(self, user_id: int, now: float) -> int:
        """End every session of a user (a new password, a deactivated account)."""
        with self.engine.begin() as conn:
            return conn.execute(update(S).where(S.c.user_id == user_id, S.c.ended_at.is_(None))
                                .values(ended_at=utc_naive(now))).rowcount
