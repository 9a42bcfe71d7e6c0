"""The interval history the poller keeps: live upserts, the day roll, settling from the sources, `history rebuild`.

Checked against what the sources say (plain SQL over queue_log and tickets, the raw lines of a real FreePBX log),
against the live snapshot, and across a restart and a rebuild of the same day.
"""

from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text, update

from data_access.appdb import open_app_db
from data_access.engines import make_engine
from data_access.history_repo import HistoryRepository
from data_access.schema import crm
from data_access.snapshot_store import InMemorySnapshotStore
from domain.history import day_bounds, kpis
from domain.metrics import MetricParams
from poller.engine import LiveEngine
from poller.history import HistoryKeeper, rebuild_days
from tests.poller.conftest import Sources, utc

COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "transferred", "blocked")


def _live(settings, repo, clock=None):
    keeper = HistoryKeeper(settings, repo)
    engine = LiveEngine(settings, InMemorySnapshotStore(), history=keeper, clock=clock or (lambda: 0.0))
    return engine, keeper


def _at(rows, start):
    return next(r for r in rows if r.start_ts == start)


# -- late events ---------------------------------------------------------------------------------------------------
@pytest.fixture
def late_events(settings, sources):
    """An operator on a call from 10:00:10 whose COMPLETE (dated 10:20) is written at 10:50, and a chat ticket of
    10:02 whose first response (10:40) is entered at 11:30 without a status-history row."""
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    sources.queue_log(("2026-11-26 09:00:00", "MANAGER", "technical", "PJSIP/1", "ADDMEMBER", ""),
                      ("2026-11-26 10:00:00", "c1", "technical", "NONE", "ENTERQUEUE", "", "+79160000001", "1"),
                      ("2026-11-26 10:00:10", "c1", "technical", "PJSIP/1", "CONNECT", "10", "u", "3"))
    sources.crm_rows("tickets", {"id": 1, "channel": "chat", "category": "technical", "status": "new",
                                 "created_at": datetime(2026, 11, 26, 10, 2)})
    sources.crm_rows("ticket_status_history",
                     {"ticket_id": 1, "ts": datetime(2026, 11, 26, 10, 2), "status": "created"})
    engine, keeper = _live(settings, repo)
    for k in range(4):  # 10:01, 10:16, 10:31, 10:46
        engine.cycle(utc("2026-11-26T10:01:00") + 900 * k)
    sources.queue_log(("2026-11-26 10:20:00", "c1", "technical", "PJSIP/1", "COMPLETECALLER", "10", "1190", "1"))
    engine.cycle(utc("2026-11-26T11:01:00"))
    with sources.crm.begin() as conn:
        conn.execute(update(crm.tickets).where(crm.tickets.c.id == 1)
                     .values(first_response_at=datetime(2026, 11, 26, 10, 40), status="open"))
    engine.cycle(utc("2026-11-26T11:31:00"))
    return repo, engine, keeper


def test_a_late_complete_counts_in_its_interval_live_and_settling_gives_back_the_operators_time(late_events):
    repo, _engine, keeper = late_events
    t1015, t1030 = utc("2026-11-26T10:15:00"), utc("2026-11-26T10:30:00")
    live = repo.queue_intervals(t1015, t1030 + 900, ["technical"])
    assert _at(live, t1015).counts["handled"] == 1 and _at(live, t1015).counts["talk_sum"] == 1190
    assert _at(live, t1030).agents["busy_s"] == 900  # the poller believed the call went on
    assert keeper.settle(utc("2026-11-26T12:20:00")) == 41  # 00:00-10:15 is due; 10:15 is not yet
    assert not _at(repo.queue_intervals(t1015, t1030, ["technical"]), t1015).final
    keeper.settle(utc("2026-11-26T13:16:00"))  # closed before 11:15
    settled = repo.queue_intervals(t1015, t1030 + 900, ["technical"])
    assert all(r.final for r in settled) and repo.final_until() == utc("2026-11-26T11:15:00")
    assert _at(settled, t1015).counts["handled"] == 1 and _at(settled, t1015).counts["talk_sum"] == 1190
    assert _at(settled, t1015).agents == {"staffed_s": 900, "available_s": 585, "busy_s": 315, "paused_s": 0}
    assert _at(settled, t1030).agents == {"staffed_s": 900, "available_s": 900, "busy_s": 0, "paused_s": 0}


