"""The SLA page's pieces: values formatted by kind, AG Grid columns with the catalogue's definitions as header
tooltips, the lines table with the change against the period before, the heatmap and the staffing chart."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
from dash import html

from components.charts import NEUTRAL, theme_neutral
from components.format import DASH, duration, pct
from components.i18n import STRINGS, t, t_code
from domain.metrics import CHANNEL_REPORT, REPORT, MetricParams
from domain.sla import Heatmap
from domain.sla_report import ALL, Column, Table

Labeller = Callable[[str, str], str]  # (scope, lang) -> the line's or channel's name
TIME_FORMATS = {"interval": "%Y-%m-%d %H:%M", "hour": "%Y-%m-%d %H:%M", "day": "%Y-%m-%d", "week": "%Y-%m-%d",
                "month": "%Y-%m", "clock": "%H:%M"}
NUMERIC = ("count", "pct", "duration", "ratio", "score")
TEXT_KINDS = ("scope", "bool", "target", "code", "team")  # shown (and exported) as words


def labeller_of(lines) -> Labeller:
    """The names of configured queues and channels (``lines``: their configs), in either language."""
    names = {x.name: (x.label_ru, x.label_en) for x in lines}
    return lambda scope, lang: names.get(scope, (scope, scope))[1 if lang == "en" else 0]


@functools.lru_cache(maxsize=65536)  # the same interval starts are written by the grids, the maps and the files
def local_text(ts: float | None, fmt: str, tz: str) -> str:
    """An epoch as local text that also sorts as text (2026-11-02 10:15)."""
    return DASH if ts is None else datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime(TIME_FORMATS.get(fmt, fmt))


def count_text(value: float | None, lang: str) -> str:
    if value is None:
        return DASH
    text = f"{round(value):,}"
    return text.replace(",", "\u202f") if lang == "ru" else text


def value_text(value, fmt: str, lang: str, tz: str, labeller: Labeller | None = None) -> str:
    """A table value as the page and ``report sla --format table`` show it."""
    if fmt in TIME_FORMATS:
        return local_text(value, fmt, tz)
    if value is None:
        return DASH
    if fmt == "scope":
        return t("all_lines", lang) if value == ALL else (labeller(value, lang) if labeller else str(value))
    if fmt == "bool":
        return t("met_yes" if value else "met_no", lang)
    if fmt == "target":  # a response target in words: "60 с", "15 мин", "24 ч"
        return MetricParams(target_s=int(value)).texts(lang)["target"]
    if fmt == "code":  # a value of a fixed list, in words
        return t_code("code", str(value), lang)  # a code the interface does not know is shown as it is
    if fmt == "team":
        return value or t("team_unknown", lang)
    if fmt == "count":
        return count_text(value, lang)
    if fmt == "pct":
        return pct(value, 1)
    if fmt == "duration":
        return duration(value)
    return f"{value:.1f}" if fmt == "ratio" else f"{value:.2f}" if fmt == "score" else str(value)


def delta_text(value: float | None, fmt: str, lang: str) -> str:
    """The change against the previous period: percentage points for shares, +/- otherwise."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    size = abs(value)
    if fmt == "pct":
        return f"{sign}{size * 100:.1f} {t('pp', lang)}"
    return sign + value_text(size, fmt, lang, "UTC")


def header(col: Column, lang: str, params: MetricParams) -> tuple[str, str]:
    """A column's label and its tooltip: the catalogue's definition with the live parameters, or the text's own."""
    if col.catalogue:
        m = (REPORT if col.catalogue == "report" else CHANNEL_REPORT)[col.key]
        return m.label(lang), m.help(lang, params)
    if col.key.startswith("pause:"):  # a pause reason's own column
        return f"{REPORT['pause_s'].label(lang)}: {col.key[6:]}", REPORT["pause_s"].help(lang, params)
    label = t(col.key, lang)
    return label, t(f"{col.key}_help", lang) if f"{col.key}_help" in STRINGS else label


def grid_columns(table: Table, lang: str, params: MetricParams) -> list[dict]:
    """AG Grid columns: numbers stay numbers (sorting works) and are formatted in the browser by kind."""
    out = []
    for col in table.columns:
        label, help_text = header(col, lang, params)
        spec = {"field": col.field, "headerName": label, "headerTooltip": help_text, "minWidth": 76}
        if col.fmt in NUMERIC:
            spec.update(type="rightAligned", valueFormatter={"function": f"slaFmt(params.value, '{col.fmt}', "
                                                                         f"'{lang}')"})
        if col.fmt in ("scope", "text", "team") or col.fmt in TIME_FORMATS:
            spec["minWidth"] = 130
        spec.update(wrapHeaderText=True, autoHeaderHeight=True)
        out.append(spec)
    return out


