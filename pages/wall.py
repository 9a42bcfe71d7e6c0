"""/wall: the wall screen read from five metres: one tile per line and digital channel, services, alerts.

One request per tick: the wall's callback carries the freshness feed too (the data's age and the stale state),
so the shell's own tick pauses on this page. A screen that already shows the newest snapshot version gets the
feed only: nothing is rendered or sent again. Hundreds of screens poll this (bench/wall_load.py).
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from components import ids
from components.i18n import norm_lang, t
from components.shell import freshness
from components.wall import wall
from web.access import page_callback
from web.context import ctx, snapshot
from web.render_cache import plain

# A worker answering hundreds of screens a second asks the snapshot store for its version at most this often (one
# Redis round trip saved per request); the data's age shown is at most this much older, never younger.
VERSION_RECHECK_S = 0.25

dash.register_page(__name__, path="/wall", name="wall", title="Табло — горячая линия", order=1, nav_key="nav_wall",
                   roles=["supervisor", "manager", "admin", "display"])


def render(version: int, snap: dict | None, lang: str) -> list:
    """The wall body for one snapshot version and language, rendered once per worker."""
    return ctx().renders.get(("wall", version, lang), lambda: plain(wall(snap, lang)))


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    version, snap = snapshot()
    return html.Div(className="wall", children=[
        dcc.Store(id=ids.WALL_VERSION, data=[version, lang]),
        dcc.Interval(id=ids.WALL_TICK, interval=int(ctx().settings.poll_interval_s * 1000)),
        html.Div(className="wall-head", children=[
            html.Span(t("app_title", lang), className="wall-title"),
            html.Span(id=ids.WALL_CLOCK, className="wall-clock"),
        ]),
        html.Div(render(version, snap, lang), id=ids.WALL_BODY, className="wall-body"),
    ])


@page_callback(
    "/wall", Output(ids.WALL_BODY, "children"), Output(ids.WALL_VERSION, "data"),
    Output(ids.FRESH, "data", allow_duplicate=True),
    Input(ids.WALL_TICK, "n_intervals"), Input(ids.LANG, "data"), State(ids.WALL_VERSION, "data"),
    prevent_initial_call="initial_duplicate")
def refresh_wall(_n, lang, known):
    """The freshness feed on every tick; the body only when the snapshot version or the language changed."""
    lang = norm_lang(lang, ctx().settings.lang)
    version, snap = snapshot(VERSION_RECHECK_S)
    fresh = freshness(snap)
    if known == [version, lang]:
        return dash.no_update, dash.no_update, fresh
    return render(version, snap, lang), [version, lang], fresh


dash.clientside_callback(dash.ClientsideFunction("hotline", "clock"), Output(ids.WALL_CLOCK, "children"),
                         Input(ids.CLOCK, "n_intervals"), State(ids.CONFIG, "data"))
# The shell's tick pauses on this page (its feed comes with the wall's request) and runs on every other one.
dash.clientside_callback(dash.ClientsideFunction("hotline", "shellTickPaused"), Output(ids.TICK, "disabled"),
                         Input(ids.URL, "pathname"))