def test_a_first_response_entered_late_corrects_its_channel_interval_once_settled(late_events):
    repo, _engine, keeper = late_events
    t1000, t1030 = utc("2026-11-26T10:00:00"), utc("2026-11-26T10:30:00")
    live = repo.channel_intervals(t1000, t1030 + 900, ["chat"])
    assert [(c.created, c.responded, c.backlog) for c in live] == [(1, 0, 1), (0, 0, 1), (0, 0, 1)]
    keeper.settle(utc("2026-11-26T13:16:00"))
    settled = repo.channel_intervals(t1000, t1030 + 900, ["chat"])
    assert [(c.created, c.responded, c.backlog, c.final) for c in settled] == [
        (1, 0, 1, True), (0, 0, 1, True), (0, 1, 0, True)]
    assert settled[2].response_waits == {2700: 1}  # 38 minutes
    assert (settled[2].responded_within(1800), settled[2].responded_within(2700)) == (0, 1)


def test_a_final_interval_is_not_changed_by_a_row_written_after_the_grace(late_events, sources):
    repo, engine, keeper = late_events
    keeper.settle(utc("2026-11-26T13:16:00"))
    sources.queue_log(("2026-11-26 10:05:00", "c9", "technical", "NONE", "ENTERQUEUE", "", "1", "1"),
                      ("2026-11-26 10:05:30", "c9", "technical", "NONE", "ABANDON", "1", "1", "30"))
    engine.cycle(utc("2026-11-26T13:17:00"))
    assert engine.last_snapshot["queues"]["technical"]["offered"] == 2
    (row,) = repo.queue_intervals(utc("2026-11-26T10:00:00"), utc("2026-11-26T10:15:00"), ["technical"])
    assert row.final and row.counts["offered"] == 1



def test_rows_of_a_cycle_whose_write_failed_are_written_at_the_next_cycle(settings, sources, monkeypatch):
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    sources.queue_log(("2026-11-26 10:00:00", "c1", "technical", "NONE", "ENTERQUEUE", "", "1", "1"))
    engine, _keeper = _live(settings, repo)
    real_write = repo.write

    def down(*args, **kwargs):
        raise OSError("app database unavailable")
    monkeypatch.setattr(repo, "write", down)
    assert engine.cycle(utc("2026-11-26T10:01:00"))["queues"]["technical"]["offered"] == 1
    monkeypatch.setattr(repo, "write", real_write)
    sources.queue_log(("2026-11-26 10:20:00", "c2", "technical", "NONE", "ENTERQUEUE", "", "2", "1"))
    engine.cycle(utc("2026-11-26T10:21:00"))
    rows = repo.queue_intervals(utc("2026-11-26T10:00:00"), utc("2026-11-26T10:30:00"), ["technical"])
    assert [r.counts.get("offered") for r in rows] == [1, 1]

# -- a simulated day, lived by the poller -------------------------------------------------------------------------
MSK = "Europe/Moscow"
DAY = "2026-11-25"
STEP_S = 600
RESTART_AT = datetime(2026, 11, 25, 13, 0, tzinfo=ZoneInfo(MSK)).timestamp()
T = 20

DAY_SQL = """
SELECT queuename,
       SUM(event = 'ENTERQUEUE') AS offered,
       SUM(event = 'CONNECT') AS answered,
       SUM(event = 'ABANDON') AS abandoned,
       SUM(event = 'CONNECT' AND CAST(data1 AS INTEGER) <= :t) AS answered_in_t
FROM queue_log WHERE time >= :lo AND time < :hi AND queuename != 'NONE' AND callid NOT IN ('NONE', 'MANAGER', '')
GROUP BY queuename
"""


def _simulator(settings, start):
    from simulator.engine import HotlineSimulator
    from simulator.runner import Session, config, prepare, write_population
    from simulator.writer import Writer

    cfg = config(settings)
    writer = Writer(settings)
    pop, job = prepare(writer, settings, cfg, start)
    write_population(writer, job)
    return Session(settings, writer, HotlineSimulator(cfg, pop, start, *writer.next_ids()), persist=False)


@pytest.fixture(scope="module")
def lived_day(tmp_path_factory):
    """A day played by the simulator ten minutes at a time and polled after each step (a restart at 13:00), the
    live history read just before midnight with that cycle's snapshot, then settled two hours after midnight."""
    from settings import load_settings

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("day")), pbx_tz=MSK, tz=MSK, sim_scale=0.01)
    start, end = day_bounds(DAY, MSK)
    session = _simulator(settings, start - 3600)
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    engine, keeper = _live(settings, repo)
    seen = {}
    for now in [*range(int(start) - 3600 + STEP_S, int(end), STEP_S), end - 1, end + STEP_S]:
        session.step(now)
        if now >= RESTART_AT and "restart" not in seen:
            seen["restart"] = now
            engine, keeper = _live(settings, repo)
        snapshot = engine.cycle(now)
        if now == end - 1:
            seen["snapshot"], seen["before_midnight"] = snapshot, repo.queue_intervals(start, end)
    session.writer.close()
    seen["live"] = repo.queue_intervals(start, end)
    seen["live_operators"] = repo.operator_days(DAY, DAY)  # written by the day roll's flush only
    keeper.settle(end + 2 * 3600 + 900, max_replays=3)
    return settings, repo, seen


