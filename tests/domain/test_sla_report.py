"""domain/sla_report.py: the report's tables from plain history rows (the pure path the SQL reads must equal)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.history import ChannelInterval, IntervalCounts, OperatorDay
from domain.lines import ChannelConfig, QueueConfig
from domain.sla import WhatIf
from domain.sla_report import ALL, SlaInputs, build, prepare

MSK = "Europe/Moscow"
QUEUES = (QueueConfig("general", "Общие", "General"), QueueConfig("technical", "Тех", "Technical", sl_goal=0.9))
CHANNELS = (ChannelConfig("chat", "Чат", "Chat", 60), ChannelConfig("email", "Почта", "E-mail", 86400))


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(MSK)).timestamp())


def calls(scope: str, start: str, in_t: int, late: int, **agents) -> IntervalCounts:
    answered = in_t + late
    return IntervalCounts(scope, at(start), {"offered": answered, "answered": answered, "handled": answered,
                                             "talk_sum": 180.0 * answered, "hold_sum": 10.0 * answered},
                          {5: in_t, 60: late} if late else {5: in_t}, {}, 60.0 if late else 5.0,
                          {k: float(v) for k, v in agents.items()})


def inputs(**kw) -> SlaInputs:
    return SlaInputs(at("2026-11-02"), at("2026-11-04"), at("2026-11-05 12:00"), MSK, "day", QUEUES, CHANNELS, 15,
                     **kw)


ROWS = [calls("general", "2026-11-01 10:00", 50, 50),                  # the day before: 50 %
        calls("general", "2026-11-02 10:00", 80, 20, staffed_s=9000),   # 80 %
        calls("general", "2026-11-03 10:00", 95, 5, staffed_s=9000),    # 95 %
        calls("technical", "2026-11-02 18:00", 30, 70, staffed_s=1800)]  # 30 %


def test_the_lines_table_gives_each_line_and_all_lines_with_the_change_against_the_day_before():
    report = build(prepare(inputs(), ROWS, [], []))
    lines = {r["scope"]: r for r in report.table("lines").rows}
    assert lines["general"]["offered"] == 200 and lines["general"]["service_level"] == pytest.approx(175 / 200)
    assert lines["general"]["service_level_delta"] == pytest.approx(175 / 200 - 0.5)
    assert lines["general"]["met"] is True and lines["technical"]["met"] is False  # 30 % against its 90 % goal
    total = report.table("lines").total
    assert total["scope"] == ALL and total["offered"] == 300 and total["service_level"] == pytest.approx(205 / 300)
    assert total["goal"] is None  # the lines' goals differ: no single verdict for all of them


def test_the_worst_interval_names_the_alerts_fired_in_it_about_its_line_or_a_portal_service():
    alerts = [{"rule": "queue_waiting", "scope": "technical", "fired_at": "2026-11-02T15:05:00Z"},
              {"rule": "service_down", "scope": "esia", "fired_at": "2026-11-02T15:10:00Z"},
              {"rule": "queue_waiting", "scope": "general", "fired_at": "2026-11-02T15:10:00Z"},
              {"rule": "queue_waiting", "scope": "technical", "fired_at": "2026-11-02T16:00:00Z"}]
    worst = build(prepare(inputs(alerts=alerts), ROWS, [], [])).table("worst").rows
    assert [(r["scope"], r["start_ts"], r["alerts"]) for r in worst] == [
        ("technical", at("2026-11-02 18:00"), "queue_waiting, service_down")]


def test_the_worst_interval_names_the_portal_incidents_open_at_some_time_of_it():
    from domain.services import Incident

    incidents = [Incident(1, at("2026-11-02 17:40"), at("2026-11-02 18:05"), "esia", "major", "ЕСИА: вход",
                          "resolved"),
                 Incident(2, at("2026-11-02 18:14"), None, "pay", "minor", "Оплата пошлин", "open"),
                 Incident(3, at("2026-11-02 12:00"), at("2026-11-02 17:59"), "fns", "minor", "ФНС", "resolved")]
    worst = build(prepare(inputs(incidents=incidents), ROWS, [], [])).table("worst").rows
    assert [(r["scope"], r["incidents"]) for r in worst] == [("technical", "ЕСИА: вход; Оплата пошлин")]


def test_first_response_service_level_is_recomputed_for_the_channels_target_from_its_histogram():
    rows = [ChannelInterval("chat", at("2026-11-02 10:00"), created=10, responded=10, responded_in_t=0,
                            backlog=2, resolved=8, resolved_by_due=6, response_waits={45: 6, 60: 1, 90: 3}),
            ChannelInterval("chat", at("2026-11-02 10:15"), created=4, responded=4, responded_in_t=3, backlog=1)]
    chat = build(prepare(inputs(), [], rows, [])).table("channels").rows[0]
    assert (chat["created"], chat["responded"], chat["backlog_end"]) == (14, 14, 1)
    assert chat["service_level"] == pytest.approx((7 + 3) / 14) and chat["resolved_by_due"] == pytest.approx(6 / 8)


def test_operators_and_their_teams_add_up_days_and_pauses():
    days = [OperatorDay("op1", "2026-11-02", answered=40, handled=40, talk_s=6800, wrapup_s=600, staffed_s=28800,
                        busy_s=7400, paused_s=3600, paused_by_reason={"Обед": 3600}),
            OperatorDay("op1", "2026-11-03", answered=60, handled=60, talk_s=10200, wrapup_s=900, staffed_s=28800,
                        busy_s=11100, paused_s=1800, paused_by_reason={"Перерыв": 1800}),
            OperatorDay("op2", "2026-11-02", answered=10, handled=10, talk_s=1700, wrapup_s=150, staffed_s=14400,
                        busy_s=1850, paused_s=0)]
    directory = {"op1": ("Иванова А. П.", "Группа 1"), "op2": ("Петров И. И.", "Группа 1")}
    report = build(prepare(inputs(directory=directory), [], [], days))
    op1 = next(r for r in report.table("operators").rows if r["member"] == "op1")
    assert (op1["operator"], op1["answered"], op1["aht_s"]) == ("Иванова А. П.", 100, pytest.approx(185.0))
    assert op1["occupancy"] == pytest.approx(18500 / (57600 - 5400))
    assert (op1["pause:Обед"], op1["pause:Перерыв"], op1["pause_s"]) == (3600, 1800, 5400)
    team = report.table("teams").rows[0]
    assert (team["team"], team["operators"], team["answered"]) == ("Группа 1", 2, 110)


def test_a_what_if_t_of_60_seconds_meets_both_goals():
    report = build(prepare(inputs(whatif=WhatIf(threshold_s=60)), ROWS, [], []))
    assert all(r["met"] for r in report.table("lines").rows)


def test_fcr_and_satisfaction_of_a_line_come_from_its_phone_tickets_and_surveys():
    from domain.sla import QualityRow

    counts = {"resolved": 40, "fcr": 30, "surveys": 10, "csat_sum": 43, "csat_top": 8, "survey_resolved_answers": 9,
              "survey_resolved_yes": 6}
    quality = [QualityRow("phone", "general", "T1", "op1", counts),
               QualityRow("chat", "", "D1", "", {"resolved": 10, "fcr": 10})]
    report = build(prepare(inputs(quality=quality), ROWS, [], []))
    general = next(r for r in report.table("lines").rows if r["scope"] == "general")
    assert (general["fcr"], general["csat"], general["csat_top"]) == (0.75, 4.3, 0.8)
    assert general["survey_resolved"] == pytest.approx(6 / 9)
    assert report.table("lines").total["fcr"] == 0.75  # the chat's tickets are not a line's
    assert report.table("channels").rows[0]["fcr"] == 1.0
