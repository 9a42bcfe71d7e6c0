"""Injected anomalies: every scenario labelled in the ground-truth file, its rows in the journal, no label in
the databases."""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from domain.clock import from_utc_naive
from simulator.anomalies import Injector
from simulator.scenarios import SCENARIOS
from tests.simulator.conftest import parse_ts

pytestmark = pytest.mark.slow  # a simulated day with every scenario injected

KINDS = {"D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D09", "D10", "D12", "D13", "D15", "D17", "D18",
         "D19"}


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _local_day(run, ts: float) -> date:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(run.settings.tz)).date()


def _cases(run, scenario: str) -> list[dict]:
    cases = [c for c in run.truth() if c["scenario"] == scenario]
    assert cases, f"no {scenario} case"
    return cases


def _access(run, case: dict, actions: tuple[str, ...] = ("search", "view", "edit", "export", "print")) -> list:
    rows = run.query("ticketing", "SELECT * FROM pd_access_log WHERE operator_id = ? ORDER BY ts",
                     case["operator_id"])
    lo, hi = _epoch(case["start"]) - 1, _epoch(case["end"]) + 1
    return [r for r in rows if lo <= from_utc_naive(parse_ts(r["ts"])) <= hi and r["action"] in actions
            and r["citizen_id"] in case["citizen_ids"]]


def test_every_scenario_is_labelled(week_run):
    truth = week_run.truth()
    assert {c["scenario"] for c in truth} == KINDS
    for c in truth:
        assert set(c) == {"scenario", "operator_id", "day", "start", "end", "citizen_ids", "description"}
        assert _epoch(c["start"]) <= _epoch(c["end"])
        date.fromisoformat(c["day"])
        assert isinstance(c["operator_id"], int) and c["description"]


def test_labels_never_reach_the_databases(week_run):
    needles = {c["description"] for c in week_run.truth()} | KINDS | {"anomal", "ground truth", "scenario"}
    for name in ("telephony.db", "crm.db"):
        with sqlite3.connect(Path(week_run.settings.data_dir) / name) as conn:
            dump = "\n".join(conn.iterdump())
        for needle in needles:
            assert needle not in dump, (name, needle)


def test_whose_record(week_run):
    ops = {o["id"]: o for o in week_run.query("ticketing", "SELECT * FROM operators")}
    citizens = {c["id"]: c for c in week_run.query("ticketing", "SELECT * FROM citizens")}
    watch = {w["citizen_id"] for w in week_run.query("ticketing", "SELECT citizen_id FROM watchlist")}
    for c in _cases(week_run, "D03"):
        assert c["citizen_ids"] == [ops[c["operator_id"]]["citizen_id"]] and _access(week_run, c)
    for c in _cases(week_run, "D04"):
        assert citizens[c["citizen_ids"][0]]["address"] == ops[c["operator_id"]]["address"]
    for c in _cases(week_run, "D05"):
        cid = c["citizen_ids"][0]
        assert citizens[cid]["is_employee"] and cid != ops[c["operator_id"]]["citizen_id"]
    for c in _cases(week_run, "D06"):
        assert c["citizen_ids"][0] in watch and _access(week_run, c)
    for c in _cases(week_run, "D02"):
        rows = _access(week_run, c)
        tickets = {t["id"]: t for t in week_run.query("ticketing", "SELECT id, citizen_id FROM tickets")}
        assert rows and all(tickets[r["ticket_id"]]["citizen_id"] != r["citizen_id"] for r in rows)
    for c in _cases(week_run, "D01"):
        rows = _access(week_run, c)
        assert len({r["citizen_id"] for r in rows}) >= 4 and all(r["ticket_id"] is None for r in rows)


def _shifts(run, op_id: int) -> list[tuple[float, float]]:
    return [(from_utc_naive(parse_ts(s["starts_at"])), from_utc_naive(parse_ts(s["ends_at"])))
            for s in run.query("ticketing", "SELECT * FROM shifts WHERE operator_id = ?", op_id)]


