"""The wall screen's parts: queue and channel tiles, the services strip, the alert ticker. No personal data."""

from __future__ import annotations

from datetime import datetime

from dash import html

from components.format import alert_message, duration_short, label, pct
from components.i18n import kpi_help, t

LEVEL_RANK = {None: 0, "ok": 0, "warn": 1, "crit": 2}
NEW_ALERT_S = 60


def metric(label_text: str, value: str, level: str | None, help_text: str, name: str) -> html.Div:
    """One number with its label; the label's tooltip holds the KPI's definition."""
    return html.Div(className=f"metric lvl-{level or 'none'}", **{"data-metric": name}, children=[
        html.Div(label_text, className="metric-label", title=help_text),
        html.Div(value, className="metric-value"),
    ])


def _worst(levels: dict) -> str:
    return max(levels.values(), key=lambda lvl: LEVEL_RANK.get(lvl, 0), default="ok") or "ok"


def queue_tile(name: str, q: dict, lang: str) -> html.Div:
    lv = q.get("levels", {})
    w30 = q["windows"]["30"]
    metrics = [
        metric(t("waiting", lang), str(q["waiting"]), lv.get("waiting"), kpi_help("waiting", lang), "waiting"),
        metric(t("longest_wait", lang), duration_short(q["longest_wait_s"], lang), lv.get("longest_wait_s"),
               kpi_help("longest_wait", lang), "longest_wait"),
        metric(t("available_of", lang).format(n=q["agents"]["logged_in"]), str(q["agents"]["available"]),
               lv.get("available"), kpi_help("available", lang), "available"),
        metric(t("sl_30m", lang), pct(w30["service_level"]), lv.get("service_level_30m"), kpi_help("sl_30m", lang),
               "sl_30m"),
        metric(t("sl_today", lang), pct(q["service_level"]), lv.get("service_level"), kpi_help("sl", lang),
               "sl_today"),
        metric(t("abandon_rate", lang), pct(q["abandon_rate"]), lv.get("abandon_rate"),
               kpi_help("abandon_rate", lang), "abandon_rate"),
        metric(t("asa", lang), duration_short(q["asa_s"], lang), lv.get("asa_s"), kpi_help("asa", lang), "asa"),
        metric(t("on_call", lang), str(q["agents"]["on_call"]), None, kpi_help("on_call", lang), "on_call"),
    ]
    return html.Div(className=f"tile tile-queue lvl-{_worst(lv)}", id=f"tile-{name}", children=[
        html.Div(className="tile-head", children=[html.Span(label(q, lang, name), className="tile-name")]),
        html.Div(metrics, className="tile-grid"),
    ])


def channel_tile(name: str, c: dict, lang: str) -> html.Div:
    lv = c.get("levels", {})
    rows = [
        metric(t("waiting", lang), str(c["waiting"]), lv.get("waiting"), kpi_help("ch_waiting", lang), "waiting"),
        metric(t("oldest_wait", lang), duration_short(c["oldest_wait_s"], lang), lv.get("oldest_wait_s"),
               kpi_help("ch_oldest", lang), "oldest_wait"),
        metric(t("sl_first_response", lang), pct(c["service_level"]), lv.get("service_level"),
               kpi_help("ch_sl", lang), "sl"),
    ]
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
        fired = _epoch(a.get("fired_at"))
        fresh = fired is not None and now - fired < NEW_ALERT_S and a.get("state") == "firing"
        cls = f"ticker-item sev-{a['severity']}" + (" flash" if fresh else "") + (
            " acked" if a.get("state") == "acknowledged" else "")
        items.append(html.Span(alert_message(a, snapshot, lang), className=cls))
    # The items twice: the track scrolls by half its width and loops without a gap.
    seconds = max(12, 7 * len(items))
    return html.Div(html.Div(items + items, className="ticker-track", style={"animationDuration": f"{seconds}s"}),
                    className="ticker has-alerts")


def _epoch(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() if iso else None


def wall(snapshot: dict | None, lang: str) -> list:
    """The whole wall screen below the header, drawn from one snapshot."""
    if not snapshot:
        return [html.Div(t("no_data", lang), className="no-data")]
    queues = [(n, q) for n, q in snapshot["queues"].items() if q.get("levels") or q["offered"] or q["waiting"]]
    return [
        html.Div([queue_tile(n, q, lang) for n, q in queues], className="wall-queues"),
        html.Div([html.Div(t("channels", lang), className="row-title"),
                  html.Div([channel_tile(n, c, lang) for n, c in snapshot["channels"].items()],
                           className="wall-channels")]),
        services_strip(snapshot["services"], lang),
        alert_ticker(snapshot["alerts"], snapshot, lang),
    ]

