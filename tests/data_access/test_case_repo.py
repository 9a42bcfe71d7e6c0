"""Cases: hits grouped by operator-day, scoring, the triage workflow, allow-rules and the overview metrics."""

import pytest

from data_access.appdb import open_app_db
from data_access.case_repo import CaseRepository
from domain.cases import TriageError, overview
from domain.detectors.model import Hit

T0 = 1_764_136_800.0


def hit(detector, points, operator=7, day="2025-11-26", scope="", access=(1,)):
    return Hit(detector, operator, day, T0, points, f"причина {detector}", f"reason {detector}", tuple(access),
               (100,), scope=scope)


@pytest.fixture
def cases(settings):
    return CaseRepository(open_app_db(settings.url("app_db")))


def test_hits_make_one_case_per_operator_day_with_score_and_band(cases):
    touched = cases.record_hits([hit("D01", 10), hit("D04", 60), hit("D01", 10, operator=8)], T0)
    assert len(touched) == 2
    big = next(c for c in cases.list(min_band="info") if c["operator_id"] == 7)
    assert (big["score"], big["band"], big["status"], big["detectors"]) == (70, "high", "new", ["D01", "D04"])
    assert cases.record_hits([hit("D04", 60)], T0 + 5) == set()  # the same hit again (a replay) adds nothing


def test_three_detectors_raise_the_band_to_high(cases):
    cases.record_hits([hit("D01", 10), hit("D07", 15), hit("D18", 5, scope="ip")], T0)
    [case] = cases.list(min_band="info")
    assert case["score"] == 30 and case["band"] == "high"


def test_triage_close_needs_a_reason_and_escalation_holds_evidence(cases):
    [case_id] = cases.record_hits([hit("D06", 60)], T0)
    cases.start_review(case_id, "sec1", T0 + 60)
    with pytest.raises(TriageError):
        cases.close(case_id, "sec1", "", "whatever", T0 + 120)
    with pytest.raises(TriageError):
        cases.close(case_id, "sec1", "false_positive", "  ", T0 + 120)
    incident = cases.escalate(case_id, "sec1", "VIP record opened", True, T0 + 130)
    case = cases.get(case_id)
    assert case["legal_hold"] and case["incident_id"] == incident and case["assignee"] == "sec1"
    assert cases.held_access_ids() == {1}
    cases.close(case_id, "sec1", "true_positive", "confirmed curiosity", T0 + 200)
    with pytest.raises(TriageError):
        cases.assign(case_id, "sec2", "sec1", T0 + 300)
    assert [e["action"] for e in cases.get(case_id)["events"]] == ["created", "review", "escalated", "closed"]


def test_new_evidence_reopens_a_closed_case(cases):
    [case_id] = cases.record_hits([hit("D01", 10)], T0)
    cases.close(case_id, "sec1", "benign_positive", "callback on request", T0 + 10)
    cases.record_hits([hit("D12", 50, scope="burst")], T0 + 20)
    assert cases.get(case_id)["status"] == "new"


def test_clearances_awaiting_a_second_officer_are_listed_until_confirmed(cases):
    low, confirmed, guilty = (cases.record_hits([hit("D01", 10, operator=op)], T0).pop() for op in (7, 8, 9))
    for case_id, closure in ((low, "false_positive"), (confirmed, "benign_positive"), (guilty, "true_positive")):
        cases.close(case_id, "sec1", closure, "checked", T0 + 10)
    cases.confirm_clearance(confirmed, "sec2", T0 + 20, T0 + 10)
    assert [c["id"] for c in cases.list(status="to_confirm", min_band="info")] == [low]
    stored = cases.get(confirmed)
    assert (stored["closed_by"], stored["confirmed_by"]) == ("sec1", "sec2") and stored["confirmed_at"]
    assert [e["action"] for e in stored["events"]][-1] == "confirmed"


def test_allow_rules_expire_and_are_capped_at_180_days(cases):
    rule = cases.add_allow_rule("D07", operator_id=7, team_id=None, reason="night shift swap", actor="sec1",
                                days=400, now=T0)
    [active] = cases.allow_rules(T0 + 86400)
    assert active.id == rule and active.expires_at == pytest.approx(T0 + 180 * 86400)
    assert cases.allow_rules(T0 + 181 * 86400) == []
    with pytest.raises(TriageError):
        cases.add_allow_rule("D07", operator_id=None, team_id=None, reason="x", actor="sec1", days=10, now=T0)


def test_auto_assign_spreads_new_cases_over_reviewers(cases):
    ids_ = cases.record_hits([hit("D04", 60, operator=o) for o in range(1, 5)], T0)
    cases.auto_assign(ids_, ["sec1", "sec2"], T0)
    assignees = sorted(c["assignee"] for c in cases.list(status="assigned"))
    assert assignees == ["sec1", "sec1", "sec2", "sec2"]


def test_the_overview_from_stored_cases_gives_precision_0_5_and_1_5_hours_to_close(cases):
    a, b = sorted(cases.record_hits([hit("D04", 60, operator=1), hit("D04", 60, operator=2)], T0))
    cases.close(a, "s", "true_positive", "ok", T0 + 3600)
    cases.close(b, "s", "false_positive", "neighbour is a colleague", T0 + 7200)
    facts = cases.review_facts(T0 - 86400)
    assert sorted((c.id, c.status, c.closure) for c in facts.cases) == [(a, "closed", "true_positive"),
                                                                          (b, "closed", "false_positive")]
    assert facts.recent_hits == [("D04", T0), ("D04", T0)] and facts.case_detectors == {(a, "D04"), (b, "D04")}
    m = overview(facts, T0 + 7200, "Europe/Moscow")
    assert m.precision["D04"] == {"closed": 2, "precision": 0.5}
    assert m.time_to_close_h == 1.5
    assert m.hits_per_day["2025-11-26"] == {"D04": 2}


def test_hits_before_the_window_are_not_loaded_for_the_chart(cases):
    cases.record_hits([hit("D04", 60)], T0)
    assert cases.review_facts(T0 + 1).recent_hits == []


def test_a_band_that_does_not_exist_is_refused_rather_than_listing_every_case(cases):
    cases.record_hits([hit("D01", 10)], T0)
    with pytest.raises(ValueError):
        cases.list(min_band="severe")


def test_a_triage_step_on_a_case_that_does_not_exist_is_refused(cases):
    for step in (lambda: cases.assign(99, "sec1", "sec1", T0), lambda: cases.start_review(99, "sec1", T0),
                 lambda: cases.set_hold(99, True, "sec1", T0), lambda: cases.escalate(99, "sec1", "x", False, T0),
                 lambda: cases.close(99, "sec1", "duplicate", "same as #1", T0)):
        with pytest.raises(TriageError, match="no such case"):
            step()


def test_escalating_a_suspected_leak_sets_the_24_and_72_hour_deadlines(cases):
    from sqlalchemy import select

    from data_access.schema.appdb import incident_log

    [case_id] = cases.record_hits([hit("D12", 50, scope="burst")], T0)
    incident = cases.escalate(case_id, "sec1", "", True, T0)
    with cases.engine.connect() as conn:
        row = conn.execute(select(incident_log).where(incident_log.c.id == incident)).first()
    assert row.title == f"case {case_id}"
    assert (row.notify_by - row.created_at).total_seconds() == 24 * 3600
    assert (row.report_by - row.created_at).total_seconds() == 72 * 3600
