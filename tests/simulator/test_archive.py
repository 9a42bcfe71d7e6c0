"""The demo's past: simulated apart and rebuilt into the interval history, never written into the live sources."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from data_access.appdb import open_app_db
from data_access.history_repo import HistoryRepository
from domain.history import day_bounds
from simulator.archive import backfill_history, past_days

pytestmark = pytest.mark.slow
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=MSK).timestamp()


def test_the_past_days_are_the_days_before_today_oldest_first():
    assert past_days(NOW, "Europe/Moscow", 3) == ["2026-11-22", "2026-11-23", "2026-11-24"]


def test_two_past_days_are_simulated_apart_rebuilt_final_and_not_done_twice(settings):
    settings = settings.__class__(**{**settings.__dict__, "tz": "Europe/Moscow", "pbx_tz": "Europe/Moscow",
                                     "sim_scale": 0.01})
    assert backfill_history(settings, days=2, now=NOW) == 2
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    for day in ("2026-11-23", "2026-11-24"):
        start, end = day_bounds(day, "Europe/Moscow")
        rows = repo.queue_intervals(start, end)
        assert sum(r.counts.get("offered", 0) for r in rows) > 100
        assert repo.final_starts(start, end) == 96
    assert not os.path.exists(os.path.join(settings.data_dir, "telephony.db"))  # the live sources stay empty
    assert backfill_history(settings, days=2, now=NOW) == 0


def test_the_past_days_bring_their_fcr_and_surveys_under_ids_apart_from_the_live_crms(settings):
    from data_access.ledger_repo import LedgerRepository
    from simulator.archive import ARCHIVE_ID_FLOOR

    settings = settings.__class__(**{**settings.__dict__, "tz": "Europe/Moscow", "pbx_tz": "Europe/Moscow",
                                     "sim_scale": 0.01})
    backfill_history(settings, days=1, now=NOW)
    ledger = LedgerRepository(open_app_db(settings.url("app_db")))
    quality = ledger.quality("2026-11-24", "2026-11-24")
    assert sum(r.counts["resolved"] for r in quality) > 50 and sum(r.counts["surveys"] for r in quality) > 5
    escalated = ledger.escalated(0, NOW)
    assert escalated and min(t.id for t in escalated) > ARCHIVE_ID_FLOOR
    # a simulated day's tickets in flight at its end are answered the next morning, not left overdue for good
    assert not [t for t in ledger.open_tickets() if t.id > ARCHIVE_ID_FLOOR]


def test_a_surge_evening_brings_about_1_6_times_the_calls_between_18_and_21(tmp_path):
    from dataclasses import replace
    from datetime import date

    from sqlalchemy import text

    from data_access.engines import make_engine
    from settings import load_settings
    from simulator.runner import backfill, config

    day = next(date(2026, 11, d) for d in range(1, 30) if date(2026, 11, d).toordinal() % 6 == 0)
    start = datetime(day.year, day.month, day.day, 0, 0, tzinfo=MSK).timestamp()
    evening = {}
    for surge in (None, 6):
        settings = load_settings({}, data_dir=str(tmp_path / f"s{surge}"), tz="Europe/Moscow", pbx_tz="Europe/Moscow")
        backfill(settings, start, start + 86400, cfg=replace(config(settings, 0.02), surge_every_days=surge))
        with make_engine(settings.url("telephony")).connect() as conn:
            evening[surge] = conn.execute(text(
                "SELECT count(*) FROM queue_log WHERE event = 'ENTERQUEUE' AND time >= :a AND time < :b"),
                {"a": f"{day} 18:00:00", "b": f"{day} 21:00:00"}).scalar()
    assert evening[None] > 100 and 1.3 < evening[6] / evening[None] < 1.9
