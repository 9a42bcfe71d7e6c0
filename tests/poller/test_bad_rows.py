"""One bad source row is counted and skipped or repaired: the poller goes on, the source stays ok, no row lost."""

import sqlite3
from dataclasses import replace
from datetime import datetime

from data_access.snapshot_store import InMemorySnapshotStore
from poller.engine import LiveEngine
from poller.replay import replay_snapshot
from tests.poller.conftest import utc

NOW = utc("2026-11-26T10:00:00")


def _engine(settings, **overrides):
    return LiveEngine(replace(settings, **overrides), InMemorySnapshotStore())


def _raw(settings, which, sql, *params):
    """A row written behind SQLAlchemy's back, as a broken writer or a hand edit can: any type in any column."""
    with sqlite3.connect(settings.url(which)[len("sqlite:///"):]) as conn:
        conn.execute(sql, params)


def _queue_log_raw(settings, time, callid, caller, cast_text=False):
    value = "CAST(? AS TEXT)" if cast_text else "?"
    _raw(settings, "telephony", "INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2, data3, "
         f"data4, data5) VALUES (?, ?, 'general', 'NONE', 'ENTERQUEUE', '', {value}, '1', '', '')",
         time, callid, caller)


def _enter(callid, minute):
    return (f"2026-11-26 09:{minute:02d}:00", callid, "general", "NONE", "ENTERQUEUE", "", "+79160000001", "1")


def test_a_caller_number_with_invalid_utf8_leaves_telephony_ok_and_all_3_calls_counted(settings, sources):
    sources.queue_log(_enter("c1", 50))
    _queue_log_raw(settings, "2026-11-26 09:51:00", "c2", b"+7916\xff\xfe", cast_text=True)
    sources.queue_log(_enter("c3", 52))
    snap = _engine(settings).cycle(NOW)
    tel = snap["sources"]["telephony"]
    assert tel["ok"] is True and tel["error"] is None
    assert tel["rows_read"] == 3 and tel["bad_rows"] == {"bad_encoding": 1}
    assert snap["queues"]["general"]["offered"] == 3


def test_a_blob_caller_number_mid_batch_loses_none_of_the_5_rows_after_it(settings, sources):
    sources.queue_log(_enter("c0", 40))
    _queue_log_raw(settings, "2026-11-26 09:41:00", "c1", b"+79160000002")
    sources.queue_log(*[_enter(f"c{i}", 41 + i) for i in range(2, 7)])
    engine = _engine(settings)
    snap = engine.cycle(NOW)
    assert snap["sources"]["telephony"]["ok"] is True
    assert snap["sources"]["telephony"]["bad_rows"] == {"not_text": 1}
    assert snap["queues"]["general"]["offered"] == 7 and engine.tel_cursor == 7


def test_a_row_that_raises_in_the_state_machine_is_counted_and_the_cursor_moves_past_it(settings, sources,
                                                                                      monkeypatch):
    import domain.telephony as telephony

    real = telephony.mask_phone
    monkeypatch.setattr(telephony, "mask_phone", lambda n: 1 / 0 if n == "+79160000666" else real(n))
    sources.queue_log(_enter("c1", 50), ("2026-11-26 09:51:00", "c2", "general", "NONE", "ENTERQUEUE", "",
                                         "+79160000666", "1"), _enter("c3", 52))
    engine = _engine(settings)
    snap = engine.cycle(NOW)
    assert snap["sources"]["telephony"]["ok"] is True
    assert snap["sources"]["telephony"]["bad_rows"] == {"rejected_row": 1}
    assert snap["queues"]["general"]["offered"] == 2 and engine.tel_cursor == 3
    sources.queue_log(_enter("c4", 53))
    assert engine.cycle(NOW + 2)["queues"]["general"]["offered"] == 3  # the bad row is not read again


def test_the_snapshot_replay_reads_past_bad_rows(settings, sources):
    sources.queue_log(_enter("c1", 50))
    _queue_log_raw(settings, "2026-11-26 09:51:00", "c2", b"\xff", cast_text=True)
    _queue_log_raw(settings, "2026-11-26 09:52:00", "c3", b"+79160000003")
    sources.queue_log(_enter("c4", 53), _enter("c5", 54))
    snap = replay_snapshot(settings, NOW)
    assert snap["queues"]["general"]["offered"] == 5
    assert snap["sources"]["telephony"]["bad_rows"] == {"bad_encoding": 1, "not_text": 1}


def test_an_absurd_hold_does_not_reach_the_queue_asa(settings, sources):
    sources.queue_log(_enter("c1", 59), ("2026-11-26 09:59:20", "c1", "general", "PJSIP/1", "CONNECT",
                                         "118343192400", "u1", "2"))
    snap = _engine(settings).cycle(NOW)
    assert snap["queues"]["general"]["asa_s"] == 20.0 and snap["input"]["absurd_duration"] == 1


def test_bad_crm_rows_are_counted_and_the_ticketing_source_stays_ok(settings, sources):
    d = datetime.fromisoformat
    sources.crm_rows("portal_services", {"code": "esia", "name_ru": "Авторизация", "name_en": "Sign-in"})
    sources.crm_rows("tickets", *[{"channel": "chat", "category": "technical", "status": "new",
                                   "created_at": d(f"2026-11-26 09:5{i}:00")} for i in range(3)])
    engine = _engine(settings)
    assert engine.cycle(NOW)["channels"]["chat"]["waiting"] == 3
    sources.crm_rows("ticket_status_history", {"ticket_id": 1, "ts": d("2026-11-26 10:00:01"),
                                               "status": "first_response"})
    _raw(settings, "ticketing", "INSERT INTO ticket_status_history (ticket_id, ts, status) VALUES (?, ?, ?)",
         "two", "2026-11-26 10:00:01", "first_response")
    _raw(settings, "ticketing", "INSERT INTO ticket_status_history (ticket_id, ts, status) VALUES (?, ?, ?)",
         2, b"\xff", "first_response")
    sources.crm_rows("ticket_status_history", {"ticket_id": 3, "ts": d("2026-11-26 10:00:02"),
                                               "status": "first_response"})
    _raw(settings, "ticketing", "INSERT INTO service_checks (ts, service_code, ok, latency_ms, error) "
         "VALUES ('2026-11-26 10:00:01', 'esia', 0, NULL, CAST(? AS TEXT))", b"502 \xff")
    _raw(settings, "ticketing", "INSERT INTO service_checks (ts, service_code, ok, latency_ms, error) "
         "VALUES ('yesterday', 'esia', 1, 100, NULL)")
    with sources.crm.begin() as conn:
        conn.exec_driver_sql("UPDATE tickets SET first_response_at='2026-11-26 10:00:01', status='open' "
                             "WHERE id IN (1, 3)")
    snap = engine.cycle(NOW + 2)
    crm = snap["sources"]["ticketing"]
    assert crm["ok"] is True and crm["error"] is None
    assert crm["bad_rows"] == {"bad_value": 1, "bad_time": 2, "bad_encoding": 1}
    assert (snap["channels"]["chat"]["waiting"], snap["channels"]["chat"]["responded"]) == (1, 2)
    assert snap["services"][0]["error"] == "502 \ufffd"
    assert engine.crm_cursors.history == 4 and engine.crm_cursors.checks == 2
