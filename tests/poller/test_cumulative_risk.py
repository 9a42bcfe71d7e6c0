"""Cumulative risk in the poller: three unexplained records a day, each day only 'info', open a medium case."""

from types import SimpleNamespace

from data_access.appdb import open_app_db
from data_access.case_repo import CaseRepository
from domain.clock import day_add, iso_epoch, local_day
from domain.detectors.model import Hit
from poller.security import SecurityPipeline
from settings import load_settings

NOW = 1741600800.0          # 2025-03-10 10:00 UTC


def _d01(op, day, cid, ts):
    return Hit("D01", op, day, ts, 10, "нет звонка", "no call", (cid,), (cid,), scope=f"c{cid}")


def _three_days_of_three(tmp_path) -> tuple[CaseRepository, str]:
    """Operator 1 with 3 unexplained records on each of the last 3 days (each day only 'info'); (cases, today)."""
    cases = CaseRepository(open_app_db(f"sqlite:///{tmp_path}/app.db"))
    today = local_day(NOW, "UTC")
    for k in (2, 1, 0):
        day = day_add(today, -k)
        cases.record_hits([_d01(1, day, 100 * k + c, NOW - k * 86400) for c in range(3)], NOW - k * 86400)
    return cases, today


def _confirm(cases: CaseRepository, case_id: int, now: float) -> None:
    """A second officer confirms the clearance as the page shows it."""
    cases.confirm_clearance(case_id, "second officer", now, iso_epoch(cases.get(case_id)["closed_at"]))


def _pipeline(cases: CaseRepository) -> SimpleNamespace:
    """Just what SecurityPipeline._cumulative reads of its pipeline."""
    ns = SimpleNamespace(s=load_settings({}, tz="UTC"), cases=cases, ctx=SimpleNamespace(peers=lambda op: []),
                         _risk_at=-1e18, _risk_told={}, _risk_withdrawn=set())
    ns._withdraw_cleared = lambda *args: SecurityPipeline._withdraw_cleared(ns, *args)
    ns._risk_hit = lambda *args: SecurityPipeline._risk_hit(ns, *args)
    return ns


def test_3_unexplained_records_a_day_on_3_days_open_an_r07_case_listing_the_days(tmp_path):
    cases, today = _three_days_of_three(tmp_path)
    assert {c["band"] for c in cases.list(min_band="info")} == {"info"}
    pipeline = _pipeline(cases)
    touched = SecurityPipeline._cumulative(pipeline, NOW)
    [case] = [c for c in cases.list(min_band="medium") if c["day"] == today]
    assert case["id"] in touched and "R07" in case["detectors"] and "R30" in case["detectors"]
    r07 = next(h for h in cases.get(case["id"])["hits"] if h.detector == "R07")
    assert day_add(today, -2) in r07.reason_en and len(r07.access_ids) == 9
    assert SecurityPipeline._cumulative(pipeline, NOW + 60) == set()     # judged every 5 minutes


def test_days_cleared_as_false_or_benign_positive_and_confirmed_by_a_second_officer_add_no_cumulative_risk(
        tmp_path):
    cases, today = _three_days_of_three(tmp_path)
    for closure, day in (("false_positive", day_add(today, -2)), ("benign_positive", day_add(today, -1))):
        [case] = [c for c in cases.list(min_band="info") if c["day"] == day]
        cases.close(case["id"], "officer", closure, "the citizen asked by letter", NOW)
        _confirm(cases, case["id"], NOW + 10)
    pipeline = _pipeline(cases)
    SecurityPipeline._cumulative(pipeline, NOW)
    assert not [c for c in cases.list(min_band="medium", status=None)]   # one day of 30 points is not a pattern


def test_a_cleared_day_that_gets_new_evidence_opens_again_without_its_closure_and_counts_again(tmp_path):
    cases = CaseRepository(open_app_db(f"sqlite:///{tmp_path}/app.db"))
    day = local_day(NOW, "UTC")
    cases.record_hits([_d01(1, day, 1, NOW)], NOW)
    [case] = cases.list(min_band="info")
    cases.close(case["id"], "officer", "false_positive", "a letter explained it", NOW + 60)
    assert len(cases.risk_rows(day)) == 1                                  # one officer's word is not enough
    assert cases.risk_rows(day, second_officer=False) == []
    _confirm(cases, case["id"], NOW + 90)
    assert cases.risk_rows(day) == []
    cases.record_hits([_d01(1, day, 2, NOW + 120)], NOW + 120)   # new evidence on the same operator-day
    reopened = cases.get(case["id"])
    assert reopened["status"] == "new" and reopened["closure"] is None and reopened["confirmed_by"] is None
    assert len(cases.risk_rows(day)) == 2


