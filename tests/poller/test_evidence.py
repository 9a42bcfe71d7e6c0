"""Complete evidence: grown hits are stored over their first version, and a legal hold keeps every row of the
held operator-day through the 30-day purge."""

from types import SimpleNamespace

from data_access.access_repo import AccessRepository
from data_access.appdb import open_app_db
from data_access.case_repo import CaseRepository
from domain.detectors import DetectorEngine
from poller.security import SecurityPipeline
from tests.domain.detectors.factory import T0, acc, make_ctx

DAY = "2025-03-10"


def _copy(i: int, ts: float, action: str = "export") -> dict:
    return {"id": i, "ts": ts, "day": DAY, "operator_id": 7, "operator_login": "op7", "team_id": 1, "citizen_id": i,
            "citizen_masked": "И*** И. И.", "action": action, "ticket_id": None, "call_id": None, "ip": "10.0.0.7",
            "explained": False, "reason": "none"}


def test_a_burst_of_25_exports_is_stored_with_all_25_rows_and_the_count_of_25(tmp_path):
    cases = CaseRepository(open_app_db(f"sqlite:///{tmp_path}/app.db"))
    engine, ctx = DetectorEngine(), make_ctx(citizens=range(100, 200))
    first = engine.process([acc(i, T0 + 10 * i, cid=100 + i, action="export") for i in range(1, 21)], [], ctx, T0)
    cases.record_hits(first.hits, T0)
    later = engine.process([acc(i, T0 + 10 * i, cid=100 + i, action="export") for i in range(21, 26)], [], ctx,
                           T0 + 300)
    assert cases.update_hits(later.updates, T0 + 300)
    [case] = cases.list(min_band="info")
    d12 = [h for h in cases.get(case["id"])["hits"] if h.detector == "D12" and h.scope == "a20"]
    assert d12[0].access_ids == tuple(range(1, 26)) and d12[0].reason_en.startswith("25 distinct citizens")


def test_a_held_case_keeps_all_60_rows_of_its_operator_day_while_other_old_rows_are_purged(tmp_path):
    app = open_app_db(f"sqlite:///{tmp_path}/app.db")
    access, cases = AccessRepository(app), CaseRepository(app)
    access.add([_copy(i, T0 + 60 * i, "export" if i <= 25 else "view") for i in range(1, 61)])
    access.add([{**_copy(i, T0 + 60 * i), "operator_id": 8, "operator_login": "op8"} for i in range(100, 110)])
    engine = DetectorEngine()
    hits = engine.process([acc(i, T0 + 60 * i, op=7, cid=i, action="export") for i in range(1, 26)], [],
                          make_ctx(n_ops=8, citizens=range(1, 200)), T0 + 3600).hits
    [case_id] = cases.record_hits(hits, T0)
    cases.set_hold(case_id, True, "officer", T0)
    keep = SecurityPipeline.held_evidence(SimpleNamespace(cases=cases, access=access))
    assert keep >= set(range(1, 61)) and not keep & set(range(100, 110))
    assert access.purge(T0 + 40 * 86400, keep) == 10
    assert {r["id"] for r in access.rows_by_ids(list(range(1, 110)))} == set(range(1, 61))
