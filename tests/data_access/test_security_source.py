"""The security pipeline's CRM reads: a bad row is counted once and left out (or repaired), its neighbours are read.

The reference reads are re-read every cycle; their hostile rows are written behind SQLAlchemy's back: text that is
not UTF-8, a string in a DateTime column, a BLOB in an integer column.
"""

import logging
import sqlite3
from datetime import date, datetime

import pytest
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


# -- reference reads ---------------------------------------------------------------------------------------------
class NotUtf8(bytes):
    """Bytes stored as TEXT (not as a BLOB): text that is not UTF-8."""


NOON_TS = 1795694400.0  # 2026-11-26 12:00 UTC


def _rows(settings, table: str, columns: str, *rows: tuple) -> None:
    """Rows of a CRM table written with sqlite3 (bytes as BLOBs, NotUtf8 as TEXT); the tables are made once."""
    engine = make_engine(settings.url("ticketing"))
    crm.metadata.create_all(engine)
    engine.dispose()
    with sqlite3.connect(settings.url("ticketing")[len("sqlite:///"):]) as conn:
        for row in rows:
            marks = ", ".join("CAST(? AS TEXT)" if isinstance(v, NotUtf8) else "?" for v in row)
            conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                         [bytes(v) if isinstance(v, NotUtf8) else v for v in row])


@pytest.fixture
def warnings_(caplog):
    caplog.set_level(logging.WARNING, logger="hotline.sources")
    return caplog


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "hotline.sources")


def test_of_5_operators_a_team_name_in_bad_bytes_and_a_hire_date_in_words_are_kept_a_blob_team_is_left_out(
        settings, warnings_):
    _rows(settings, "teams", "id, code, name, kind", (1, "general", "Линия 1", "phone"),
          (2, "digital", NotUtf8("Линия".encode() + b"\xff"), "digital"))
    op = "id, login, full_name, surname, team_id, role, status, hired_at"
    _rows(settings, "operators", op, (1, "op1", "Иванова Анна", "Иванова", 1, "operator", "active", "2024-01-01"),
          (2, "op2", "Петров Пётр", "Петров", 2, "operator", "active", "2024-01-01"),
          (3, "op3", "Сидоров Иван", "Сидоров", 1, "operator", "active", "the first of May"),
          (4, "op4", "Орлова Мария", "Орлова", b"\x01", "operator", "active", "2024-01-01"),
          (5, "op5", "Ким Ольга", "Ким", 1, "senior", "active", "2024-01-01"))
    source = SecuritySource(settings.url("ticketing"))
    ops = source.operators()
    assert [o.id for o in ops] == [1, 2, 3, 5]
    assert ops[1].team_name == "Линия\ufffd" and ops[2].hired_at is None and ops[3].hired_at == 1704067200.0
    assert source.bad == {"bad_encoding": 1, "bad_time": 1, "bad_value": 1}
    logged = _logged(warnings_)
    assert all(f"operators row {i}" in logged for i in (2, 3, 4)) and "May" not in logged and "Линия" not in logged
    assert source.operators() == ops and source.bad == {"bad_encoding": 1, "bad_time": 1, "bad_value": 1}


def test_of_5_watch_list_entries_a_blob_citizen_is_left_out_and_an_end_in_words_keeps_the_entry_active(
        settings, warnings_):
    _rows(settings, "watchlist", "id, citizen_id, category, added_at, until",
          (1, 1, "vip", "2026-01-01", None), (2, b"\x02", "vip", "2026-01-01", None),
          (3, 3, "victim", "2026-01-01", "until further notice"),
          (4, 4, NotUtf8(b"v\xffp"), "2026-01-01", None), (5, 5, "other", "2026-01-01", "2026-12-01 00:00:00"))
    source = SecuritySource(settings.url("ticketing"))
    watch = source.watchlist()
    assert sorted(watch) == [1, 3, 4, 5]
    assert watch[3][0].until is None and watch[4][0].category == "v\ufffdp" and watch[5][0].until == 1796083200.0
    assert source.bad == {"bad_value": 1, "bad_time": 1, "bad_encoding": 1}
    logged = _logged(warnings_)
    assert all(f"watchlist row {i}" in logged for i in (2, 3, 4)) and "notice" not in logged


