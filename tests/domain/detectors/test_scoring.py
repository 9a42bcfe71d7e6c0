"""Cases: score = sum of each detector's best points (capped at 100), the 3-detector rule, reasons in words."""

from hypothesis import given
from hypothesis import strategies as st

from domain.bands import band_of, band_rank
from domain.detectors import Hit, case_reasons, case_score, group_cases


def hit(det, points, op=1, day="2025-03-10", ts=0.0, ru="причина", en="reason"):
    return Hit(det, op, day, ts, points, ru, en, (), ())


def test_score_keeps_the_best_points_of_each_detector_and_caps_at_100():
    assert case_score([hit("D01", 10), hit("D01", 10), hit("D04", 15), hit("D04", 60)]) == (70, "high")
    assert case_score([hit("D08", 80), hit("D03", 60)]) == (100, "critical")
    assert case_score([]) == (0, "info")


def test_three_distinct_detectors_make_at_least_high():
    assert case_score([hit("D01", 10), hit("D07", 15)]) == (25, "low")
    assert case_score([hit("D01", 10), hit("D07", 15), hit("D04", 15)]) == (40, "high")
    assert case_score([hit("D08", 80), hit("D03", 60), hit("D01", 10)]) == (100, "critical")


@given(st.lists(st.tuples(st.sampled_from(["D01", "D04", "D07", "D08", "D12"]), st.integers(0, 80)), max_size=12))
def test_score_is_bounded_and_band_is_consistent(pairs):
    score, band = case_score([hit(d, p) for d, p in pairs])
    assert 0 <= score <= 100
    assert band_rank(band) >= band_rank(band_of(score))


def test_reasons_in_words_strongest_first_in_both_languages():
    hits = [hit("D01", 10, ru="нет звонка", en="no call"), hit("D01", 10, ru="нет звонка 2", en="no call 2"),
            hit("D04", 60, ru="та же фамилия (Иванов/Иванова) и тот же адрес",
                en="same surname (Иванов/Иванова) and same address")]
    assert case_reasons(hits, "ru") == [
        "D04 Родственник или сосед (+60): та же фамилия (Иванов/Иванова) и тот же адрес",
        "D01 Доступ без основания (+10): нет звонка (ещё 1)"]
    assert case_reasons(hits, "en") == [
        "D04 Relative or neighbour (+60): same surname (Иванов/Иванова) and same address",
        "D01 Unexplained access (+10): no call (+1 more)"]


def test_group_cases_by_operator_and_day():
    hits = [hit("D01", 10, op=1), hit("D07", 15, op=1, day="2025-03-11"), hit("D01", 10, op=2)]
    assert sorted(group_cases(hits)) == [(1, "2025-03-10"), (1, "2025-03-11"), (2, "2025-03-10")]
