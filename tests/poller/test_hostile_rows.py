"""Randomised hostile source rows: arbitrary bytes, types and lengths in every column of queue_log and of the CRM's
append-only tables, between valid rows. The poller keeps running, every source stays ok, and the valid rows' counts
are those of the same valid rows alone."""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from data_access.appdb import open_app_db
from data_access.engines import make_engine
from data_access.schema import crm, telephony
from data_access.schema.appdb import access_events
from data_access.snapshot_store import InMemorySnapshotStore
from poller.engine import LiveEngine
from poller.security import SecurityPipeline
from settings import load_settings
from tests.poller.conftest import utc

pytestmark = pytest.mark.slow

NOW = utc("2026-11-26T23:55:00")  # near midnight: a hostile row dated 00:03 must not roll the day
DAY = datetime(2026, 11, 26)
QUEUES = ("general", "technical")
CHANNELS = ("chat", "email")
MARK_IP = "10.0.0.77"  # every valid journal row's address; the hostile ones never have it
APPEND_ONLY = {"queue_log": telephony.queue_log, "ticket_status_history": crm.ticket_status_history,
               "service_checks": crm.service_checks, "pd_access_log": crm.pd_access_log,
               "sign_in_events": crm.sign_in_events, "surveys": crm.surveys}


class StoredAsText(bytes):
    """Bytes written into a column as TEXT (so usually not UTF-8), not as a BLOB."""


TRICKY = ["", "NONE", "CONNECT", "ENTERQUEUE", "ABANDON", "COMPLETECALLER", "2026-11-27 00:03:00",
          "2026-11-26 23:30:00", "9999-12-31 23:59:59", "0001-01-01 00:00:00", "118343192400", "-5", "1e308",
          "view", "export", "search", "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "\u202e\ufffd"]
hostile_value = st.one_of(
    st.none(),
    st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=40),
    st.binary(min_size=1, max_size=40).map(StoredAsText),
    st.text(max_size=40),
    st.integers(300, 120_000).map(lambda n: "x" * n),
    st.sampled_from(TRICKY),
)


def _row_of(table) -> st.SearchStrategy[dict]:
    columns = [c.name for c in table.c if c.name != "id"]
    return st.fixed_dictionaries({name: hostile_value for name in columns})


hostile_rows = st.fixed_dictionaries(
    {name: st.lists(st.tuples(st.integers(0, 10**6), _row_of(table)), max_size=6)
     for name, table in APPEND_ONLY.items()})


# -- the valid rows ---------------------------------------------------------------------------------------------
def _t(minute: float) -> datetime:
    return DAY + timedelta(hours=23, minutes=minute)


def _q(minute, callid, queue, verb, agent="NONE", *data) -> dict:
    data = list(data) + [""] * (5 - len(data))
    return {"time": _t(minute), "callid": callid, "queuename": queue, "agent": agent, "event": verb,
            **{f"data{i + 1}": str(d) for i, d in enumerate(data)}}


def _valid_queue_log() -> tuple[list[dict], list[dict]]:
    first = [_q(0, "g1", "general", "ENTERQUEUE", "NONE", "", "+79160000001", "1"),
             _q(0.2, "g1", "general", "CONNECT", "PJSIP/1", "12", "u1", "2"),
             _q(2.2, "g1", "general", "COMPLETECALLER", "PJSIP/1", "12", "120", "1"),
             _q(10, "g2", "general", "ENTERQUEUE", "NONE", "", "+79160000002", "1"),
             _q(10.5, "g2", "general", "ABANDON", "NONE", "1", "1", "30"),
             _q(20, "t1", "technical", "ENTERQUEUE", "NONE", "", "+79160000003", "1")]
    second = [_q(30, "t1", "technical", "CONNECT", "PJSIP/2", "600", "u2", "3"),
              _q(35, "t1", "technical", "COMPLETEAGENT", "PJSIP/2", "600", "300", "1"),
              _q(40, "t2", "technical", "ENTERQUEUE", "NONE", "", "+79160000004", "1"),
              _q(45, "t2", "technical", "EXITWITHTIMEOUT", "NONE", "1", "1", "300"),
              _q(50, "g3", "general", "ENTERQUEUE", "NONE", "", "+79160000005", "1"),
              _q(50.05, "g3", "general", "ABANDON", "NONE", "1", "1", "3"),
              _q(53, "g4", "general", "ENTERQUEUE", "NONE", "", "+79160000006", "1")]
    return first, second


def _valid_crm() -> dict[str, tuple[list[dict], list[dict]]]:
    access = [{"ts": _t(m), "operator_id": 1 + m % 2, "citizen_id": 1 + m % 3, "action": "view", "ticket_id": None,
               "call_id": None, "ip": MARK_IP} for m in range(0, 50, 5)]
    signins = [{"ts": _t(m), "operator_id": 1, "login": "ivanova", "success": True, "ip": MARK_IP} for m in (1, 31)]
    history = [{"ticket_id": i, "ts": _t(i), "status": "created", "operator_id": None} for i in (1, 2, 3)]
    checks = [{"ts": _t(m), "service_code": "esia", "ok": True, "latency_ms": 120, "error": None} for m in (1, 41)]
    survey = {"ts": _t(45), "ticket_id": 1, "call_id": None, "channel": "chat", "line": None, "csat": 5,
              "resolved": True}
    return {"pd_access_log": (access[:5], access[5:]), "sign_in_events": (signins[:1], signins[1:]),
            "ticket_status_history": (history[:3], [{**history[0], "ts": _t(46), "status": "first_response"}]),
            "service_checks": (checks[:1], checks[1:]), "surveys": ([], [survey])}


