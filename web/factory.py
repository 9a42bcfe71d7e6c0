"""Builds the Dash app: pages, shared layout, context."""

from __future__ import annotations

import dash
from dash import dcc, html

from data_access.alert_repo import AlertRepository
from data_access.appdb import open_app_db
from data_access.snapshot_store import SnapshotReader, SnapshotStore, make_store
from settings import Settings
from web.context import EXTENSION, WebContext


def build_dash_app(settings: Settings, store: SnapshotStore | None = None) -> dash.Dash:
    store = store or make_store(settings.redis_url, settings.redis_key_prefix)
    app = dash.Dash(__name__, title="Горячая линия", update_title=None, suppress_callback_exceptions=True)
    app.server.extensions[EXTENSION] = WebContext(settings, SnapshotReader(store),
                                                  AlertRepository(open_app_db(settings.url("app_db"))))
    app.layout = html.Div([dcc.Interval(id="tick", interval=2000), html.Pre(id="raw")])

    @app.callback(dash.Output("raw", "children"), dash.Input("tick", "n_intervals"))
    def _show(_n):
        from poller.replay import format_summary
        from web.context import snapshot

        _v, snap = snapshot()
        return format_summary(snap) if snap else "waiting for the first snapshot..."

    return app
