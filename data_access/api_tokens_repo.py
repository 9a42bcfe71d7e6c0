"""API tokens (created and revoked by administrators, only their SHA-256 kept) and their use per token and hour."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from data_access.schema.appdb import api_tokens as T
from data_access.schema.appdb import api_usage as U
from domain.clock import from_utc_naive, iso_utc, utc_naive

SCOPES = ("operational", "reports")
NAME = re.compile(r"[\w .@:/()+-]{1,120}")
PREFIX = "hl_"  # a hotline API token: recognisable in a leaked file or a secret scanner


class TokenError(ValueError):
    """A token request that cannot be done; the message says why (shown to the administrator)."""


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    scopes: tuple[str, ...]
    created_at: float
    created_by: str
    revoked_at: float | None = None
    last_used_at: float | None = None

    def view(self) -> dict:
        return {"id": self.id, "name": self.name, "scopes": ",".join(self.scopes),
                "created_at": iso_utc(self.created_at), "created_by": self.created_by,
                "revoked_at": iso_utc(self.revoked_at), "last_used_at": iso_utc(self.last_used_at)}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def parse_scopes(value: object) -> tuple[str, ...]:
    """``"operational,reports"`` or a list of them -> the scopes in their fixed order; TokenError otherwise."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else None
    if items is None or not all(isinstance(i, str) for i in items):
        raise TokenError("scopes: operational and/or reports")
    chosen = {i.strip() for i in items if i.strip()}
    if not chosen or chosen - set(SCOPES):
        raise TokenError("scopes: operational and/or reports")
    return tuple(s for s in SCOPES if s in chosen)


def _record(row) -> ApiToken:
    t = lambda v: from_utc_naive(v) if v is not None else None  # noqa: E731
    return ApiToken(row.id, row.name, tuple(row.scopes.split(",")), from_utc_naive(row.created_at), row.created_by,
                    t(row.revoked_at), t(row.last_used_at))


class ApiTokenRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str, scopes: object, actor: str, now: float) -> tuple[ApiToken, str]:
        """A new token: (its record, the token itself, shown once and never stored)."""
        if not isinstance(name, str) or not NAME.fullmatch(name.strip()):
            raise TokenError("name: 1-120 letters, digits, spaces and . @ : / ( ) + -")
        chosen = parse_scopes(scopes)
        token = PREFIX + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(T).values(name=name.strip(), token_hash=token_hash(token), scopes=",".join(chosen),
                                              created_at=utc_naive(now), created_by=actor[:80]))
        except IntegrityError as exc:
            raise TokenError(f"a token named {name.strip()!r} exists already") from exc
        return self.by_name(name.strip()), token

    def by_name(self, name: str) -> ApiToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.name == name)).first()
        return _record(row) if row else None

    def revoke(self, name: str, actor: str, now: float) -> bool:
        """Revoke the live token named ``name``; refused from the next request on. False: none such."""
        with self.engine.begin() as conn:
            done = conn.execute(update(T).where(T.c.name == name, T.c.revoked_at.is_(None))
                                .values(revoked_at=utc_naive(now), revoked_by=actor[:80])).rowcount
        return done == 1

    def all(self) -> list[ApiToken]:
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(select(T).order_by(T.c.id))]

    def resolve(self, token: str) -> ApiToken | None:
        """The live token ``token`` is, or None (unknown or revoked). Read on every request: a revocation holds at
        once in every web worker."""
        if not token or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.token_hash == token_hash(token), T.c.revoked_at.is_(None))).first()
        return _record(row) if row else None

    def record_use(self, token_id: int, now: float, refused: bool = False) -> None:
        """Add one call to the token's hour (the aggregate audit of API use)."""
        hour = utc_naive(now - now % 3600)
        counts = {"calls": U.c.calls + 1, "refused": U.c.refused + (1 if refused else 0)}
        with self.engine.begin() as conn:
            if conn.execute(update(U).where(U.c.token_id == token_id, U.c.hour == hour).values(**counts)).rowcount:
                return
            try:
                with conn.begin_nested():
                    conn.execute(insert(U).values(token_id=token_id, hour=hour, calls=1, refused=int(refused)))
            except IntegrityError:  # another worker inserted the hour just now
                conn.execute(update(U).where(U.c.token_id == token_id, U.c.hour == hour).values(**counts))
            conn.execute(update(T).where(T.c.id == token_id).values(last_used_at=utc_naive(now)))

    def usage(self, since: float) -> list[dict]:
        """Calls per token and hour since ``since``, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(T.c.name, U.c.hour, U.c.calls, U.c.refused).join(T, T.c.id == U.c.token_id)
                                .where(U.c.hour >= utc_naive(since)).order_by(U.c.hour.desc(), T.c.name)).all()
        return [{"token": r.name, "hour": iso_utc(from_utc_naive(r.hour)), "calls": r.calls, "refused": r.refused}
                for r in rows]
