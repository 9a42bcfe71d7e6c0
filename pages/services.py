"""/services: portal services (status, since when, latency sparkline), open incidents, health of the sources."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from components import ids
from components.charts import sparkline_src
from components.format import label, local_time, num
from components.i18n import norm_lang, t
from web.access import page_callback
from web.context import ctx, snapshot

dash.register_page(__name__, path="/services", name="services", title="Сервисы — горячая линия", order=4,
                   nav_key="nav_services", roles=["supervisor", "manager", "admin"])


def service_card(s: dict, lang: str, tz: str) -> dbc.Col:
    latency = f"{s['latency_ms']} {t('ms', lang)}" if s["latency_ms"] is not None else "—"
    return dbc.Col(md=6, xl=4, children=html.Div(className="panel svc-card", id=f"svc-{s['code']}", children=[
        html.Div(label(s, lang, s["code"]), className="svc-name"),
        html.Div(t(f"status_{s['status']}", lang), className=f"svc-status status-{s['status']}"),
        html.Div([t("since", lang), " ", local_time(s["since"], tz, "%d.%m %H:%M")], className="muted"),
        html.Div([t("latency", lang), ": ", latency, " · ", t("last_hour", lang)], className="muted tnum"),
        html.Img(src=sparkline_src(s["latency_history"]), className="sparkline", style={"gridColumn": "1 / 3"},
                 alt=t("latency", lang)),
        html.Div(s["error"] or "", className="text-danger", style={"gridColumn": "1 / 3"}),
    ]))


def incidents_table(incidents: list[dict], lang: str, tz: str) -> html.Div:
    if not incidents:
        return html.Div(t("no_incidents", lang), className="muted")
    head = html.Tr([html.Th(t(k, lang)) for k in ("time", "severity", "source", "title")])
    body = [html.Tr([html.Td(local_time(i["opened_at"], tz, "%d.%m %H:%M")), html.Td(i["severity"]),
                     html.Td(i["service"] or "—"), html.Td(i["title"])]) for i in incidents]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple")


def sources_table(snap: dict, lang: str, tz: str) -> html.Table:
    head = html.Tr([html.Th(t(k, lang)) for k in ("source", "state", "last_poll", "lag", "rows", "bad_rows",
                                                  "error")])
    body = []
    for name, s in snap["sources"].items():
        body.append(html.Tr(id=f"src-{name}", children=[
            html.Td(t(name, lang)), html.Td(t("ok", lang) if s["ok"] else t("status_down", lang),
                                            className="text-success" if s["ok"] else "text-danger fw-bold"),
            html.Td(local_time(s["last_success_at"], tz)), html.Td(f"{num(s['lag_s'], 1)} s"),
            html.Td(s["rows_read"]),
            html.Td(sum(s["bad_rows"].values()), title=", ".join(f"{k}: {v}" for k, v in s["bad_rows"].items())),
            html.Td(s["error"] or "")]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple")


def input_counters(snap: dict, lang: str) -> html.Div:
    counters = snap.get("input", {})
    kinds = ("duplicates", "out_of_order", "unknown_verb", "lost_calls", "future_rows", "absurd_duration",
             "rejected_row")
    shown = {k: v for k, v in counters.items() if k in kinds}
    verbs = ", ".join(f"{k}×{v}" for k, v in counters.get("unknown_verbs", {}).items())
    text = "; ".join(f"{k}: {v}" for k, v in shown.items()) or "0"
    return html.Div([html.B(t("bad_input", lang) + ": "), text, f" ({verbs})" if verbs else ""], className="muted")


def poller_line(snap: dict, lang: str, tz: str) -> html.Div:
    """Which poller publishes and since when (from its lease; a host name and a process id, nothing personal)."""
    active = (snap.get("poller") or {}).get("active")
    if not active:
        return html.Div(t("poller_embedded", lang), className="muted", id="poller-active")
    text = t("poller_active", lang).format(host=active["host"], pid=active["pid"], token=active["token"],
                                           since=local_time(active["since"], tz, "%d.%m %H:%M:%S"),
                                           lease=t(f"lease_{active['kind']}", lang))
    return html.Div(text, className="muted", id="poller-active")


def body(snap: dict | None, lang: str) -> list:
    if not snap:
        return [html.Div(t("no_data", lang), className="no-data")]
    tz = ctx().settings.tz
    return [
        html.H2(t("services", lang), className="h5"),
        dbc.Row([service_card(s, lang, tz) for s in snap["services"]], className="g-2"),
        html.Div(className="panel", children=[html.H3(t("incidents", lang)),
                                              incidents_table(snap["incidents"], lang, tz)]),
        html.Div(className="panel", children=[html.H3(t("sources", lang)), sources_table(snap, lang, tz),
                                              input_counters(snap, lang), poller_line(snap, lang, tz)]),
    ]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    version, snap = snapshot()
    return html.Div([dcc.Store(id=ids.SERVICES_VERSION, data=[version, lang]),
                     html.Div(body(snap, lang), id=ids.SERVICES_BODY)])


@page_callback(
    "/services", Output(ids.SERVICES_BODY, "children"), Output(ids.SERVICES_VERSION, "data"),
    Input(ids.TICK, "n_intervals"), Input(ids.LANG, "data"), State(ids.SERVICES_VERSION, "data"))
def refresh_services(_n, lang, known):
    lang = norm_lang(lang, ctx().settings.lang)
    return ctx().renders.versioned("services", known, lang, snapshot(), lambda snap: body(snap, lang))
