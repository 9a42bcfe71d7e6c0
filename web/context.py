"""What callbacks need at request time, kept on the Flask app (never in module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from data_access.alert_repo import AlertRepository
from data_access.snapshot_store import SnapshotReader
from settings import Settings
from web.render_cache import RenderCache

EXTENSION = "hotline"


@dataclass
class WebContext:
    settings: Settings
    reader: SnapshotReader
    alerts: AlertRepository
    build: str
    renders: RenderCache = field(default_factory=RenderCache)

    def allowed_paths(self) -> set[str] | None:
        """Pages the current user may open (None: all)."""
        return None


def ctx() -> WebContext:
    """The context of the app serving the current request."""
    return current_app.extensions[EXTENSION]


def snapshot() -> tuple[int, dict | None]:
    """The newest (version, snapshot) this worker knows."""
    return ctx().reader.get()
