"""Callbacks of the frame: freshness feed, clientside age and stale state, language, theme, kiosk mode."""

from __future__ import annotations

import time

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from components import ids
from components.i18n import norm_lang, t
from components.shell import nav_links
from web.access import shell_callback
from web.context import ctx, snapshot


@shell_callback(Output(ids.FRESH, "data"), Input(ids.TICK, "n_intervals"))
def feed_freshness(_n):
    """A few bytes per tick: when the snapshot was made, which sources are down, the build id."""
    _version, snap = snapshot()
    bad = [name for name, s in (snap or {}).get("sources", {}).items() if not s.get("ok")]
    if ctx().reader.problem:
        bad.append("snapshot_store")
    return {"gen": (snap or {}).get("generated_ts"), "now": round(time.time(), 3), "bad": bad,
            "build": ctx().build}


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
