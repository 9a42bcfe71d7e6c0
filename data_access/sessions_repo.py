"""Server-side web sessions: a signed cookie is only a pointer to a row that sign-out or revocation ends."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, bindparam, delete, insert, or_, select, update

from data_access.schema.appdb import kiosk_tokens as K
from data_access.schema.appdb import login_attempts as A
from data_access.schema.appdb import users as U
from data_access.schema.appdb import web_sessions as S
from data_access.users_repo import UserRecord, user_record
from domain.clock import utc_naive


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


MAX_SESSIONS_PER_TOKEN = 20  # a wall screen's token opening more live sessions ends its oldest ones
KEEP_ENDED_S = 30 * 86400     # ended or expired sessions are kept this long (who was signed in when), then purged
KEEP_ATTEMPTS_S = 86400       # sign-in attempts older than this no longer count for throttling
PURGE_EVERY_S = 3600


_RESOLVE = (select(U).select_from(S.join(U, U.c.id == S.c.user_id).outerjoin(K, K.c.id == S.c.token_id))
            .where(S.c.sid_hash == bindparam("sid_hash"), S.c.user_id == bindparam("user_id"),
                   S.c.ended_at.is_(None), S.c.expires_at > bindparam("now"), U.c.active.is_(True),
                   or_(S.c.token_id.is_(None), K.c.revoked_at.is_(None))))


class SessionRepository:
    """Starts, resolves and ends sessions; only the SHA-256 of a session id is stored."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._purged_at = float("-inf")

    def start(self, user_id: int, now: float, lifetime_s: float, ip: str = "", token_id: int | None = None) -> str:
        """A new session id for ``user_id`` valid for ``lifetime_s`` (ended earlier by sign-out or revocation)."""
        sid = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(S).values(sid_hash=_hash(sid), user_id=user_id, token_id=token_id,
                                          created_at=utc_naive(now), expires_at=utc_naive(now + lifetime_s),
                                          ip=ip[:45]))
            if token_id is not None:
                self._end_oldest_of_token(conn, token_id, now)
        if now - self._purged_at >= PURGE_EVERY_S:
            self.purge(now)
        return sid

    @staticmethod
    def _end_oldest_of_token(conn, token_id: int, now: float) -> None:
        live = select(S.c.id).where(S.c.token_id == token_id, S.c.ended_at.is_(None)).order_by(S.c.id.desc())
        newest = [r[0] for r in conn.execute(live.limit(MAX_SESSIONS_PER_TOKEN))]
        if len(newest) == MAX_SESSIONS_PER_TOKEN:
            conn.execute(update(S).where(S.c.token_id == token_id, S.c.ended_at.is_(None), S.c.id < newest[-1])
                         .values(ended_at=utc_naive(now)))

    def purge(self, now: float) -> None:
        """Forget sessions ended or expired a month ago, and sign-in attempts too old to count."""
        self._purged_at = now
        old = utc_naive(now - KEEP_ENDED_S)
        with self.engine.begin() as conn:
            conn.execute(delete(S).where(or_(S.c.ended_at < old, S.c.expires_at < old)))
            conn.execute(delete(A).where(A.c.ts < utc_naive(now - KEEP_ATTEMPTS_S)))

    def resolve(self, user_id: int, sid: str, now: float) -> UserRecord | None:
        """The active user of a live session (not ended, not expired, its kiosk token not revoked). Asked on
        every request (every wall screen's poll): the statement is built once."""
        params = {"sid_hash": _hash(sid), "user_id": user_id, "now": utc_naive(now)}
        with self.engine.connect() as conn:
            return user_record(conn.execute(_RESOLVE, params).first())

    def end(self, sid: str, now: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(S).where(S.c.sid_hash == _hash(sid), S.c.ended_at.is_(None))
                         .values(ended_at=utc_naive(now)))

    def end_for_user(self, user_id: int, now: float) -> int:
        """End every session of a user (a new password, a deactivated account)."""
        with self.engine.begin() as conn:
            return conn.execute(update(S).where(S.c.user_id == user_id, S.c.ended_at.is_(None))
                                .values(ended_at=utc_naive(now))).rowcount
