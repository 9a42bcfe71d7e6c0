"""Versions of the app database's schema (Alembic, data_access/migrations/): check, create, upgrade.

The web app and the poller open the app database through :func:`prepare`: an empty database is created at the
newest version; a database at the newest version is used; any other one is refused with a clear message (an
older or unversioned one until ``python app.py db upgrade`` has run, a newer or unknown one always: its code is
not this code).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("hotline")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
BASELINE = "0001"  # the schema of the release before versions (commit aaa2d45): an unversioned database is that


class SchemaVersionError(RuntimeError):
    """The app database's schema version is not this code's; the message says what to do."""


def _config(connection: Connection | None = None, target_metadata=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = target_metadata
    return config


@lru_cache(maxsize=1)
def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this code knows."""
    return _scripts().get_current_head()


def current(conn: Connection) -> str | None:
    """The database's revision; None when it has none (empty, or made before schema versions)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """``python app.py db upgrade``: create the app database, or upgrade it to the newest version, keeping every
    row. Returns (revision before, revision after)."""
    from alembic import command

    with engine.begin() as conn:
        before = current(conn)
        if before is not None and not _known(before):
            raise SchemaVersionError(_newer(before))
        if before is None and set(inspect(conn).get_table_names()) - {VERSION_TABLE}:
            log.info("the app database has no schema version: taken as the release before versions (%s)", BASELINE)
            command.stamp(_config(conn), BASELINE)
        command.upgrade(_config(conn), "head")
    return before, head()


def prepare(engine: Engine, metadata) -> None:
    """Create an empty app database at the newest version, or check that it is at it (see the module's text)."""
    try:
        revision = _create_if_empty(engine, metadata)
    except DBAPIError:  # processes starting together on a new database: another one created it meanwhile
        revision = _create_if_empty(engine, metadata)
    if revision == "created":
        return
    if revision is None:
        raise SchemaVersionError("the app database was made before its schema had versions: run "
                                 "`python app.py db upgrade` once (it keeps every row), then start again")
    if not _known(revision):
        raise SchemaVersionError(_newer(revision))
    if revision != head():
        raise SchemaVersionError(f"the app database is at schema version {revision}, this code needs {head()}: "
                                 f"run `python app.py db upgrade` (it keeps every row), then start again")
    metadata.create_all(engine)  # tables added by code whose migration is not written yet (development)


def _create_if_empty(engine: Engine, metadata) -> str | None:
    """'created' when the database was empty and now holds the newest schema; else its revision (or None)."""
    with engine.begin() as conn:
        revision = current(conn)
        if revision is None and not set(inspect(conn).get_table_names()) - {VERSION_TABLE}:
            metadata.create_all(conn)
            _stamp_head(conn)
            return "created"
    return revision


def _stamp_head(conn: Connection) -> None:
    from alembic import command

    command.stamp(_config(conn), "head")


def _newer(revision: str) -> str:
    return (f"the app database is at schema version {revision}, which this code does not know (a newer release "
            f"upgraded it?): run the release that upgraded it, or restore a backup made before; this code "
            f"knows versions up to {head()}")
