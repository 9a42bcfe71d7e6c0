"""The case policy: the triage workflow, reopening, round-robin assignment, allow-rules and the overview's figures."""

import pytest

from domain.cases import (
    AGE_BUCKETS,
    CLOSURES,
    OPEN,
    STATUSES,
    SYSTEM,
    TRIAGE_ACTIONS,
    Case,
    Event,
    ReviewFacts,
    TriageError,
    age_bucket,
    allow_rule,
    allowable,
    assigned,
    assignments,
    closed,
    escalated,
    explained_rate,
    held,
    hits_per_day,
    hits_since,
    incident,
    median_hours,
    open_by_band_age,
    opened,
    overview,
    precision,
    rescored,
    review_started,
)
from domain.detectors.model import Hit

T0 = 1_764_136_800.0  # 2025-11-26 06:00 UTC, 09:00 in Moscow
HOUR = 3600.0
MSK = "Europe/Moscow"


def hit(detector: str, points: int) -> Hit:
    return Hit(detector, 7, "2025-11-26", T0, points, "причина", "reason", (1,), (100,))


def case(case_id: int = 1, status: str = "new", band: str = "medium", **more) -> Case:
    return Case(case_id, status, band, **more)


# -- states and lists -----------------------------------------------------------------------------------------------
def test_a_case_is_new_assigned_in_review_or_closed_and_the_first_three_are_open():
    assert STATUSES == ("new", "assigned", "in_review", "closed") and OPEN == STATUSES[:3]


def test_an_officer_has_seven_triage_actions_and_four_closure_reasons():
    assert TRIAGE_ACTIONS == ("assign_me", "review", "hold", "escalate", "close", "allow", "confirm")
    assert CLOSURES == ("true_positive", "benign_positive", "false_positive", "duplicate")


# -- the case's life -------------------------------------------------------------------------------------------------
def test_a_new_case_starts_at_score_0_band_info_with_a_created_line():
    step = opened(T0)
    assert step.values == {"score": 0, "band": "info", "status": "new", "created_at": T0, "updated_at": T0}
    assert step.event == Event(SYSTEM, "created")


def test_hits_of_10_and_60_points_score_a_case_70_high_and_leave_an_open_case_open():
    step = rescored(case(status="assigned"), [hit("D01", 10), hit("D04", 60)], T0)
    assert step.values == {"score": 70, "band": "high", "updated_at": T0} and step.event is None


def test_new_evidence_reopens_a_closed_case_as_new():
    step = rescored(case(status="closed"), [hit("D01", 10), hit("D12", 50)], T0 + HOUR)
    assert step.values["status"] == "new" and (step.values["score"], step.values["band"]) == (60, "medium")
    assert step.event == Event(SYSTEM, "reopened", "new evidence")


def test_assigning_sets_the_assignee_and_the_time_and_a_closed_case_is_refused():
    step = assigned(case(), "sec2", "sec1", T0)
    assert step.values == {"status": "assigned", "assignee": "sec2", "assigned_at": T0, "updated_at": T0}
    assert step.event == Event("sec1", "assigned", "sec2")
    with pytest.raises(TriageError, match="the case is closed"):
        assigned(case(status="closed"), "sec2", "sec1", T0)


def test_starting_a_review_of_an_unassigned_case_makes_it_the_reviewers():
    assert review_started(case(), "sec1", T0).values == {"status": "in_review", "updated_at": T0,
                                                         "assignee": "sec1", "assigned_at": T0}
    assert review_started(case(assignee="sec2"), "sec1", T0).values == {"status": "in_review", "updated_at": T0}


@pytest.mark.parametrize("closure, detail, message", [("", "whatever", "a closure reason is required"),
                                                      ("solved", "whatever", "a closure reason is required"),
                                                      ("false_positive", "  ", "describe the reason")])
def test_closing_needs_one_of_the_4_reasons_and_an_explanation(closure, detail, message):
    with pytest.raises(TriageError, match=message):
        closed(case(), "sec1", closure, detail, T0)


def test_closing_records_the_reason_and_a_second_close_is_refused():
    step = closed(case(status="in_review"), "sec1", "true_positive", "confirmed curiosity", T0)
    assert step.values["status"] == "closed" and step.values["closure"] == "true_positive"
    assert step.event == Event("sec1", "closed", "true_positive: confirmed curiosity")
    with pytest.raises(TriageError, match="already closed"):
        closed(case(status="closed"), "sec1", "duplicate", "again", T0)


