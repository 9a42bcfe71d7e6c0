"""The security pipeline over simulated journals: masked copies, cases from injected anomalies, restarts."""

import json
import time

import pytest
from sqlalchemy import func, select, text

from data_access.appdb import open_app_db
from data_access.engines import make_engine
from data_access.schema.appdb import access_events, case_hits
from poller.security import SecurityPipeline


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_copies_are_masked_and_explained_and_a_restart_adds_no_duplicates(security_day, tmp_path):
    settings, now = security_day
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    pipeline = SecurityPipeline(settings, app_db)
    status = pipeline.cycle(now)
    assert status.error is None and status.rows > 100
    copies = _count(app_db, access_events)
    assert copies > 100
    with app_db.connect() as conn:
        sample = conn.execute(select(access_events.c.citizen_id, access_events.c.citizen_masked,
                                     access_events.c.reason).where(access_events.c.citizen_id.is_not(None))
                              .limit(50)).all()
    crm = make_engine(settings.url("ticketing"), read_only=True)
    with crm.connect() as conn:
        surnames = dict(conn.execute(text("SELECT id, surname FROM citizens WHERE id IN (%s)"
                                          % ",".join(str(r[0]) for r in sample))).all())
    assert all("***" in masked and surnames[cid] not in masked for cid, masked, _ in sample)
    assert {reason for _, _, reason in sample} <= {"call", "ticket", "team_ticket", "search", "none", "pending"}
    hits = _count(app_db, case_hits)
    later = SecurityPipeline(settings, app_db)  # a restart: same app database, fresh process
    assert later.cycle(now + 5).error is None
    assert _count(app_db, access_events) == copies and _count(app_db, case_hits) == hits


def test_injected_anomalies_become_cases(security_day, tmp_path):
    settings, now = security_day
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    pipeline = SecurityPipeline(settings, app_db)
    pipeline.cycle(now + 3600)  # everything settled
    truth = [json.loads(line) for line in open(settings.ground_truth_path, encoding="utf-8")]
    today = {t["operator_id"] for t in truth}
    cases = pipeline.cases.list(min_band="info", status=None, limit=10000)
    assert cases, "no case at all"
    assert today & {c["operator_id"] for c in cases}


def test_a_missing_crm_is_an_error_value(settings, tmp_path):
    status = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db")).cycle()
    assert status.error and "does not exist" in status.error


def test_first_start_never_reprocesses_old_sign_ins(security_day, tmp_path):
    settings, now = security_day
    pipeline = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db"))
    pipeline.cycle(now)
    top_access, top_signin = pipeline.source.max_ids()
    assert pipeline.cursors == {"access": top_access, "signin": top_signin}


def _operator(sources, operator_id: int, login: str, name: str) -> None:
    from datetime import datetime

    if operator_id == 1:
        sources.crm_rows("teams", {"id": 1, "code": "general", "name": "Линия 1", "kind": "phone"})
    sources.crm_rows("operators", {"id": operator_id, "login": login, "full_name": name, "surname": name.split()[0],
                                   "team_id": 1, "role": "operator", "status": "active",
                                   "hired_at": datetime(2024, 1, 1)})


def _access(sources, access_id: int, operator_id: int, ts: float) -> None:
    from datetime import datetime, timezone

    at = datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)
    sources.crm_rows("pd_access_log", {"id": access_id, "ts": at, "operator_id": operator_id, "citizen_id": None,
                                       "action": "search", "ip": "10.0.0.7"})


def test_operators_written_after_the_first_cycle_are_named_on_the_next_cycle_10_seconds_later(settings, sources,
                                                                                               tmp_path):
    from data_access.access_repo import AccessFilter, AccessRepository

    now = time.time()
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    pipeline = SecurityPipeline(settings, app_db)
    assert pipeline.cycle(now).error is None  # a fresh demo: the CRM exists but holds no operator yet
    assert pipeline.names.all() == {}
    _operator(sources, 1, "ivanova", "Иванова Анна Петровна")
    _access(sources, 1, 1, now + 5)
    assert pipeline.cycle(now + 10).error is None
    assert pipeline.names.all()[1].full_name == "Иванова Анна Петровна"
    [row] = AccessRepository(app_db).page(AccessFilter(), 0, 10)
    assert (row["operator"], row["operator_label"]) == ("ivanova", "Иванова Анна Петровна (ivanova)")
    with app_db.connect() as conn:
        assert conn.execute(select(access_events.c.operator_login)).scalar() == "ivanova"


