"""Builds the Dash app: pages, the shared frame, callbacks, the per-app context."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import redirect

from data_access.alert_repo import AlertRepository
from data_access.appdb import open_app_db
from data_access.snapshot_store import SnapshotReader, SnapshotStore, make_store
from settings import Settings
from web.build import build_id
from web.context import EXTENSION, WebContext

ROOT = Path(__file__).resolve().parent.parent


def build_dash_app(settings: Settings, store: SnapshotStore | None = None) -> dash.Dash:
    """A Dash app reading snapshots from ``store`` (default: the store the settings choose)."""
    import callbacks.shell  # noqa: F401 - registers the frame's callbacks
    from components.shell import shell

    store = store or make_store(settings.redis_url, settings.redis_key_prefix)
    app = dash.Dash(
        "app", use_pages=True, pages_folder="pages", assets_folder=str(ROOT / "assets"),
        title="Горячая линия Госуслуг", update_title=None, suppress_callback_exceptions=True,
        compress=True,
    )
    build = build_id()
    app.server.extensions[EXTENSION] = WebContext(
        settings, SnapshotReader(store), AlertRepository(open_app_db(settings.url("app_db"))), build)
    config = {"stale_after_s": settings.stale_after_s, "build": build, "tz": settings.tz, "lang": settings.lang,
              "poll_ms": int(settings.poll_interval_s * 1000)}
    app.layout = shell(config)
    app.server.add_url_rule("/", "root", lambda: redirect("/wall"))
    return app