def grid_rows(table: Table, lang: str, tz: str, labeller: Labeller) -> list[dict]:
    """The rows for AG Grid: times and names as text, numbers as numbers (fractions, seconds)."""
    texts = [c for c in table.columns if c.fmt in TIME_FORMATS or c.fmt in TEXT_KINDS]
    keep = [(c.field, DIGITS.get(c.fmt)) for c in table.columns if c not in texts]
    rows = []
    for row in table.rows:
        out = {f: _rounded(row.get(f), digits) for f, digits in keep}
        for c in texts:
            out[c.field] = value_text(row.get(c.field), c.fmt, lang, tz, labeller)
        rows.append(out)
    return rows


DIGITS = {"pct": 4, "duration": 1, "ratio": 2, "score": 3, "count": 2}  # more than any format shows


def _rounded(value, digits: int | None):
    """A number with no more digits than its format can show (a month's grid is a tenth of the bytes)."""
    return round(value, digits) if digits is not None and isinstance(value, float) else value


# -- the lines table ---------------------------------------------------------------------------------------------
def lines_block(table: Table, lang: str, params: Mapping[str, MetricParams], labeller: Labeller,
                previous_text: str) -> html.Table:
    """One row per line (and all lines): each figure over its change against the previous period; service
    level green when it met the line's goal, red when it missed it."""
    first = next(iter(params.values()), MetricParams())
    heads = [html.Th(label, title=help_text, className="help") for label, help_text in
             (header(c, lang, first) for c in table.columns)]
    body = [_line_row(row, table.columns, lang, labeller, previous_text)
            for row in [*table.rows, *([table.total] if table.total else [])]]
    return html.Table([html.Thead(html.Tr(heads)), html.Tbody(body)], className="simple sla-lines", id="sla-lines")


def _line_row(row: dict, columns, lang: str, labeller: Labeller, previous_text: str) -> html.Tr:
    cells = []
    for c in columns:
        text = value_text(row.get(c.field), c.fmt, lang, "UTC", labeller)
        if not c.delta:
            cells.append(html.Td(text, className="scope" if c.fmt == "scope" else "num"))
            continue
        cls = "num"
        if c.field == "service_level" and row.get("met") is not None:
            cls += " sl-met" if row["met"] else " sl-missed"
        delta = delta_text(row.get(f"{c.field}_delta"), c.fmt, lang)
        cells.append(html.Td([html.Div(text, className="v"), html.Div(delta, className="d", title=previous_text)],
                             className=cls, **{"data-field": c.field}))
    return html.Tr(cells, className="total" if row.get("scope") == ALL else "", **{"data-scope": row.get("scope")})


# -- charts ----------------------------------------------------------------------------------------------------
def heatmap_colours(goal: float) -> list:
    """Red shades below the goal (darker the further below), greens from the goal up."""
    g = min(max(goal, 0.01), 0.99)
    return [[0.0, "#7f1010"], [g * 0.6, "#d93636"], [max(g - 0.0001, 0), "#ff8a6b"], [g, "#7fd1a0"],
            [1.0, "#138a4a"]]


def heatmap_figure(h: Heatmap | None, lang: str, title: str) -> go.Figure:
    """Service level by local time of day (rows, top to bottom) and date (columns); empty cells had no calls."""
    fig = go.Figure()
    if h is None or not h.days:
        return _empty(fig, t("no_history", lang), 420)
    z = [[None if v is None else round(v * 100, 1) for v in row] for row in h.z]
    hover = t("heat_hover", lang)
    fig.add_heatmap(x=h.days, y=h.slots, z=z, customdata=h.calls, zmin=0, zmax=100,
                    colorscale=heatmap_colours(h.goal), hoverongaps=False, xgap=1, ygap=0,
                    hovertemplate=hover + "<extra></extra>",
                    colorbar={"title": {"text": "SL %"}, "ticksuffix": "%", "thickness": 12, "len": 0.9,
                              "tickvals": [0, 20, 40, 60, round(h.goal * 100), 100]})
    theme_neutral(fig, max(420, min(900, 6 * len(h.slots) + 80)))
    fig.update_yaxes(autorange="reversed", type="category", tickmode="array", showgrid=False,
                     tickvals=[s for s in h.slots if s.endswith(":00")][::2], title=None)
    fig.update_xaxes(type="category", showgrid=False, tickangle=-45, nticks=31)
    fig.update_layout(margin={"l": 50, "r": 20, "t": 30, "b": 70},
                      title={"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"})
    return fig