def test_an_unchanged_crm_is_not_read_again_for_names_until_5_minutes_pass(settings, sources, tmp_path):
    _operator(sources, 1, "ivanova", "Иванова Анна Петровна")
    now = time.time()
    pipeline = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db"))
    reads = []
    real = pipeline.ctx.refresh_reference
    pipeline.ctx.refresh_reference = lambda: reads.append(1) or real()
    for step in range(6):
        assert pipeline.cycle(now + 10 * step).error is None
    assert len(reads) == 1
    _operator(sources, 2, "petrov", "Петров Пётр Петрович")
    pipeline.cycle(now + 70)
    assert len(reads) == 2 and pipeline.names.all()[2].login == "petrov"
    pipeline.cycle(now + 70 + 300)
    assert len(reads) == 3  # the backstop for edits the signature cannot see (a renamed operator)


def test_the_journals_oldest_row_is_known_10_seconds_after_the_first_row_arrives_not_an_hour_later(settings, sources,
                                                                                                     tmp_path):
    now = time.time()
    pipeline = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db"))
    assert pipeline.cycle(now).journal_oldest_at is None  # a fresh demo: the CRM's journal is still empty
    _operator(sources, 1, "ivanova", "Иванова Анна Петровна")
    _access(sources, 1, 1, now + 5)
    assert pipeline.cycle(now + 10).journal_oldest_at == pytest.approx(now + 5, abs=1)


def test_the_cursors_are_saved_and_a_restart_goes_on_from_them(security_day, tmp_path):
    from data_access.cursor_repo import CursorRepository

    settings, now = security_day
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    first = SecurityPipeline(settings, app_db)
    first.cycle(now)
    assert CursorRepository(app_db).load(("access", "signin")) == first.cursors
    later = SecurityPipeline(settings, app_db)
    later.cycle(now + 5)
    assert later.cursors == first.cursors  # nothing new in the journals: the restart starts where the first stopped


def test_every_explained_record_access_names_the_ticket_that_explained_it(security_day, tmp_path):
    from data_access.access_repo import AccessFilter

    settings, now = security_day
    pipeline = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db"))
    assert pipeline.cycle(now + 3600).error is None
    rows = pipeline.access.page(AccessFilter(), limit=500)
    explained = [r for r in rows if r["reason"] in ("call", "ticket", "team_ticket")]
    assert explained    # how many depends on the hour the simulated day ends at
    assert all(r["link"] == r["reason"] and r["link_id"] for r in explained)
    assert all(r["link"] in ("", "allow_rule") for r in rows if r["reason"] not in ("call", "ticket", "team_ticket"))


def test_a_restart_replays_the_day_in_chunks_and_judges_the_rows_left_pending_at_the_stop(security_day, tmp_path,
                                                                                           monkeypatch):
    import poller.security as security

    settings, now = security_day
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    SecurityPipeline(settings, app_db).cycle(now)         # the rows of the last 7 minutes wait for a verdict
    with app_db.connect() as conn:
        waiting = conn.execute(text("SELECT COUNT(*) FROM access_events WHERE reason = 'pending'")).scalar()
        hits = _count(app_db, case_hits)
    assert waiting > 0
    monkeypatch.setattr(security, "BATCH", 500)           # the day comes back in many chunks
    restarted = SecurityPipeline(settings, app_db)
    assert restarted.cycle(now + 600).error is None
    with app_db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM access_events WHERE reason = 'pending'")).scalar() == 0
    assert _count(app_db, case_hits) >= hits
