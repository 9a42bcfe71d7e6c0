"""D21 in the pipeline: an operator whose calls left no journal row gets a hit; a silent journal, an alert."""

import json
import shutil
import time
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, text

from data_access.appdb import open_app_db
from domain.alerts import evaluate
from domain.clock import day_start, utc_naive
from domain.lines import Lines
from poller.engine import compliance_view
from poller.security import SecurityPipeline

SLOT = 1800


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Yesterday 12:00-15:00 local at scale 0.02 (kept read-only: each test copies it)."""
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("gaps")), sim_scale=0.02)
    noon = day_start(time.time(), settings.tz) - 12 * 3600
    backfill(settings, noon, noon + 3 * 3600, scale=0.02, two_cores=False)
    return settings, noon


def _copy(simulated, tmp_path):
    base, noon = simulated
    shutil.copy(base.url("ticketing").removeprefix("sqlite:///"), tmp_path / "crm.db")
    settings = replace(base, data_dir=str(tmp_path), ticketing_url="", app_db_url="")
    return settings, noon, create_engine(settings.url("ticketing"))


def _sql(engine, sql, **params):
    with engine.begin() as conn:
        return conn.execute(text(sql), {k: utc_naive(v) if isinstance(v, float) else v for k, v in params.items()})


def _busiest(engine, lo: float, hi: float) -> tuple[int, int]:
    """The operator who answered the most calls in [lo, hi), and how many."""
    return _sql(engine, "SELECT assignee_id, COUNT(*) n FROM tickets WHERE call_id IS NOT NULL AND created_at >= :lo "
                        "AND created_at < :hi GROUP BY assignee_id ORDER BY n DESC LIMIT 1", lo=lo, hi=hi).one()


def test_an_operator_whose_calls_left_no_journal_row_gets_a_d21_hit_for_that_half_hour(simulated, tmp_path):
    settings, noon, crm = _copy(simulated, tmp_path)
    slot = noon + 3600                                             # 13:00-13:30
    operator, calls = _busiest(crm, slot, slot + SLOT)
    assert calls >= 2
    _sql(crm, "DELETE FROM pd_access_log WHERE operator_id = :op AND ts >= :lo AND ts < :hi",
         op=operator, lo=slot - 900.0, hi=slot + SLOT + 900.0)
    pipeline = SecurityPipeline(settings, open_app_db(settings.url("app_db")))
    assert pipeline.cycle(noon + 3 * 3600 + 60).error is None
    hits = [h for h in pipeline.cases.hits_between("2000-01-01", "2999-01-01") if h.detector == "D21"]
    mine = [h for h in hits if h.operator_id == operator and h.scope == f"gap{int(slot)}"]
    assert len(mine) == 1 and f"answered {calls} calls at 13:00-13:30" in mine[0].reason_en
    assert mine[0].points == 20
    assert compliance_view(pipeline, noon + 3 * 3600 + 60, 30, settings.tz)["journal_gaps"] == []


def test_a_silent_journal_for_half_an_hour_is_a_critical_compliance_alert(simulated, tmp_path):
    settings, noon, crm = _copy(simulated, tmp_path)
    slot = noon + 2 * 3600                                         # 14:00-14:30
    _sql(crm, "DELETE FROM pd_access_log WHERE ts >= :lo AND ts < :hi", lo=slot - 900.0, hi=slot + SLOT + 900.0)
    pipeline = SecurityPipeline(settings, open_app_db(settings.url("app_db")))
    now = noon + 3 * 3600 + 60
    assert pipeline.cycle(now).error is None
    [gap] = compliance_view(pipeline, now, 30, settings.tz)["journal_gaps"]
    assert gap["span"].startswith("14:00-14:30") and gap["calls"] >= 20
    hits = [h for h in pipeline.cases.hits_between("2000-01-01", "2999-01-01") if h.detector == "D21"]
    assert not [h for h in hits if h.scope == f"gap{int(slot)}"]   # the journal's silence is nobody's case
    [alert] = [c for c in evaluate({"compliance": {"journal_gaps": [gap]}}, Lines({}, {}), set())]
    assert (alert.rule, alert.severity, alert.params["calls"]) == ("journal_gap", "critical", gap["calls"])
    assert "14:00" in json.dumps(alert.params) and "citizen" not in json.dumps(alert.params)


def test_phone_tickets_with_a_word_for_an_assignee_or_a_time_are_counted_and_stop_nothing(simulated, tmp_path):
    settings, noon, crm = _copy(simulated, tmp_path)
    with crm.begin() as conn:
        for tid, assignee, created in ((9_000_001, "'boss'", f"'{utc_naive(noon + 3600)}'"),
                                       (9_000_002, "7", "'tomorrow'")):
            conn.execute(text(f"INSERT INTO tickets (id, channel, category, status, created_at, assignee_id, call_id) "
                              f"VALUES ({tid}, 'phone', 'other', 'open', {created}, {assignee}, 'c{tid}')"))
    pipeline = SecurityPipeline(settings, open_app_db(settings.url("app_db")))
    assert pipeline.cycle(noon + 3 * 3600 + 60).error is None
    assert pipeline.source.bad["bad_value"] >= 1 and pipeline.source.bad["bad_time"] >= 1