def test_of_7_citizens_bad_bytes_in_a_surname_and_an_address_are_repaired_and_a_6th_with_a_4_letter_gender_is_left_out(
        settings, warnings_):
    cols = "id, surname, given_name, gender, address, is_employee, birth_date, created_at"
    _rows(settings, "citizens", cols,
          (1, "Петров", "Пётр", "M", "Тверская 1", 0, "1985-03-02", "2026-01-01"),
          (2, NotUtf8("Петров".encode() + b"\xff"), "Пётр", "M", "Тверская 2", 0, "1985-03-02", "2026-01-01"),
          (3, "Сидоров", "Иван", "M", NotUtf8(b"\xd0\xa2\xff 3"), 0, None, "2026-01-01"),
          (4, "Орлова", "Мария", "F", None, 1, "a long time ago", "2026-01-01"),
          (5, "Ким", "Ольга", "F", None, b"\x01", None, "2026-01-01"),
          (6, "Лебедев", "Олег", "male", None, 0, None, "2026-01-01"),
          (7, "Волков", "Антон", "M", None, 1, "1990-12-31", "2026-01-01"))
    source = SecuritySource(settings.url("ticketing"))
    found = source.citizens([1, 2, 3, 4, 5, 6, 7, 8])
    assert sorted(found) == [1, 2, 3, 4, 5, 7]
    assert found[2][0].surname == found[2][1][0] == "Петров\ufffd" and found[3][0].address == "Т\ufffd 3"
    assert found[4][1][3] is None and found[4][0].is_employee and not found[5][0].is_employee
    assert found[1][1] == ("Петров", "Пётр", None, date(1985, 3, 2)) and found[7][0].is_employee
    assert source.bad == {"bad_encoding": 2, "bad_time": 1, "bad_value": 1, "too_long": 1}
    logged = _logged(warnings_)
    assert all(f"citizens row {i}" in logged for i in (2, 4, 5, 6)) and "citizens row 3" not in logged  # one a minute
    assert "Петров" not in logged and "ago" not in logged and "male" not in logged  # ids only: personal data
    lines = len(warnings_.records)
    assert source.citizens([2, 3, 6]).keys() == {2, 3} and len(source.bad) == 4 and sum(source.bad.values()) == 5
    assert len(warnings_.records) == lines  # read again: counted and logged once


def _tickets(settings) -> None:
    """Citizen 9's tickets of operator 7: 1 and 5 good, 2 opened '10:00 MSK', 3 a BLOB assignee, 4 a call id in
    bad bytes; ticket 5 was worked on by operator 8 too."""
    cols = "id, channel, category, status, created_at, resolved_at, citizen_id, assignee_id, team_id, call_id"
    _rows(settings, "tickets", cols,
          (1, "phone", "forms", "open", "2026-11-26 09:00:00", None, 9, 7, 1, "c1"),
          (2, "phone", "forms", "open", "2026-11-26 10:00:00 MSK", None, 9, 7, 1, "c2"),
          (3, "phone", "forms", "open", "2026-11-26 10:30:00", None, 9, b"\x07", 1, "c3"),
          (4, "phone", "forms", "open", "2026-11-26 11:00:00", None, 9, 7, 1, NotUtf8(b"c\xff4")),
          (5, "phone", "forms", "resolved", "2026-11-26 11:30:00", "2026-11-26 11:45:00", 9, 7, 1, "c5"))
    _rows(settings, "ticket_status_history", "ticket_id, ts, status, operator_id",
          (5, "2026-11-26 11:30:00", "created", 7), (5, "2026-11-26 11:40:00", "escalated", 8))


def test_of_citizen_9s_5_tickets_the_one_opened_at_10_msk_and_the_one_with_a_blob_assignee_are_left_out(
        settings, warnings_):
    _tickets(settings)
    source = SecuritySource(settings.url("ticketing"))
    found = source.tickets_of_citizens([9, 10], NOON_TS)
    assert {c: [t.ticket_id for t in ts] for c, ts in found.items()} == {9: [1, 4, 5], 10: []}
    assert found[9][1].call_id == "c\ufffd4" and found[9][2].handlers == {7, 8}
    assert found[9][2].opened_at == NOON_TS - 1800 and found[9][2].closed_at == NOON_TS - 900
    assert source.bad == {"bad_time": 1, "bad_value": 1, "bad_encoding": 1}
    logged = _logged(warnings_)
    assert all(f"tickets row {i}" in logged for i in (2, 3, 4)) and "MSK" not in logged


