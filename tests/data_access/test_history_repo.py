"""The interval history tables: upserts by key, final rows kept, range reads, coverage, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from data_access.appdb import open_app_db
from data_access.history_repo import HistoryRepository
from data_access.schema.appdb import history_queue
from domain.history import ChannelInterval, IntervalCounts, OperatorDay

T0 = 1_764_151_200  # 2025-11-26 10:00 UTC


def queue_row(start=T0, scope="technical", offered=3, **kw):
    return IntervalCounts(scope, start, {"offered": offered, "answered": 2, "answered_in_t": 1, "hold_sum": 37},
                          {12: 1, 25: 1}, {4: 1}, 25.0, {"staffed_s": 1800.4, "available_s": 1500.0, "busy_s": 300.4},
                          {"Обед": 120.0}, **kw)


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = request.getfixturevalue("postgres_url")(f"history_{tmp_path.name[-20:].lower()}")
    engine = open_app_db(url)
    yield HistoryRepository(engine)
    engine.dispose()


def test_a_queue_interval_comes_back_as_it_was_written(repo):
    assert repo.upsert_queue_intervals([queue_row()]) == 1
    (back,) = repo.queue_intervals(T0, T0 + 900)
    assert back.counts == {"offered": 3, "answered": 2, "answered_in_t": 1, "hold_sum": 37}
    assert (back.answer_waits, back.abandon_waits, back.longest_wait_s) == ({12: 1, 25: 1}, {4: 1}, 25.0)
    assert back.agents == {"staffed_s": 1800, "available_s": 1500, "busy_s": 300, "paused_s": 0}
    assert back.paused_by_reason == {"Обед": 120} and back.final is False


def test_writing_the_same_interval_twice_keeps_one_row_with_the_last_values(repo):
    repo.upsert_queue_intervals([queue_row(offered=3)])
    repo.upsert_queue_intervals([queue_row(offered=4)])
    with repo.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(history_queue)).scalar() == 1
    assert repo.queue_intervals(T0, T0 + 900)[0].counts["offered"] == 4


def test_a_final_interval_is_kept_against_a_live_write_and_replaced_by_a_final_one(repo):
    repo.upsert_queue_intervals([queue_row(offered=5)], final=True)
    repo.upsert_queue_intervals([queue_row(offered=6)])
    assert repo.queue_intervals(T0, T0 + 900)[0].counts["offered"] == 5
    repo.upsert_queue_intervals([queue_row(offered=7)], final=True)
    (back,) = repo.queue_intervals(T0, T0 + 900)
    assert back.counts["offered"] == 7 and back.final


def test_ranges_are_half_open_and_filtered_by_queue(repo):
    repo.upsert_queue_intervals([queue_row(T0 + k * 900, scope) for k in range(4) for scope in ("general", "cabinet")])
    rows = repo.queue_intervals(T0 + 900, T0 + 2700, ["cabinet"])
    assert [(r.scope, r.start_ts) for r in rows] == [("cabinet", T0 + 900), ("cabinet", T0 + 1800)]
    assert len(repo.queue_intervals(T0, T0 + 3600)) == 8
    assert repo.coverage() == (T0, T0 + 2700)


def test_final_until_moves_forward_only_and_final_starts_counts_settled_intervals(repo):
    assert repo.final_until() is None and repo.coverage() == (None, None)
    repo.upsert_queue_intervals([queue_row(T0 + k * 900, q) for k in range(3) for q in ("a", "b")], final=True)
    repo.upsert_queue_intervals([queue_row(T0 + 2700)])
    repo.set_final_until(T0 + 2700)
    repo.set_final_until(T0)
    assert repo.final_until() == T0 + 2700
    assert repo.final_starts(T0, T0 + 3600) == 3


def test_channel_intervals_and_operator_days_round_trip(repo):
    channel = ChannelInterval("chat", T0, created=12, responded=10, responded_in_t=8, response_sum=431.5, backlog=3,
                              resolved=9, resolved_by_due=7, response_waits={30: 5, 60: 3, 900: 2, -1: 1})
    repo.upsert_channel_intervals([channel, ChannelInterval("email", T0 + 900, created=1)], final=True)
    assert repo.channel_intervals(T0, T0 + 900) == [ChannelInterval(**{**channel.__dict__, "final": True})]
    assert [c.scope for c in repo.channel_intervals(T0, T0 + 1800, ["email"])] == ["email"]
    day = OperatorDay("PJSIP/1001", "2025-11-26", answered=41, handled=40, talk_s=7210.0, wrapup_s=600.0,
                      staffed_s=28800.0, busy_s=7810.0, paused_s=3600.0, paused_by_reason={"Обед": 3600.0})
    repo.upsert_operator_days([day, OperatorDay("PJSIP/1002", "2025-11-27", answered=1)])
    repo.upsert_operator_days([day])
    assert repo.operator_days("2025-11-26", "2025-11-26") == [day]
    assert len(repo.operator_days("2025-11-01", "2025-11-30")) == 2
    assert repo.row_counts() == {"history_queue": 0, "history_channel": 2, "history_operator_day": 2}
