"""/security: the security officers' overview: open cases by band and age, alerts per day per detector,
precision from closure reasons, time to assign and close, explained-access rate per team, journal retention."""

from __future__ import annotations

import time

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components import ids
from components.charts import theme_neutral
from components.format import hours, local_time, pct
from components.i18n import norm_lang, t
from components.wall import metric
from domain.bands import BANDS
from domain.cases import AGE_BUCKETS, Overview, explained_rate, hits_since, overview
from domain.clock import day_add, local_day
from domain.detectors.catalog import detector_name
from web.access import page_callback
from web.context import ctx, snapshot

dash.register_page(__name__, path="/security", name="security", order=20, title="Безопасность — обзор",
                   nav_key="nav_security", roles=["security"])

REFRESH_EVERY = 15  # ticks of the shared interval
TEAM_DAYS = 7  # the explained-access table covers today and the 7 days before


def cases_by_band_age(table: dict, lang: str) -> html.Table:
    head = html.Tr([html.Th(t("band", lang))] + [html.Th(a) for a in AGE_BUCKETS] + [html.Th("Σ")])
    body = [html.Tr([html.Td(t(f"band_{b}", lang))] + [html.Td(table.get(b, {}).get(a, 0)) for a in AGE_BUCKETS]
                    + [html.Td(sum(table.get(b, {}).values()))]) for b in reversed(BANDS)]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="sec-band-age")


def empty_state(key: str, lang: str, id_: str) -> html.Div:
    """A panel's content before there is anything to show: a sentence, not an empty chart or table."""
    return html.Div(t(key, lang), className="muted py-4 text-center", id=id_)


def hits_chart(per_day: dict[str, dict[str, int]], lang: str) -> html.Div | dcc.Graph:
    """Stacked bars per local day (every day of the window on the axis), or the words that there are none yet."""
    if not any(per_day.values()):
        return empty_state("hits_none", lang, "sec-hits-empty")
    detectors = sorted({d for counts in per_day.values() for d in counts})
    days = list(per_day)
    labels = [f"{day[8:10]}.{day[5:7]}" for day in days]
    fig = go.Figure([go.Bar(name=f"{d} {detector_name(d, lang)}", x=labels, y=[per_day[day].get(d, 0) for day in days])
                     for d in detectors])
    theme_neutral(fig, 280)
    fig.update_layout(barmode="stack", showlegend=True, legend={"traceorder": "normal"})  # one detector: named too
    fig.update_xaxes(type="category")
    top = max(sum(counts.values()) for counts in per_day.values())
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if top <= 5 else None)  # hits are whole
    return dcc.Graph(figure=fig, config={"displayModeBar": False}, id="sec-hits-graph")


def precision_table(precision: dict, lang: str) -> html.Div | html.Table:
    if not precision:
        return empty_state("precision_none", lang, "sec-precision-empty")
    head = html.Tr([html.Th(t(k, lang)) for k in ("detector", "closed_cases", "precision")])
    body = [html.Tr([html.Td(d), html.Td(v["closed"]), html.Td(pct(v["precision"]))])
            for d, v in precision.items()]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="sec-precision")


def team_table(rates: list[dict], lang: str) -> html.Div | html.Table:
    """Teams by explained-access rate, the worst first."""
    if not rates:
        return empty_state("teams_none", lang, "sec-teams-empty")
    head = html.Tr([html.Th(t(k, lang)) for k in ("team", "touches", "explained_rate")])
    ordered = sorted(rates, key=lambda r: (r["explained_rate"] is None, r["explained_rate"] or 0))
    body = [html.Tr([html.Td(r["team_name"] or t("team_unknown", lang)), html.Td(r["touches"]),
                     html.Td(pct(r["explained_rate"], 1))]) for r in ordered]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="sec-teams")


def retention_verdict(compliance: dict) -> str:
    """Over the period, kept within it, or not known while the CRM's journal has no row."""
    if compliance.get("over_retention"):
        return "retention_over"
    return "retention_ok" if compliance.get("journal_oldest_at") else "retention_unknown"


def retention_panel(lang: str) -> html.Div:
    _v, snap = snapshot()
    c = (snap or {}).get("compliance") or {}
    tz = ctx().settings.tz
    state = {"retention_over": "danger", "retention_ok": "success"}.get(retention_verdict(c), "secondary")
    return html.Div(className=f"panel border-{state}", id="sec-retention", children=[
        html.H3(t("retention", lang)),
        html.Div(t("retention_text", lang).format(days=c.get("retention_days", ctx().settings.journal_retention_days),
                                                  oldest=local_time(c.get("journal_oldest_at"), tz, "%d.%m.%Y"))),
        html.Div(t(retention_verdict(c), lang), className=f"text-{state} fw-bold"),
        gaps_line(c.get("journal_gaps") or [], lang),
        html.Div([t("detectors_state", lang), ": ",
                  t("ok", lang) if c.get("detectors_ok") else (c.get("detectors_error") or "—"),
                  " · ", local_time(c.get("detectors_last_run_at"), tz)], className="muted"),
    ])


def gaps_line(gaps: list[dict], lang: str) -> html.Div:
    """D21: the day's journal gaps (calls answered, no journal row), the newest named."""
    if not gaps:
        return html.Div(t("journal_gaps_none", lang), className="text-success", id="sec-journal-gaps")
    return html.Div(t("journal_gaps_some", lang).format(n=len(gaps), span=gaps[0]["span"], calls=gaps[0]["calls"]),
                    className="text-danger fw-bold", id="sec-journal-gaps")


def kpis(m: Overview, rates: list[dict], lang: str) -> html.Div:
    explained = explained_rate(sum(r["touches"] for r in rates), sum(r["unexplained"] for r in rates))
    return html.Div(className="panel kpi-row", children=[
        metric(t("open_cases", lang), str(m.open_reviewed), "warn" if m.open_reviewed else "ok",
               t("open_cases_help", lang), "open"),
        metric(t("overdue_cases", lang), str(m.overdue), "crit" if m.overdue else "ok", t("overdue_help", lang),
               "overdue"),
        metric(t("explained_rate", lang), pct(explained, 1), None, t("explained_help", lang), "explained"),
        metric(t("time_to_assign", lang), hours(m.time_to_assign_h, lang), None, t("time_to_assign_help", lang),
               "mtta"),
        metric(t("time_to_close", lang), hours(m.time_to_close_h, lang), None, t("time_to_close_help", lang),
               "mttr")])


def body(lang: str) -> list:
    now, tz = time.time(), ctx().settings.tz
    m = overview(ctx().cases().review_facts(hits_since(now, tz)), now, tz)
    rates = ctx().access().explained_rate_by_team(day_add(local_day(now, tz), -TEAM_DAYS))
    return [
        kpis(m, rates, lang),
        html.Div(className="row g-2", children=[
            html.Div(className="col-md-5", children=html.Div(className="panel", children=[
                html.H3(t("open_by_band_age", lang)), cases_by_band_age(m.open_by_band_age, lang)])),
            html.Div(className="col-md-7", children=html.Div(className="panel", children=[
                html.H3(t("hits_per_day", lang)), hits_chart(m.hits_per_day, lang)])),
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

