"""Bad rows in the CRM's reference tables (citizens, tickets) through the whole security cycle: the cycle does not
fail, the access rows are judged, and the bad rows are counted where the compliance view publishes them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from sqlalchemy import select

from data_access.appdb import open_app_db
from data_access.schema.appdb import access_events
from poller.security import SecurityPipeline
from tests.poller.conftest import utc

NOW = utc("2026-11-26T12:00:00")
HOUR_AGO = datetime(2026, 11, 26, 11, 0)


def _crm(settings, sources) -> None:
    """Operator 1 of team 1; citizens 1-4, citizen 2's surname not UTF-8; a ticket of operator 1 for citizen 3 and
    one for citizen 4 whose opening time is not a time; operator 1 views citizens 1-4 at 11:01-11:04."""
    sources.crm_rows("teams", {"id": 1, "code": "general", "name": "Линия 1", "kind": "phone"})
    sources.crm_rows("operators", {"id": 1, "login": "ivanova", "full_name": "Иванова Анна Петровна",
                                   "surname": "Иванова", "team_id": 1, "role": "operator", "status": "active",
                                   "hired_at": datetime(2024, 1, 1)})
    sources.crm_rows("citizens", *({"id": i, "surname": f"Петров{i}", "given_name": "Пётр", "created_at": HOUR_AGO}
                                   for i in (1, 2, 3, 4)))
    sources.crm_rows("tickets", {"id": 1, "channel": "chat", "category": "forms", "status": "open",
                                 "created_at": HOUR_AGO - timedelta(hours=1), "citizen_id": 3, "assignee_id": 1,
                                 "team_id": 1})
    sources.crm_rows("pd_access_log", *({"id": i, "ts": HOUR_AGO + timedelta(minutes=i), "operator_id": 1,
                                         "citizen_id": i, "action": "view", "ip": "10.0.0.7"} for i in (1, 2, 3, 4)))
    with sqlite3.connect(settings.url("ticketing")[len("sqlite:///"):]) as conn:
        conn.execute("UPDATE citizens SET surname = CAST(? AS TEXT) WHERE id = 2", ("Петров".encode() + b"\xff",))
        conn.execute("INSERT INTO tickets (id, channel, category, status, created_at, citizen_id, assignee_id, "
                     "team_id) VALUES (2, 'chat', 'forms', 'open', 'yesterday', 4, 1, 1)")


def test_a_surname_that_is_not_utf8_and_a_ticket_opened_yesterday_in_words_stop_nothing_all_4_views_are_judged(
        settings, sources, tmp_path):
    _crm(settings, sources)
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    pipeline = SecurityPipeline(settings, app_db)
    status = pipeline.cycle(NOW)
    assert status.error is None and status.rows == 4
    with app_db.connect() as conn:
        copies = {r.id: (r.reason, r.citizen_masked) for r in conn.execute(select(access_events))}
    assert {i: reason for i, (reason, _) in copies.items()} == {1: "none", 2: "none", 3: "ticket", 4: "none"}
    assert copies[2][1].startswith("П***") and "\ufffd" in copies[2][1]  # masked from the repaired surname
    assert pipeline.source.bad == {"bad_encoding": 1, "bad_time": 1}
    assert pipeline.cycle(NOW + 10).error is None
    assert pipeline.source.bad == {"bad_encoding": 1, "bad_time": 1}  # read again, not counted again
