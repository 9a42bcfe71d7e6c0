"""The live engine end to end over SQLite sources: incremental polls, source failures, alerts."""

import os
from dataclasses import replace
from datetime import datetime

from data_access.alert_repo import AlertRepository
from data_access.appdb import open_app_db
from data_access.snapshot_store import InMemorySnapshotStore
from poller.engine import LiveEngine
from tests.poller.conftest import utc

NOW = utc("2026-11-26T10:00:00")


def _engine(settings, repo=None, **overrides):
    settings = replace(settings, **overrides)
    return LiveEngine(settings, InMemorySnapshotStore(), alert_repo=repo)


def test_incremental_cycles_pick_up_new_rows(settings, sources):
    sources.queue_log(("2026-11-26 09:58:00", "c1", "general", "NONE", "ENTERQUEUE", "", "+79160000001", "1"))
    engine = _engine(settings)
    engine.start(NOW)
    first = engine.cycle(NOW)
    assert first["queues"]["general"]["waiting"] == 1
    assert first["queues"]["general"]["longest_wait_s"] == 120
    sources.queue_log(("2026-11-26 10:00:01", "c1", "general", "PJSIP/1", "CONNECT", "121", "u", "2"))
    second = engine.cycle(NOW + 2)
    q = second["queues"]["general"]
    assert (q["waiting"], q["answered"], q["agents"]["on_call"]) == (0, 1, 1)
    assert second["version"] == first["version"] + 1
    assert engine.status["telephony"].rows_read == 2


def test_one_source_missing_the_other_still_works(settings, sources):
    os.remove(settings.url("ticketing")[len("sqlite:///"):])
    sources.queue_log(("2026-11-26 09:59:00", "c1", "general", "NONE", "ENTERQUEUE", "", "1", "1"))
    snap = _engine(settings).cycle(NOW)
    assert snap["sources"]["telephony"]["ok"] is True
    assert snap["sources"]["ticketing"]["ok"] is False and "does not exist" in snap["sources"]["ticketing"]["error"]
    assert snap["queues"]["general"]["waiting"] == 1
    alerts = _engine(settings, alert_raise_after_s=0).cycle(NOW)["alerts"]
    assert "source_stale:ticketing" in {a["key"] for a in alerts}


def test_a_source_going_away_is_reported_and_recovers_without_losing_state(settings, sources):
    sources.queue_log(("2026-11-26 09:59:00", "c1", "general", "NONE", "ENTERQUEUE", "", "1", "1"))
    engine = _engine(settings)
    assert engine.cycle(NOW)["queues"]["general"]["offered"] == 1
    path = settings.url("telephony")[len("sqlite:///"):]
    os.rename(path, path + ".away")
    down = engine.cycle(NOW + 2)
    assert down["sources"]["telephony"]["error"] and down["queues"]["general"]["offered"] == 1
    late = engine.cycle(NOW + 40)
    assert late["sources"]["telephony"]["ok"] is False and late["sources"]["telephony"]["lag_s"] == 40
    os.rename(path + ".away", path)
    sources.queue_log(("2026-11-26 10:00:30", "c2", "general", "NONE", "ENTERQUEUE", "", "2", "2"))
    back = engine.cycle(NOW + 42)
    assert back["sources"]["telephony"]["ok"] is True and back["queues"]["general"]["offered"] == 2


def test_rebuild_starts_at_local_midnight_and_keeps_operators_logged_in_before_it(settings, sources):
    sources.queue_log(("2026-11-25 20:00:00", "MANAGER", "general", "PJSIP/7", "ADDMEMBER", ""),
                      ("2026-11-25 23:30:00", "y1", "general", "NONE", "ENTERQUEUE", "", "1", "1"),
                      ("2026-11-25 23:30:20", "y1", "general", "NONE", "ABANDON", "1", "1", "20"),
                      ("2026-11-26 08:00:00", "t1", "general", "NONE", "ENTERQUEUE", "", "1", "1"),
                      ("2026-11-26 08:00:30", "t1", "general", "NONE", "ABANDON", "1", "1", "30"))
    q = _engine(settings).cycle(NOW)["queues"]["general"]
    assert (q["offered"], q["abandoned"]) == (1, 1)
    assert q["agents"]["logged_in"] == 1 and q["agents"]["available"] == 1


