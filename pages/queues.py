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
from components.i18n import norm_lang, t
from components.wall import catalogue_metric, queue_value
from data_access.filters import FilterError, filter_text
from domain.metrics import QUEUE, MetricParams, params_of
from web.access import page_callback
from web.context import ctx, snapshot

QUEUE_DEFAULT_GOAL = MetricParams().goal

dash.register_page(__name__, path="/queues", name="queues", title="Очереди — горячая линия", order=2,
                   nav_key="nav_queues", roles=["supervisor", "manager", "admin"])

MAX_NAME = 80  # a queue's name (queue_log.queuename)


def _queue_names(snap: dict | None) -> list[str]:
    return list((snap or {}).get("queues", {}))


SUMMARY_METRICS = ("waiting", "longest_wait_s", "available", "service_level", "service_level_30m", "abandon_rate",
                   "asa_s", "aht_s", "occupancy", "offered", "received", "answered", "abandoned")


def summary(q: dict, snap: dict, lang: str) -> list:
    """Today's numbers of one queue, each with its definition (and the live T, goal and limits) as tooltip."""
    lv, params = q.get("levels", {}), params_of(snap, q)
    special = {"available": f"{q['agents']['available']}/{q['agents']['logged_in']}",
               "abandon_rate": pct(q["abandon_rate"], 1),
               "abandoned": f"{q['abandoned']} ({q['short_abandoned']})",
               "received": f"{q.get('received', q['offered'])} ({q.get('blocked', 0)})"}
    return [catalogue_metric(QUEUE[key], queue_value(q, key), lv, params, lang, text=special.get(key), short=False)
            for key in SUMMARY_METRICS]


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
    goal = q.get("sl_goal", QUEUE_DEFAULT_GOAL)  # the goal the poller published, not this process's settings
    waiting = [{**c, "wait": duration(c["wait_s"]), "since": local_time(c["entered_at"], tz)}
               for c in q["waiting_calls"]]
    abandoned = [{**c, "time": local_time(c["at"], tz), "wait": duration(c["wait_s"]),
                  "short_label": t("yes", lang) if c["short"] else ""} for c in q["abandoned_calls"]]
    figure = interval_figure(q["intervals"], goal, tz, lang)
    return summary(q, snap, lang), figure, waiting, abandoned, _agent_rows(snap, name, lang)


def columns(lang: str) -> tuple[list, list, list]:
    waiting = [col("position", "position", lang, width=90), col("caller", "caller", lang),
               col("since", "time", lang), col("wait", "wait", lang)]
    abandoned = [col("time", "time", lang), col("caller", "caller", lang), col("wait", "wait", lang),
                 col("short_label", "short", lang, width=100)]
    agents = [col("operator", "operator", lang, minWidth=180), state_col(lang), col("in_state", "in_state", lang),
              col("pause_reason", "reason", lang), col("answered", "answered", lang), col("aht", "aht_s", lang),
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
