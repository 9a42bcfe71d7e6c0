"""The frame around every page: navigation, language and theme switches, data age, the stale banner, and the
callbacks that drive them (beside the ids they own): the freshness feed, the clientside age and stale state,
language, theme and kiosk mode."""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from components import ids
from components.i18n import norm_lang, t
from web.access import shell_callback
from web.context import ctx, snapshot


def nav_links(lang: str, pathname: str | None = None, allowed: set[str] | None = None) -> list:
    """One link per registered page (in ``order``), labelled in ``lang``; ``allowed`` limits them by path."""
    links = []
    for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order", 99)):
        if not page.get("nav_key") or (allowed is not None and page["path"] not in allowed):
            continue
        links.append(dbc.NavItem(dbc.NavLink(t(page["nav_key"], lang), href=page["path"],
                                             active=pathname == page["path"], className="nav-page")))
    return links


def navbar(lang: str) -> html.Div:
    return html.Div(id=ids.NAVBAR, className="navbar-wrap", children=dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(t("app_title", lang), href="/", className="brand", id=ids.BRAND),
        dbc.Nav(id=ids.NAV_LINKS, children=nav_links(lang), navbar=True, className="me-auto"),
        dbc.Button("EN", id=ids.LANG_TOGGLE, size="sm", color="secondary", outline=True, className="ms-2",
                   title="Русский / English"),
        dbc.Button("☀", id=ids.THEME_TOGGLE, size="sm", color="secondary", outline=True, className="ms-2",
                   title=t("theme_light", lang)),
        # A plain form: signing out is a POST from this site (a link elsewhere cannot sign anybody out).
        html.Form(action="/logout", method="POST", className="ms-2 mb-0", children=[
            html.Button(t("sign_out", lang), id=ids.SIGN_OUT, type="submit",
                        className="btn btn-sm btn-outline-secondary")]),
    ], fluid=True), dark=True, className="topnav"))


def stale_banner(lang: str) -> html.Div:
    return html.Div(id=ids.STALE_BANNER, className="stale-banner hidden", role="alert", children=[
        html.Div(t("stale_title", lang), className="stale-title"),
        html.Div(id=ids.STALE_TEXT, className="stale-text"),
    ])


def shell(config: dict) -> html.Div:
    """The app layout. ``config``: stale_after_s, build, tz, lang, poll_ms (sent to the browser once)."""
    lang = config["lang"]
    return html.Div(id=ids.SHELL, className="shell", children=[
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        dcc.Store(id=ids.LANG, storage_type="local"),
        dcc.Store(id=ids.THEME, storage_type="local"),
        dcc.Store(id=ids.KIOSK),
        dcc.Store(id=ids.CONFIG, data=config),
        dcc.Store(id=ids.FRESH),
        dcc.Store(id=ids.RELOAD_SINK),
        dcc.Interval(id=ids.TICK, interval=config["poll_ms"]),
        dcc.Interval(id=ids.CLOCK, interval=1000),
        dcc.Interval(id=ids.ROTATE, interval=30000, disabled=True),
        navbar(lang),
        # Outside the navigation: the data's age stays visible in kiosk mode too.
        html.Span(id=ids.AGE_BADGE, className="age-badge", title=t("data_age_help", lang)),
        stale_banner(lang),
        html.Main(dash.page_container, className="page"),
    ])


# -- callbacks -------------------------------------------------------------------------------------------------
def freshness(snap: dict | None) -> dict:
    """The freshness feed's data for ``snap``: when it was made, which sources are down, the build id."""
    bad = [name for name, s in (snap or {}).get("sources", {}).items() if not s.get("ok")]
    if ctx().reader.problem:
        bad.append("snapshot_store")
    return {"gen": (snap or {}).get("generated_ts"), "now": round(time.time(), 3), "bad": bad,
            "build": ctx().build}


@shell_callback(Output(ids.FRESH, "data"), Input(ids.TICK, "n_intervals"))
def feed_freshness(_n):
    """A few bytes per tick (on every page but /wall, whose own request carries them: pages/wall.py)."""
    return freshness(snapshot()[1])


@shell_callback(Output(ids.NAV_LINKS, "children"), Output(ids.LANG_TOGGLE, "children"), Output(ids.BRAND, "children"),
                Output(ids.SIGN_OUT, "children"), Input(ids.LANG, "data"), Input(ids.URL, "pathname"))
def relabel_navigation(lang, pathname):
    lang = norm_lang(lang, ctx().settings.lang)
    return (nav_links(lang, pathname, ctx().allowed_paths()), "EN" if lang == "ru" else "RU", t("app_title", lang),
            t("sign_out", lang))


clientside_callback(
    ClientsideFunction("hotline", "freshness"),
    Output(ids.AGE_BADGE, "children"), Output(ids.AGE_BADGE, "className"), Output(ids.STALE_BANNER, "className"),
    Output(ids.STALE_TEXT, "children"), Output(ids.SHELL, "className"),
    Input(ids.CLOCK, "n_intervals"), Input(ids.FRESH, "data"), State(ids.CONFIG, "data"), State(ids.LANG, "data"),
)
clientside_callback(ClientsideFunction("hotline", "reloadOnDeploy"), Output(ids.RELOAD_SINK, "data"),
                    Input(ids.FRESH, "data"), State(ids.CONFIG, "data"))
clientside_callback(
    ClientsideFunction("hotline", "kiosk"),
    Output(ids.KIOSK, "data"), Output(ids.ROTATE, "disabled"), Output(ids.ROTATE, "interval"),
    Output(ids.NAVBAR, "className"),
    Input(ids.URL, "search"),
)
clientside_callback(ClientsideFunction("hotline", "rotate"), Output(ids.URL, "pathname"),
                    Input(ids.ROTATE, "n_intervals"), State(ids.KIOSK, "data"), State(ids.URL, "pathname"),
                    prevent_initial_call=True)
clientside_callback(ClientsideFunction("hotline", "applyTheme"), Output(ids.THEME_TOGGLE, "children"),
                    Input(ids.THEME, "data"), Input(ids.URL, "search"))
clientside_callback(ClientsideFunction("hotline", "toggleTheme"), Output(ids.THEME, "data"),
                    Input(ids.THEME_TOGGLE, "n_clicks"), State(ids.THEME, "data"), prevent_initial_call=True)
clientside_callback(ClientsideFunction("hotline", "toggleLang"), Output(ids.LANG, "data", allow_duplicate=True),
                    Input(ids.LANG_TOGGLE, "n_clicks"), State(ids.LANG, "data"), prevent_initial_call=True)
clientside_callback(ClientsideFunction("hotline", "langFromUrl"), Output(ids.LANG, "data"),
                    Input(ids.URL, "search"), State(ids.LANG, "data"), State(ids.CONFIG, "data"))
