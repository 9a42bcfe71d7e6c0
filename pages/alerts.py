"""/alerts: active alerts by severity with acknowledgement (who, when), and the recent history."""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components import ids, notify_ui
from components.format import alert_message, local_time
from components.grids import col, grid
from components.i18n import norm_lang, t
from data_access.filters import FilterError, filter_int
from web.access import page_callback
from web.auth import audit
from web.clicks import clicked
from web.context import ctx, snapshot, user_login, user_role

dash.register_page(__name__, path="/alerts", name="alerts", title="Оповещения — горячая линия", order=5,
                   nav_key="nav_alerts", roles=["supervisor", "manager", "admin", "display", "security"])

HISTORY_ROWS = 300


ACK_ROLES = {"supervisor", "manager", "admin", "security"}


def alert_card(a: dict, snap: dict | None, lang: str, tz: str, can_ack: bool) -> html.Div:
    if a["state"] == "acknowledged":
        action = html.Span(t("acknowledged_by", lang).format(who=a["acked_by"],
                                                            when=local_time(a["acked_at"], tz, "%H:%M:%S")),
                           className="muted ack-note")
    elif can_ack:
        action = dbc.Button(t("acknowledge", lang), id={"type": ids.ACK, "id": a["id"]}, color="warning",
                            size="sm", className="ack-button")
    else:
        action = html.Span()
    return html.Div(className=f"panel alert-card sev-{a['severity']}", id=f"alert-{a['id']}", children=[
        html.Div([html.Div(t(a["severity"], lang), className="sev"),
                  html.Div(local_time(a["fired_at"], tz), className="muted tnum")]),
        html.Div(alert_message(a, snap, lang), className="alert-text"),
        action,
    ])


def active_alerts(snap: dict | None) -> list[dict]:
    """Active alerts from the app database, with the live numbers of the snapshot where it has them."""
    live = {a["key"]: a for a in (snap or {}).get("alerts", [])}
    rows = ctx().alerts.active()
    for row in rows:
        if row["key"] in live:
            row["params"] = live[row["key"]]["params"]
    return rows


def history_rows(snap: dict | None, lang: str, tz: str) -> list[dict]:
    return [{"id": a["id"], "fired": local_time(a["fired_at"], tz, "%d.%m %H:%M:%S"),
             "severity": t(a["severity"], lang), "text": alert_message(a, snap, lang),
             "state": t(f"state_{a['state']}", lang), "acked": a["acked_by"] or "",
             "resolved": local_time(a["resolved_at"], tz, "%H:%M:%S") if a["resolved_at"] else ""}
            for a in ctx().alerts.recent(HISTORY_ROWS)]


def history_columns(lang: str) -> list[dict]:
    return [col("fired", "fired_at", lang, width=150), col("severity", "severity", lang, width=110),
            col("text", "title", lang, minWidth=380, flex=1), col("state", "state", lang, width=120),
            col("acked", "acknowledge", lang, width=130), col("resolved", "resolved_at", lang, width=110)]


def active_body(snap: dict | None, lang: str) -> list:
    tz = ctx().settings.tz
    alerts = active_alerts(snap)
    if not alerts:
        return [html.Div(t("no_alerts", lang), className="panel text-success fw-bold", id="no-alerts")]
    ordered = sorted(alerts, key=lambda a: (a["severity"] != "critical", a["state"] == "acknowledged"))
    can_ack = user_role() in ACK_ROLES  # a wall screen (display role) shows alerts but cannot acknowledge them
    return [alert_card(a, snap, lang, tz, can_ack) for a in ordered]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    _version, snap = snapshot()
    tz = ctx().settings.tz
    return html.Div([
        dcc.Store(id=ids.ALERTS_REFRESH),
        html.H2(t("active_alerts", lang), className="h5", id="h-active"),
        html.Div(active_body(snap, lang), id=ids.ALERTS_BODY),
        html.H2(t("history", lang), className="h5 mt-3", id="h-history"),
        grid(ids.ALERTS_HISTORY, history_columns(lang), history_rows(snap, lang, tz), lang, "420px", row_id="id"),
        *notify_ui.sections(lang),  # silences and the notifications' delivery status
    ])


def _alert_id(value: object) -> int | None:
    """The id of the button clicked, as the browser sent it: None unless a plain id number."""
    try:
        return filter_int(value, "alert")
    except FilterError:
        return None


@page_callback(
    "/alerts", Output(ids.ALERTS_BODY, "children"), Output(ids.ALERTS_HISTORY, "rowData"),
    Output(ids.ALERTS_HISTORY, "columnDefs"), Output("h-active", "children"), Output("h-history", "children"),
    Output(ids.ALERTS_REFRESH, "data"),
    Input(ids.TICK, "n_intervals"), Input(ids.LANG, "data"), Input({"type": ids.ACK, "id": ALL}, "n_clicks"),
    State(ids.ALERTS_REFRESH, "data"),
)
def refresh_alerts(_n, lang, _clicks, known):
    """Acknowledge the clicked alert (recording who and when), then redraw from the app database."""
    lang = norm_lang(lang, ctx().settings.lang)
    version, snap = snapshot()
    acks = [_alert_id(b.get("id")) for b in clicked() if isinstance(b, dict) and b.get("type") == ids.ACK]
    if not acks and known == [version, lang]:
        raise PreventUpdate
    for alert_id in acks if user_role() in ACK_ROLES else ():
        if alert_id is not None and ctx().alerts.acknowledge(alert_id, user_login(), time.time()):
            audit("alert_ack", f"alert:{alert_id}")
    tz = ctx().settings.tz
    return (active_body(snap, lang), history_rows(snap, lang, tz), history_columns(lang),
            t("active_alerts", lang), t("history", lang), [version, lang])
