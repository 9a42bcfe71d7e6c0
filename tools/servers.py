"""Throw-away PostgreSQL, MariaDB and Redis servers on this machine, for the tests and ``make prod-local``.

Each starts on a free loopback port in a folder of its own and is stopped (and its folder removed) by ``stop()``.
As root, PostgreSQL runs as the 'postgres' user (it refuses to run as root); MariaDB runs as the current user,
given ``--user=root`` when that is root (it refuses root otherwise).
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


def mariadb_bin(name: str) -> str | None:
    """A MariaDB binary on the PATH or in /usr/sbin (mariadbd is there on Debian)."""
    found = shutil.which(name)
    if found:
        return found
    return f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None


class ThrowawayMariaDB:
    """``mariadb-install-db`` + ``mariadbd`` on a free loopback port, in a temporary folder, as the current user.

    The server's own defaults (``--no-defaults``: no /etc/mysql file is read), so its character set is latin1 as
    on an old PBX; ``database(name, charset)`` says the database's. root has no password, from 127.0.0.1 only.
    """

    def __init__(self) -> None:
        self.install_db, self.server = mariadb_bin("mariadb-install-db"), mariadb_bin("mariadbd")
        if not (self.install_db and self.server):
            raise FileNotFoundError("mariadb-install-db / mariadbd: install the MariaDB server "
                                    "(Debian: mariadb-server)")
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-mariadb-"))
        self.data, self.port = self.folder / "data", free_port()
        self.proc: subprocess.Popen | None = None
        self._admin = None

    def _options(self) -> list[str]:
        user = ["--user=root"] if os.geteuid() == 0 else []
        # A small server: the redo log and buffer pool of a test, not of a PBX.
        return ["--no-defaults", f"--datadir={self.data}", *user, "--innodb-log-file-size=8M",
                "--innodb-buffer-pool-size=32M", "--skip-name-resolve"]

    def start(self, timeout_s: float = 60.0) -> "ThrowawayMariaDB":
        from sqlalchemy import create_engine, text

        subprocess.run([self.install_db, *self._options(), "--auth-root-authentication-method=normal",
                        "--skip-test-db"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.proc = subprocess.Popen([self.server, *self._options(), f"--port={self.port}", "--bind-address=127.0.0.1",
                                      f"--socket={self.folder / 'mariadb.sock'}", f"--pid-file={self.folder / 'pid'}",
                                      f"--log-error={self.folder / 'error.log'}", "--skip-log-bin"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._admin = create_engine(self.url(""), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with self._admin.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return self
            except Exception:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "error.log")
                    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                    self.stop()
                    raise RuntimeError(f"mariadbd did not start: {tail}") from None
                time.sleep(0.1)

    def url(self, name: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{name}?charset=utf8mb4"

    def database(self, name: str, charset: str = "utf8mb4") -> str:
        """Create database ``name`` of default character set ``charset``; its SQLAlchemy URL."""
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET {charset}"))
        return self.url(name)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
