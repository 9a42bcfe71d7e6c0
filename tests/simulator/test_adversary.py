"""The adversarial insider: every scenario labelled apart from the anomalies, each staying under its threshold."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.simulator.conftest import DAY0, backfill_run

pytestmark = pytest.mark.slow  # two simulated days with every adversarial scenario due each day

CODES = {"X17", "X19", "X07", "XLS", "XTC", "XEX", "XSE"}


@pytest.fixture(scope="module")
def adversary_run(tmp_path_factory):
    return backfill_run(tmp_path_factory.mktemp("sim_adv"), DAY0, DAY0 + 2 * 86400, 0.01, anomaly_period_days=1,
                        adversary=True, anomalies=False)


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_every_adversarial_scenario_is_labelled_and_no_anomaly_of_the_tuned_set_is(adversary_run):
    kinds = {t["scenario"] for t in adversary_run.truth()}
    assert kinds - {"X19"} >= CODES - {"X19"} and kinds <= CODES    # a dormant account may be missing


def test_split_exports_never_put_20_citizens_in_5_minutes_but_put_57_or_more_in_20(adversary_run):
    for case in [t for t in adversary_run.truth() if t["scenario"] == "XEX"]:
        rows = adversary_run.query("ticketing", "SELECT ts FROM pd_access_log WHERE operator_id = ? AND action = "
                                   "'export' ORDER BY ts", case["operator_id"])
        times = [datetime.fromisoformat(r["ts"]).timestamp() for r in rows]
        assert len(times) >= 57
        assert max(sum(1 for u in times if t <= u <= t + 300) for t in times) == 19


def test_adversarial_runs_are_off_by_default():
    from simulator.world import SimConfig

    assert SimConfig().adversary is False and SimConfig().anomalies is True


def test_a_night_on_a_day_off_is_on_a_day_with_no_shift_at_all_not_even_the_night_shift_of_the_day_before(
        adversary_run):
    from domain.clock import day_start, local_day, next_day_start

    tz = adversary_run.settings.tz
    cases = [t for t in adversary_run.truth() if t["scenario"] == "X07"]
    assert cases
    for case in cases:
        at = _epoch(case["start"])
        lo, hi = day_start(at, tz), next_day_start(at, tz)
        rows = adversary_run.query("ticketing", "SELECT starts_at, ends_at FROM shifts WHERE operator_id = ?",
                                   case["operator_id"])
        spans = [(_epoch(r["starts_at"] + "Z"), _epoch(r["ends_at"] + "Z")) for r in rows]
        assert not [s for s in spans if s[0] < hi and s[1] > lo], (case, local_day(at, tz))