def staffing_figure(rows: list[dict], lang: str, tz: str) -> go.Figure:
    """Per interval, operators needed by Erlang C against those logged in: lines over up to two days; over a
    longer period a map of the shortage by local time x date (red: fewer logged in than needed)."""
    fig = go.Figure()
    if not rows:
        return _empty(fig, t("no_history", lang), 300)
    if rows[-1]["start_ts"] - rows[0]["start_ts"] > 2 * 86400:
        return _shortage_map(fig, rows, lang, tz)
    x = [local_text(r["start_ts"], "interval", tz) for r in rows]
    for key, colour, dash in (("needed", "#ffb020", "solid"), ("scheduled", "#ffb020", "dot"),
                              ("logged_in", "#4ea3ff", "solid"), ("available", "#2fd37a", "solid")):
        fig.add_scatter(x=x, y=[r[key] for r in rows], name=REPORT[key].label(lang), mode="lines",
                        line={"color": colour, "width": 2, "dash": dash, "shape": "hv"})
    theme_neutral(fig, 300)
    fig.update_xaxes(type="category", nticks=16, tickangle=0)
    return fig


def _shortage_map(fig: go.Figure, rows: list[dict], lang: str, tz: str) -> go.Figure:
    days = sorted({local_text(r["start_ts"], "day", tz) for r in rows})
    slots = sorted({local_text(r["start_ts"], "clock", tz) for r in rows})
    col, row = {d: j for j, d in enumerate(days)}, {s: i for i, s in enumerate(slots)}
    z: list[list[float | None]] = [[None] * len(days) for _ in slots]
    for r in rows:
        if r["gap"] is not None:
            z[row[local_text(r["start_ts"], "clock", tz)]][col[local_text(r["start_ts"], "day", tz)]] = round(
                r["gap"], 1)
    top = max((abs(v) for line in z for v in line if v is not None), default=1) or 1
    fig.add_heatmap(x=days, y=slots, z=z, zmid=0, zmin=-top, zmax=top, hoverongaps=False, xgap=1,
                    colorscale=[[0, "#138a4a"], [0.45, "#7fd1a0"], [0.5, "rgba(138, 148, 163, 0.25)"],
                                [0.55, "#ff8a6b"], [1, "#b01c1c"]],
                    hovertemplate=t("gap_hover", lang) + "<extra></extra>",
                    colorbar={"title": {"text": REPORT["gap"].label(lang)}, "thickness": 12})
    theme_neutral(fig, 520)
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False,
                     tickvals=[s for s in slots if s.endswith(":00")][::2])
    fig.update_xaxes(type="category", showgrid=False, tickangle=-45)
    fig.update_layout(margin={"l": 50, "r": 20, "t": 30, "b": 70}, title={
        "text": t("shortage_title", lang), "font": {"size": 14}, "x": 0, "xanchor": "left"})
    return fig


def series_figure(rows: list[dict], params: Mapping[str, MetricParams], labeller: Labeller, lang: str, tz: str,
                  granularity: str) -> go.Figure:
    """Service level per line and period bucket, with each line's goal as a dashed line."""
    fig = go.Figure()
    if not rows:
        return _empty(fig, t("no_history", lang), 300)
    palette = ("#4ea3ff", "#2fd37a", "#ffb020", "#c77dff", "#ff6b9a", "#6bd6ff")
    for k, scope in enumerate(dict.fromkeys(r["scope"] for r in rows)):
        part = [r for r in rows if r["scope"] == scope]
        fig.add_scatter(x=[local_text(r["start_ts"], granularity, tz) for r in part],
                        y=[None if r["service_level"] is None else round(r["service_level"] * 100, 1) for r in part],
                        name=labeller(scope, lang), mode="lines+markers" if len(part) <= 62 else "lines",
                        line={"color": palette[k % len(palette)], "width": 2})
    goals = sorted({p.goal for p in params.values()})
    for g in goals:
        fig.add_hline(y=g * 100, line={"dash": "dash", "color": "#ff4a4a", "width": 1},
                      annotation_text=f"{t('goal', lang)} {g * 100:.0f}%", annotation_position="top left")
    theme_neutral(fig, 300)
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    fig.update_xaxes(type="category", nticks=20)
    return fig


def _empty(fig: go.Figure, text: str, height: int) -> go.Figure:
    theme_neutral(fig, height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, font={"size": 18, "color": NEUTRAL}, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    return fig

