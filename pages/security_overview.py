"""/security: the security officers' overview: open cases by band and age, alerts per day per detector,
precision from closure reasons, time to assign and close, explained-access rate per team, journal retention."""

from __future__ import annotations

import time
from datetime import date, timedelta

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components import ids
from components.charts import theme_neutral
from components.format import local_time, pct
from components.i18n import norm_lang, t
from components.wall import metric
from domain.bands import BANDS
from domain.cases import AGE_BUCKETS, explained_rate, hits_since, overview
from web.access import page_callback
from web.context import ctx, snapshot

dash.register_page(__name__, path="/security", name="security", order=20, title="Безопасность — обзор",
                   nav_key="nav_security", roles=["security"])

REFRESH_EVERY = 15  # ticks of the shared interval


def cases_by_band_age(table: dict, lang: str) -> html.Table:
    head = html.Tr([html.Th(t("band", lang))] + [html.Th(a) for a in AGE_BUCKETS] + [html.Th("Σ")])
    body = [html.Tr([html.Td(t(f"band_{b}", lang))] + [html.Td(table.get(b, {}).get(a, 0)) for a in AGE_BUCKETS]
                    + [html.Td(sum(table.get(b, {}).values()))]) for b in reversed(BANDS)]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="sec-band-age")


def hits_figure(per_day: dict, lang: str) -> go.Figure:
    detectors = sorted({d for counts in per_day.values() for d in counts})
    days = sorted(per_day)
    fig = go.Figure([go.Bar(name=d, x=days, y=[per_day[day].get(d, 0) for day in days]) for d in detectors])
    theme_neutral(fig, 280)
    fig.update_layout(barmode="stack")
    return fig


def precision_table(precision: dict, lang: str) -> html.Table:
    head = html.Tr([html.Th(t(k, lang)) for k in ("detector", "closed_cases", "precision")])
    body = [html.Tr([html.Td(d), html.Td(v["closed"]), html.Td(pct(v["precision"]))])
            for d, v in precision.items()]
    return html.Table([html.Thead(head), html.Tbody(body or [html.Tr(html.Td("—"))])], className="simple")


def team_table(rates: list[dict], lang: str) -> html.Table:
    names = {v.team_id: v.team_name for v in ctx().names().all().values()}
    head = html.Tr([html.Th(t(k, lang)) for k in ("team", "touches", "explained_rate")])
    body = [html.Tr([html.Td(names.get(r["team_id"], r["team_id"])), html.Td(r["touches"]),
                     html.Td(pct(r["explained_rate"], 1))])
            for r in sorted(rates, key=lambda r: (r["explained_rate"] or 1))]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="sec-teams")


def retention_panel(lang: str) -> html.Div:
    _v, snap = snapshot()
    c = (snap or {}).get("compliance") or {}
    tz = ctx().settings.tz
    state = "danger" if c.get("over_retention") else "success"
    return html.Div(className=f"panel border-{state}", id="sec-retention", children=[
        html.H3(t("retention", lang)),
        html.Div(t("retention_text", lang).format(days=c.get("retention_days", ctx().settings.journal_retention_days),
                                                  oldest=local_time(c.get("journal_oldest_at"), tz, "%d.%m.%Y"))),
        html.Div(t("retention_over", lang) if c.get("over_retention") else t("retention_ok", lang),
                 className=f"text-{state} fw-bold"),
        html.Div([t("detectors_state", lang), ": ",
                  t("ok", lang) if c.get("detectors_ok") else (c.get("detectors_error") or "—"),
                  " · ", local_time(c.get("detectors_last_run_at"), tz)], className="muted"),
    ])


def body(lang: str) -> list:
    now, tz = time.time(), ctx().settings.tz
    m = overview(ctx().cases().review_facts(hits_since(now, tz)), now, tz)
    rates = ctx().access().explained_rate_by_team((date.today() - timedelta(days=7)).isoformat())
    explained = explained_rate(sum(r["touches"] for r in rates), sum(r["unexplained"] for r in rates))
    open_medium, overdue = m.open_reviewed, m.overdue
    kpis = [metric(t("open_cases", lang), str(open_medium), "warn" if open_medium else "ok",
                   t("open_cases_help", lang), "open"),
            metric(t("overdue_cases", lang), str(overdue), "crit" if overdue else "ok", t("overdue_help", lang),
                   "overdue"),
            metric(t("explained_rate", lang), pct(explained, 1), None, t("explained_help", lang), "explained"),
            metric(t("time_to_assign", lang), f"{m.time_to_assign_h or '—'} h", None,
                   t("time_to_assign", lang), "mtta"),
            metric(t("time_to_close", lang), f"{m.time_to_close_h or '—'} h", None,
                   t("time_to_close", lang), "mttr")]
    return [
        html.Div(kpis, className="panel kpi-row"),
        html.Div(className="row g-2", children=[
            html.Div(className="col-md-5", children=html.Div(className="panel", children=[
                html.H3(t("open_by_band_age", lang)), cases_by_band_age(m.open_by_band_age, lang)])),
            html.Div(className="col-md-7", children=html.Div(className="panel", children=[
                html.H3(t("hits_per_day", lang)),
                dcc.Graph(figure=hits_figure(m.hits_per_day, lang), config={"displayModeBar": False})])),
        ]),
        html.Div(className="row g-2", children=[
            html.Div(className="col-md-4", children=html.Div(className="panel", children=[
                html.H3(t("precision_by_detector", lang)), precision_table(m.precision, lang)])),
            html.Div(className="col-md-4", children=html.Div(className="panel", children=[
                html.H3(t("explained_by_team", lang)), team_table(rates, lang)])),
            html.Div(className="col-md-4", children=retention_panel(lang)),
        ]),
    ]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([html.H2(t("nav_security", lang), className="h5"),
                     html.Div(body(lang), id=ids.SEC_OVERVIEW)])


@page_callback("/security", Output(ids.SEC_OVERVIEW, "children"), Input(ids.TICK, "n_intervals"),
               Input(ids.LANG, "data"), State(ids.SEC_OVERVIEW, "children"), prevent_initial_call=True)
def refresh_overview(n, lang, _current):
    """Redrawn every half minute or so (app-database queries, never the CRM)."""
    ticks = n if isinstance(n, int) and not isinstance(n, bool) else 0  # the browser's count: any JSON value
    if ticks % REFRESH_EVERY and dash.ctx.triggered_id == ids.TICK:
        raise PreventUpdate
    return body(norm_lang(lang, ctx().settings.lang))