def _reference(crm_engine) -> None:
    rows = {
        "teams": [{"code": "phone1", "name": "Линия 1", "kind": "phone", "queuename": "general"}],
        "citizens": [{"surname": f"Иванов{i}", "given_name": "Иван", "created_at": DAY} for i in (1, 2, 3)],
        "operators": [{"login": login, "full_name": login, "surname": login, "team_id": 1, "role": "operator",
                       "member_name": f"PJSIP/{i}", "status": "active", "hired_at": DAY - timedelta(days=400)}
                      for i, login in ((1, "ivanova"), (2, "petrov"))],
        "portal_services": [{"code": "esia", "name_ru": "ЕСИА", "name_en": "ESIA", "line": "cabinet"}],
        "tickets": [{"channel": ch, "category": "technical", "status": "new", "created_at": _t(i)}
                    for i, ch in ((1, "chat"), (2, "chat"), (3, "email"))],
    }
    with crm_engine.begin() as conn:
        for name, values in rows.items():
            conn.execute(insert(crm.metadata.tables[name]), values)


# -- databases without constraints, as a PBX's or a careless writer's table can be ---------------------------------
def _lax_tables(engine, metadata) -> None:
    dialect = sqlite_dialect.dialect()
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            cols = ", ".join("id INTEGER PRIMARY KEY" if c.name == "id" else f'"{c.name}" {c.type.compile(dialect)}'
                             for c in table.c)
            conn.exec_driver_sql(f'CREATE TABLE "{table.name}" ({cols})')


def _insert_hostile(path: str, table: str, row: dict) -> None:
    names = list(row)
    marks = ", ".join("CAST(? AS TEXT)" if isinstance(row[n], StoredAsText) else "?" for n in names)
    params = [bytes(v) if isinstance(v, StoredAsText) else v for v in (row[n] for n in names)]
    with sqlite3.connect(path) as conn:
        conn.execute(f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({marks})', params)


def _write(engine, path: str, table: str, valid: list[dict], hostile: list[tuple[int, dict]]) -> None:
    """The valid rows in order with the hostile ones between them (each at its drawn position)."""
    slots: dict[int, list[dict]] = {}
    for position, row in hostile:
        slots.setdefault(position % (len(valid) + 1), []).append(row)
    for i in range(len(valid) + 1):
        for row in slots.get(i, []):
            _insert_hostile(path, table, row)
        if i < len(valid):
            with engine.begin() as conn:
                conn.execute(insert(APPEND_ONLY[table]), [valid[i]])


@dataclass
class Outcome:
    queues: dict
    channels: dict
    services: dict
    sources_ok: dict
    security_error: str | None
    valid_copies: int


def _run(hostile: dict | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        return _run_in(folder, hostile or {})


def _run_in(folder: str, hostile: dict) -> Outcome:
    s = replace(load_settings({}, data_dir=folder, pbx_tz="UTC", tz="UTC"), source_stale_after_s=3600)
    paths = {db: s.url(db)[len("sqlite:///"):] for db in ("telephony", "ticketing")}
    tel, crm_db = make_engine(s.url("telephony")), make_engine(s.url("ticketing"))
    _lax_tables(tel, telephony.metadata)
    _lax_tables(crm_db, crm.metadata)
    _reference(crm_db)
    valid = {"queue_log": _valid_queue_log(), **_valid_crm()}
    engine = LiveEngine(s, InMemorySnapshotStore())
    security = SecurityPipeline(s, open_app_db(s.url("app_db")))
    for phase, now in ((0, NOW - 60), (1, NOW)):
        for table, halves in valid.items():
            rows = [r for r in hostile.get(table, []) if (r[0] % 2) == phase]
            _write(tel if table == "queue_log" else crm_db, paths["telephony" if table == "queue_log" else
                                                                "ticketing"], table, halves[phase], rows)
        snap = engine.cycle(now)
        status = security.cycle(now)
    with security.app_engine.connect() as conn:
        copies = conn.execute(select(func.count()).select_from(access_events)
                              .where(access_events.c.ip == MARK_IP)).scalar()
    for e in (tel, crm_db, security.app_engine):
        e.dispose()
    keys = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "waiting", "asa_s", "aht_s")
    return Outcome(queues={q: {k: snap["queues"][q][k] for k in keys} for q in QUEUES},
                   channels={c: {k: snap["channels"][c][k] for k in ("created", "waiting", "responded")}
                             for c in CHANNELS},
                   services={x["code"]: x["status"] for x in snap["services"] if x["code"] == "esia"},
                   sources_ok={name: (src["ok"], src["error"]) for name, src in snap["sources"].items()},
                   security_error=status.error, valid_copies=copies)


EXPECTED: list[Outcome] = []


def _expected() -> Outcome:
    if not EXPECTED:
        EXPECTED.append(_run(None))
    return EXPECTED[0]


def test_the_valid_rows_alone_give_the_expected_day():
    out = _expected()
    assert out.queues["general"]["offered"] == 4 and out.queues["technical"]["offered"] == 2
    assert out.channels["chat"]["created"] == 2 and out.valid_copies == 10
    assert all(ok for ok, _error in out.sources_ok.values()) and out.security_error is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_rows)
def test_hostile_rows_between_valid_ones_change_nothing_and_stop_nothing(hostile):
    out = _run(hostile)
    expected = _expected()
    assert out.sources_ok == {"telephony": (True, None), "ticketing": (True, None)}
    assert out.security_error is None
    assert out.queues == expected.queues
    assert out.channels == expected.channels
    assert out.services == expected.services
    assert out.valid_copies == expected.valid_copies
