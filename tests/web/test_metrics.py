"""/metrics: Prometheus text that its own parser reads, figures equal to the snapshot's, a bearer token."""

from __future__ import annotations

import copy
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from settings import load_settings

TOKEN = "metrics-s3cret-token"


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, data_dir=str(tmp_path), pbx_tz="UTC", tz="UTC", metrics_token=TOKEN)


def _busy(snap: dict) -> dict:
    """The engine's snapshot with figures in it (the test's sources are empty)."""
    snap = copy.deepcopy(snap)
    q = snap["queues"]["technical"]
    q.update(waiting=7, longest_wait_s=95.5, offered=120, answered=100, abandoned=12, short_abandoned=3, timed_out=1,
             blocked=2, service_level=0.8125)
    q["windows"]["30"]["service_level"] = 0.5
    q["agents"].update(available=2, on_call=5, paused=1, logged_in=8)
    snap["channels"] = {"chat": {"waiting": 4, "waiting_breached": 1, "oldest_wait_s": 70.0, "created": 30,
                                 "responded": 26, "service_level": 0.9, "target_s": 60}}
    snap["agents"] = [{"name": "SIP/1", "operator": "Иванов Иван", "state": "on_call", "queues": ["technical"]},
                      {"name": "SIP/2", "operator": "Петров Пётр", "state": "paused", "queues": ["technical"]}]
    snap["sources"]["telephony"].update(ok=True, lag_s=1.5, error=None, errors=4, bad_rows={"bad_time": 3})
    snap["alerts"] = [{"rule": "queue_waiting", "severity": "critical", "key": "queue_waiting:technical"}]
    snap["poller"] = {"cycle_seconds": {"buckets": [[0.05, 2], [0.1, 5], ["+Inf", 6]], "sum": 0.9, "count": 6}}
    return snap


