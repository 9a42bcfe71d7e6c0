"""``/metrics``: the snapshot's figures in Prometheus' text format, for Prometheus, Grafana and Alertmanager.

Everything comes from the published snapshot (and the open-case counts from the app database), never from the
source databases. Counts only: no caller, no operator, no case number. Guarded by a bearer token
(``HOTLINE_METRICS_TOKEN``); without one the endpoint does not exist (404).

The day's counts (offered, answered, abandoned...) are counters that start again at local midnight: they carry the
label ``reset="daily"`` and a ``_created`` sample at the day's start, so ``increase()`` over a window across
midnight is right (Prometheus treats the drop as a counter reset).
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Callable, Iterable, Iterator

from flask import Flask, Response, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from domain.clock import parse_iso
from domain.snapshot import WINDOWS
from domain.telephony import AGENT_STATES

log = logging.getLogger("hotline.web")
PATH = "/metrics"
DAILY = "daily"
QUEUE_COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "blocked")
CHANNEL_COUNTS = {"created": "created", "responded": "responded"}


def _gauge(name: str, doc: str, labels: Iterable[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=list(labels))


def _day_start(snap: dict) -> float | None:
    try:
        return parse_iso(snap["day_start"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return None


def snapshot_families(snap: dict | None, now: float) -> list[Metric]:
    """Every metric made from ``snap`` (an empty list but the age when there is no snapshot yet)."""
    up = _gauge("hotline_snapshot_up", "1 when the poller has published a snapshot.", [])
    up.add_metric([], 1.0 if snap else 0.0)
    if not snap:
        return [up]
    age = _gauge("hotline_snapshot_age_seconds", "Seconds since the poller built the snapshot served.", [])
    age.add_metric([], max(0.0, now - float(snap.get("generated_ts") or now)))
    return [up, age, *queue_families(snap), *channel_families(snap), *agent_families(snap),
            *source_families(snap), *alert_families(snap), *poller_families(snap)]


def queue_families(snap: dict) -> Iterator[Metric]:
    queues = snap.get("queues") or {}
    created = _day_start(snap)
    waiting = _gauge("hotline_queue_waiting", "Callers waiting in the queue now.", ["queue"])
    longest = _gauge("hotline_queue_longest_wait_seconds", "Wait of the longest-waiting caller now.", ["queue"])
    sl = _gauge("hotline_queue_service_level_ratio", "Service level (0..1): window today or the last 15/30/60 "
                "minutes; absent while it has no calls to judge.", ["queue", "window"])
    agents = _gauge("hotline_queue_agents", "Queue members by state now.", ["queue", "state"])
    counters = {k: CounterMetricFamily(f"hotline_queue_{k}", f"Calls {k.replace('_', ' ')} today (local day); "
                                       "resets at local midnight.", labels=["queue", "reset"]) for k in QUEUE_COUNTS}
    for name, q in queues.items():
        waiting.add_metric([name], q.get("waiting", 0))
        longest.add_metric([name], q.get("longest_wait_s", 0))
        _ratio(sl, [name, "today"], q.get("service_level"))
        for minutes in WINDOWS:
            _ratio(sl, [name, f"{minutes}m"], (q.get("windows") or {}).get(str(minutes), {}).get("service_level"))
        for state, count in (q.get("agents") or {}).items():
            agents.add_metric([name, state], count)
        for key, family in counters.items():
            family.add_metric([name, DAILY], q.get(key, 0), created=created)
    yield from (waiting, longest, sl, agents, *counters.values())


def _ratio(family: GaugeMetricFamily, labels: list[str], value) -> None:
    if value is not None:
        family.add_metric(labels, value)


def channel_families(snap: dict) -> Iterator[Metric]:
    channels = snap.get("channels") or {}
    created = _day_start(snap)
    waiting = _gauge("hotline_channel_waiting", "Open requests of the channel without a first response.", ["channel"])
    breached = _gauge("hotline_channel_waiting_breached", "Of them, waiting past the channel's target.", ["channel"])
    longest = _gauge("hotline_channel_longest_wait_seconds", "Wait of the oldest unanswered request.", ["channel"])
    sl = _gauge("hotline_channel_service_level_ratio", "First responses within the channel's target today (0..1).",
                ["channel", "window"])
    counters = {k: CounterMetricFamily(f"hotline_channel_{k}", f"Requests {k} today (local day); resets at local "
                                       "midnight.", labels=["channel", "reset"]) for k in CHANNEL_COUNTS}
    for name, c in channels.items():
        waiting.add_metric([name], c.get("waiting", 0))
        breached.add_metric([name], c.get("waiting_breached", 0))
        longest.add_metric([name], c.get("oldest_wait_s", 0))
        _ratio(sl, [name, "today"], c.get("service_level"))
        for key, family in counters.items():
            family.add_metric([name, DAILY], c.get(key, 0), created=created)
    yield from (waiting, breached, longest, sl, *counters.values())


def agent_families(snap: dict) -> Iterator[Metric]:
    """Operators by state over the whole hotline (each counted once, whatever their queues)."""
    family = _gauge("hotline_agents", "Operators by state now (each operator once).", ["state"])
    counts = {state: 0 for state in AGENT_STATES}
    for agent in snap.get("agents") or []:
        counts[agent.get("state", "offline")] = counts.get(agent.get("state", "offline"), 0) + 1
    for state, count in counts.items():
        family.add_metric([state], count)
    yield family


def source_families(snap: dict) -> Iterator[Metric]:
    sources = snap.get("sources") or {}
    up = _gauge("hotline_source_up", "1 when the source was polled successfully within the stale limit.", ["source"])
    lag = _gauge("hotline_source_lag_seconds", "Seconds since the last successful poll of the source.", ["source"])
    failing = _gauge("hotline_source_failing", "1 when the last poll of the source failed.", ["source"])
    errors = CounterMetricFamily("hotline_source_errors", "Failed polls since the poller started.", labels=["source"])
    bad = CounterMetricFamily("hotline_source_bad_rows", "Source rows left out or repaired, by reason, since the "
                              "poller started.", labels=["source", "reason"])
    for name, s in sources.items():
        up.add_metric([name], 1.0 if s.get("ok") else 0.0)
        if s.get("lag_s") is not None:
            lag.add_metric([name], s["lag_s"])
        failing.add_metric([name], 1.0 if s.get("error") else 0.0)
        errors.add_metric([name], s.get("errors", 0))
        for reason, count in (s.get("bad_rows") or {}).items():
            bad.add_metric([name, reason], count)
    yield from (up, lag, failing, errors, bad)


def alert_families(snap: dict) -> Iterator[Metric]:
    family = _gauge("hotline_alerts_active", "The dashboard's active alerts by rule and severity.",
                    ["rule", "severity"])
    counts: dict[tuple[str, str], int] = {}
    for a in snap.get("alerts") or []:
        key = (str(a.get("rule")), str(a.get("severity")))
        counts[key] = counts.get(key, 0) + 1
    for labels, count in sorted(counts.items()):
        family.add_metric(list(labels), count)
    yield family


def poller_families(snap: dict) -> Iterator[Metric]:
    cycle = (snap.get("poller") or {}).get("cycle_seconds")
    if not cycle:
        return
    family = HistogramMetricFamily("hotline_poller_cycle_duration_seconds", "Duration of the poller's cycles "
                                   "(read the sources, build and publish the snapshot).")
    family.add_metric([], [(_le(bound), count) for bound, count in cycle["buckets"]], cycle["sum"])
    yield family


def _le(bound) -> str:
    return "+Inf" if bound == "+Inf" else repr(float(bound))


def case_families(open_by_band: dict[str, int] | None) -> list[Metric]:
    family = _gauge("hotline_cases_open", "Open personal-data access anomaly cases by band (counts only).", ["band"])
    for band, count in (open_by_band or {}).items():
        family.add_metric([band], count)
    return [family]


class _Families:
    """A collector of a fixed list of families: one registry per scrape, nothing kept between them."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


def exposition(snap: dict | None, open_by_band: dict[str, int] | None, now: float) -> bytes:
    """The text a scrape gets."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(snapshot_families(snap, now) + case_families(open_by_band)))
    return generate_latest(registry)


def bearer(header: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ('' when absent or of another scheme)."""
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def install_metrics(server: Flask, token: str, context: Callable[[], object]) -> None:
    """Register ``/metrics`` on ``server``; with an empty ``token`` it answers 404 (the endpoint is off)."""

    @server.route(PATH, methods=["GET"])
    def metrics():
        if not token:
            return Response("not found\n", 404, mimetype="text/plain")
        if not token_matches(bearer(request.headers.get("Authorization")), token):
            return Response("unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'},
                            mimetype="text/plain")
        ctx = context()
        _version, snap = ctx.reader.get()
        try:
            cases = ctx.cases().open_by_band()
        except Exception as exc:  # noqa: BLE001 - the live figures are still worth a scrape
            log.warning("metrics: open cases unavailable: %s", type(exc).__name__)
            cases = None
        body = exposition(snap, cases, time.time())
        return Response(body, 200, content_type=CONTENT_TYPE_PLAIN_0_0_4)
