"""The audit page: the chain checked incrementally on each view, the whole chain on request, filters checked."""

import json

import pytest
from sqlalchemy import text

from data_access import audit_repo
from data_access.audit_repo import AuditEntry
from tests.web.dash_post import body, post

T0 = 1_764_136_800.0


def _view(app, client, verify_all: bool = False, **filters) -> tuple[int, str]:
    values = {"audit-apply": 1, "audit-verify-all": 1 if verify_all else None, "lang": "en",
              "audit-actor": filters.get("actor"), "audit-action": filters.get("action")}
    changed = "audit-verify-all.n_clicks" if verify_all else "audit-apply.n_clicks"
    return post(client, body(app, "audit-grid", values, changed=changed))


def _fill(app, n: int) -> None:
    trail = app.server.extensions["hotline"].audit
    for i in range(n):
        trail.append(AuditEntry("sup", "supervisor", "alert_ack", f"alert:{i}"), T0 + i)


def _count_hashes(monkeypatch) -> list:
    calls = []
    real = audit_repo.row_hash
    monkeypatch.setattr(audit_repo, "row_hash", lambda *args: calls.append(args) or real(*args))
    return calls


def test_the_second_view_of_a_200_row_trail_hashes_only_the_rows_added_since_the_first(web, client_as, monkeypatch):
    app, _ = web
    client = client_as("admin")
    _fill(app, 200)
    status, first = _view(app, client)
    assert status == 200 and "chain-ok" in first
    calls = _count_hashes(monkeypatch)
    status, second = _view(app, client)
    assert status == 200 and "chain-ok" in second
    assert len(calls) <= 5  # the checkpoint row, the first view's own entry, and this view's entry (not 200 rows)


def _tamper(app, row_id: int) -> None:
    """What the database owner could do: lift the guard, edit a row, put the guard back."""
    with app.server.extensions["hotline"].audit.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit_log SET target = 'alert:0000' WHERE id = :i"), {"i": row_id})
        conn.execute(text("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log "
                          "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))


def test_verify_all_finds_a_row_edited_before_the_checkpoint_and_audits_the_result(web, client_as):
    app, _ = web
    client = client_as("admin")
    _fill(app, 30)
    _view(app, client)
    _tamper(app, 12)
    status, incremental = _view(app, client)
    assert status == 200 and "chain-ok" in incremental
    status, full = _view(app, client, verify_all=True)
    assert status == 200 and "chain-broken" in full and "from row 12" in full
    newest = json.loads(app.server.extensions["hotline"].audit.page(action="audit_view")[0][0]["details"])
    assert (newest["full_check"], newest["intact"], newest["broken_at"]) == (True, False, 12)


@pytest.mark.parametrize("actor, action", [({"a": 1}, None), ("\ud800", None), ("x" * 81, None), ("sup\x00", None),
                                           (None, "x" * 41), (None, "Sign In"), (None, ["sign_in"]),
                                           (None, "case_" + "x" * 100_000)])
def test_odd_audit_filters_get_the_filter_message_and_no_rows(web, client_as, actor, action):
    app, _ = web
    status, answer = _view(app, client_as("admin"), actor=actor, action=action)
    assert status == 200 and "filter-error" in answer
    assert json.loads(answer)["response"]["audit-grid"]["rowData"] == []
    assert app.server.extensions["hotline"].audit.verify() == (True, None)


def test_a_filter_on_action_alert_ack_shows_exactly_those_3_rows(web, client_as):
    app, _ = web
    _fill(app, 3)
    status, answer = _view(app, client_as("admin"), action="alert_ack", actor="sup")
    rows = json.loads(answer)["response"]["audit-grid"]["rowData"]
    assert status == 200 and [r["target"] for r in rows] == ["alert:2", "alert:1", "alert:0"]


def test_the_audit_page_shows_the_dpo_a_reviewers_reveal_outside_their_cases_and_not_one_inside(web):
    import time

    from data_access.case_repo import CaseRepository
    from domain.detectors.model import Hit
    from pages.audit import reviewer_panel

    app, _store = web
    hotline = app.server.extensions["hotline"]
    now = time.time()
    cases = CaseRepository(hotline.app_db)
    [case_id] = cases.record_hits([Hit("D01", 7, "2026-01-10", now, 10, "r", "r", (1,), (4243,))], now)
    cases.assign(case_id, "sec1", "sec1", now)
    for cid in (4242, 4243):
        hotline.audit.append(AuditEntry("sec1", "security", "reveal", f"citizen:{cid}", {"reason": "check"}), now)
    with app.server.app_context():
        text = json.dumps(reviewer_panel("en").to_plotly_json(), default=str)
    assert "revealed citizen #4242, and no case assigned to the reviewer concerns it" in text and "+50" in text
    assert "#4243" not in text