def _sums(rows, queue):
    return {k: sum(r.counts.get(k, 0) for r in rows if r.scope == queue) for k in (*COUNTS, "answered_in_t")}


def test_the_96_intervals_of_a_day_add_up_to_what_the_live_snapshot_showed_before_midnight(lived_day):
    _settings, _repo, seen = lived_day
    rows, snapshot = seen["before_midnight"], seen["snapshot"]
    assert snapshot["queues"]["technical"]["offered"] > 100
    for queue, q in snapshot["queues"].items():
        assert len([r for r in rows if r.scope == queue]) == 96
        sums = _sums(rows, queue)
        assert {k: sums[k] for k in COUNTS} == {k: q[k] for k in COUNTS}, queue
        day_kpis = kpis([r for r in rows if r.scope == queue], MetricParams(threshold_s=T))
        assert round(day_kpis["service_level"], 4) == q["service_level"]


def test_the_settled_day_equals_a_plain_sql_count_over_queue_log_per_queue(lived_day):
    settings, repo, _seen = lived_day
    start, end = day_bounds(DAY, MSK)
    final = repo.queue_intervals(start, end)
    assert final and all(r.final for r in final) and repo.final_until() >= end
    lo, hi = (datetime.fromtimestamp(t, ZoneInfo(MSK)).strftime("%Y-%m-%d %H:%M:%S.%f") for t in (start, end))
    with make_engine(settings.url("telephony")).connect() as conn:
        counted = conn.execute(text(DAY_SQL), {"lo": lo, "hi": hi, "t": T}).mappings().all()
    assert {r["queuename"] for r in counted} == {"general", "cabinet", "technical", "documents"}
    for r in counted:
        sums = _sums(final, r["queuename"])
        assert (sums["offered"], sums["answered"], sums["abandoned"], sums["answered_in_t"]) == \
            (r["offered"], r["answered"], r["abandoned"], r["answered_in_t"])


