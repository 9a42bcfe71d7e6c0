"""Shared fixtures: settings on a temporary data folder, the real queue_log sample, strict mode for CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_QUEUE_LOG = ROOT.parent / "shared" / "fixtures" / "queue_log" / "freepbx2-queue9000-2010.queue_log"
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


@pytest.fixture
def settings(tmp_path):
    """Settings with every database in a temporary folder; zones UTC unless a test says otherwise."""
    return load_settings({}, data_dir=str(tmp_path), pbx_tz="UTC", tz="UTC")


@pytest.fixture(scope="session")
def queue_log_sample() -> Path:
    if not FIXTURE_QUEUE_LOG.exists():
        pytest.skip(f"the shared fixture {FIXTURE_QUEUE_LOG} is not present")
    return FIXTURE_QUEUE_LOG


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free port for the session (skipped without the binary, except in CI)."""
    import subprocess
    import time

    binary = require_binary("redis-server", "the Redis snapshot store is tested against a real server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)
