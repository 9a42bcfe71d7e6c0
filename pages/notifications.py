"""/notifications: administrators keep the notification routes (channel, target, who, what, quiet hours, grouping,
repeat) and send a test through a route. Delivery happens in the poller (poller/notify.py), never here."""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash import ctx as dash_ctx

from components import ids
from components.grids import col, grid
from components.i18n import norm_lang, t
from data_access.filters import FilterError, filter_text
from data_access.notify_repo import NotifyRepository
from domain.bands import BANDS
from domain.notify import AUDIENCES, CHANNELS, SEVERITIES, RouteError, route_values
from web.access import page_callback
from web.auth import audit
from web.context import ctx, user_login

dash.register_page(__name__, path="/notifications", name="notifications", order=32, title="Уведомления",
                   nav_key="nav_notifications", roles=["admin"])

FIELDS = (ids.NR_NAME, ids.NR_CHANNEL, ids.NR_TARGET, ids.NR_AUDIENCE, ids.NR_RULES, ids.NR_SCOPES, ids.NR_SEVERITY,
          ids.NR_BAND, ids.NR_QUIET_FROM, ids.NR_QUIET_TO, ids.NR_GROUP, ids.NR_REPEAT, ids.NR_OPTIONS)
KEYS = ("name", "channel", "target", "audience", "rules", "scopes", "min_severity", "min_band", "quiet_from",
        "quiet_to", "group_wait_s", "repeat_s", "options")


def _repo() -> NotifyRepository:
    return NotifyRepository(ctx().app_db)


def route_rows(lang: str) -> list[dict]:
    return [{"id": r.id, "name": r.name, "channel": r.channel, "target": r.target,
             "audience": t(f"audience_{r.audience}", lang), "rules": ", ".join(r.rules) or "*",
             "scopes": ", ".join(r.scopes) or "*", "severity": t(r.min_severity, lang), "band": r.min_band,
             "quiet": f"{r.quiet_from}–{r.quiet_to}" if r.quiet_from else "", "group": r.group_wait_s,
             "repeat": r.repeat_s, "resolved": "✓" if r.send_resolved else "", "enabled": "✓" if r.enabled else ""}
            for r in _repo().routes()]


def route_columns(lang: str) -> list[dict]:
    return [col("name", "route_name", lang, flex=1), col("channel", "route_channel", lang, width=110),
            col("target", "route_target", lang, flex=1), col("audience", "route_audience", lang),
            col("rules", "route_rules", lang), col("scopes", "route_scopes", lang),
            col("severity", "route_severity", lang, width=120), col("band", "route_band", lang, width=110),
            col("quiet", "quiet_from", lang, width=130), col("group", "group_wait", lang, width=110),
            col("repeat", "repeat_interval", lang, width=110), col("resolved", "send_resolved", lang, width=100),
            col("enabled", "route_enabled", lang, width=90)]


def _field(label_key: str, component, lang: str) -> html.Div:
    return html.Div([dbc.Label(t(label_key, lang), className="small muted mb-0"), component])


def _dropdown(component_id: str, options, value) -> dcc.Dropdown:
    return dcc.Dropdown(id=component_id, options=options, value=value, clearable=False)