def test_a_clearance_is_confirmed_by_a_second_officer_never_by_the_one_who_closed_it():
    from domain.cases import clearance_confirmed

    cleared = closed(case(status="in_review"), "sec1", "false_positive", "the citizen wrote in", T0)
    assert cleared.values["closed_by"] == "sec1" and cleared.values["confirmed_by"] is None
    done = case(status="closed", closure="false_positive", closed_by="sec1", closed_at=T0)
    with pytest.raises(TriageError, match="cannot confirm"):
        clearance_confirmed(done, "sec1", T0, T0)
    step = clearance_confirmed(done, "sec2", T0 + HOUR, T0 + 0.4)      # the page shows whole seconds
    assert step.values["confirmed_by"] == "sec2" and step.event == Event("sec2", "confirmed", "false_positive")
    with pytest.raises(TriageError, match="already confirmed by sec2"):
        clearance_confirmed(case(status="closed", closure="false_positive", closed_by="sec1", confirmed_by="sec2",
                                 closed_at=T0), "sec3", T0, T0)


def test_a_confirmation_is_of_the_closure_the_officer_saw_not_of_one_made_since():
    from domain.cases import clearance_confirmed

    closed_again = case(status="closed", closure="false_positive", closed_by="sec3", closed_at=T0 + HOUR)
    for seen in (T0, None):
        with pytest.raises(TriageError, match="closed again since it was opened"):
            clearance_confirmed(closed_again, "sec2", T0 + 2 * HOUR, seen)


def test_a_clearance_whose_closing_officer_is_unknown_cannot_be_confirmed_by_anyone():
    from domain.cases import clearance_confirmed

    with pytest.raises(TriageError, match="not on record"):
        clearance_confirmed(case(status="closed", closure="false_positive", closed_by=None, closed_at=T0), "sec2",
                            T0, T0)


@pytest.mark.parametrize("status, closure", [("in_review", None), ("closed", "true_positive"),
                                             ("closed", "duplicate")])
def test_only_a_case_closed_as_false_or_benign_positive_takes_a_confirmation(status, closure):
    from domain.cases import clearance_confirmed

    with pytest.raises(TriageError, match="only a case closed as a false or benign positive"):
        clearance_confirmed(case(status=status, closure=closure, closed_by="sec1", closed_at=T0), "sec2", T0, T0)


def test_a_day_leaves_cumulative_risk_once_its_clearance_is_confirmed_or_at_once_without_four_eyes():
    from domain.cases import counts_as_cleared

    assert not counts_as_cleared("closed", "false_positive", None, second_officer=True)
    assert counts_as_cleared("closed", "false_positive", "sec2", second_officer=True)
    assert counts_as_cleared("closed", "benign_positive", None, second_officer=False)
    assert not counts_as_cleared("closed", "true_positive", "sec2", second_officer=False)
    assert not counts_as_cleared("new", None, None, second_officer=False)


def test_new_evidence_on_a_confirmed_clearance_reopens_the_case_without_closure_or_confirmation():
    step = rescored(case(status="closed", closure="false_positive", closed_by="sec1", confirmed_by="sec2"),
                    [hit("D01", 10)], T0)
    assert step.values["status"] == "new" and step.values["confirmed_by"] is None and step.values["closed_by"] is None


def test_every_step_on_a_missing_case_is_refused():
    for step in (lambda: assigned(None, "a", "a", T0), lambda: review_started(None, "a", T0),
                 lambda: closed(None, "a", "duplicate", "x", T0), lambda: held(None, True, "a", T0),
                 lambda: incident(None, "a", "title", False, T0)):
        with pytest.raises(TriageError, match="no such case"):
            step()


def test_a_suspected_leak_must_be_notified_within_24_hours_and_reported_within_72():
    entry = incident(case(4), "sec1", "", True, T0)
    assert entry["title"] == "case 4" and entry["leak_suspected"]
    assert (entry["notify_by"] - T0, entry["report_by"] - T0) == (24 * HOUR, 72 * HOUR)
    assert incident(case(4), "sec1", "VIP record", False, T0)["notify_by"] is None


def test_escalation_and_a_hold_keep_the_evidence():
    assert escalated(12, "sec1", T0).values == {"incident_id": 12, "legal_hold": True, "updated_at": T0}
    assert held(case(), False, "sec1", T0).event == Event("sec1", "hold_released")


def test_an_allow_rule_of_400_days_is_cut_to_180_and_of_0_days_lasts_1():
    rule, event = allow_rule("D07", 7, None, "night shift swap", "sec1", 400, T0)
    assert rule["expires_at"] == T0 + 180 * 24 * HOUR and event == Event("sec1", "allow_rule", "D07 for 180 days")
    assert allow_rule("D07", None, 3, "team rota", "sec1", 0, T0)[0]["expires_at"] == T0 + 24 * HOUR


