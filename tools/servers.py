"""Throw-away PostgreSQL and Redis servers on this machine, for the tests and ``make prod-local``.

Each starts on a free loopback port in a folder of its own and is stopped (and its folder removed) by ``stop()``.
As root, PostgreSQL runs as the 'postgres' user (it refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin(name: str) -> str | None:
    """A PostgreSQL server binary on the PATH or in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class ThrowawayPostgres:
    """``initdb`` + ``pg_ctl start`` on a Unix socket in a temporary folder; ``database(name)`` makes one."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise FileNotFoundError("initdb / pg_ctl: install the PostgreSQL server (Debian: postgresql)")
        # Not under a folder private to root: the server runs as 'postgres'.
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.data, self.port = self.folder / "data", free_port()
        self._admin = None

    def _run(self, *cmd: str) -> None:
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> "ThrowawayPostgres":
        from sqlalchemy import create_engine

        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=''",
                  "-w", "start")
        self._admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        time.sleep(0.2)
        return self

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@/{name}?host={self.folder}&port={self.port}"

    def database(self, name: str) -> str:
        """Create database ``name``; its SQLAlchemy URL."""
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url(name)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    """A redis-server without persistence on a free loopback port."""

    def __init__(self, binary: str = "redis-server") -> None:
        self.binary = shutil.which(binary) or binary
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-redis-"))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "ThrowawayRedis":
        import redis

        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.folder)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
