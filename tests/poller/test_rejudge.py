"""Re-judging: a late termination re-judges its days by itself; `security replay` removes what no longer fires;
`cases list` exports the cases as JSON or CSV."""

import json
import time
from datetime import datetime, timezone

from sqlalchemy import update

from data_access.appdb import open_app_db
from data_access.schema import crm
from domain.clock import day_add, local_day
from domain.detectors.model import Hit
from poller.security import REFERENCE_REFRESH_S, SecurityPipeline

DAY_S = 86400.0


def _naive(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def _world(sources, now: float) -> None:
    """Operator 1, active, who searched on each of the last 3 days and today at 10:00 UTC."""
    sources.crm_rows("teams", {"id": 1, "code": "general", "name": "Линия 1", "kind": "phone"})
    sources.crm_rows("operators", {"id": 1, "login": "ivanova", "full_name": "Иванова Анна", "surname": "Иванова",
                                   "team_id": 1, "role": "operator", "status": "active",
                                   "hired_at": datetime(2024, 1, 1)})
    today = now - now % DAY_S + 10 * 3600
    for k in range(4):
        sources.crm_rows("pd_access_log", {"id": 10 + k, "ts": _naive(today - k * DAY_S), "operator_id": 1,
                                           "citizen_id": None, "action": "search", "ip": "10.0.0.7"})


def test_a_termination_entered_3_days_late_re_judges_those_days_and_today_by_itself(settings, sources, tmp_path):
    now = time.time()
    now = now - now % DAY_S + 12 * 3600          # 12:00 UTC today
    _world(sources, now)
    pipeline = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db"))
    assert pipeline.cycle(now).error is None
    assert not pipeline.cases.list(min_band="info")
    terminated = now - now % DAY_S - 3 * DAY_S + 9 * 3600     # 09:00 three days ago, entered only now
    with sources.crm.begin() as conn:
        conn.execute(update(crm.operators).where(crm.operators.c.id == 1)
                     .values(status="terminated", terminated_at=_naive(terminated)))
    assert pipeline.cycle(now + REFERENCE_REFRESH_S + 1).error is None
    cases = pipeline.cases.list(min_band="info")
    today = local_day(now, "UTC")
    assert sorted(c["day"] for c in cases) == [day_add(today, -3), day_add(today, -2), day_add(today, -1), today]
    assert all(c["detectors"] == ["D08"] and (c["score"], c["band"]) == (80, "high") for c in cases)


def test_replay_removes_a_hit_that_no_longer_fires_and_keeps_the_case_closed(settings, sources, tmp_path):
    now = time.time()
    now = now - now % DAY_S + 12 * 3600
    _world(sources, now)
    pipeline = SecurityPipeline(settings, open_app_db(f"sqlite:///{tmp_path}/app.db"))
    assert pipeline.cycle(now).error is None
    day = day_add(local_day(now, "UTC"), -1)
    stale = Hit("D12", 1, day, now - DAY_S, 50, "старое", "stale", (11,), (), scope="a11")
    [case_id] = pipeline.cases.record_hits([stale], now)
    from poller.rejudge import rejudge

    done = rejudge(pipeline, day, day, now)
    assert (done.removed, done.added, done.rows) == (1, 0, 1)
    case = pipeline.cases.get(case_id)
    assert case["hits"] == [] and case["score"] == 0 and case["events"][-1]["action"] == "rejudged"


def test_cases_list_exports_operator_day_band_score_detectors_and_reasons(settings, sources, capsys, monkeypatch):
    import app

    monkeypatch.setenv("HOTLINE_DATA_DIR", settings.data_dir)
    monkeypatch.setenv("HOTLINE_TZ", "UTC")
    now = time.time()
    app_db = open_app_db(settings.url("app_db"))
    pipeline = SecurityPipeline(settings, app_db)
    _world(sources, now)
    pipeline.cycle(now)
    day = local_day(now, "UTC")
    pipeline.cases.record_hits([Hit("D12", 1, day, now, 50, "25 разных граждан", "25 distinct citizens exported",
                                    (1,), (2,), scope="day")], now)
    assert app.main(["cases", "list", "--since", day, "--format", "json", "--lang", "en"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["operator_id"], row["operator"], row["day"], row["band"], row["score"], row["detectors"]) == \
        (1, "ivanova", day, "medium", 50, ["D12"])
    assert row["reasons"] == ["D12 Bulk export or print (+50): 25 distinct citizens exported"]
    assert app.main(["cases", "list", "--since", day, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,operator_id,operator,day,band,score") and ",medium,50," in lines[1]
    assert app.main(["cases", "list", "--since", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_security_replay_on_the_command_line_re_judges_4_days_of_rows(settings, sources, capsys, monkeypatch):
    import app

    monkeypatch.setenv("HOTLINE_DATA_DIR", settings.data_dir)
    monkeypatch.setenv("HOTLINE_TZ", "UTC")
    now = time.time()
    _world(sources, now)
    today = local_day(now, "UTC")
    assert app.main(["security", "replay", "--from", day_add(today, -3), "--to", today]) == 0
    assert f"re-judged {day_add(today, -3)}..{today}: 4 access rows" in capsys.readouterr().out
    assert app.main(["security", "replay", "--from", today, "--to", day_add(today, -1)]) == 2
