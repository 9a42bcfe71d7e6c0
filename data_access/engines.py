"""SQLAlchemy engines, created where they are used (never at import, never across a fork)."""

from __future__ import annotations

import os
from functools import partial

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MYSQL_CONNECT_TIMEOUT_S = 10
# A source server that stops answering mid-query fails the read after this (a poll cycle must not hang forever).
MYSQL_READ_TIMEOUT_S = 120


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return url[len("sqlite:///"):].split("?")[0]
    return None


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``.

    SQLite files get WAL (a reader never blocks the writer) and a busy timeout. ``read_only`` engines refuse
    writes at the database level (``query_only`` on SQLite, read-only transactions on PostgreSQL, MySQL and
    MariaDB): the source databases are never written by the dashboard. MySQL / MariaDB connections speak utf8mb4
    unless the URL names a charset (the columns' own charsets are the server's to convert, or the telephony
    adapter's: data_access/mysql_text.py).
    """
    path = sqlite_path(url)
    if path and not read_only and os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    kwargs: dict = {"pool_pre_ping": not url.startswith("sqlite")}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    elif make_url(url).get_backend_name() in ("mysql", "mariadb"):
        kwargs["connect_args"] = _mysql_connect_args(url, read_only)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_setup, read_only=read_only))
    elif engine.dialect.name == "postgresql" and read_only:
        event.listen(engine, "connect", _pg_read_only)
    elif engine.dialect.name in ("mysql", "mariadb") and read_only:
        event.listen(engine, "connect", _mysql_read_only)
    return engine


def _mysql_connect_args(url: str, read_only: bool) -> dict:
    query = make_url(url).query
    args: dict = {}
    if "charset" not in query:
        args["charset"] = "utf8mb4"
    if "connect_timeout" not in query:
        args["connect_timeout"] = MYSQL_CONNECT_TIMEOUT_S
    if read_only and "read_timeout" not in query:
        args["read_timeout"] = MYSQL_READ_TIMEOUT_S
    return args


def _sqlite_setup(dbapi_conn, _record, read_only: bool) -> None:
    cur = dbapi_conn.cursor()
    if not read_only:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    else:
        cur.execute("PRAGMA query_only=ON")
    cur.close()


def _pg_read_only(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cur.close()
    dbapi_conn.commit()


def _mysql_read_only(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION TRANSACTION READ ONLY")
    cur.close()
