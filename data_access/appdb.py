"""The dashboard's own database: engine and schema creation."""

from __future__ import annotations

from sqlalchemy import Engine

from data_access.engines import make_engine
from data_access.schema.appdb import metadata


def open_app_db(url: str) -> Engine:
    """An engine for the app database, with its tables created if missing."""
    engine = make_engine(url)
    metadata.create_all(engine)
    return engine
