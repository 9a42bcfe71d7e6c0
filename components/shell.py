"""The frame around every page: navigation, language and theme switches, data age, the stale banner."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.i18n import t


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
