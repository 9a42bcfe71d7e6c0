"""Cumulative risk: low and slow adds up over 7 and 30 days against the peers, with a half-life."""

from domain.clock import day_add
from domain.detectors.risk import WINDOWS, cumulative, day_risk, findings, judge

R07, R30 = WINDOWS
DAY0 = "2025-03-01"


def _rows(op, days, per_day, detector="D01", points=10, band="info"):
    return [(op, day_add(DAY0, k), band, detector, points) for k in range(days) for _ in range(per_day)]


def _daily(op, days, risk):
    return {op: {day_add(DAY0, k): risk for k in range(days)}}


def test_three_unexplained_records_a_day_reach_the_7_day_floor_of_40_on_the_second_day():
    daily = _daily(1, 2, 30.0)
    assert judge(1, day_add(DAY0, 0), daily, [], R07) is None
    found = judge(1, day_add(DAY0, 1), daily, [], R07)
    assert round(found.total, 1) == 54.6 and found.points == 40 and [d for d, _ in found.days] == \
        [DAY0, day_add(DAY0, 1)]


def test_one_unexplained_record_a_day_crosses_r07_on_the_7th_day_and_r30_on_the_9th():
    daily = _daily(1, 30, 10.0)
    r07 = [k for k in range(30) if judge(1, day_add(DAY0, k), daily, [], R07)]
    r30 = [k for k in range(30) if judge(1, day_add(DAY0, k), daily, [], R30)]
    assert r07[0] == 6 and r30[0] == 8
    assert judge(1, day_add(DAY0, 29), daily, [], R30).points == 70    # a sum of 166: high, never critical


def test_volume_an_explained_watch_list_access_and_days_already_medium_add_nothing():
    assert day_risk([("D10", 20), ("D06", 15)]) == 0
    assert day_risk([("D01", 10), ("D01", 10), ("D07", 15)]) == 35
    assert day_risk([("D01", 10), ("D06", 60)]) == 0            # a medium case already: reviewed anyway
    assert day_risk([("D01", 10)] * 3 + [("R07", 40)]) == 30    # the cumulative hit itself is left out
    assert day_risk([("D01", 10)] * 30) == 100


def test_a_team_where_all_6_peers_have_the_same_low_and_slow_risk_raises_nothing():
    daily = {op: {day_add(DAY0, k): 20.0 for k in range(7)} for op in range(1, 8)}
    assert judge(1, day_add(DAY0, 6), daily, list(range(2, 8)), R07) is None
    daily[1] = {day_add(DAY0, k): 30.0 for k in range(7)}
    for op in range(2, 8):
        daily[op] = {day_add(DAY0, 6): 10.0}
    assert judge(1, day_add(DAY0, 6), daily, list(range(2, 8)), R07) is not None


def test_findings_come_for_operators_with_hits_that_day_and_list_contributing_days_in_the_reason():
    rows = _rows(1, 3, 3) + _rows(2, 3, 1)
    out = findings(day_add(DAY0, 2), rows, {1, 2}, lambda op: [])
    assert [(op, f.window.detector) for op, f in out] == [(1, "R07"), (1, "R30")]
    total, parts = cumulative({day_add(DAY0, k): 30.0 for k in range(3)}, day_add(DAY0, 2), R07)
    assert len(parts) == 3 and round(total) == 75
    from domain.detectors.risk import reasons

    ru, en = reasons(out[0][1])
    assert "cumulative risk over 7 days 75 (floor 40, peers' median 0)" in en
    assert f"days: {DAY0} (30), {day_add(DAY0, 1)} (30), {day_add(DAY0, 2)} (30)" in en and "накопленный риск" in ru


def test_a_recorded_window_is_withdrawn_only_when_it_rested_on_a_day_an_officer_cleared():
    from domain.detectors.risk import withdrawn

    day = day_add(DAY0, 2)
    rows, cleared = _rows(1, 3, 3)[3:], _rows(1, 1, 3)            # day 0 cleared; days 1 and 2 stay: 30 + 30
    assert withdrawn([("R07", 1, day)], rows, cleared, lambda op: []) == []   # 30*2^(-1/3.5)+30 = 54: still fires
    rows = _rows(1, 3, 3)[6:]                                       # days 0 and 1 cleared: 30 on the day alone
    cleared = _rows(1, 2, 3)
    assert withdrawn([("R07", 1, day)], rows, cleared, lambda op: []) == [("R07", 1, day, [DAY0, day_add(DAY0, 1)])]


def test_a_window_that_stops_firing_because_the_peers_grew_is_kept_not_withdrawn():
    from domain.detectors.risk import withdrawn

    day = day_add(DAY0, 2)
    peers = [row for op in range(2, 8) for row in _rows(op, 3, 3)]  # every peer as risky as the operator now
    assert withdrawn([("R07", 1, day)], _rows(1, 3, 3) + peers, [], lambda op: list(range(1, 8))) == []


def test_only_the_operators_own_cleared_days_are_added_back_when_deciding_a_withdrawal():
    from domain.detectors.risk import withdrawn

    day = "2025-03-10"

    def points(op, on, total):
        return [(op, on, "info", "D01", 5)] * (total // 5)

    live = points(1, day, 45) + points(3, day, 10) + points(4, day, 20) + points(5, day, 30) + points(6, day, 40)
    own_cleared = points(1, day_add(day, -1), 10)
    peers_cleared = points(2, day, 20) + points(3, day, 10)     # a peer's cleared day says nothing about operator 1
    assert withdrawn([("R07", 1, day)], live, own_cleared + peers_cleared, lambda op: list(range(1, 7))) == []
