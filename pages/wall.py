"""/wall: the wall screen read from five metres: one tile per line and digital channel, services, alerts."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from components import ids
from components.i18n import norm_lang, t
from components.wall import wall
from web.access import page_callback
from web.context import ctx, snapshot
from web.render_cache import plain

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
        html.Div(className="wall-head", children=[
            html.Span(t("app_title", lang), className="wall-title"),
            html.Span(id=ids.WALL_CLOCK, className="wall-clock"),
        ]),
        html.Div(render(version, snap, lang), id=ids.WALL_BODY, className="wall-body"),
    ])


@page_callback(
    "/wall", Output(ids.WALL_BODY, "children"), Output(ids.WALL_VERSION, "data"),
    Input(ids.TICK, "n_intervals"), Input(ids.LANG, "data"), State(ids.WALL_VERSION, "data"))
def refresh_wall(_n, lang, known):
    """Redraw only when the snapshot version or the language changed (otherwise nothing is sent)."""
    lang = norm_lang(lang, ctx().settings.lang)
    return ctx().renders.versioned("wall", known, lang, snapshot(), lambda snap: wall(snap, lang))


dash.clientside_callback(dash.ClientsideFunction("hotline", "clock"), Output(ids.WALL_CLOCK, "children"),
                         Input(ids.CLOCK, "n_intervals"), State(ids.CONFIG, "data"))
