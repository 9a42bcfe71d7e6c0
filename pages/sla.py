"""/sla: the manager's SLA report over the interval history (periods, what-if, where and when we missed, staffing,
digital channels and written appeals, operators and teams), with CSV/XLSX exports written to the audit trail.

The layout reads nothing; the report callback reads the app database's history (and the CRM's FCR, survey and
appeal figures through a per-period cache), never the telephony source.
"""

from __future__ import annotations

import functools
import hashlib
import time

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html

from components import ids
from components.grids import grid
from components.i18n import norm_lang, t
from components.sla import (
    grid_columns,
    grid_rows,
    heatmap_figure,
    labeller_of,
    lines_block,
    local_text,
    series_figure,
    staffing_figure,
)
from components.sla_monthly import header_params
from data_access.filters import FilterError, filter_choice, filter_int, filter_text
from data_access.history_repo import HistoryRepository
from domain.clock import local_day
from domain.history import GRANULARITIES, INTERVAL_S
from domain.metrics import SL_VARIANTS, MetricParams
from domain.sla import PERIODS, PeriodError, WhatIf, check_granularity, default_period, period_bounds
from domain.sla_report import PARTS, Request, SlaReport, part_of
from web.access import page_callback
from web.auth import audit
from web.context import ctx, snapshot, user_login
from web.render_cache import plain

dash.register_page(__name__, path="/sla", name="sla", title="SLA — горячая линия", order=6, nav_key="nav_sla",
                   roles=["manager", "supervisor", "admin"])

MAX_T = 3600
MAX_SHORT = 600
GRID_SECTIONS = ("worst", "staffing", "series", "channels", "appeals", "at_risk", "operators", "teams")


# -- the query -----------------------------------------------------------------------------------------------
def parse_query(values: object, now: float) -> dict:
    """The page's controls as a checked query (FilterError or PeriodError with a message otherwise)."""
    if not isinstance(values, dict):
        raise FilterError("query: choose a period again")
    s = ctx().settings
    queues = tuple(q.name for q in s.queues())
    q = {"period": filter_choice(values.get("period"), PERIODS, "period") or "last_month",
         "since": filter_text(values.get("since"), "from", 10), "until": filter_text(values.get("until"), "to", 10),
         "by": filter_choice(values.get("by"), GRANULARITIES, "by") or "day",
         "variant": filter_choice(values.get("variant"), SL_VARIANTS, "variant") or s.sl_variant,
         "t": filter_int(values.get("t"), "T", 4), "short": filter_int(values.get("short"), "short", 4),
         "blocked": bool(values.get("blocked")), "line": filter_choice(values.get("line"), queues, "line")}
    if q["t"] is not None and q["t"] > MAX_T or q["short"] is not None and q["short"] > MAX_SHORT:
        raise FilterError(f"T: at most {MAX_T} s; short abandon: at most {MAX_SHORT} s")
    try:
        start, end = period_bounds(q["period"], now, s.tz, q["since"], q["until"])
        check_granularity(q["by"], start, end)
    except ValueError as exc:  # a date that is not one, or a period refused
        raise FilterError(str(exc) if isinstance(exc, PeriodError) else "date: YYYY-MM-DD") from None
    return {**q, "start": start, "end": end}


def request_of(q: dict) -> Request:
    s = ctx().settings
    whatif = WhatIf(q["variant"], q["t"], s.short_abandon_s if q["short"] is None else q["short"], q["blocked"])
    return Request(q["start"], q["end"], q["by"], whatif, q["line"])


def build_report(q: dict, now: float, parts: tuple[str, ...] = ("queues",), staffing_all: bool = False) -> SlaReport:
    """The ``parts`` of a checked query's report, from the app database (and the CRM's cached figures). Kept per
    worker: a period whose intervals are all final never changes, a running one is built again each minute."""
    key = ("report", _query_key(q, parts), parts, staffing_all, _freshness(q, now))
    return ctx().sla_reports.get(key, lambda: _built(q, now, parts, staffing_all))


