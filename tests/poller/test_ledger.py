"""The poller's copy of the CRM for the managers' reports: it equals plain SQL counts over the CRM, follows late
changes, counts nothing twice after a restart or an overlap, and survives hostile rows."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from data_access.appdb import open_app_db
from data_access.crm_ledger import CrmLedgerSource
from data_access.cursor_repo import CursorRepository
from data_access.ledger_repo import LedgerRepository
from domain.clock import day_start, local_day
from domain.sla import channel_of, line_of, quality_counts
from poller.ledger import TicketLedger


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Three simulated hours of the hotline's CRM (scale 0.02), kept read-only: each test copies it."""
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("crm")), tz="UTC", pbx_tz="UTC")
    # Yesterday 16:00, whatever the hour the suite runs at: three busy afternoon hours, not three night ones.
    now = day_start(time.time(), "UTC") - 8 * 3600
    backfill(settings, now - 3 * 3600, now, scale=0.02)
    return settings, now


@pytest.fixture()
def world(simulated, tmp_path):
    """A writable copy of the simulated CRM, an empty app database and a ledger keeper over them."""
    from dataclasses import replace

    base, now = simulated
    shutil.copy(base.url("ticketing").removeprefix("sqlite:///"), tmp_path / "crm.db")
    settings = replace(base, data_dir=str(tmp_path), ticketing_url="", app_db_url="")
    app = open_app_db(settings.url("app_db"))
    keeper = TicketLedger(settings, LedgerRepository(app), CursorRepository(app),
                          CrmLedgerSource(settings.url("ticketing"), batch_rows=50))
    return settings, now, keeper, create_engine(settings.url("ticketing"))


