"""/queues: one line in depth: waiting callers, today's abandoned calls for call-backs, intervals, operators."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components import ids
from components.charts import interval_figure
from components.format import duration, in_state, label, local_time, pct
from components.grids import col, grid, state_col
from components.i18n import kpi_help, norm_lang, t
from components.wall import metric
from data_access.filters import FilterError, filter_text
from web.access import page_callback
from web.context import ctx, snapshot

dash.register_page(__name__, path="/queues", name="queues", title="Очереди — горячая линия", order=2,
                   nav_key="nav_queues", roles=["supervisor", "manager", "admin"])

MAX_NAME = 80  # a queue's name (queue_log.queuename)


def _queue_names(snap: dict | None) -> list[str]:
    return list((snap or {}).get("queues", {}))


def summary(q: dict, lang: str) -> list:
    """Today's numbers of one queue, each with its definition as tooltip."""
    lv, w30 = q.get("levels", {}), q["windows"]["30"]
    items = [
        ("waiting", str(q["waiting"]), lv.get("waiting"), "waiting"),
        ("longest_wait", duration(q["longest_wait_s"]), lv.get("longest_wait_s"), "longest_wait"),
        ("available", f"{q['agents']['available']}/{q['agents']['logged_in']}", lv.get("available"), "available"),
        ("sl_today", pct(q["service_level"]), lv.get("service_level"), "sl"),
        ("sl_30m", pct(w30["service_level"]), lv.get("service_level_30m"), "sl_30m"),
        ("abandon_rate", pct(q["abandon_rate"], 1), lv.get("abandon_rate"), "abandon_rate"),
        ("asa", duration(q["asa_s"]), lv.get("asa_s"), "asa"),
        ("aht", duration(q["aht_s"]), None, "aht"),
        ("occupancy", pct(q["occupancy"]), None, "occupancy"),
        ("offered", str(q["offered"]), None, "offered"),
        ("answered", str(q["answered"]), None, "answered"),
        ("abandoned_short", f"{q['abandoned']} ({q['short_abandoned']})", None, "abandoned"),
    ]
    return [metric(t(key, lang), value, level, kpi_help(help_key, lang), key) for key, value, level, help_key in items]


def _agent_rows(snap: dict, name: str, lang: str) -> list[dict]:
    rows = [a for a in snap["agents"] if name in a["queues"]]
    return [{"name": a["name"], "operator": a["operator"], "state": a["state"], "state_label": t(a["state"], lang),
             "in_state": duration(in_state(a, snap)), "pause_reason": a["pause_reason"], "answered": a["answered"],
             "aht": duration(a["aht_s"]), "occupancy": pct(a["occupancy"])} for a in rows]


def content(snap: dict | None, name: str | None, lang: str) -> tuple:
    """Summary, chart, waiting, abandoned and operator rows of queue ``name``."""
    tz = ctx().settings.tz
    q = (snap or {}).get("queues", {}).get(name or "")
    if not q:
        return [html.Div(t("no_data", lang), className="muted")], {}, [], [], []
    goal = ctx().settings.queue(name).sl_goal
    waiting = [{**c, "wait": duration(c["wait_s"]), "since": local_time(c["entered_at"], tz)}
               for c in q["waiting_calls"]]
    abandoned = [{**c, "time": local_time(c["at"], tz), "wait": duration(c["wait_s"]),
                  "short_label": t("yes", lang) if c["short"] else ""} for c in q["abandoned_calls"]]
    figure = interval_figure(q["intervals"], goal, tz, lang)
    return summary(q, lang), figure, waiting, abandoned, _agent_rows(snap, name, lang)


def columns(lang: str) -> tuple[list, list, list]:
    waiting = [col("position", "position", lang, width=90), col("caller", "caller", lang),
               col("since", "time", lang), col("wait", "wait", lang)]
    abandoned = [col("time", "time", lang), col("caller", "caller", lang), col("wait", "wait", lang),
                 col("short_label", "short", lang, width=100)]
    agents = [col("operator", "operator", lang, minWidth=180), state_col(lang), col("in_state", "in_state", lang),
              col("pause_reason", "reason", lang), col("answered", "answered", lang), col("aht", "aht", lang),
              col("occupancy", "occupancy", lang)]
    return waiting, abandoned, agents


def layout(queue: str | None = None, lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    version, snap = snapshot()
    names = _queue_names(snap)
    queue = queue if queue in names else (names[0] if names else None)
    options = [{"label": label((snap or {}).get("queues", {}).get(n), lang, n), "value": n} for n in names]
    summ, fig, waiting, abandoned, agents = content(snap, queue, lang)
    wcols, acols, gcols = columns(lang)
    return html.Div([
        dcc.Store(id=ids.QUEUES_VERSION, data=[version, lang, queue]),
        dbc.RadioItems(id=ids.QUEUE_PICK, options=options, value=queue, inline=True, className="btn-group mb-2",
                       inputClassName="btn-check", labelClassName="btn btn-outline-primary",
                       labelCheckedClassName="active"),
        html.Div(summ, id=ids.QUEUE_SUMMARY, className="panel kpi-row"),
        html.Div(className="panel", children=[html.H3(t("intervals_chart", lang), id="h-chart"),
                                              dcc.Graph(id=ids.QUEUE_CHART, figure=fig,
                                                        config={"displayModeBar": False})]),
        dbc.Row([
            dbc.Col(html.Div(className="panel", children=[
                html.H3(t("waiting_callers", lang), id="h-waiting"),
                grid(ids.QUEUE_WAITING, wcols, waiting, lang, "260px", row_id="position")]), md=5),
            dbc.Col(html.Div(className="panel", children=[
                html.H3(t("abandoned_calls", lang), id="h-abandoned"),
                grid(ids.QUEUE_ABANDONED, acols, abandoned, lang, "260px")]), md=7),
        ]),
        html.Div(className="panel", children=[html.H3(t("queue_operators", lang), id="h-operators"),
                                              grid(ids.QUEUE_AGENTS, gcols, agents, lang, "360px", row_id="name")]),
    ])


@page_callback(
    "/queues", Output(ids.QUEUE_SUMMARY, "children"), Output(ids.QUEUE_CHART, "figure"),
    Output(ids.QUEUE_WAITING, "rowData"),
    Output(ids.QUEUE_ABANDONED, "rowData"), Output(ids.QUEUE_AGENTS, "rowData"),
    Output(ids.QUEUE_WAITING, "columnDefs"), Output(ids.QUEUE_ABANDONED, "columnDefs"),
    Output(ids.QUEUE_AGENTS, "columnDefs"), Output("h-chart", "children"), Output("h-waiting", "children"),
    Output("h-abandoned", "children"), Output("h-operators", "children"), Output(ids.QUEUES_VERSION, "data"),
    Input(ids.TICK, "n_intervals"), Input(ids.LANG, "data"), Input(ids.QUEUE_PICK, "value"),
    State(ids.QUEUES_VERSION, "data"),
)
def refresh_queue(_n, lang, queue, known):
    lang = norm_lang(lang, ctx().settings.lang)
    try:
        queue = filter_text(queue, "queue", MAX_NAME)
    except FilterError:
        raise PreventUpdate from None  # only a hand-made request sends other than a queue's name: nothing changes
    version, snap = snapshot()
    if known == [version, lang, queue]:
        raise PreventUpdate
    heads = [t(k, lang) for k in ("intervals_chart", "waiting_callers", "abandoned_calls", "queue_operators")]
    return (*content(snap, queue, lang), *columns(lang), *heads, [version, lang, queue])
