"""The wall screen's parts: queue and channel tiles, the services strip, the alert ticker. No personal data."""

from __future__ import annotations

from dash import html

from components.format import alert_message, format_value, label
from components.i18n import t
from domain.clock import iso_epoch
from domain.metrics import CHANNEL, QUEUE, Metric, MetricParams, params_of

LEVEL_RANK = {None: 0, "ok": 0, "warn": 1, "crit": 2}
NEW_ALERT_S = 60


def metric(label_text: str, value: str, level: str | None, help_text: str, name: str) -> html.Div:
    """One number with its label; the label's tooltip holds the KPI's definition."""
    return html.Div(className=f"metric lvl-{level or 'none'}", **{"data-metric": name}, children=[
        html.Div(label_text, className="metric-label", title=help_text),
        html.Div(value, className="metric-value"),
    ])


def catalogue_metric(m: Metric, value: float | int | None, levels: dict, params: MetricParams, lang: str,
                     label_text: str | None = None, text: str | None = None, short: bool = True) -> html.Div:
    """A catalogue metric: its label, its definition with the live numbers, its value formatted by kind."""
    return metric(label_text or m.label(lang), text if text is not None else format_value(m, value, lang, short),
                  levels.get(m.key), m.help(lang, params), m.key)


def _worst(levels: dict) -> str:
    return max(levels.values(), key=lambda lvl: LEVEL_RANK.get(lvl, 0), default="ok") or "ok"


# The wall's numbers per line, in order; each is a catalogue entry (domain.metrics.QUEUE / CHANNEL).
WALL_QUEUE_METRICS = ("waiting", "longest_wait_s", "available", "service_level_30m", "service_level",
                      "abandon_rate", "asa_s", "on_call")
WALL_CHANNEL_METRICS = ("waiting", "oldest_wait_s", "service_level")


def queue_value(q: dict, key: str) -> float | int | None:
    """The value of catalogue metric ``key`` in a snapshot queue entry."""
    if key in ("available", "on_call"):
        return q["agents"][key]
    if key == "service_level_30m":
        return q["windows"]["30"]["service_level"]
    return q[key]


def queue_tile(name: str, q: dict, snapshot: dict, lang: str) -> html.Div:
    lv, params = q.get("levels", {}), params_of(snapshot, q)
    metrics = []
    for key in WALL_QUEUE_METRICS:
        m = QUEUE[key]
        label_text = t("available_of", lang).format(n=q["agents"]["logged_in"]) if key == "available" else None
        metrics.append(catalogue_metric(m, queue_value(q, key), lv, params, lang, label_text))
    if q.get("blocked"):  # callers turned away: the wall says so only when it happens
        metrics.append(catalogue_metric(QUEUE["received"], q["received"], lv, params, lang,
                                        text=f"{q['received']} ({q['blocked']})"))
    return html.Div(className=f"tile tile-queue lvl-{_worst(lv)}", id=f"tile-{name}", children=[
        html.Div(className="tile-head", children=[html.Span(label(q, lang, name), className="tile-name")]),
        html.Div(metrics, className="tile-grid"),
    ])


def channel_tile(name: str, c: dict, snapshot: dict, lang: str) -> html.Div:
    lv, params = c.get("levels", {}), params_of(snapshot, c)
    rows = [catalogue_metric(CHANNEL[key], c[key], lv, params, lang) for key in WALL_CHANNEL_METRICS]
    return html.Div(className=f"tile tile-channel lvl-{_worst(lv)}", id=f"tile-{name}", children=[
        html.Div(label(c, lang, name), className="tile-name"),
        html.Div(rows, className="tile-rows"),
    ])


STATUS_ORDER = {"down": 0, "degraded": 1, "unknown": 2, "up": 3}


def services_strip(services: list[dict], lang: str) -> html.Div:
    """Every portal service as a coloured chip; the ones in trouble first, so they are never cut off."""
    services = sorted(services, key=lambda s: STATUS_ORDER.get(s["status"], 9))
    chips = [html.Span(className=f"chip status-{s['status']}", title=t(f"status_{s['status']}", lang), children=[
        html.Span(className="dot"), label(s, lang, s["code"])]) for s in services]
    return html.Div([html.Span(t("services", lang), className="strip-title"), *chips], className="services-strip")


def alert_ticker(alerts: list[dict], snapshot: dict, lang: str) -> html.Div:
    if not alerts:
        return html.Div(html.Span(t("no_alerts", lang), className="ticker-calm"), className="ticker")
    now = snapshot.get("generated_ts") or 0
    alerts = sorted(alerts, key=lambda a: (a["severity"] != "critical", a.get("state") == "acknowledged"))
    items = []
    for a in alerts:
        fired = iso_epoch(a.get("fired_at"))
        fresh = fired is not None and now - fired < NEW_ALERT_S and a.get("state") == "firing"
        cls = f"ticker-item sev-{a['severity']}" + (" flash" if fresh else "") + (
            " acked" if a.get("state") == "acknowledged" else "")
        items.append(html.Span(alert_message(a, snapshot, lang), className=cls))
    # The items twice: the track scrolls by half its width and loops without a gap.
    seconds = max(12, 7 * len(items))
    return html.Div(html.Div(items + items, className="ticker-track", style={"animationDuration": f"{seconds}s"}),
                    className="ticker has-alerts")


def wall(snapshot: dict | None, lang: str) -> list:
    """The whole wall screen below the header, drawn from one snapshot."""
    if not snapshot:
        return [html.Div(t("no_data", lang), className="no-data")]
    queues = [(n, q) for n, q in snapshot["queues"].items() if q.get("levels") or q["offered"] or q["waiting"]]
    return [
        html.Div([queue_tile(n, q, snapshot, lang) for n, q in queues], className="wall-queues"),
        html.Div([html.Div(t("channels", lang), className="row-title"),
                  html.Div([channel_tile(n, c, snapshot, lang) for n, c in snapshot["channels"].items()],
                           className="wall-channels")]),
        services_strip(snapshot["services"], lang),
        alert_ticker(snapshot["alerts"], snapshot, lang),
    ]

