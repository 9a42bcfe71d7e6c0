"""The dashboard's own database: engine and schema (its versions: data_access/migrate.py)."""

from __future__ import annotations

from sqlalchemy import Engine

from data_access.engines import make_engine
from data_access.migrate import prepare
from data_access.schema.appdb import metadata


def open_app_db(url: str) -> Engine:
    """An engine for the app database: an empty one is created at the newest schema version; one of another
    version raises :class:`data_access.migrate.SchemaVersionError` (``python app.py db upgrade`` upgrades it)."""
    engine = make_engine(url)
    prepare(engine, metadata)
    return engine
