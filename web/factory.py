"""Builds the Dash app: pages, the shared frame, callbacks, sign-in, the per-app context."""

from __future__ import annotations

from pathlib import Path

import dash

from data_access.alert_repo import AlertRepository
from data_access.appdb import open_app_db
from data_access.audit_repo import AuditTrail
from data_access.sessions_repo import SessionRepository
from data_access.snapshot_store import SnapshotReader, SnapshotStore, make_store
from data_access.users_repo import UserRepository
from settings import Settings
from web.api import install_api
from web.audit_limit import AnonymousAuditLimiter
from web.auth import init_auth
from web.build import build_id
from web.context import EXTENSION, WebContext
from web.headers import install_security_headers, trust_proxies
from web.metrics import install_metrics

ROOT = Path(__file__).resolve().parent.parent
# Callbacks registered with dash.callback at import (pages, frame), kept so that every app gets them.
# (Dash loads the pages afresh for every app, so theirs come again: both are keyed by output, the newest wins.)
_REGISTERED: tuple[dict, dict] = ({}, {})


def build_dash_app(settings: Settings, store: SnapshotStore | None = None) -> dash.Dash:
    """A Dash app reading snapshots from ``store`` (default: the store the settings choose)."""
    from components.shell import shell  # importing it registers the frame's callbacks

    store = store or make_store(settings.redis_url, settings.redis_key_prefix)
    app = dash.Dash(
        "app", use_pages=True, pages_folder="pages", assets_folder=str(ROOT / "assets"),
        title="Горячая линия Госуслуг", update_title=None, suppress_callback_exceptions=True, compress=True,
    )
    engine = open_app_db(settings.url("app_db"))
    build = build_id()
    context = WebContext(settings, SnapshotReader(store), AlertRepository(engine), UserRepository(engine),
                         AuditTrail(engine), build, engine, sessions=SessionRepository(engine),
                         anon_audit=AnonymousAuditLimiter(cap=settings.anon_audit_per_minute), dash_app=app)
    app.server.extensions[EXTENSION] = context
    init_auth(app.server, settings)
    install_security_headers(app.server, settings, app.csp_hashes)
    trust_proxies(app.server, settings)
    install_metrics(app.server, settings.metrics_token, lambda: context)
    install_api(app.server, lambda: context, settings.api_rate_per_minute)
    config = {"stale_after_s": settings.stale_after_s, "build": build, "tz": settings.tz, "lang": settings.lang,
              "poll_ms": int(settings.poll_interval_s * 1000)}
    app.layout = shell(config)
    _bind_callbacks(app)
    return app


def _bind_callbacks(app: dash.Dash) -> None:
    """Give ``app`` every callback registered with ``dash.callback``.

    Dash hands the module-level registrations to the first app of a process only (its first request moves them
    out of the global registry). A second app in one process (tests, benches) would silently lack them, and a
    test of "every callback" would test fewer callbacks than production serves.
    """
    from dash import _callback

    saved_map, saved_list = _REGISTERED
    saved_map.update(_callback.GLOBAL_CALLBACK_MAP)
    saved_list.update((spec["output"], spec) for spec in _callback.GLOBAL_CALLBACK_LIST)
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    app.callback_map.update(saved_map)
    app._callback_list.extend(saved_list.values())
