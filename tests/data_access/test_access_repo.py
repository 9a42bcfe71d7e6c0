"""The app database's copy of the access journal: validated filters, paging, verdicts, daily counts, purge."""

import pytest

from data_access.access_repo import AccessFilter, AccessRepository, FilterError
from data_access.appdb import open_app_db

T0 = 1_764_136_800.0  # 2025-11-26 06:00 UTC


def _row(i, operator=1, citizen=10, action="view", explained=True, reason="ticket", ts=None, day="2025-11-26"):
    return {"id": i, "ts": ts if ts is not None else T0 + i, "day": day, "operator_id": operator,
            "operator_login": f"op{operator}", "team_id": 5, "citizen_id": citizen, "citizen_masked": "И***в И. И.",
            "action": action, "ticket_id": None, "call_id": None, "ip": "10.0.0.1", "explained": explained,
            "reason": reason}


@pytest.fixture
def repo(settings):
    return AccessRepository(open_app_db(settings.url("app_db")))


@pytest.mark.parametrize("field, value", [
    ("operator", "1; DROP TABLE access_events"), ("citizen", "1 OR 1=1"), ("action", "view' OR '1'='1"),
    ("since", "yesterday"), ("until", "2026-13-45"), ("operator", "9" * 20), ("citizen", "x" * 10000),
    ("explained", "maybe"),
])
def test_bad_filters_are_refused_with_a_message(field, value):
    with pytest.raises(FilterError) as exc:
        AccessFilter.parse(**{field: value})
    assert str(exc.value).startswith(field)


def test_filters_page_and_count(repo):
    repo.add([_row(i, operator=1 + i % 2, citizen=10 + i % 3, explained=i % 4 != 0, reason="none" if i % 4 == 0
                   else "ticket") for i in range(1, 41)])
    assert repo.count(AccessFilter.parse()) == 40
    flt = AccessFilter.parse(operator="1", explained="no")
    rows = repo.page(flt, 0, 100)
    assert rows and all(r["operator_id"] == 1 and not r["explained"] for r in rows)
    assert repo.count(flt) == len(rows)
    first, second = repo.page(AccessFilter(), 0, 15), repo.page(AccessFilter(), 15, 15)
    assert len(first) == 15 and not {r["id"] for r in first} & {r["id"] for r in second}
    assert repo.page(AccessFilter.parse(since="2030-01-01"), 0, 10) == []


def test_a_row_stored_twice_is_stored_once_and_verdicts_arrive_later(repo):
    repo.add([_row(1, explained=False, reason="pending")])
    repo.add([_row(1, explained=False, reason="pending")])
    assert repo.count(AccessFilter()) == 1
    repo.set_verdicts({1: (False, "none")})
    assert repo.page(AccessFilter(), 0, 1)[0]["reason"] == "none"
    assert repo.unexplained_days(1, 10, "2025-11-01") == {"2025-11-26"}
    assert repo.daily_counts(1, "2025-11-27", 28) == [1]


def test_explained_rate_per_team(repo):
    repo.add([_row(i, explained=i > 2, reason="none" if i <= 2 else "ticket") for i in range(1, 11)])
    [team] = repo.explained_rate_by_team("2025-11-01")
    assert (team["touches"], team["unexplained"], team["explained_rate"]) == (10, 2, 0.8)


def test_searches_are_not_counted_as_record_touches(repo):
    repo.add([_row(1, action="search", reason="search"), _row(2, citizen=11)])
    assert repo.daily_counts(1, "2025-11-27", 28) == [1]


def test_purge_keeps_rows_held_as_evidence(repo):
    repo.add([_row(i, ts=T0 - 40 * 86400 + i) for i in range(1, 6)] + [_row(9)])
    deleted = repo.purge(T0 - 30 * 86400, keep_ids={2, 3})
    assert deleted == 3
    assert sorted(r["id"] for r in repo.page(AccessFilter(), 0, 10)) == [2, 3, 9]
    [team] = repo.explained_rate_by_team("2025-11-01")
    assert team["touches"] == 6  # counts outlive the rows


def test_access_times_of_one_operator_in_a_window(repo):
    repo.add([_row(i, operator=1 + i % 2) for i in range(1, 21)])
    assert repo.access_times(1, T0 + 4, T0 + 10) == [T0 + 4, T0 + 6, T0 + 8]
    assert repo.access_times(3, T0, T0 + 100) == []


def test_the_team_of_rows_copied_before_the_names_comes_from_the_names_copy(repo):
    from data_access.operator_names import OperatorNames
    from domain.operators import OperatorInfo

    repo.add([{**_row(i, operator=1), "team_id": None} for i in range(1, 4)] + [_row(9, operator=2)])
    OperatorNames(repo.engine).replace_all([OperatorInfo(1, login="op1", full_name="Иванова А. П.", team_id=3,
                                                         team_name="Линия 3"),
                                            OperatorInfo(4, login="op4", full_name="Петров П. П.", team_id=5,
                                                         team_name="Линия 5")])
    teams = {r["team_id"]: (r["team_name"], r["touches"]) for r in repo.explained_rate_by_team("2025-11-01")}
    # operator 2 left the CRM: the team noted with the counts (5) stands in, named after its other member
    assert teams == {3: ("Линия 3", 3), 5: ("Линия 5", 1)}


def test_a_date_filter_is_a_whole_day_in_the_hotlines_zone():
    flt = AccessFilter.parse(since="2025-11-26", until="2025-11-26", tz="Europe/Moscow")
    assert (flt.since, flt.until) == (T0 - 9 * 3600, T0 + 15 * 3600)  # Moscow midnight to midnight, in UTC
    assert AccessFilter.parse(since="2025-11-26T06:00:00Z", tz="Europe/Moscow").since == T0


def test_a_grid_block_holds_at_most_500_rows_but_an_export_reads_all_1200(repo):
    repo.add([_row(i) for i in range(1, 1201)])
    flt = AccessFilter.parse()
    assert len(repo.page(flt, 0, 5000)) == 500
    newest = repo.newest(flt, 100_000)
    assert len(newest) == 1200 and newest[0]["id"] == 1200 and newest[-1]["id"] == 1
    assert [r["id"] for r in repo.newest(flt, 3)] == [1200, 1199, 1198]  # a cut keeps the newest rows
