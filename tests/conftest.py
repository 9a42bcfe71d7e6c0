"""Shared fixtures: settings on a temporary data folder, the real queue_log sample, strict mode for CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from settings import load_settings
from tools.servers import free_port  # noqa: F401 - the tests' free_port

ROOT = Path(__file__).resolve().parent.parent
# A real FreePBX queue_log, its public source and its expected numbers: tests/fixtures/queue_log/SOURCE.md.
FIXTURE_QUEUE_LOG = ROOT / "tests" / "fixtures" / "queue_log" / "freepbx2-queue9000-2010.queue_log"
STRICT = os.environ.get("HOTLINE_TEST_STRICT") == "1"


def require_binary(path_or_name: str, why: str) -> str:
    """The binary's path; skips the test when it is missing, or fails in strict mode (CI)."""
    found = shutil.which(path_or_name) or (path_or_name if os.path.exists(path_or_name) else None)
    if found:
        return found
    message = f"{path_or_name} is not installed: {why}"
    if STRICT:
        pytest.fail(message + " (HOTLINE_TEST_STRICT=1 requires it)")
    pytest.skip(message)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Argon2id at its cheapest cost in tests (the production cost takes ~50 ms a hash or check, per sign-in).

    Only the cost changes: the same library hashes and verifies, and tests/web/test_passwords.py checks the
    production parameters separately.
    """
    from argon2 import PasswordHasher

    import web.passwords as passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    original = passwords._hasher
    passwords._hasher = lambda: cheap
    passwords._dummy.cache_clear()
    yield
    passwords._hasher = original
    passwords._dummy.cache_clear()


@pytest.fixture
def settings(tmp_path):
    """Settings with every database in a temporary folder; zones UTC unless a test says otherwise."""
    return load_settings({}, data_dir=str(tmp_path), pbx_tz="UTC", tz="UTC")


@pytest.fixture(scope="session")
def queue_log_sample() -> Path:
    return FIXTURE_QUEUE_LOG


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server on a free port for the session (skipped without the binary, except in CI)."""
    from tools.servers import ThrowawayRedis

    require_binary("redis-server", "the Redis snapshot store is tested against a real server")
    server = ThrowawayRedis().start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL server; yields a function making a database and returning its SQLAlchemy URL.

    Skipped without the server binaries, except in CI (HOTLINE_TEST_STRICT=1).
    """
    from tools.servers import ThrowawayPostgres, postgres_bin

    if not (postgres_bin("initdb") and postgres_bin("pg_ctl")):
        require_binary("initdb", "the PostgreSQL tests run a real server")
    server = ThrowawayPostgres().start()
    yield server.database
    server.stop()


@pytest.fixture(scope="session")
def mariadb_url():
    """A throw-away MariaDB server (latin1 by default, as an old PBX's); yields ``database(name, charset)`` making a
    database and returning its SQLAlchemy URL. Skipped without the server binaries, except in CI."""
    from tools.servers import ThrowawayMariaDB, mariadb_bin

    if not (mariadb_bin("mariadb-install-db") and mariadb_bin("mariadbd")):
        require_binary("mariadbd", "the MariaDB tests run a real server")
    server = ThrowawayMariaDB().start()
    yield server.database
    server.stop()


# Markers follow what a test needs, so that `make test-fast` can leave out servers and browsers by marker.
FIXTURE_MARKERS = {"redis_url": "redis", "postgres_url": "postgres", "mariadb_url": "mariadb", "live_app": "e2e",
                   "browser": "e2e"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, marker))