def plain(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def naive(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def days_of(now: float) -> tuple[str, str]:
    return local_day(now - 4 * 3600, "UTC"), local_day(now + 60, "UTC")


def test_fcr_per_line_and_channel_equals_a_plain_count_of_the_crms_resolved_tickets(world):
    settings, now, keeper, crm = world
    copied = keeper.copy_range(now - 4 * 3600, now + 60)
    rows = keeper.repo.quality(*days_of(now))
    assert copied > 100 and rows
    expected = {(c, line or ""): (n, f) for c, line, n, f in plain(
        crm, "SELECT channel, line, COUNT(*), SUM(CASE WHEN first_contact_resolution THEN 1 ELSE 0 END) "
             "FROM tickets WHERE resolved_at IS NOT NULL GROUP BY channel, line")}
    got = quality_counts(rows, lambda r: (r.channel, r.line) if r.counts.get("resolved") else None)
    assert {k: (v["resolved"], v["fcr"]) for k, v in got.items()} == expected
    phone = sum(v["resolved"] for v in quality_counts(rows, line_of).values())
    assert phone == sum(n for (c, _line), (n, _f) in expected.items() if c == "phone") > 0
    assert "phone" not in quality_counts(rows, channel_of)


def test_survey_scores_in_the_ledger_add_up_to_the_plain_sum_of_csat(world):
    _settings, now, keeper, crm = world
    keeper.copy_range(now - 4 * 3600, now + 60)
    rows = keeper.repo.quality(*days_of(now))
    surveys, total = sum(r.counts["surveys"] for r in rows), sum(r.counts["csat_sum"] for r in rows)
    assert (surveys, total) == tuple(plain(crm, "SELECT COUNT(*), SUM(csat) FROM surveys")[0]) and surveys > 0


def test_written_appeals_are_the_email_and_app_tickets_of_the_period_and_the_open_ones(world):
    _settings, now, keeper, crm = world
    keeper.copy_range(now - 4 * 3600, now + 60)
    appeals = keeper.repo.appeals(now - 3600, now + 60)
    expected = {r[0] for r in plain(crm, "SELECT id FROM tickets WHERE channel IN ('email', 'app') AND "
                                         "(created_at >= :a OR status IN ('new', 'open', 'escalated'))",
                                    a=naive(now - 3600))}
    assert {a.ticket_id for a in appeals} == expected and expected


def add_ticket(crm, ticket_id: int, ts: float, status: str, **cols) -> None:
    values = {"id": ticket_id, "channel": "chat", "line": None, "category": "other", "status": status,
              "created_at": naive(ts), **cols}
    with crm.begin() as conn:
        conn.execute(text(f"INSERT INTO tickets ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})"),
                     values)
        conn.execute(text("INSERT INTO ticket_status_history (ticket_id, ts, status) VALUES (:t, :ts, 'created')"),
                     {"t": ticket_id, "ts": naive(ts)})


def change(crm, ticket_id: int, ts: float, status: str, **cols) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in cols)
    with crm.begin() as conn:
        conn.execute(text(f"UPDATE tickets SET status = :status{', ' + sets if sets else ''} WHERE id = :id"),
                     {"id": ticket_id, "status": status, **cols})
        conn.execute(text("INSERT INTO ticket_status_history (ticket_id, ts, status) VALUES (:t, :ts, :s)"),
                     {"t": ticket_id, "ts": naive(ts), "s": status})


def resolved_today(keeper, now: float) -> float:
    return sum(r.counts["resolved"] for r in keeper.repo.quality(local_day(now, "UTC"), local_day(now, "UTC")))


def test_a_late_resolution_with_fcr_reaches_its_day_through_the_change_feed(world):
    _settings, now, keeper, crm = world
    keeper.follow(now)  # no cursors yet: today's tickets, then the feed's heads
    before = resolved_today(keeper, now)
    add_ticket(crm, 900_001, now - 120, "open", due_at=naive(now + 3600))
    keeper.follow(now)
    assert resolved_today(keeper, now) == before
    change(crm, 900_001, now - 30, "resolved", resolved_at=naive(now - 30), first_contact_resolution=1)
    keeper.follow(now)
    fcr = quality_counts(keeper.repo.quality(local_day(now, "UTC"), local_day(now, "UTC")), channel_of)["chat"]
    assert resolved_today(keeper, now) == before + 1
    assert fcr["fcr"] >= 1


def test_a_restart_and_a_second_poller_reading_the_same_rows_count_nothing_twice(world):
    settings, now, keeper, crm = world
    keeper.follow(now)
    add_ticket(crm, 900_002, now - 60, "resolved", resolved_at=naive(now - 10), first_contact_resolution=1)
    with crm.begin() as conn:
        conn.execute(text("INSERT INTO surveys (ts, ticket_id, channel, csat, resolved) VALUES (:ts, 900002, "
                          "'chat', 5, 1)"), {"ts": naive(now - 5)})
    keeper.follow(now)
    once = keeper.repo.quality(local_day(now, "UTC"), local_day(now, "UTC"))
    other = TicketLedger(settings, keeper.repo, CursorRepository(keeper.repo.engine),
                         CrmLedgerSource(settings.url("ticketing"), batch_rows=50))
    other.copy_range(now - 4 * 3600, now + 60)   # an overlap: everything read again
    with keeper.repo.engine.begin() as conn:  # the cursors lost: the ledger starts again from today
        conn.execute(text("DELETE FROM poller_cursors WHERE name LIKE 'ledger_%'"))
    assert keeper.follow(now) > 100
    again = keeper.repo.quality(local_day(now, "UTC"), local_day(now, "UTC"))
    assert sorted((r.channel, r.line, r.team, r.member, sorted(r.counts.items())) for r in again) == \
        sorted((r.channel, r.line, r.team, r.member, sorted(r.counts.items())) for r in once)


def test_open_overdue_and_escalated_tickets_come_from_the_ledger(world):
    _settings, now, keeper, crm = world
    keeper.follow(now)
    add_ticket(crm, 900_003, now - 7200, "open", due_at=naive(now - 3600))
    add_ticket(crm, 900_004, now - 600, "new", channel="email", due_at=naive(now + 86400))
    change(crm, 900_004, now - 300, "escalated", escalated_to="legal")
    keeper.follow(now)
    open_ids = {t.id for t in keeper.repo.open_tickets()}
    assert {900_003, 900_004} <= open_ids
    escalated = [t for t in keeper.repo.escalated(now - 3600, now + 60) if t.id == 900_004]
    assert escalated and escalated[0].escalated_to == "legal" and abs(escalated[0].escalated_ts - (now - 300)) < 2


def test_portal_incidents_are_copied_and_their_resolution_followed(world):
    _settings, now, keeper, crm = world
    keeper.follow(now)
    with crm.begin() as conn:
        conn.execute(text("INSERT INTO incidents (id, opened_at, service_code, severity, title, status) VALUES "
                          "(777, :ts, 'esia', 'major', 'ЕСИА: вход недоступен', 'open')"), {"ts": naive(now - 900)})
    keeper.follow(now)
    assert [i.title for i in keeper.repo.incidents(now - 600, now) if i.id == 777] == ["ЕСИА: вход недоступен"]
    with crm.begin() as conn:
        conn.execute(text("UPDATE incidents SET status = 'resolved', resolved_at = :ts WHERE id = 777"),
                     {"ts": naive(now - 700)})
    keeper.follow(now)
    assert all(i.id != 777 for i in keeper.repo.incidents(now - 600, now))


def test_hostile_ticket_rows_are_counted_and_their_neighbours_kept(world):
    _settings, now, keeper, crm = world
    keeper.follow(now)
    add_ticket(crm, 900_005, now - 60, "open")
    add_ticket(crm, 900_006, now - 60, "open")
    with crm.begin() as conn:  # a creation time nobody can read, and a channel name of 10,000 characters
        conn.execute(text("UPDATE tickets SET created_at = 'yesterday-ish' WHERE id = 900005"))
        conn.execute(text("UPDATE tickets SET channel = :c WHERE id = 900006"), {"c": "x" * 10_000})
    add_ticket(crm, 900_007, now - 60, "open")
    keeper.follow(now)
    ids = {t.id for t in keeper.repo.open_tickets()}
    assert 900_007 in ids and not {900_005, 900_006} & ids


def test_a_missing_crm_is_followed_by_nothing_and_creates_no_file(tmp_path):
    from settings import load_settings

    settings = load_settings({}, data_dir=str(tmp_path), tz="UTC")
    app = open_app_db(settings.url("app_db"))
    keeper = TicketLedger(settings, LedgerRepository(app), CursorRepository(app))
    assert keeper.job(time.time()) == 0 and not (tmp_path / "crm.db").exists()


def test_a_ticket_touched_again_after_its_day_left_the_ledger_leaves_that_days_counts_as_they_were(world):
    _settings, now, keeper, crm = world
    keeper.follow(now)
    old = now - 45 * 86400
    for ticket_id in (900_008, 900_009):
        add_ticket(crm, ticket_id, old - 600, "resolved", resolved_at=naive(old), first_contact_resolution=1)
    keeper.follow(now)                          # the feed's rows of the two tickets are read
    keeper.copy_range(old - 3600, old + 3600)   # and the day rebuilt, as a history rebuild of that day would
    day = local_day(old, "UTC")
    counted = sum(r.counts["resolved"] for r in keeper.repo.quality(day, day))
    keeper.repo.prune(now - 40 * 86400)         # both ordinary resolved tickets leave the ledger
    change(crm, 900_008, now - 5, "closed")     # and is closed today: the feed names it again
    keeper.follow(now)
    assert counted == 2 and sum(r.counts["resolved"] for r in keeper.repo.quality(day, day)) == 2