def test_tickets_by_5_ids_and_2_call_ids_return_the_3_good_tickets_and_ticket_5_again_by_its_call(settings, warnings_):
    _tickets(settings)
    source = SecuritySource(settings.url("ticketing"))
    found = source.tickets(ids=[1, 2, 3, 4, 5], call_ids=["c2", "c5"])
    assert [t.ticket_id for t in found] == [1, 4, 5, 5] and found[3].handlers == {7, 8}
    assert source.bad == {"bad_time": 1, "bad_value": 1, "bad_encoding": 1}  # ticket 2 read twice, counted once
    assert all(f"tickets row {i}" in _logged(warnings_) for i in (2, 3, 4))


def test_operator_7s_calls_from_8_to_noon_are_tickets_1_4_and_5_without_the_one_opened_at_10_msk(settings, warnings_):
    _tickets(settings)
    source = SecuritySource(settings.url("ticketing"))
    calls = source.calls_of_operator(7, NOON_TS - 4 * 3600, NOON_TS)
    assert [(t.ticket_id, t.call_id) for t in calls] == [(1, "c1"), (4, "c\ufffd4"), (5, "c5")]
    assert source.bad == {"bad_time": 1, "bad_encoding": 1}  # the BLOB assignee is not operator 7's
    assert "tickets row 2" in _logged(warnings_)


def test_of_operator_7s_3_shifts_and_3_leaves_a_shift_from_8_msk_and_a_leave_ending_never_are_left_out(
        settings, warnings_):
    _rows(settings, "shifts", "id, operator_id, starts_at, ends_at",
          (1, 7, "2026-11-25 08:00:00", "2026-11-25 20:00:00"), (2, 7, "2026-11-26 08:00:00 MSK", "2026-11-26 20:00"),
          (3, 7, "2026-11-26 08:00:00", "2026-11-26 20:00:00"))
    _rows(settings, "leaves", "id, operator_id, starts_at, ends_at, kind",
          (1, 7, "2026-11-01 00:00:00", "2026-11-08 00:00:00", NotUtf8(b"sic\xff")),
          (2, 7, "2026-11-10 00:00:00", "never", "vacation"),
          (3, 7, "2026-11-20 00:00:00", "2026-11-21 00:00:00", "other"))
    source = SecuritySource(settings.url("ticketing"))
    shifts, leaves = source.schedules([7, 8], NOON_TS - 2 * 86400, NOON_TS + 86400)
    day = 86400
    assert [(s.start, s.end) for s in shifts[7]] == [(NOON_TS - day - 4 * 3600, NOON_TS - day + 8 * 3600),
                                                     (NOON_TS - 4 * 3600, NOON_TS + 8 * 3600)] and shifts[8] == []
    assert [leave.kind for leave in leaves[7]] == ["sic\ufffd", "other"] and leaves[8] == []
    assert source.bad == {"bad_time": 2, "bad_encoding": 1}
    logged = _logged(warnings_)
    assert "shifts row 2" in logged and "leaves row 1" in logged
    assert "leaves row 2" not in logged  # a second bad_time within the minute: counted, not logged


def test_the_last_sign_in_before_noon_passes_over_one_at_10_msk_and_is_the_one_at_9_and_nothing_is_counted_twice(
        settings):
    _rows(settings, "sign_in_events", "id, ts, operator_id, login, success, ip",
          (1, "2026-11-26 09:00:00", 7, "op7", 1, "10.0.0.7"), (2, "2026-11-26 10:00:00 MSK", 7, "op7", 1, "10.0.0.7"),
          (3, b"\x0a", 7, "op7", 1, "10.0.0.7"))
    source = SecuritySource(settings.url("ticketing"))
    assert source.last_signin_before(7, NOON_TS) == NOON_TS - 3 * 3600
    assert source.bad == {}  # the journal's bad rows are counted where the journal is read