def _built(q: dict, now: float, parts: tuple[str, ...], staffing_all: bool) -> SlaReport:
    from dataclasses import replace

    from data_access.sla_inputs import read_inputs
    from domain.sla_report import build

    _v, snap = snapshot()
    directory = {a["name"]: (a["operator"], a.get("team_name") or a.get("team") or "")
                 for a in (snap or {}).get("agents", [])}
    inputs = read_inputs(request_of(q), ctx().settings, ctx().app_db, now, directory, parts)
    report = build(replace(inputs, staffing_all=staffing_all), parts)
    report.inputs = replace(report.inputs, intervals=[])  # the tables hold what is shown: let the rows go
    return report


WHATIF_FREE = ("channels", "operators")  # parts that do not change with the granularity, the line or a what-if


def _query_key(q: dict, parts: tuple[str, ...] = ("queues",)) -> tuple:
    """What a report's ``parts`` depend on: the channels and operators only on the period (so a manager trying
    another T or granularity reads and draws only the lines again)."""
    if all(p in WHATIF_FREE for p in parts):
        return ("period", q["start"], q["end"])
    return tuple(sorted((k, v) for k, v in q.items() if k not in ("since", "until") or q["period"] == "custom"))


def _freshness(q: dict, now: float) -> object:
    """"final" when every interval of the period is final (the report can be kept), else the current minute."""
    from data_access.history_repo import HistoryRepository

    final = HistoryRepository(ctx().app_db).final_until()
    return "final" if final is not None and q["end"] <= final else int(now // 60)


def labeller(scope: str, lang: str) -> str:
    """A line's or channel's name as the settings give it."""
    return _names(ctx().settings)(scope, lang)


@functools.lru_cache(maxsize=4)
def _names(settings):
    return labeller_of((*settings.queues(), *settings.channels()))


# -- layout --------------------------------------------------------------------------------------------------
def _field(label_text: str, component, width: str = "auto") -> html.Div:
    return html.Div([dbc.Label(label_text, className="sla-label"), component], className="sla-field",
                    style={"flex": width})


def _opening_period() -> str:
    first_held, _last = HistoryRepository(ctx().app_db).coverage()
    return default_period(first_held, time.time(), ctx().settings.tz)


def controls(lang: str) -> html.Div:
    s = ctx().settings
    today = local_day(time.time(), s.tz)
    radios = {"inline": True, "inputClassName": "btn-check", "labelClassName": "btn btn-outline-primary btn-sm",
              "labelCheckedClassName": "active", "className": "btn-group"}
    queues = [{"label": labeller(q.name, lang), "value": q.name} for q in s.queues()]
    return html.Div(className="panel sla-controls", children=[
        _field(t("period", lang), dcc.Dropdown(id=ids.SLA_PERIOD, value=_opening_period(), clearable=False,
                                               options=[{"label": t(f"period_{p}", lang), "value": p}
                                                        for p in PERIODS]), "0 0 220px"),
        _field(t("since_date", lang), dcc.Input(id=ids.SLA_FROM, type="date", value=today, debounce=True,
                                                disabled=True, className="form-control"), "0 0 160px"),
        _field(t("until", lang), dcc.Input(id=ids.SLA_TO, type="date", value=today, debounce=True, disabled=True,
                                           className="form-control"), "0 0 160px"),
        _field(t("granularity", lang), dbc.RadioItems(id=ids.SLA_BY, value="day", **radios, options=[
            {"label": t(f"by_{g}", lang), "value": g} for g in GRANULARITIES])),
        _field(t("focus_line", lang), dcc.Dropdown(id=ids.SLA_LINE, value=queues[0]["value"] if queues else None,
                                                   options=queues, clearable=False), "0 0 220px"),
        _field(t("sl_variant", lang), dcc.Dropdown(id=ids.SLA_VARIANT, value=s.sl_variant, clearable=False, options=[
            {"label": t(f"variant_{v}", lang), "value": v} for v in SL_VARIANTS]), "0 0 260px"),
        _field(t("threshold_t", lang), dcc.Input(id=ids.SLA_T, type="number", min=0, max=MAX_T, step=1,
                                                 placeholder=str(s.sl_threshold_s), debounce=True,
                                                 className="form-control"), "0 0 120px"),
        _field(t("short_limit", lang), dcc.Input(id=ids.SLA_SHORT, type="number", min=0, max=MAX_SHORT, step=1,
                                                 value=s.short_abandon_s, debounce=True, className="form-control"),
               "0 0 120px"),
        _field(" ", dbc.Checklist(id=ids.SLA_BLOCKED, options=[{"label": t("with_blocked", lang), "value": 1}],
                                  value=[], switch=True), "0 0 auto"),
        _field(" ", dbc.Button(t("monthly_report", lang), id=ids.SLA_MONTHLY, color="primary", size="sm"),
               "0 0 auto"),
    ])


def section(key: str, lang: str, body: list, exports: bool = True) -> list:
    """A section's heading with its CSV and XLSX buttons, then its body."""
    buttons = [dbc.Button(fmt.upper(), id={"type": ids.SLA_EXPORT, "table": key, "fmt": fmt}, size="sm",
                          color="secondary", outline=True, className="ms-2", title=t("export_table", lang))
               for fmt in ("csv", "xlsx")] if exports else []
    return [html.Div([html.H3(t(f"sla_{key}", lang), className="d-inline"), html.Span(buttons, className="ms-2")],
                     className="sla-head"), *body]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    panel = lambda key, **kw: html.Div(id=f"sla-sec-{key}", className="panel", **kw)  # noqa: E731
    return html.Div(className="sla-page", children=[
        dcc.Store(id=ids.SLA_STATE), dcc.Download(id=ids.SLA_DOWNLOAD),
        dcc.Interval(id=ids.SLA_FORECAST_TICK, interval=60_000),
        html.Div([html.H2(t("nav_sla", lang), className="h4 d-inline me-3"),
                  html.Span(id=ids.SLA_PERIOD_TEXT, className="muted")], className="mb-2"),
        controls(lang),
        html.Div(id=ids.SLA_MESSAGE),
        dcc.Loading(panel("lines"), type="dot", delay_show=300),
        dbc.Row([dbc.Col(html.Div(className="panel", children=[dcc.Graph(id=ids.SLA_HEATMAP, config={
            "displayModeBar": False})]), md=8),
                 dbc.Col([panel("missed"), html.Div(id=ids.SLA_FORECAST, className="panel")], md=4)]),
        panel("worst"),
        panel("staffing"),
        panel("series"),
        dbc.Row([dbc.Col(panel("channels"), md=7), dbc.Col(panel("appeals"), md=5)]),
        panel("at_risk"),
        dbc.Row([dbc.Col(panel("overdue"), md=7), dbc.Col(panel("escalations"), md=5)]),
        panel("operators"),
        panel("teams"),
    ])


# -- the report callbacks: the lines, the channels and the operators, drawn side by side -----------------------------
QUEUE_SECTIONS = ("lines", "missed", "worst", "staffing", "series")
CHANNEL_SECTIONS = ("channels", "appeals", "at_risk", "overdue", "escalations")
OPERATOR_SECTIONS = ("operators", "teams")
CONTROLS = (Input(ids.SLA_PERIOD, "value"), Input(ids.SLA_FROM, "value"), Input(ids.SLA_TO, "value"),
            Input(ids.SLA_BY, "value"), Input(ids.SLA_VARIANT, "value"), Input(ids.SLA_T, "value"),
            Input(ids.SLA_SHORT, "value"), Input(ids.SLA_BLOCKED, "value"), Input(ids.SLA_LINE, "value"),
            Input(ids.LANG, "data"))
SHORT_TABLE = 12  # rows a grid shows at its own height (no empty space under a few rows)


def grid_section(report: SlaReport, key: str, lang: str, height: str = "320px", chart=None) -> list:
    table = report.table(key)
    body = [dcc.Graph(figure=chart, config={"displayModeBar": False}, id=f"sla-{key}-chart")] if chart else []
    short = {"domLayout": "autoHeight"} if len(table.rows) <= SHORT_TABLE else {}
    body.append(grid(f"sla-{key}-grid", grid_columns(table, lang, header_params(report)),
                     grid_rows(table, lang, report.inputs.tz, labeller), lang, None if short else height,
                     tooltipShowDelay=300, **short))
    return section(key, lang, body)


def span_text(start: float, end: float, tz: str) -> str:
    """[start, end) for people: whole local days as "01.11.2026 — 30.11.2026" (the last day included), otherwise
    with the times."""
    from domain.clock import day_start

    if day_start(start, tz) == start and day_start(end, tz) == end:
        first, last = local_text(start, "%d.%m.%Y", tz), local_text(end - 1, "%d.%m.%Y", tz)
        return first if first == last else f"{first} — {last}"
    return f"{local_text(start, '%d.%m.%Y %H:%M', tz)} — {local_text(end, '%d.%m.%Y %H:%M', tz)}"


def period_text(report: SlaReport, lang: str) -> str:
    i = report.inputs
    prev = i.start - (i.end - i.start)
    shown = t("period_shown", lang).format(now=span_text(i.start, i.end, i.tz), before=span_text(prev, i.start, i.tz))
    return f"{shown} · {coverage_text(i.tz, lang)}"


def coverage_text(tz: str, lang: str) -> str:
    """What the history holds (it grows while a back-fill runs): its first and last day."""
    first, last = HistoryRepository(ctx().app_db).coverage()
    if first is None:
        return t("history_empty", lang)
    return t("history_held", lang).format(span=span_text(first, last + INTERVAL_S, tz))


def render_queues(report: SlaReport, lang: str) -> dict:
    """The lines' sections and the heatmap."""
    tz, focus = report.inputs.tz, report.inputs.focus or ""
    out = {"lines": section("lines", lang, [lines_block(report.table("lines"), lang, report.params, labeller,
                                                        t("vs_previous", lang))]),
           "missed": grid_section(report, "missed", lang, "200px"),
           "worst": grid_section(report, "worst", lang, "300px"),
           "staffing": grid_section(report, "staffing", lang, "300px",
                                    staffing_figure(report.table("staffing").rows, lang, tz)),
           "series": grid_section(report, "series", lang, "360px", series_figure(
               report.table("series").rows, report.params, labeller, lang, tz, report.inputs.granularity))}
    out["heatmap"] = heatmap_figure(report.heatmap, lang, t("heat_title", lang).format(line=labeller(focus, lang)))
    return out


def _drawn(q: dict, part: str, lang: str, render) -> tuple[SlaReport, dict]:
    """The report's ``part`` and its sections as plain JSON, both kept (see :func:`build_report`)."""
    now = time.time()
    report = build_report(q, now, (part,))
    key = ("render", _query_key(q, (part,)), part, lang, _freshness(q, now))
    return report, ctx().sla_reports.get(key, lambda: {k: plain(v) for k, v in render(report, lang).items()})


def _checked(values: dict, lang: str) -> tuple[dict | None, object]:
    """(the checked query, None) or (None, the message saying which control was refused)."""
    try:
        return parse_query(values, time.time()), None
    except FilterError as exc:
        return None, dbc.Alert(f"{t('bad_filter', lang)}: {exc}", color="warning", id="sla-refused")


def _values(period, since, until, by, variant, t_s, short, blocked, line) -> dict:
    return {"period": period, "since": since, "until": until, "by": by, "variant": variant, "t": t_s,
            "short": short, "blocked": bool(blocked), "line": line}


@page_callback(
    "/sla", Output(ids.SLA_STATE, "data"), Output(ids.SLA_MESSAGE, "children"),
    Output(ids.SLA_PERIOD_TEXT, "children"), Output(ids.SLA_FROM, "disabled"), Output(ids.SLA_TO, "disabled"),
    Output(ids.SLA_HEATMAP, "figure"), *(Output(f"sla-sec-{k}", "children") for k in QUEUE_SECTIONS), *CONTROLS)
def refresh_report(period, since, until, by, variant, t_s, short, blocked, line, lang):
    """Check the controls, build the lines' part of the period's report and draw it."""
    lang = norm_lang(lang, ctx().settings.lang)
    q, refused = _checked(_values(period, since, until, by, variant, t_s, short, blocked, line), lang)
    if q is None:
        return (dash.no_update, refused, dash.no_update, period != "custom", period != "custom",
                *([dash.no_update] * (1 + len(QUEUE_SECTIONS))))
    report, parts = _drawn(q, "queues", lang, render_queues)
    fixed = q["period"] != "custom"
    return (q, _notes(report, lang), period_text(report, lang), fixed, fixed, parts["heatmap"],
            *(parts[k] for k in QUEUE_SECTIONS))


@page_callback("/sla", *(Output(f"sla-sec-{k}", "children") for k in CHANNEL_SECTIONS), *CONTROLS)
def refresh_channels(period, since, until, by, variant, t_s, short, blocked, line, lang):
    """The digital channels and the written appeals of the period (their own request, beside the lines')."""
    lang = norm_lang(lang, ctx().settings.lang)
    q, _refused = _checked(_values(period, since, until, by, variant, t_s, short, blocked, line), lang)
    if q is None:
        return tuple([dash.no_update] * len(CHANNEL_SECTIONS))
    _report, parts = _drawn(q, "channels", lang, lambda r, lg: {k: grid_section(r, k, lg) for k in CHANNEL_SECTIONS})
    return tuple(parts[k] for k in CHANNEL_SECTIONS)


@page_callback("/sla", *(Output(f"sla-sec-{k}", "children") for k in OPERATOR_SECTIONS), *CONTROLS)
def refresh_operators(period, since, until, by, variant, t_s, short, blocked, line, lang):
    """The operators and teams of the period (their own request, beside the lines')."""
    lang = norm_lang(lang, ctx().settings.lang)
    q, _refused = _checked(_values(period, since, until, by, variant, t_s, short, blocked, line), lang)
    if q is None:
        return tuple([dash.no_update] * len(OPERATOR_SECTIONS))
    _report, parts = _drawn(q, "operators", lang, lambda r, lg: {
        "operators": grid_section(r, "operators", lg, "360px"), "teams": grid_section(r, "teams", lg, "240px")})
    return tuple(parts[k] for k in OPERATOR_SECTIONS)


def _notes(report: SlaReport, lang: str) -> list:
    notes = []
    if not report.intervals:
        notes.append(dbc.Alert(t("no_history_period", lang), color="info", id="sla-empty"))
    return notes


# -- exports -------------------------------------------------------------------------------------------------------
def _clicked(trigger, n_clicks: object) -> bool:
    return trigger is not None and isinstance(n_clicks, int) and not isinstance(n_clicks, bool) and n_clicks > 0


@page_callback(
    "/sla", Output(ids.SLA_DOWNLOAD, "data"), Output(ids.SLA_MESSAGE, "children", allow_duplicate=True),
    Input({"type": ids.SLA_EXPORT, "table": ALL, "fmt": ALL}, "n_clicks"), Input(ids.SLA_MONTHLY, "n_clicks"),
    State(ids.SLA_STATE, "data"), State(ids.LANG, "data"), prevent_initial_call=True,
)
def export(clicks, monthly, state, lang):
    """A table as CSV or XLSX, or the monthly report; each file's SHA-256 goes to the audit trail."""
    lang = norm_lang(lang, ctx().settings.lang)
    trigger = dash.ctx.triggered_id
    wanted = monthly if trigger == ids.SLA_MONTHLY else next(
        (n for n, spec in zip(clicks or [], dash.ctx.inputs_list[0], strict=False) if spec["id"] == trigger), None)
    if not _clicked(trigger, wanted):
        return dash.no_update, dash.no_update
    try:
        q = parse_query(state, time.time())
        if trigger == ids.SLA_MONTHLY:
            content, name, what = monthly_report(q, lang)
        else:
            key = filter_choice(trigger.get("table"), ("lines", "missed", "forecast", *GRID_SECTIONS), "table")
            fmt = filter_choice(trigger.get("fmt"), ("csv", "xlsx"), "format")
            content, name, what = table_file(q, key, fmt, lang)
    except FilterError as exc:
        return dash.no_update, dbc.Alert(f"{t('bad_filter', lang)}: {exc}", color="warning")
    digest = hashlib.sha256(content).hexdigest()
    audit("export", f"sla:{what['table']}", {**what, "query": _audited(q), "bytes": len(content), "sha256": digest})
    note = dbc.Alert([t("exported_file", lang).format(name=name), html.Code(digest, id="sla-export-sha")],
                     color="success", duration=15000)
    return dcc.send_bytes(content, name), note


def _audited(q: dict) -> dict:
    return {k: q[k] for k in ("period", "since", "until", "by", "variant", "t", "short", "blocked", "line",
                              "start", "end")}


def table_file(q: dict, key: str, fmt: str, lang: str) -> tuple[bytes, str, dict]:
    """One of the page's tables as it shows it, with its total row, in ``fmt``."""
    from components.exports import csv_bytes, xlsx_bytes

    now = time.time()
    if key == "forecast":
        table, params = forecast_of(now)
    else:
        report = build_report(q, now, (part_of(key),))
        table, params = report.table(key), header_params(report)
    tz = ctx().settings.tz
    stamp = local_text(now, "%Y%m%d-%H%M", tz)
    if fmt == "csv":
        content = csv_bytes(table, lang, params, tz, labeller)
    else:
        content = xlsx_bytes([table], lang, params, tz, labeller)
    return content, f"sla-{key}-{stamp}.{fmt}", {"table": key, "format": fmt, "rows": len(table.rows)}


def monthly_report(q: dict, lang: str) -> tuple[bytes, str, dict]:
    """The calendar month holding the chosen period's start, by day, with the settings' own variant, T and
    limits (never the page's what-if): a summary sheet, then every table and the definitions."""
    from components.sla_monthly import monthly_workbook

    s = ctx().settings
    month = local_text(q["start"], "%Y-%m", s.tz)
    monthly = {**q, "period": "custom", "since": f"{month}-01", "until": _month_end(month), "by": "day",
               "variant": s.sl_variant, "t": None, "short": None, "blocked": False}
    monthly = parse_query(monthly, time.time())
    report = build_report(monthly, time.time(), tuple(PARTS), staffing_all=True)
    content = monthly_workbook(report, lang, labeller, user_login())
    return content, f"sla-report-{month}.xlsx", {"table": "monthly_report", "format": "xlsx", "month": month}


def _month_end(month: str) -> str:
    from domain.clock import day_add

    year, mon = int(month[:4]), int(month[5:7])
    first_next = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"
    return day_add(first_next, -1)


# -- the live forecast ------------------------------------------------------------------------------------------------
def forecast_of(now: float):
    """The next four hours' peak per line (medians of the last four weeks) against the operators logged in now."""
    from data_access.sla_inputs import read_forecast_history, rules_of
    from domain.sla import line_params
    from domain.sla_report import forecast_table

    s = ctx().settings
    queues = s.queues()
    params = {q.name: line_params(q, WhatIf(s.sl_variant, None, s.short_abandon_s), s.wrapup_s) for q in queues}
    _v, snap = snapshot()
    logged = {name: q.get("agents", {}).get("logged_in", 0) for name, q in (snap or {}).get("queues", {}).items()}
    history = read_forecast_history(ctx().app_db, [q.name for q in queues], now)
    table = forecast_table(history, queues, now, s.tz, params, rules_of(s)[0], logged)
    return table, next(iter(params.values()), MetricParams())


@page_callback("/sla", Output(ids.SLA_FORECAST, "children"), Input(ids.SLA_FORECAST_TICK, "n_intervals"),
               Input(ids.LANG, "data"))
def refresh_forecast(_n, lang):
    """The forecast panel, redrawn every minute (the operators logged in move; the medians do not)."""
    lang = norm_lang(lang, ctx().settings.lang)
    table, params = forecast_of(time.time())
    body = []
    top = table.rows[0] if table.rows else None
    if top and top["more"] > 0:
        one = top["more"] % 10 == 1 and top["more"] % 100 != 11  # "1 оператора", "21 оператора": one's form
        body.append(html.Div(t("forecast_peak_one" if one else "forecast_peak", lang).format(
            time=local_text(top["start_ts"], "%H:%M", ctx().settings.tz), more=top["more"],
            line=labeller(top["scope"], lang)), className="sla-peak", id="sla-peak"))
    elif not table.rows:
        body.append(html.Div(t("forecast_none", lang), className="muted"))
    body.append(grid("sla-forecast-grid", grid_columns(table, lang, params),
                     grid_rows(table, lang, ctx().settings.tz, labeller), lang, None, domLayout="autoHeight"))
    return section("forecast", lang, body)