def _scrape(client, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get("/metrics", headers=headers)


def _samples(text: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _published(web) -> dict:
    app, store = web
    _v, snap = store.latest()
    busy = _busy(snap)
    store.publish(busy)
    return busy


def test_metrics_parse_and_equal_the_snapshot(web):
    app, _store = web
    snap = _published(web)
    response = _scrape(app.server.test_client())
    assert response.status_code == 200 and response.mimetype == "text/plain"
    got = _samples(response.get_data(as_text=True))
    q = snap["queues"]["technical"]
    assert got[("hotline_queue_waiting", (("queue", "technical"),))] == q["waiting"]
    assert got[("hotline_queue_longest_wait_seconds", (("queue", "technical"),))] == q["longest_wait_s"]
    for key in ("offered", "answered", "abandoned"):
        assert got[(f"hotline_queue_{key}_total", (("queue", "technical"), ("reset", "daily")))] == q[key]
    assert got[("hotline_queue_service_level_ratio", (("queue", "technical"), ("window", "today")))] == 0.8125
    assert got[("hotline_queue_service_level_ratio", (("queue", "technical"), ("window", "30m")))] == 0.5
    assert got[("hotline_queue_agents", (("queue", "technical"), ("state", "on_call")))] == 5
    assert got[("hotline_channel_waiting", (("channel", "chat"),))] == 4
    assert got[("hotline_channel_service_level_ratio", (("channel", "chat"), ("window", "today")))] == 0.9
    assert got[("hotline_channel_created_total", (("channel", "chat"), ("reset", "daily")))] == 30
    assert got[("hotline_agents", (("state", "on_call"),))] == 1
    assert got[("hotline_agents", (("state", "paused"),))] == 1
    assert got[("hotline_source_lag_seconds", (("source", "telephony"),))] == 1.5
    assert got[("hotline_source_errors_total", (("source", "telephony"),))] == 4
    assert got[("hotline_source_bad_rows_total", (("reason", "bad_time"), ("source", "telephony")))] == 3
    assert got[("hotline_alerts_active", (("rule", "queue_waiting"), ("severity", "critical")))] == 1
    assert got[("hotline_poller_cycle_duration_seconds_bucket", (("le", "0.1"),))] == 5
    assert got[("hotline_poller_cycle_duration_seconds_count", ())] == 6


def test_every_configured_queue_has_its_figures(web):
    app, store = web
    _v, snap = store.latest()
    got = _samples(_scrape(app.server.test_client()).get_data(as_text=True))
    for name, q in snap["queues"].items():
        assert got[("hotline_queue_waiting", (("queue", name),))] == q["waiting"]
        assert got[("hotline_queue_offered_total", (("queue", name), ("reset", "daily")))] == q["offered"]


def test_daily_counters_say_when_they_started(web):
    from domain.clock import parse_iso

    app, _store = web
    snap = _published(web)
    got = _samples(_scrape(app.server.test_client()).get_data(as_text=True))
    start = parse_iso(snap["day_start"]).timestamp()
    assert got[("hotline_queue_offered_created", (("queue", "technical"), ("reset", "daily")))] == start


def test_open_cases_are_counted_by_band_without_any_case_detail(web):
    from sqlalchemy import insert

    from data_access.schema.appdb import cases
    from domain.clock import utc_naive

    app, _store = web
    engine = app.server.extensions["hotline"].app_db
    now = utc_naive(time.time())
    rows = [(1, "high", "new"), (2, "high", "in_review"), (3, "critical", "assigned"), (4, "high", "closed")]
    with engine.begin() as conn:
        for operator_id, band, status in rows:
            conn.execute(insert(cases).values(operator_id=operator_id, day="2026-12-01", score=80, band=band,
                                              status=status, created_at=now, updated_at=now))
    text = _scrape(app.server.test_client()).get_data(as_text=True)
    got = _samples(text)
    assert got[("hotline_cases_open", (("band", "high"),))] == 2
    assert got[("hotline_cases_open", (("band", "critical"),))] == 1
    assert got[("hotline_cases_open", (("band", "low"),))] == 0
    labels = {k for family in text_string_to_metric_families(text) if family.name == "hotline_cases_open"
              for s in family.samples for k in s.labels}
    assert labels == {"band"}


def test_no_personal_data_in_the_metrics(web):
    app, _store = web
    _published(web)
    text = _scrape(app.server.test_client()).get_data(as_text=True)
    assert "Иванов" not in text and "Петров" not in text and "SIP/1" not in text


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN + "x", TOKEN[:-1], "Иван", "' OR 1=1 --"])
def test_without_the_right_token_the_answer_is_401(web, token):
    app, _store = web
    response = _scrape(app.server.test_client(), token)
    assert response.status_code == 401 and "hotline_" not in response.get_data(as_text=True)


@pytest.mark.parametrize("header", ["Basic " + TOKEN, TOKEN, "Bearer", f"Token {TOKEN}"])
def test_other_authorization_schemes_are_refused(web, header):
    app, _store = web
    assert app.server.test_client().get("/metrics", headers={"Authorization": header}).status_code == 401


def test_a_signed_in_user_without_the_token_is_refused(web, client_as):
    assert client_as("admin").get("/metrics").status_code == 401


def test_without_a_configured_token_the_endpoint_is_off(tmp_path):
    from data_access.snapshot_store import InMemorySnapshotStore
    from web.factory import build_dash_app

    plain = load_settings({}, data_dir=str(tmp_path), pbx_tz="UTC", tz="UTC")
    app = build_dash_app(plain, InMemorySnapshotStore())
    client = app.server.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_no_snapshot_yet_still_parses(tmp_path):
    from data_access.snapshot_store import InMemorySnapshotStore
    from web.factory import build_dash_app

    app = build_dash_app(load_settings({}, data_dir=str(tmp_path), metrics_token=TOKEN), InMemorySnapshotStore())
    got = _samples(_scrape(app.server.test_client()).get_data(as_text=True))
    assert got[("hotline_snapshot_up", ())] == 0