def test_when_the_account_should_be_idle(week_run):
    for c in _cases(week_run, "D07"):
        t = _epoch(c["start"])
        assert all(not (a - 900 <= t <= b + 900) for a, b in _shifts(week_run, c["operator_id"]))
    for c in _cases(week_run, "D08"):
        t = _epoch(c["start"])
        op = week_run.query("ticketing", "SELECT * FROM operators WHERE id = ?", c["operator_id"])[0]
        leaves = [(from_utc_naive(parse_ts(x["starts_at"])), from_utc_naive(parse_ts(x["ends_at"])))
                  for x in week_run.query("ticketing", "SELECT * FROM leaves WHERE operator_id = ?", op["id"])]
        assert op["status"] == "terminated" or any(a <= t < b for a, b in leaves)
        assert _access(week_run, c)
    for c in _cases(week_run, "D19"):
        before = week_run.query("ticketing", "SELECT COUNT(*) n FROM pd_access_log WHERE operator_id = ? AND ts < ?",
                                c["operator_id"], c["start"].replace("T", " ").rstrip("Z"))
        assert before[0]["n"] == 0


def test_volume_and_bursts(week_run):
    for c in _cases(week_run, "D12"):
        rows = _access(week_run, c, ("export", "print"))
        span = from_utc_naive(parse_ts(rows[-1]["ts"])) - from_utc_naive(parse_ts(rows[0]["ts"]))
        assert len({r["citizen_id"] for r in rows}) >= 20 and span <= 300
    for c in _cases(week_run, "D13"):
        rows = _access(week_run, c, ("search",))
        span = from_utc_naive(parse_ts(rows[-1]["ts"])) - from_utc_naive(parse_ts(rows[0]["ts"]))
        assert len({r["citizen_id"] for r in rows}) >= 15 and span <= 600
    for code in ("D09", "D10"):
        for c in _cases(week_run, code):
            assert len(c["citizen_ids"]) >= 30
    for c in _cases(week_run, "D15"):
        days = {_local_day(week_run, from_utc_naive(parse_ts(r["ts"]))) for r in _access(week_run, c)}
        assert len(c["citizen_ids"]) == 1 and (len(days) >= 3 or _epoch(c["end"]) > week_run.end)


def test_account_misuse(week_run):
    for c in _cases(week_run, "D17"):
        rows = week_run.query("ticketing", "SELECT * FROM sign_in_events WHERE operator_id = ? ORDER BY ts, id",
                              c["operator_id"])
        lo, hi = _epoch(c["start"]) - 1, _epoch(c["end"]) + 1
        rows = [r for r in rows if lo <= from_utc_naive(parse_ts(r["ts"])) <= hi]
        fails = [r for r in rows if not r["success"]]
        assert len(fails) >= 5 and rows[-1]["success"] and _epoch(c["end"]) - _epoch(c["start"]) <= 3600
    for c in _cases(week_run, "D18"):
        lo, hi = _epoch(c["start"]) - 300, _epoch(c["end"]) + 1
        rows = week_run.query("ticketing", "SELECT ts, ip FROM pd_access_log WHERE operator_id = ?",
                              c["operator_id"])
        ips = {r["ip"] for r in rows if lo <= from_utc_naive(parse_ts(r["ts"])) <= hi}
        assert len(ips) >= 2


@pytest.mark.parametrize(("scale", "days", "at_least"), [(1.0, 1, 1), (0.05, 7, 1), (0.01, 7, 1)])
def test_rates_per_scale(scale, days, at_least):
    """One or more of each kind a day at full scale; at least one of each kind in any week when scaled down."""
    injector = Injector.__new__(Injector)
    injector.w = SimpleNamespace(cfg=SimpleNamespace(scale=scale, anomaly_period_days=None))
    for first in range(10):
        counts = defaultdict(int)
        for d in range(days):
            day = date(2025, 11, 1) + timedelta(days=first + d)
            for i, code in enumerate(SCENARIOS):
                counts[code] += injector.cases_per_day(i, day, random.Random(d))
        assert all(counts[code] >= at_least for code in SCENARIOS)


def test_labelled_days_are_local_days(week_run):
    for c in week_run.truth():
        if c["scenario"] != "D15":
            assert c["day"] == _local_day(week_run, _epoch(c["start"])).isoformat()
