"""Users, kiosk tokens and sign-in attempts in the dashboard's own database."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select, update

from data_access.schema.appdb import kiosk_tokens as K
from data_access.schema.appdb import login_attempts as A
from data_access.schema.appdb import users as U
from data_access.schema.appdb import web_sessions as S
from domain.clock import utc_naive

ROLES = ("supervisor", "manager", "security", "admin", "display")


@dataclass(frozen=True)
class UserRecord:
    id: int
    login: str
    full_name: str
    role: str
    password_hash: str
    active: bool


def user_record(row) -> UserRecord | None:
    """A users row (or None) as a UserRecord."""
    if row is None:
        return None
    return UserRecord(row.id, row.login, row.full_name, row.role, row.password_hash, bool(row.active))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserRepository:
    """Reads and writes users; never sees a plain password (hashes come from web.passwords)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, login: str, full_name: str, role: str, password_hash: str, now: float) -> int:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        with self.engine.begin() as conn:
            return conn.execute(insert(U).values(login=login, full_name=full_name, role=role,
                                                 password_hash=password_hash, created_at=utc_naive(now))
                                ).inserted_primary_key[0]

    def set_password(self, login: str, password_hash: str, now: float | None = None) -> bool:
        """A new password; every open session of the user ends (a stolen cookie stops working with it)."""
        with self.engine.begin() as conn:
            changed = conn.execute(update(U).where(U.c.login == login).values(password_hash=password_hash)).rowcount
            conn.execute(update(S).where(S.c.user_id.in_(select(U.c.id).where(U.c.login == login).scalar_subquery()),
                                         S.c.ended_at.is_(None)).values(ended_at=utc_naive(now or time.time())))
        return changed == 1

    def get(self, user_id: int) -> UserRecord | None:
        with self.engine.connect() as conn:
            return user_record(conn.execute(select(U).where(U.c.id == user_id)).first())

    def by_login(self, login: str) -> UserRecord | None:
        with self.engine.connect() as conn:
            return user_record(conn.execute(select(U).where(U.c.login == login)).first())

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(U)).scalar()

    def active_logins(self, role: str) -> list[str]:
        """Logins of the active users of ``role`` (the security officers cases are assigned to)."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(U.c.login).where(U.c.role == role, U.c.active.is_(True))).scalars())

    def touch_login(self, user_id: int, now: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(U).where(U.c.id == user_id).values(last_login_at=utc_naive(now)))

    # -- sign-in attempts (throttling) ----------------------------------------------------------------------
    def begin_attempt(self, login: str, ip: str, now: float) -> int:
        """Record a sign-in attempt as failed before the password is checked, and return its id.

        Recording first and counting after makes the throttle hold against parallel attempts: the k-th attempt
        to be recorded sees at least k failures, so no more than the limit are ever evaluated.
        """
        with self.engine.begin() as conn:
            return conn.execute(insert(A).values(ts=utc_naive(now), login=login[:80], ip=ip[:45], success=False)
                                ).inserted_primary_key[0]

    def finish_attempt(self, attempt_id: int, success: bool) -> None:
        if success:
            with self.engine.begin() as conn:
                conn.execute(update(A).where(A.c.id == attempt_id).values(success=True))

    def drop_attempt(self, attempt_id: int) -> None:
        """Forget an attempt that was refused before its password was checked (throttled)."""
        with self.engine.begin() as conn:
            conn.execute(delete(A).where(A.c.id == attempt_id))

    def recent_failures(self, *, login: str | None = None, ip: str | None = None, since: float) -> int:
        """Failed attempts since ``since`` for a login (counted from its last success) or for an address.

        An address's count is never reset by a success: signing in to any one account (a wall screen's) between
        guesses must not let an address try passwords on every other login without end.
        """
        column, value = (A.c.login, login) if login is not None else (A.c.ip, ip)
        start = utc_naive(since)
        with self.engine.connect() as conn:
            if login is not None:
                last_ok = conn.execute(select(func.max(A.c.ts)).where(A.c.login == login, A.c.success.is_(True))
                                       ).scalar()
                start = max(start, last_ok) if last_ok else start
            return conn.execute(select(func.count()).select_from(A).where(
                column == value, A.c.success.is_(False), A.c.ts >= start)).scalar()

    # -- kiosk tokens ----------------------------------------------------------------------------------------
    def create_token(self, name: str, user_id: int, created_by: str, now: float) -> str:
        """A new long-lived token for a wall screen; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(K).values(name=name, token_hash=token_hash(token), user_id=user_id,
                                          created_at=utc_naive(now), created_by=created_by))
        return token

    def user_for_token(self, token: str, now: float) -> tuple[UserRecord, int] | None:
        """The display user of a valid, unrevoked token, and the token's id."""
        with self.engine.begin() as conn:
            row = conn.execute(select(K).where(K.c.token_hash == token_hash(token), K.c.revoked_at.is_(None))).first()
            if row is None:
                return None
            conn.execute(update(K).where(K.c.id == row.id).values(last_used_at=utc_naive(now)))
            user = user_record(conn.execute(select(U).where(U.c.id == row.user_id)).first())
        return (user, row.id) if user and user.active and user.role == "display" else None

    def revoke_token(self, name: str, now: float) -> int:
        """Revoke the token(s) called ``name``; the screens signed in with them are signed out at once."""
        with self.engine.begin() as conn:
            revoked = conn.execute(update(K).where(K.c.name == name, K.c.revoked_at.is_(None))
                                   .values(revoked_at=utc_naive(now))).rowcount
            tokens = select(K.c.id).where(K.c.name == name).scalar_subquery()
            conn.execute(update(S).where(S.c.token_id.in_(tokens), S.c.ended_at.is_(None))
                         .values(ended_at=utc_naive(now)))
        return revoked
