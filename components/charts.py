"""Charts: the per-interval call chart (plotly) and latency sparklines (inline SVG, no figure per service)."""

from __future__ import annotations

from urllib.parse import quote

import plotly.graph_objects as go

from components.format import local_time
from components.i18n import t

NEUTRAL = "#8a94a3"  # readable on the dark wall theme and on the light desk theme alike
GRID = "rgba(138, 148, 163, 0.25)"


def theme_neutral(fig: go.Figure, height: int) -> go.Figure:
    """Transparent backgrounds and grey text and grid: the same figure reads on either theme."""
    fig.update_layout(height=height, template="none", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      font={"color": NEUTRAL, "family": "Inter, sans-serif"}, legend={"orientation": "h", "y": 1.12},
                      margin={"l": 40, "r": 50, "t": 10, "b": 30})
    fig.update_xaxes(gridcolor=GRID, linecolor=GRID, zeroline=False)
    fig.update_yaxes(gridcolor=GRID, linecolor=GRID, zeroline=False)
    return fig


def interval_figure(intervals: list[dict], goal: float, tz: str, lang: str) -> go.Figure:
    """Offered, answered and abandoned calls per 15 minutes (bars) with the service level (line)."""
    x = [local_time(i["start"], tz, "%H:%M") for i in intervals]
    fig = go.Figure()
    for key, colour in (("offered", "#6b7a90"), ("answered", "#2fd37a"), ("abandoned", "#ff4a4a")):
        fig.add_bar(x=x, y=[i[key] for i in intervals], name=t(key, lang), marker_color=colour)
    sl = [None if i["service_level"] is None else round(i["service_level"] * 100, 1) for i in intervals]
    fig.add_scatter(x=x, y=sl, name="SL %", yaxis="y2", mode="lines+markers", line={"color": "#4ea3ff", "width": 3})
    fig.add_hline(y=goal * 100, yref="y2", line={"dash": "dash", "color": "#ffb020"},
                  annotation_text=f"{t('goal', lang)} {goal * 100:.0f}%", annotation_position="top left")
    theme_neutral(fig, 300)
    sl_axis = {"overlaying": "y", "side": "right", "range": [0, 105], "showgrid": False, "title": "SL %",
               "tickvals": [0, 20, 40, 60, 80, 100]}
    fig.update_layout(barmode="group", yaxis2=sl_axis)
    return fig


def sparkline_src(values: list[float | None], width: int = 240, height: int = 42) -> str:
    """A data-URI SVG polyline of ``values``; gaps (failed checks) are drawn as red ticks."""
    points = [v for v in values if v is not None]
    if not values:
        return "data:image/svg+xml," + quote('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    top = max(points, default=1) or 1
    step = width / max(len(values) - 1, 1)
    segments, current, ticks = [], [], []
    for i, v in enumerate(values):
        x = round(i * step, 1)
        if v is None:  # a failed check: a red tick, and the line breaks
            ticks.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#ff4a4a" stroke-width="2"/>')
            segments.append(current)
            current = []
        else:
            current.append(f"{x},{round(height - 2 - (v / top) * (height - 4), 1)}")
    segments.append(current)
    lines = "".join(f'<polyline fill="none" stroke="#4ea3ff" stroke-width="2" '
                    f'vector-effect="non-scaling-stroke" points="{" ".join(seg)}"/>'
                    for seg in segments if seg)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="none">{"".join(ticks)}{lines}</svg>')
    return "data:image/svg+xml," + quote(svg)
