"""The command line: import the real FreePBX sample and hold the snapshot against its known counts."""

import json

import pytest

import app


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOTLINE_PBX_TZ", "UTC")
    monkeypatch.setenv("HOTLINE_TZ", "UTC")
    return tmp_path


def test_import_then_snapshot_of_the_real_sample(env, queue_log_sample, capsys):
    assert app.main(["import-queue-log", str(queue_log_sample)]) == 0
    assert "imported: 278" in capsys.readouterr().out
    assert app.main(["import-queue-log", str(queue_log_sample)]) == 0
    assert "imported: 0" in capsys.readouterr().out
    assert app.main(["snapshot", "--now", "1266839779", "--json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    q = snap["queues"]["9000"]
    assert (q["offered"], q["answered"], q["abandoned"], q["short_abandoned"]) == (21, 8, 12, 2)
    assert q["waiting"] == 1 and q["agents"]["on_call"] == 1
    assert snap["generated_at"] == "2010-02-22T11:56:19Z"
    assert snap["sources"]["telephony"]["ok"] is True
    assert snap["sources"]["ticketing"]["ok"] is False and snap["sources"]["ticketing"]["error"]


def test_snapshot_keys_are_stable(env, queue_log_sample, capsys):
    app.main(["import-queue-log", str(queue_log_sample)])
    capsys.readouterr()
    app.main(["snapshot", "--now", "2010-02-22T11:56:19Z", "--json"])
    snap = json.loads(capsys.readouterr().out)
    assert {"generated_at", "sources", "queues", "agents", "channels", "services", "alerts"} <= set(snap)
    assert set(snap["sources"]["telephony"]) >= {"ok", "last_success_at", "lag_s", "error"}
    q = snap["queues"]["9000"]
    assert set(q) >= {"waiting", "longest_wait_s", "offered", "answered", "abandoned", "short_abandoned",
                      "timed_out", "service_level", "asa_s", "aht_s", "abandon_rate", "agents"}
    assert set(q["agents"]) == {"logged_in", "available", "on_call", "wrap_up", "paused"}
    assert set(snap["agents"][0]) >= {"name", "queues", "state", "since", "pause_reason", "answered"}


def test_human_summary_and_help(env, queue_log_sample, capsys):
    app.main(["import-queue-log", str(queue_log_sample)])
    capsys.readouterr()
    app.main(["snapshot", "--now", "1266839779"])
    out = capsys.readouterr().out
    assert "9000" in out and "ticketing" in out
    with pytest.raises(SystemExit):
        app.main(["--help"])
    assert "snapshot" in capsys.readouterr().out


def test_parse_time_accepts_epoch_and_iso():
    assert app.parse_time("1266839779") == 1266839779
    assert app.parse_time("2010-02-22T11:56:19Z") == 1266839779
    assert app.parse_time("2010-02-22T14:56:19+03:00") == 1266839779


def test_verify_audit_checks_3_rows_then_finds_an_edited_row_2(env, capsys):
    from sqlalchemy import text

    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditEntry, AuditTrail
    from settings import load_settings

    trail = AuditTrail(open_app_db(load_settings().url("app_db")))
    for i in range(3):
        trail.append(AuditEntry("cli", "admin", "user_created", f"user{i}"), 1_764_136_800.0 + i)
    assert app.main(["verify-audit"]) == 0
    assert "intact: 3 rows checked, up to row 3" in capsys.readouterr().out
    with trail.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit_log SET target = 'someone' WHERE id = 2"))
    assert app.main(["verify-audit"]) == 1
    assert "BROKEN from row 2" in capsys.readouterr().out
