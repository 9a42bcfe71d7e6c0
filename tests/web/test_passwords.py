"""Passwords are hashed with Argon2id at the library's recommended cost; short ones are refused."""

import pytest


def test_production_hashes_use_argon2id_at_the_recommended_cost():
    from argon2 import Type

    from web.passwords import production_hasher

    real = production_hasher()
    assert real.type is Type.ID and real.time_cost >= 2 and real.memory_cost >= 19 * 1024
    assert real.verify(real.hash("long-enough-password"), "long-enough-password")


def test_a_short_password_is_refused_and_a_hash_verifies_only_its_password():
    from web.passwords import hash_password, verify_password

    with pytest.raises(ValueError, match="at least 10"):
        hash_password("short")
    stored = hash_password("long-enough-password")
    assert verify_password(stored, "long-enough-password") and not verify_password(stored, "another-password")
    assert not verify_password(None, "long-enough-password")