def test_alerts_are_kept_acknowledged_and_restored_in_the_app_database(settings, sources):
    repo = AlertRepository(open_app_db(settings.url("app_db")))
    sources.queue_log(*[(f"2026-11-26 09:5{i}:00", f"c{i}", "general", "NONE", "ENTERQUEUE", "", "1", str(i))
                        for i in range(6)])
    engine = _engine(settings, repo, alert_raise_after_s=0)
    engine.start(NOW)
    snap = engine.cycle(NOW)
    alert = next(a for a in snap["alerts"] if a["key"] == "queue_waiting:general")
    assert alert["state"] == "firing" and alert["params"]["value"] == 6 and alert["id"]
    assert repo.acknowledge(alert["id"], "supervisor1", NOW + 1)
    again = next(a for a in engine.cycle(NOW + 2)["alerts"] if a["key"] == "queue_waiting:general")
    assert (again["state"], again["acked_by"]) == ("acknowledged", "supervisor1")
    restarted = _engine(settings, repo, alert_raise_after_s=0)
    restarted.start(NOW + 3)
    after = [a for a in restarted.cycle(NOW + 4)["alerts"] if a["key"] == "queue_waiting:general"]
    assert len(after) == 1 and after[0]["id"] == alert["id"] and after[0]["state"] == "acknowledged"


def test_an_alert_resolves_when_the_condition_clears(settings, sources):
    repo = AlertRepository(open_app_db(settings.url("app_db")))
    sources.queue_log(("2026-11-26 09:59:00", "c1", "general", "NONE", "ENTERQUEUE", "", "1", "1"))
    engine = _engine(settings, repo, alert_raise_after_s=0, alert_clear_after_s=10)
    assert "queue_no_agent:general" in {a["key"] for a in engine.cycle(NOW)["alerts"]}
    sources.queue_log(("2026-11-26 10:00:05", "c1", "general", "PJSIP/1", "CONNECT", "65", "u", "1"))
    engine.cycle(NOW + 6)
    assert "queue_no_agent:general" not in {a["key"] for a in engine.cycle(NOW + 20)["alerts"]}
    history = repo.recent()
    assert history[0]["key"] == "queue_no_agent:general" and history[0]["state"] == "resolved"


def test_crm_tickets_checks_and_incidents(settings, sources):
    d = datetime.fromisoformat
    sources.crm_rows("portal_services", {"code": "esia", "name_ru": "Авторизация", "name_en": "Sign-in",
                                         "line": "cabinet"})
    sources.crm_rows("tickets", {"channel": "chat", "category": "technical", "status": "new",
                                 "created_at": d("2026-11-26 09:58:00")},
                     {"channel": "email", "category": "forms", "status": "new",
                      "created_at": d("2026-11-24 09:00:00")})
    sources.crm_rows("service_checks", *[{"ts": d(f"2026-11-26 09:5{i}:00"), "service_code": "esia", "ok": i < 7,
                                          "latency_ms": 100 if i < 7 else None, "error": None if i < 7 else "502"}
                                         for i in range(10)])
    sources.crm_rows("incidents", {"opened_at": d("2026-11-26 09:58:00"), "service_code": "esia",
                                   "severity": "major", "title": "ЕСИА недоступна", "status": "open"})
    engine = _engine(settings)
    snap = engine.cycle(NOW)
    assert snap["channels"]["chat"]["waiting"] == 1 and snap["channels"]["chat"]["oldest_wait_s"] == 120
    assert snap["channels"]["email"]["waiting"] == 1  # from before today, still unanswered
    assert snap["services"][0]["status"] == "down" and snap["services"][0]["name_ru"] == "Авторизация"
    assert [i["title"] for i in snap["incidents"]] == ["ЕСИА недоступна"]
    sources.crm_rows("ticket_status_history", {"ticket_id": 1, "ts": d("2026-11-26 10:00:01"),
                                               "status": "first_response"})
    with sources.crm.begin() as conn:
        conn.exec_driver_sql("UPDATE tickets SET first_response_at='2026-11-26 10:00:01', status='open' WHERE id=1")
        conn.exec_driver_sql("UPDATE incidents SET status='resolved', resolved_at='2026-11-26 10:00:01'")
    snap = engine.cycle(NOW + 2)
    assert snap["channels"]["chat"]["waiting"] == 0 and snap["channels"]["chat"]["responded"] == 1
    assert snap["incidents"] == []
