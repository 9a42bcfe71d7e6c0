"""domain/sla.py: collapsed histograms, period figures, the heatmap, misses, worst intervals, staffing, forecast."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain import sla
from domain.history import IntervalCounts, kpis
from domain.lines import QueueConfig
from domain.metrics import MetricParams

MSK = "Europe/Moscow"


def at(text: str, tz: str = MSK) -> int:
    """A local time as a UTC epoch."""
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp())


def interval(start: int, offered: int = 0, answer: dict | None = None, abandon: dict | None = None,
             scope: str = "general", **extra) -> IntervalCounts:
    answer, abandon = answer or {}, abandon or {}
    answered, abandoned = sum(answer.values()), sum(abandon.values())
    counts = {"offered": offered or answered + abandoned, "answered": answered, "abandoned": abandoned,
              "handled": answered, "hold_sum": sum(s * n for s, n in answer.items()), "talk_sum": 170.0 * answered,
              **extra.pop("counts", {})}
    return IntervalCounts(scope, start, counts, dict(answer), dict(abandon), **extra)


SAMPLE = interval(at("2026-11-02 10:00"), answer={0: 4, 3: 10, 15: 5, 20: 2, 25: 4, 40: 1, 3600: 1},
                  abandon={0: 1, 2: 3, 4: 1, 5: 2, 8: 2, 20: 1, 30: 2}, counts={"blocked": 6})


@pytest.mark.parametrize("variant", ["default", "asterisk", "asterisk2"])
@pytest.mark.parametrize("threshold_s", [0, 3, 4, 5, 10, 20, 30, 60])
@pytest.mark.parametrize("short_s", [0, 1, 5, 10])
@pytest.mark.parametrize("with_blocked", [False, True])
def test_collapsed_histograms_give_the_full_histograms_figures(variant, threshold_s, short_s, with_blocked):
    params = MetricParams(threshold_s=threshold_s, short_abandon_s=short_s, variant=variant)
    full = kpis([SAMPLE], params, with_blocked)
    assert kpis([sla.collapse(SAMPLE, params)], sla.canonical(params), with_blocked) == full


def test_a_period_of_two_intervals_sums_counts_before_dividing():
    params = MetricParams(threshold_s=20, short_abandon_s=5)
    a = interval(at("2026-11-02 10:00"), answer={5: 9}, abandon={30: 1})    # 9 of 10: 90 %
    b = interval(at("2026-11-02 10:15"), answer={5: 10, 60: 80}, abandon={})  # 10 of 90: 11 %
    f = sla.figures(sla.collapsed([a, b], {"general": params}), params)
    assert f["offered"] == 100 and f["answered_in_t"] == 19
    assert f["service_level"] == pytest.approx(19 / 100)  # not the mean of 90 % and 11 %
    assert f["met"] is False


def test_blocked_callers_count_as_offered_and_not_answered_in_time_in_the_service_level_with_them():
    params = MetricParams(threshold_s=20, short_abandon_s=5, goal=0.8)
    item = interval(at("2026-11-02 10:00"), answer={5: 80, 40: 20}, counts={"blocked": 25})
    f = sla.figures([sla.collapse(item, params)], params, blocked_too=True)
    assert (f["offered"], f["received"], f["blocked"]) == (100, 125, 25)
    assert f["service_level"] == pytest.approx(0.80) and f["met"] is True
    assert f["service_level_blocked"] == pytest.approx(80 / 125)


def test_occupancy_and_operators_come_from_the_agent_seconds():
    params = MetricParams()
    agents = {"staffed_s": 9000.0, "available_s": 1800.0, "busy_s": 5400.0, "paused_s": 1800.0}
    f = sla.figures([interval(at("2026-11-02 10:00"), answer={1: 3}, agents=agents)], params)
    assert f["occupancy"] == pytest.approx(5400 / 7200)
    assert f["logged_in"] == pytest.approx(10.0) and f["available"] == pytest.approx(2.0)


def test_a_what_if_threshold_replaces_each_lines_own_and_keeps_its_goal():
    line = QueueConfig("technical", "Тех", "Tech", sl_threshold_s=20, sl_goal=0.9)
    assert sla.line_params(line, sla.WhatIf(), 15).threshold_s == 20
    p = sla.line_params(line, sla.WhatIf(variant="asterisk", threshold_s=30, short_abandon_s=3), 15)
    assert (p.threshold_s, p.goal, p.variant, p.short_abandon_s, p.wrapup_s) == (30, 0.9, "asterisk", 3, 15)
    assert sla.line_params(line, sla.WhatIf(threshold_s=0), 15).threshold_s == 0


def test_lines_with_t_on_both_sides_of_the_short_abandon_limit_have_no_common_service_level():
    assert sla.total_params({"a": MetricParams(threshold_s=20), "b": MetricParams(threshold_s=30)}) is not None
    assert sla.total_params({"a": MetricParams(threshold_s=20), "b": MetricParams(threshold_s=3)}) is None


def test_the_change_against_the_previous_period_is_a_plain_difference():
    d = sla.change({"service_level": 0.83, "offered": 120, "asa_s": None}, {"service_level": 0.80, "offered": 100,
                                                                           "asa_s": 12.0},
                   ("service_level", "offered", "asa_s"))
    assert d["service_level"] == pytest.approx(0.03) and d["offered"] == 20 and d["asa_s"] is None


def test_figures_by_day_are_grouped_in_the_local_zone():
    params = {"general": MetricParams()}
    late = interval(at("2026-11-02 23:45"), answer={1: 10})   # 20:45 UTC: still the 2nd in Moscow
    early = interval(at("2026-11-03 00:00"), answer={1: 4})   # 21:00 UTC on the 2nd: the 3rd in Moscow
    rows = sla.by_bucket(sla.collapsed([late, early], params), "day", MSK, params)
    assert [(r["start_ts"], r["offered"]) for r in rows] == [(at("2026-11-02"), 10), (at("2026-11-03"), 4)]


def test_the_heatmap_puts_each_interval_under_its_local_date_and_time():
    params = MetricParams(threshold_s=20, goal=0.8)
    items = [interval(at("2026-11-02 09:00"), answer={5: 9, 30: 1}), interval(at("2026-11-03 09:00"), answer={30: 4}),
             interval(at("2026-11-03 18:15"), answer={5: 2}), interval(at("2026-11-03 18:15"), scope="other")]
    h = sla.heatmap(sla.collapsed(items, {"general": params}), "general", MSK, params)
    assert h.days == ["2026-11-02", "2026-11-03"] and h.slots == ["09:00", "18:15"]
    assert h.z == [[pytest.approx(0.9), 0.0], [None, 1.0]]
    assert h.calls == [[10, 4], [0, 2]]


def test_the_day_the_clocks_go_back_has_100_intervals_and_its_repeated_hour_shares_cells():
    berlin = "Europe/Berlin"
    start = at("2026-10-25 00:00", berlin)
    items = [interval(start + k * 900, answer={5: 1}) for k in range(100)]
    assert at("2026-10-26 00:00", berlin) - start == 100 * 900
    h = sla.heatmap(sla.collapsed(items, {"general": MetricParams()}), "general", berlin, MetricParams())
    assert h.days == ["2026-10-25"] and len(h.slots) == 96
    assert h.calls[h.slots.index("02:15")] == [2] and h.calls[h.slots.index("04:15")] == [1]


def test_days_and_intervals_missed_are_counted_and_shared_per_line():
    params = {"general": MetricParams(threshold_s=20, goal=0.8)}
    items = [interval(at("2026-11-02 10:00"), answer={5: 9, 30: 1}),    # 90 %
             interval(at("2026-11-03 10:00"), answer={5: 7, 30: 3}),    # 70 %: missed
             interval(at("2026-11-03 10:15"), answer={5: 10}),          # 100 %: the 3rd is 17/20 = 85 %, met
             interval(at("2026-11-04 10:00"), answer={5: 1, 30: 9}),    # 10 %: missed
             interval(at("2026-11-04 11:00"), abandon={2: 1})]          # only a short abandon: not measured
    m = sla.missed_counts(sla.collapsed(items, params), MSK, params)
    assert m == [{"scope": "general", "goal": 0.8, "days": 3, "days_missed": 1,
                  "days_missed_share": pytest.approx(1 / 3), "intervals": 4, "intervals_missed": 2,
                  "intervals_missed_share": 0.5}]


def test_the_worst_intervals_are_those_short_by_the_most_calls():
    params = {"general": MetricParams(threshold_s=20, goal=0.8)}
    small = interval(at("2026-11-02 03:00"), answer={60: 4})                  # 0 %, but 4 calls: too small
    bad = interval(at("2026-11-02 10:00"), answer={5: 10, 60: 10})            # 50 % of 20: short by 6 calls
    worse = interval(at("2026-11-02 18:00"), answer={5: 120, 60: 80})         # 60 % of 200: short by 40 calls
    fine = interval(at("2026-11-02 12:00"), answer={5: 90, 60: 10})           # 90 %: met
    found = sla.worst(sla.collapsed([small, bad, worse, fine], params), params)
    assert [(i.start_ts, f["shortfall"]) for i, f in found] == [(worse.start_ts, 40.0), (bad.start_ts, 6.0)]


def test_the_same_weekday_and_time_four_weeks_back_keep_the_local_time_across_a_clock_change():
    berlin = "Europe/Berlin"
    starts = sla.weeks_before(at("2026-11-09 18:00", berlin), berlin)
    assert [datetime.fromtimestamp(s, ZoneInfo(berlin)).strftime("%Y-%m-%d %H:%M %a") for s in starts] == [
        "2026-11-02 18:00 Mon", "2026-10-26 18:00 Mon", "2026-10-19 18:00 Mon", "2026-10-12 18:00 Mon"]
    assert starts[1] - starts[2] == 7 * 86400 + 3600  # the week holding the change is an hour longer


def test_the_usual_interval_is_the_median_of_the_weeks_that_have_it():
    ts = at("2026-11-30 18:00")
    index = {("general", s): interval(s, offered=n, answer={1: n}) for s, n in
             zip(sla.weeks_before(ts, MSK)[:3], (100, 140, 120), strict=True)}  # the 4th week back is missing
    assert sla.usual(index, "general", ts, MSK).counts["offered"] == 120
    assert sla.usual(index, "technical", ts, MSK) is None


def test_staffing_per_interval_takes_erlang_c_for_the_reference_case():
    # 50 calls in 15 minutes at AHT 180 s (170 s talk + 10 s wrap-up) is the brief's 100 calls per 30 minutes.
    params = MetricParams(threshold_s=20, goal=0.8, wrapup_s=10)
    agents = {"staffed_s": 12 * 900.0, "available_s": 2 * 900.0}
    item = interval(at("2026-11-02 10:00"), answer={5: 50}, agents=agents)
    row = sla.staffing_rows([item], params, sla.StaffingRules(0.85, 0.30), None)[0]
    assert (row["offered"], row["aht_s"], row["needed"], row["scheduled"]) == (50, 180.0, 14, 20)
    assert (row["logged_in"], row["available"], row["gap"]) == (12.0, 2.0, 2.0)


def test_an_interval_without_handled_calls_takes_the_periods_aht_and_an_empty_one_needs_nobody():
    params = MetricParams(threshold_s=20, goal=0.8, wrapup_s=10)
    rows = sla.staffing_rows([interval(at("2026-11-02 10:00"), offered=50, counts={"handled": 0}),
                              interval(at("2026-11-02 10:15"))], params, sla.StaffingRules(), 180.0)
    assert [(r["needed"], r["scheduled"]) for r in rows] == [(14, 20), (0, 0)]


def test_the_1800_peak_needs_14_operators_8_more_than_the_6_logged_in_now():
    params = MetricParams(threshold_s=20, goal=0.8, wrapup_s=10)
    now = at("2026-11-30 16:05")  # a Monday
    index = {}
    for k in range(16):
        ts = at("2026-11-30 16:00") + k * 900
        calls = 50 if ts == at("2026-11-30 18:00") else 10
        for s in sla.weeks_before(ts, MSK):
            index[("technical", s)] = interval(s, answer={5: calls}, scope="technical")
    rows = sla.forecast(index, "technical", now, MSK, params, sla.StaffingRules())
    assert len(rows) == 16 and rows[0]["start_ts"] == at("2026-11-30 16:00")
    top = sla.peak(rows, logged_in_now=6)
    assert (top["start_ts"], top["offered"], top["needed"], top["more"]) == (at("2026-11-30 18:00"), 50, 14, 8)
    assert sla.peak(rows, logged_in_now=0)["more"] == 14


def test_the_figures_of_each_interval_are_those_of_the_interval_alone():
    params = {"general": MetricParams(threshold_s=20, goal=0.8)}
    agents = {"staffed_s": 9000.0, "available_s": 1800.0, "busy_s": 5400.0, "paused_s": 1800.0}
    items = sla.collapsed([SAMPLE, interval(at("2026-11-02 10:15"), answer={5: 8, 30: 2}, agents=agents)], params)
    each = sla.per_interval(items, params, with_blocked=True)
    assert [each[(i.scope, i.start_ts)] for i in items] == [sla.figures([i], params["general"], True) for i in items]


# -- written appeals against 59-FZ --------------------------------------------------------------------------------
DAY = 86400
RULES = sla.AppealRules(register_days=3, answer_days=30, warn_days=5)
ARRIVED = at("2026-11-02 10:00")


def appeal(registered_after_days: float | None, answered_after_days: float | None, k: int = 1,
           channel: str = "email") -> sla.Appeal:
    reg = None if registered_after_days is None else ARRIVED + registered_after_days * DAY
    ans = None if answered_after_days is None else ARRIVED + answered_after_days * DAY
    return sla.Appeal(k, channel, ARRIVED, reg, ans)


def test_an_appeal_registered_in_2_days_and_answered_28_days_later_is_in_time_on_both_counts():
    c = sla.appeal_clock(appeal(2, 30), ARRIVED + 40 * DAY, RULES)
    assert (c["registered_in_time"], c["answered_in_time"], c["open"]) == (True, True, False)
    assert c["register_due"] == ARRIVED + 3 * DAY and c["answer_due"] == ARRIVED + 32 * DAY


def test_the_30_days_run_from_registration_and_an_unregistered_appeal_is_late_after_3_days():
    assert sla.appeal_clock(appeal(3, 33), ARRIVED + 40 * DAY, RULES)["answered_in_time"] is True
    late = sla.appeal_clock(appeal(None, None), ARRIVED + 4 * DAY, RULES)
    assert late["registered_in_time"] is False and late["overdue"] and late["days_left"] == pytest.approx(-1)


def test_an_open_appeal_is_at_risk_5_days_before_its_answer_deadline_and_not_before():
    # Registered after 1 day: the answer is due 31 days after arrival.
    assert not sla.appeal_clock(appeal(1, None), ARRIVED + 25 * DAY, RULES)["at_risk"]
    risky = sla.appeal_clock(appeal(1, None), ARRIVED + 26 * DAY, RULES)
    assert risky["at_risk"] and not risky["overdue"] and risky["days_left"] == pytest.approx(5)
    assert risky["answered_in_time"] is None  # undecided while the deadline is ahead


def test_the_summary_counts_arrivals_in_the_period_and_risks_of_every_open_appeal():
    now = ARRIVED + 30 * DAY
    appeals = [appeal(1, 10, 1), appeal(4, 20, 2), appeal(1, None, 3), appeal(None, None, 4, "app"),
               sla.Appeal(5, "email", ARRIVED - 40 * DAY, ARRIVED - 39 * DAY, None)]  # older, open and overdue
    summary = sla.appeal_summary(appeals, ARRIVED, ARRIVED + DAY, now, RULES)
    email = summary["email"]
    assert (email["arrived"], email["registered_ok"], email["registered_decided"]) == (3, 2, 3)
    assert (email["answered_ok"], email["answered_decided"], email["open"], email["at_risk"]) == (2, 2, 2, 2)
    assert email["overdue"] == 1 and summary["app"]["registered_in_time"] == 0.0
    listed = sla.appeals_at_risk(appeals, now, RULES)
    assert [(r["ticket_id"], r["stage"]) for r in listed] == [(5, "answer"), (4, "register"), (3, "answer")]


# -- periods and FCR/CSAT groups ------------------------------------------------------------------------------------
def test_last_month_is_the_whole_calendar_month_and_this_month_stops_at_the_current_interval():
    now = at("2026-12-04 17:05")
    assert sla.period_bounds("last_month", now, MSK) == (at("2026-11-01"), at("2026-12-01"))
    assert sla.period_bounds("this_month", now, MSK) == (at("2026-12-01"), at("2026-12-04 17:15"))
    assert sla.period_bounds("custom", now, MSK, "2026-10-01", "2026-10-31") == (at("2026-10-01"), at("2026-11-01"))


@pytest.mark.parametrize("since, until", [("2026-11-30", "2026-11-01"), (None, "2026-11-01"),
                                          ("2025-01-01", "2026-11-30")])
def test_a_custom_period_backwards_half_given_or_over_a_year_is_refused(since, until):
    with pytest.raises(sla.PeriodError):
        sla.period_bounds("custom", at("2026-12-04 17:05"), MSK, since, until)


def test_15_minute_rows_are_refused_past_31_days_and_days_are_not():
    start = at("2026-01-01")
    sla.check_granularity("interval", start, start + 31 * DAY)
    with pytest.raises(sla.PeriodError):
        sla.check_granularity("interval", start, start + 40 * DAY)
    sla.check_granularity("day", start, start + 366 * DAY)


def test_fcr_and_survey_counts_add_up_per_line_and_per_channel():
    rows = [sla.QualityRow("phone", "technical", "T1", "op1", {"resolved": 10, "fcr": 7}),
            sla.QualityRow("phone", "technical", "T2", "op2", {"resolved": 5, "fcr": 5, "surveys": 2, "csat_sum": 9}),
            sla.QualityRow("chat", "", "D1", "", {"resolved": 4, "fcr": 1})]
    assert sla.quality_counts(rows, sla.line_of)["technical"]["fcr"] == 12
    assert list(sla.quality_counts(rows, sla.channel_of)) == ["chat"]


def test_an_unregistered_appeal_is_at_risk_only_in_the_last_day_before_its_3_day_registration_deadline():
    assert not sla.appeal_clock(appeal(None, None), ARRIVED + 1.5 * DAY, RULES)["at_risk"]
    assert sla.appeal_clock(appeal(None, None), ARRIVED + 2.5 * DAY, RULES)["at_risk"]


def test_the_page_opens_on_last_month_only_when_the_history_holds_it():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from domain.sla import default_period

    msk = ZoneInfo("Europe/Moscow")
    now = datetime(2026, 12, 4, 18, 0, tzinfo=msk).timestamp()
    assert default_period(None, now, "Europe/Moscow") == "today"
    assert default_period(datetime(2026, 12, 4, 0, 0, tzinfo=msk).timestamp(), now, "Europe/Moscow") == "today"
    assert default_period(datetime(2026, 12, 1, 0, 0, tzinfo=msk).timestamp(), now, "Europe/Moscow") == "this_month"
    assert default_period(datetime(2026, 10, 28, 0, 0, tzinfo=msk).timestamp(), now, "Europe/Moscow") == "last_month"
