"""The security pipeline's journal reads: a bad row is counted once and left out, its neighbours are read."""

import sqlite3
from datetime import datetime

from sqlalchemy import insert

from data_access.engines import make_engine
from data_access.schema import crm
from data_access.security_source import SecuritySource


def _journal(settings, *rows):
    """pd_access_log rows: dicts for good ones, (sql values, params) for rows written behind SQLAlchemy's back."""
    engine = make_engine(settings.url("ticketing"))
    crm.metadata.create_all(engine)
    path = settings.url("ticketing")[len("sqlite:///"):]
    for row in rows:
        if isinstance(row, dict):
            with engine.begin() as conn:
                conn.execute(insert(crm.pd_access_log), [row])
        else:
            with sqlite3.connect(path) as conn:
                conn.execute("INSERT INTO pd_access_log (ts, operator_id, citizen_id, action, ticket_id, call_id, ip) "
                             f"VALUES ({row[0]})", row[1])
    engine.dispose()


def _good(minute: int) -> dict:
    return {"ts": datetime(2026, 11, 26, 9, minute), "operator_id": 7, "citizen_id": 100 + minute, "action": "view",
            "ip": "10.0.0.7"}


def test_bad_access_rows_are_counted_and_the_good_ones_around_them_read(settings):
    _journal(settings, _good(1),
             ("'2026-11-26 09:02:00', 7, 102, CAST(? AS TEXT), NULL, NULL, '10.0.0.7'", (b"vi\xffw",)),
             ("'2026-11-26 09:03:00', ?, 103, 'view', NULL, NULL, '10.0.0.7'", (b"\x07",)),
             ("?, 7, 104, 'view', NULL, NULL, '10.0.0.7'", ("not a time",)),
             ("'2026-11-26 09:05:00', 7, 105, 'view', NULL, NULL, ?", ("1" * 10_000,)),
             _good(6))
    source = SecuritySource(settings.url("ticketing"))
    rows = source.accesses(after_id=0)
    assert [a.id for a in rows] == [1, 2, 6] and rows[1].action == "vi\ufffdw"
    assert source.bad == {"bad_encoding": 1, "bad_value": 1, "bad_time": 1, "too_long": 1}


def test_a_batch_of_only_bad_rows_is_passed_once_and_never_counted_twice(settings):
    bad = ("?, 7, 1, 'view', NULL, NULL, '10.0.0.7'", ("garbage",))
    _journal(settings, _good(1), bad, bad, bad, _good(5))
    source = SecuritySource(settings.url("ticketing"))
    assert [a.id for a in source.accesses(after_id=0, limit=2)] == [1]
    assert source.accesses(after_id=1, limit=2) == []  # rows 2 and 3: bad; the cursor stays at 1
    assert [a.id for a in source.accesses(after_id=1, limit=2)] == [5]
    assert source.accesses(after_id=5, limit=2) == []
    assert source.bad == {"bad_time": 3}


def test_bad_sign_in_rows_are_counted(settings):
    engine = make_engine(settings.url("ticketing"))
    crm.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(crm.sign_in_events), [{"ts": datetime(2026, 11, 26, 9, 0), "operator_id": 7,
                                                   "login": "ivanova", "success": True, "ip": "10.0.0.7"}])
        conn.exec_driver_sql("INSERT INTO sign_in_events (ts, operator_id, login, success, ip) "
                             "VALUES ('2026-11-26 09:01:00', 7, 'ivanova', 'yes', '10.0.0.7')")
    source = SecuritySource(settings.url("ticketing"))
    assert [s.id for s in source.signins(since_ts=0)] == [1] and source.bad == {"bad_value": 1}
