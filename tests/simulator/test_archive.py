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