def test_an_allow_rule_needs_a_reason_a_target_and_a_detector_of_the_case():
    with pytest.raises(TriageError, match="needs a reason"):
        allow_rule("D07", 7, None, "  ", "sec1", 30, T0)
    with pytest.raises(TriageError, match="operator or a team"):
        allow_rule("D07", None, None, "rota", "sec1", 30, T0)
    assert allowable("D06", ["D01", "D06"]) == "D06"
    with pytest.raises(TriageError, match="detector of this case"):
        allowable("D99", ["D01", "D06"])


# -- automatic assignment ---------------------------------------------------------------------------------------------
def test_4_new_medium_cases_are_spread_2_and_2_over_two_officers():
    chosen = assignments([case(i) for i in range(1, 5)], ["sec1", "sec2"], {})
    assert chosen == {1: "sec1", 2: "sec2", 3: "sec1", 4: "sec2"}


def test_the_officer_with_3_open_cases_gets_new_ones_after_the_one_with_none():
    chosen = assignments([case(1), case(2), case(3), case(4)], ["sec1", "sec2"], {"sec1": 3, None: 10})
    assert chosen == {1: "sec2", 2: "sec2", 3: "sec2", 4: "sec1"}


def test_low_cases_cases_under_review_and_a_team_without_officers_get_nobody_assigned():
    found = [case(1, band="low"), case(2, status="in_review"), case(3, band="critical")]
    assert assignments(found, ["sec1"], {}) == {3: "sec1"}
    assert assignments(found, [], {}) == {}


# -- the overview's figures -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hours, bucket", [(0, "<24h"), (23.9, "<24h"), (24, "24-72h"), (71.9, "24-72h"),
                                           (72, ">72h"), (600, ">72h"), (601, ">25d")])
def test_a_case_23_9_hours_old_is_under_24h_72_hours_is_overdue_and_601_hours_is_over_25_days(hours, bucket):
    assert age_bucket(hours) == bucket and bucket in AGE_BUCKETS


def test_open_cases_are_counted_by_band_and_age_and_closed_ones_are_not():
    found = [case(1, band="high", created_at=T0), case(2, band="high", created_at=T0 - 80 * HOUR),
             case(3, status="closed", created_at=T0)]
    table = open_by_band_age(found, T0 + HOUR)
    assert table["high"] == {"<24h": 1, ">72h": 1} and table["medium"] == {} and set(table) == {
        "info", "low", "medium", "high", "critical"}


def test_precision_is_1_true_positive_of_2_verdicts_and_a_duplicate_does_not_count():
    found = [case(1, status="closed", closure="true_positive"), case(2, status="closed", closure="false_positive"),
             case(3, status="closed", closure="duplicate"), case(4)]
    pairs = [(1, "D04"), (2, "D04"), (3, "D04"), (4, "D04"), (1, "D01"), (1, "D01")]
    assert precision(found, pairs) == {"D01": {"closed": 1, "precision": 1.0},
                                       "D04": {"closed": 2, "precision": 0.5}}


def test_median_time_is_1_5_hours_of_1_and_2_hours_and_missing_ends_are_left_out():
    assert median_hours([(T0, T0 + HOUR), (T0, T0 + 2 * HOUR), (T0, None)]) == 1.5
    assert median_hours([(T0, None)]) is None
    assert median_hours([(T0, T0)]) == 0.0  # assigned at once by the round-robin: 0 hours, not "unknown"


def test_hits_are_counted_per_moscow_day_with_all_14_days_on_the_axis():
    late = T0 + 15 * HOUR  # 2025-11-26 21:00 UTC is 27 November 00:00 in Moscow
    per_day = hits_per_day([("D04", T0), ("D04", T0), ("D01", late), ("D01", T0 - 30 * 24 * HOUR)], late, MSK)
    assert len(per_day) == 14 and list(per_day)[0] == "2025-11-14" and list(per_day)[-1] == "2025-11-27"
    assert per_day["2025-11-26"] == {"D04": 2} and per_day["2025-11-27"] == {"D01": 1}
    assert per_day["2025-11-20"] == {}


def test_the_chart_starts_at_moscow_midnight_13_days_before_today():
    assert hits_since(T0, MSK) == T0 - 9 * HOUR - 13 * 24 * HOUR


def test_the_overview_counts_2_open_cases_of_medium_and_above_and_2_of_any_band_past_72_hours():
    found = [case(1, band="medium", created_at=T0), case(2, band="critical", created_at=T0 - 100 * HOUR),
             case(3, band="low", created_at=T0 - 100 * HOUR), case(4, status="closed", band="high")]
    m = overview(ReviewFacts(found, [], set()), T0, MSK)
    assert (m.open_reviewed, m.overdue) == (2, 2)
    assert (m.time_to_assign_h, m.time_to_close_h) == (None, None) and m.precision == {}


def test_95_explained_of_100_accesses_is_0_95_and_no_access_has_no_rate():
    assert explained_rate(100, 5) == 0.95 and explained_rate(0, 0) is None
