"""The SLA report's catalogue entries: both languages, every definition filled with the live parameters."""

from __future__ import annotations

import pytest

from domain.metrics import CHANNEL_REPORT, REPORT, MetricParams, csat, csat_top, fcr, resolved_by_due, survey_resolved


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_report_metric_has_a_label_and_a_filled_definition(lang):
    params = MetricParams(threshold_s=30, goal=0.9, short_abandon_s=3, target_s=86400, max_occupancy=0.8,
                          shrinkage=0.35, register_days=3, answer_days=30, warn_days=5)
    for m in [*REPORT.values(), *CHANNEL_REPORT.values()]:
        text = m.help(lang, params)
        assert m.label(lang) and text and "{" not in text, m.key


def test_the_definitions_quote_t_goal_occupancy_shrinkage_and_the_59_fz_days():
    params = MetricParams(threshold_s=30, goal=0.9, max_occupancy=0.8, shrinkage=0.35, register_days=4,
                          answer_days=25)
    assert "за 30 с" in REPORT["service_level"].help("ru", params) and "Цель 90 %" in REPORT["service_level"].help(
        "ru", params)
    assert "CONNECT" in REPORT["service_level"].help("en", params)  # the interval an event counts in
    assert "80 %" in REPORT["needed"].help("ru", params) and "35 %" in REPORT["scheduled"].help("ru", params)
    assert "4 days" in CHANNEL_REPORT["registered_in_time"].help("en", params)
    assert "25 days" in CHANNEL_REPORT["answered_in_time"].help("en", params)


def test_fcr_csat_and_resolution_by_due_divide_by_what_they_say():
    counts = {"resolved": 200, "fcr": 150, "surveys": 40, "csat_sum": 170, "csat_top": 32, "survey_resolved_yes": 30,
              "survey_resolved_answers": 36, "resolved_by_due": 190}
    assert fcr(counts) == 0.75 and csat(counts) == 4.25 and csat_top(counts) == 0.8
    assert survey_resolved(counts) == pytest.approx(30 / 36) and resolved_by_due(counts) == 0.95
    assert fcr({}) is None and csat({"surveys": 0}) is None
