"""The SLA report's SQL reads give the figures of HistoryRepository's own rows, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.clock import day_add
from domain.sla import WhatIf
from domain.sla_report import Request, SlaReport, build, history_span, prepare
from simulator import history_rows

TZ = "Europe/Moscow"
DAY = 86400
START = datetime(2026, 11, 1, tzinfo=ZoneInfo(TZ)).timestamp()   # last month: November 2026
END = datetime(2026, 12, 1, tzinfo=ZoneInfo(TZ)).timestamp()
NOW = END + 3 * DAY + 3600


def fill(url: str, settings):
    """November 2026 and the 40 days before it (scale 0.02), and November's operator days, through
    HistoryRepository."""
    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository

    shape = history_rows.Shape(scale=0.02)
    engine = open_app_db(url)
    repo = HistoryRepository(engine)
    first = START - 40 * DAY
    repo.upsert_queue_intervals(list(history_rows.intervals(first, END, TZ, shape)), final=True)
    repo.upsert_channel_intervals(list(history_rows.channel_intervals(first, END, TZ, shape)), final=True)
    repo.upsert_operator_days(list(history_rows.operator_days([day_add("2026-11-01", k) for k in range(30)], shape)))
    return engine, repo


def both_ways(engine, repo, settings, whatif: WhatIf) -> tuple[SlaReport, SlaReport]:
    from data_access.sla_inputs import base_inputs, read_inputs
    from domain.history import previous_period

    req = Request(START, END, "day", whatif, "technical")
    by_sql = build(read_inputs(req, settings, engine, NOW))
    first, last = history_span(req)
    prev, _ = previous_period(START, END)
    pure = build(prepare(base_inputs(req, settings, NOW), repo.queue_intervals(first, last),
                         repo.channel_intervals(prev, END), repo.operator_days("2026-11-01", "2026-11-30")))
    return by_sql, pure


WHAT_IFS = [WhatIf(), WhatIf("asterisk", 30), WhatIf("asterisk2", 10, 3), WhatIf("default", 3, 10, True)]


def assert_same(by_sql: SlaReport, pure: SlaReport) -> None:
    for key, table in pure.tables.items():
        got = by_sql.table(key)
        assert _close(got.rows, table.rows), key
        assert _close([got.total or {}], [table.total or {}]), key
    assert by_sql.heatmap.z == pure.heatmap.z


def _close(a: list[dict], b: list[dict]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x.keys() != y.keys():
            return False
        for k in x:
            u, v = x[k], y[k]
            if isinstance(u, float) and isinstance(v, float) and abs(u - v) <= 1e-9 * max(1.0, abs(v)):
                continue
            if u != v:
                return False
    return True


@pytest.fixture(scope="module")
def sqlite_history(tmp_path_factory):
    from settings import load_settings

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("slahist")), tz=TZ)
    engine, repo = fill(settings.url("app_db"), settings)
    return settings, engine, repo


@pytest.mark.parametrize("whatif", WHAT_IFS)
def test_sqlite_sql_reads_give_every_table_of_the_rows_read_one_by_one(sqlite_history, whatif):
    settings, engine, repo = sqlite_history
    by_sql, pure = both_ways(engine, repo, settings, whatif)
    assert by_sql.table("lines").total["offered"] > 15_000
    assert_same(by_sql, pure)


@pytest.mark.postgres
def test_postgresql_sql_reads_give_every_table_of_the_rows_read_one_by_one(postgres_url, tmp_path):
    from settings import load_settings

    settings = load_settings({}, data_dir=str(tmp_path), tz=TZ, app_db_url=postgres_url("slahistory"))
    engine, repo = fill(settings.url("app_db"), settings)
    for whatif in WHAT_IFS:
        assert_same(*both_ways(engine, repo, settings, whatif))


def test_the_usual_1800_of_monday_the_30th_is_the_median_of_the_four_mondays_before(sqlite_history):
    from data_access.sla_history import usual_intervals

    _settings, engine, repo = sqlite_history
    ts = int(datetime(2026, 11, 30, 18, 0, tzinfo=ZoneInfo(TZ)).timestamp())
    found = usual_intervals(engine, [("technical", ts)], TZ)[("technical", ts)]
    weeks = [i.counts.get("offered", 0) for w in (7, 14, 21, 28)
             for i in repo.queue_intervals(ts - w * DAY, ts - w * DAY + 1, ["technical"])]
    assert len(weeks) == 4 and found.counts["offered"] == (sorted(weeks)[1] + sorted(weeks)[2]) / 2
