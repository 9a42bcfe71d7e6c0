"""Password hashing with Argon2id (argon2-cffi)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10


def production_hasher() -> PasswordHasher:
    """Argon2id with argon2-cffi's recommended parameters (RFC 9106's low-memory profile)."""
    return PasswordHasher()


@cache
def _hasher() -> PasswordHasher:
    return production_hasher()


@cache
def _dummy() -> str:
    """Verified when the login is unknown, so that a wrong login takes as long as a wrong password."""
    return _hasher().hash("not a password")


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one verification."""
    try:
        return _hasher().verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