def form(lang: str) -> html.Div:
    text = lambda i, n=120: dcc.Input(id=i, maxLength=n, className="form-control")  # noqa: E731
    return html.Div(className="panel filters", children=[
        _field("route_name", text(ids.NR_NAME), lang),
        _field("route_channel", _dropdown(ids.NR_CHANNEL, list(CHANNELS), "email"), lang),
        _field("route_target", text(ids.NR_TARGET, 500), lang),
        _field("route_audience", _dropdown(ids.NR_AUDIENCE, [{"label": t(f"audience_{a}", lang), "value": a}
                                                             for a in AUDIENCES], "operational"), lang),
        _field("route_rules", text(ids.NR_RULES, 500), lang),
        _field("route_scopes", text(ids.NR_SCOPES, 500), lang),
        _field("route_severity", _dropdown(ids.NR_SEVERITY, [{"label": t(s, lang), "value": s} for s in SEVERITIES],
                                           "warning"), lang),
        _field("route_band", _dropdown(ids.NR_BAND, list(BANDS[1:]), "high"), lang),
        _field("quiet_from", text(ids.NR_QUIET_FROM, 5), lang),
        _field("quiet_to", text(ids.NR_QUIET_TO, 5), lang),
        _field("group_wait", dcc.Input(id=ids.NR_GROUP, type="number", value=60, className="form-control"), lang),
        _field("repeat_interval", dcc.Input(id=ids.NR_REPEAT, type="number", value=14400, className="form-control"),
               lang),
        dcc.Checklist(id=ids.NR_OPTIONS, value=["send_resolved", "enabled"], inputClassName="me-1",
                      labelClassName="me-3", options=[{"label": t("send_resolved", lang), "value": "send_resolved"},
                                                      {"label": t("route_enabled", lang), "value": "enabled"}]),
        html.Div([dbc.Button(t("route_save", lang), id=ids.NR_SAVE, color="primary", className="me-2"),
                  dbc.Button(t("route_test", lang), id=ids.NR_TEST, color="secondary", className="me-2"),
                  dbc.Button(t("route_delete", lang), id=ids.NR_DELETE, color="danger", outline=True)]),
        html.Div(t("quiet_note", lang), className="small muted"),
    ])


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([html.H2(t("routes", lang), className="h5"), form(lang),
                     html.Div(id=ids.NR_MESSAGE, className="mb-2"),
                     grid(ids.NR_GRID, route_columns(lang), route_rows(lang), lang, "360px", row_id="id")])


def _route_id(name: object) -> int | None:
    name = filter_text(name, "name", 120)
    return next((r.id for r in _repo().routes() if r.name == name), None)


def _save(values: dict, lang: str) -> str:
    options = values.pop("options")
    if options is None:
        options = []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise RouteError("options: a list of send_resolved, enabled")
    checked = route_values({**values, "send_resolved": "send_resolved" in options, "enabled": "enabled" in options})
    _repo().save_route(checked, user_login(), time.time())
    audit("notify_route_saved", checked["name"], {k: v for k, v in checked.items() if k != "target"})
    return t("route_saved", lang).format(name=checked["name"])


def _other(action: str, name: object, lang: str) -> tuple[str, str]:
    from poller.notify import route_test_message

    route_id = _route_id(name)
    if route_id is None:
        return t("route_unknown", lang), "warning"
    route = _repo().route(route_id)
    if action == ids.NR_DELETE:
        _repo().delete_route(route_id)
        audit("notify_route_deleted", route.name)
        return t("route_deleted", lang).format(name=route.name), "success"
    _repo().enqueue(route_test_message(route, lang, time.time()), time.time())
    audit("notify_route_test", route.name)
    return t("route_test_queued", lang).format(name=route.name), "success"


@page_callback("/notifications", Output(ids.NR_MESSAGE, "children"), Output(ids.NR_GRID, "rowData"),
               Input(ids.NR_SAVE, "n_clicks"), Input(ids.NR_DELETE, "n_clicks"), Input(ids.NR_TEST, "n_clicks"),
               *[State(f, "value") for f in FIELDS], State(ids.LANG, "data"), prevent_initial_call=True)
def manage_routes(_save_clicks, _delete, _test, *values):
    """Save a route (by name), delete it, or queue a test message through it; audited."""
    lang = norm_lang(values[-1], ctx().settings.lang)
    trigger = dash_ctx.triggered_id
    try:
        if trigger == ids.NR_SAVE:
            text, color = _save(dict(zip(KEYS, values[:-1], strict=True)), lang), "success"
        elif trigger in (ids.NR_DELETE, ids.NR_TEST):
            text, color = _other(trigger, values[0], lang)
        else:
            return None, route_rows(lang)
    except (RouteError, FilterError) as exc:
        text, color = str(exc), "warning"
    return dbc.Alert(text, color=color, id="nr-result"), route_rows(lang)