def test_the_settled_day_channels_equal_a_plain_sql_count_over_tickets(lived_day):
    settings, repo, _seen = lived_day
    start, end = day_bounds(DAY, MSK)
    final = repo.channel_intervals(start, end)
    lo, hi = (datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") for t in (start, end))
    with make_engine(settings.url("ticketing")).connect() as conn:
        counted = conn.execute(text("""
            SELECT channel, SUM(created_at >= :lo AND created_at < :hi) AS created,
                   SUM(first_response_at >= :lo AND first_response_at < :hi) AS responded
            FROM tickets WHERE channel != 'phone' GROUP BY channel"""), {"lo": lo, "hi": hi}).mappings().all()
    assert len(counted) >= 4
    for r in counted:
        rows = [c for c in final if c.scope == r["channel"]]
        assert len(rows) == 96 and all(c.final for c in rows)
        assert (sum(c.created for c in rows), sum(c.responded for c in rows)) == (r["created"], r["responded"])


def test_a_restart_at_13_00_and_settling_change_no_interval_of_the_day(lived_day):
    _settings, repo, seen = lived_day
    start, end = day_bounds(DAY, MSK)
    live = {(r.scope, r.start_ts): r for r in seen["live"]}
    final = {(r.scope, r.start_ts): r for r in repo.queue_intervals(start, end)}
    assert seen["restart"] >= RESTART_AT and live.keys() == final.keys() and len(live) == 4 * 96
    for key, row in final.items():
        was = live[key]
        assert (row.counts, row.answer_waits, row.abandon_waits) == (was.counts, was.answer_waits,
                                                                     was.abandon_waits), key
        assert row.agents == pytest.approx(was.agents, abs=1), key
    settled = {d.name: d for d in repo.operator_days(DAY, DAY)}
    assert len(seen["live_operators"]) > 20 and {d.name for d in seen["live_operators"]} == settled.keys()
    for day in seen["live_operators"]:
        assert (day.answered, day.handled, day.talk_s) == (settled[day.name].answered, settled[day.name].handled,
                                                           settled[day.name].talk_s)
        assert day.staffed_s == pytest.approx(settled[day.name].staffed_s, abs=1)


def test_rebuilding_the_settled_day_from_the_sources_writes_the_same_rows(lived_day):
    settings, repo, _seen = lived_day
    start, end = day_bounds(DAY, MSK)
    before = repo.queue_intervals(start, end), repo.channel_intervals(start, end), repo.operator_days(DAY, DAY)
    assert rebuild_days(settings, repo, DAY, DAY, now=end + 86400) == {"rebuilt": 0, "skipped": 1, "rows": 0}
    done = rebuild_days(settings, repo, DAY, DAY, force=True, now=end + 86400)
    assert done["rebuilt"] == 1 and before[2]
    after = repo.queue_intervals(start, end), repo.channel_intervals(start, end), repo.operator_days(DAY, DAY)
    assert after == before


# -- real data, DST, blocked callers -------------------------------------------------------------------------------
def test_the_freepbx_sample_rebuilt_by_the_command_gives_21_8_12_and_the_raw_rows_service_levels(
        tmp_path, monkeypatch, queue_log_sample):
    import app
    from poller.replay import replay_snapshot
    from settings import load_settings

    for name, value in (("DATA_DIR", str(tmp_path)), ("PBX_TZ", "UTC"), ("TZ", "UTC")):
        monkeypatch.setenv(f"HOTLINE_{name}", value)
    assert app.main(["import-queue-log", str(queue_log_sample)]) == 0
    assert app.main(["history", "rebuild", "--from", "2010-02-22", "--to", "2010-02-22"]) == 0
    settings = load_settings()
    snapshot = replay_snapshot(settings, 1266839779)["queues"]["9000"]
    rows = HistoryRepository(open_app_db(settings.url("app_db"))).queue_intervals(*day_bounds("2010-02-22", "UTC"),
                                                                                  ["9000"])
    assert len(rows) == 96 and all(r.final for r in rows)
    fields = [line.split("|") for line in queue_log_sample.read_text().splitlines()]
    holds = [int(f[5]) for f in fields if f[4] == "CONNECT"]
    waits = [int(f[7]) for f in fields if f[4] == "ABANDON"]
    for t in (10, 20, 30):
        k = kpis(rows, MetricParams(threshold_s=t, short_abandon_s=5))
        assert (k["offered"], k["answered"], k["abandoned"]) == (21, 8, 12) == \
            (snapshot["offered"], snapshot["answered"], snapshot["abandoned"])
        raw = sum(h <= t for h in holds) / (len(holds) + len(waits) - sum(w < 5 for w in waits))
        assert k["service_level"] == pytest.approx(raw)
    assert k["short_abandoned"] == 2 == snapshot["short_abandoned"]


@pytest.mark.parametrize("day, tz, count", [("2026-03-29", "Europe/Berlin", 92), ("2026-10-25", "Europe/Berlin", 100),
                                            ("2026-11-26", "Asia/Kolkata", 96)])
def test_a_rebuilt_local_day_has_one_row_per_queue_and_interval_of_its_length(settings, day, tz, count):
    settings = replace(settings, tz=tz, pbx_tz=tz)
    sources = Sources(settings)
    start, end = day_bounds(day, tz)
    at = [start + 4 * 3600 + 60, end - 600]  # 4 h after midnight (past the change of the clocks), 23:50
    sources.queue_log(*[(datetime.fromtimestamp(t, ZoneInfo(tz)).replace(tzinfo=None).isoformat(), f"c{i}", "general",
                         "NONE", "ENTERQUEUE", "", "1", "1") for i, t in enumerate(at)])
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    rebuild_days(settings, repo, day, day, now=end + 86400)
    rows = repo.queue_intervals(start, end, ["general"])
    assert len(rows) == count and rows[0].start_ts == start and rows[-1].start_ts == end - 900
    assert [r.start_ts for r in rows if r.counts.get("offered")] == [t - t % 900 for t in at]
    if tz == "Asia/Kolkata":
        assert start % 3600 == 1800  # 00:00 IST is 18:30 UTC: its hours start at half past in UTC


def test_callers_turned_away_count_once_as_blocked_in_the_snapshot_and_the_history(settings, sources):
    from poller.replay import replay_snapshot

    sources.queue_log(("2026-11-26 10:00:00", "c1", "general", "NONE", "ENTERQUEUE", "", "1", "1"),
                      ("2026-11-26 10:01:00", "b1", "general", "NONE", "FULL", ""),
                      ("2026-11-26 10:01:00", "b1", "general", "NONE", "FULL", ""),  # the same row twice
                      ("2026-11-26 10:02:00", "b2", "general", "NONE", "JOINEMPTY", ""),
                      ("2026-11-26 10:20:00", "b3", "general", "NONE", "JOINUNAVAIL", ""))
    q = replay_snapshot(settings, utc("2026-11-26T10:30:00"))["queues"]["general"]
    assert (q["offered"], q["blocked"], q["received"]) == (1, 3, 4)
    assert (q["windows"]["60"]["blocked"], q["windows"]["60"]["received"]) == (3, 4)
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    rebuild_days(settings, repo, "2026-11-26", "2026-11-26", now=utc("2026-11-26T10:30:00"))
    rows = repo.queue_intervals(utc("2026-11-26T10:00:00"), utc("2026-11-26T10:30:00"), ["general"])
    assert [r.counts.get("blocked", 0) for r in rows] == [2, 1]
    assert kpis(rows, MetricParams())["received"] == 4