def test_clearing_the_days_an_r07_case_rested_on_withdraws_its_cumulative_hits_and_says_which_days(tmp_path):
    cases, today = _three_days_of_three(tmp_path)
    pipeline = _pipeline(cases)
    SecurityPipeline._cumulative(pipeline, NOW)
    [case] = [c for c in cases.list(min_band="medium") if c["day"] == today]
    cleared = []
    for day in (day_add(today, -2), day_add(today, -1)):
        [old] = [c for c in cases.list(min_band="info") if c["day"] == day]
        cases.close(old["id"], "officer", "false_positive", "the citizens wrote in", NOW + 60)
        cleared.append(old["id"])
    SecurityPipeline._cumulative(pipeline, NOW + 300)        # one officer's clearances: the hits stay
    assert {"R07", "R30"} <= {h.detector for h in cases.get(case["id"])["hits"]}
    for case_id in cleared:
        _confirm(cases, case_id, NOW + 400)
    touched = SecurityPipeline._cumulative(pipeline, NOW + 600)
    after = cases.get(case["id"])
    assert case["id"] in touched and {h.detector for h in after["hits"]} == {"D01"}
    assert after["band"] == "info" and after["status"] == "new"
    [event] = [e for e in after["events"] if e["action"] == "rejudged"]
    assert day_add(today, -2) in event["detail"] and day_add(today, -1) in event["detail"]
    assert SecurityPipeline._cumulative(pipeline, NOW + 900) == set()    # judged again: nothing comes back


def test_a_closed_cases_cumulative_hit_stays_on_record_when_a_day_it_rested_on_is_cleared(tmp_path):
    cases, today = _three_days_of_three(tmp_path)
    pipeline = _pipeline(cases)
    SecurityPipeline._cumulative(pipeline, NOW)
    [case] = [c for c in cases.list(min_band="medium") if c["day"] == today]
    cases.close(case["id"], "officer", "true_positive", "confirmed with the operator", NOW + 30)
    for day in (day_add(today, -2), day_add(today, -1)):
        [old] = [c for c in cases.list(min_band="info") if c["day"] == day]
        cases.close(old["id"], "officer", "false_positive", "the citizens wrote in", NOW + 60)
        _confirm(cases, old["id"], NOW + 90)
    SecurityPipeline._cumulative(pipeline, NOW + 300)
    assert {"R07", "R30"} <= {h.detector for h in cases.get(case["id"])["hits"]}


def test_a_withdrawn_cumulative_hit_is_recorded_again_when_a_day_it_rested_on_reopens_on_new_evidence(tmp_path):
    cases, today = _three_days_of_three(tmp_path)
    pipeline = _pipeline(cases)
    SecurityPipeline._cumulative(pipeline, NOW)
    [case] = [c for c in cases.list(min_band="medium") if c["day"] == today]
    for day in (day_add(today, -2), day_add(today, -1)):
        [old] = [c for c in cases.list(min_band="info") if c["day"] == day]
        cases.close(old["id"], "officer", "false_positive", "the citizens wrote in", NOW + 60)
        _confirm(cases, old["id"], NOW + 90)
    SecurityPipeline._cumulative(pipeline, NOW + 300)
    assert {h.detector for h in cases.get(case["id"])["hits"]} == {"D01"}
    later = NOW + 2 * 86400                                      # two days on: the withdrawn hit's day is old now
    cases.record_hits([_d01(1, day_add(today, -2), 999, NOW - 2 * 86400 + 600)], later)   # a late row reopens it
    SecurityPipeline._cumulative(pipeline, later)
    again = cases.get(case["id"])
    # R07 rests on the reopened day again (40 + 30 over 7 days); R30's 66 stays under its floor of 70
    assert {h.detector for h in again["hits"]} == {"D01", "R07"} and again["band"] == "medium"
    assert pipeline._risk_withdrawn == {("R30", 1, today)}
