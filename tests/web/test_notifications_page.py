"""/notifications (routes, send test) for administrators; silences and delivery status on /alerts."""

from __future__ import annotations

import time

import pytest

from tests.web.dash_post import body, post

ROUTE = {"nr-name": "duty chat", "nr-channel": "telegram", "nr-target": "-100123", "nr-audience": "operational",
         "nr-rules": "", "nr-scopes": "technical", "nr-severity": "critical", "nr-band": "high",
         "nr-quiet-from": "23:00", "nr-quiet-to": "07:00", "nr-group": 60, "nr-repeat": 3600,
         "nr-options": ["send_resolved", "enabled"], "lang": "en"}


def _routes(app, client, button: str, **values) -> tuple[int, str]:
    return post(client, body(app, "nr-message", {**ROUTE, **values, button: 1}, changed=f"{button}.n_clicks"))


def _repo(app):
    from data_access.notify_repo import NotifyRepository

    return NotifyRepository(app.server.extensions["hotline"].app_db)


def test_an_administrator_saves_tests_and_deletes_a_route(web, client_as):
    app, _store = web
    admin = client_as("admin")
    assert admin.get("/notifications").status_code == 200
    status, text = _routes(app, admin, "nr-save")
    assert status == 200 and "saved" in text
    [route] = _repo(app).routes()
    assert (route.channel, route.scopes, route.min_severity, route.quiet_from) == ("telegram", ("technical",),
                                                                                   "critical", "23:00")
    status, text = _routes(app, admin, "nr-test")
    assert status == 200 and "queued" in text
    [queued] = _repo(app).recent()
    assert queued["kind"] == "test" and queued["status"] == "pending"
    status, text = _routes(app, admin, "nr-delete")
    assert status == 200 and "deleted" in text and not _repo(app).routes()
    actions = {e["action"] for e in app.server.extensions["hotline"].audit.page(limit=20)[0]}
    assert {"notify_route_saved", "notify_route_test", "notify_route_deleted"} <= actions


@pytest.mark.parametrize("values", [{"nr-name": "<img src=x>"}, {"nr-target": "javascript:alert(1)",
                                                                   "nr-channel": "webhook"},
                                    {"nr-channel": ["email"]}, {"nr-group": "a lot"}, {"nr-quiet-from": "7pm"},
                                    {"nr-options": "enabled"}, {"nr-rules": {"$ne": 1}}, {"nr-name": None}])
def test_hostile_route_input_gets_a_message_not_a_500(web, client_as, values):
    app, _store = web
    status, text = _routes(app, client_as("admin"), "nr-save", **values)
    assert status in (200, 400) and "saved" not in text and not _repo(app).routes()


@pytest.mark.parametrize("role", ["supervisor", "manager", "security", "display"])
def test_only_administrators_manage_routes(web, client_as, role):
    app, _store = web
    status, _text = _routes(app, client_as(role), "nr-save")
    assert status == 403 and not _repo(app).routes()


def _silence(app, client, **values) -> tuple[int, str]:
    base = {"silence-matcher": "queue_waiting:*", "silence-route": None, "silence-hours": 2,
            "silence-reason": "works", "silence-add": 1, "lang": "en"}
    return post(client, body(app, "silence-message", {**base, **values}, changed="silence-add.n_clicks"))


def test_a_supervisor_silences_from_the_alerts_page_and_ends_it(web, client_as):
    app, _store = web
    sup = client_as("supervisor")
    status, text = _silence(app, sup)
    assert status == 200 and "silence-result" in text
    [row] = _repo(app).silence_rows(time.time())
    assert row["created_by"] == "sup" and row["matcher"] == "queue_waiting:*"
    values = {"silence-end": 1, "silence-id": row["id"], "lang": "en"}
    status, text = post(sup, body(app, "silence-message", values, changed="silence-end.n_clicks"))
    assert status == 200 and "ended" in text and not _repo(app).silence_rows(time.time())


@pytest.mark.parametrize("role, matcher, allowed", [("display", "queue_waiting:*", False),
                                                    ("manager", "*", False), ("supervisor", "case:*", False),
                                                    ("security", "case:*", True), ("admin", "*", True),
                                                    ("security", "reviewer:*", False),
                                                    ("admin", "reviewer:*", True)])
def test_who_may_silence_what(web, client_as, role, matcher, allowed):
    app, _store = web
    status, text = _silence(app, client_as(role), **{"silence-matcher": matcher})
    assert status == 200 and ("silence-result" in text) == allowed
    assert bool(_repo(app).silence_rows(time.time())) == allowed


@pytest.mark.parametrize("values", [{"silence-matcher": "'; DROP TABLE alerts; --"}, {"silence-hours": 10 ** 9},
                                    {"silence-hours": -1}, {"silence-route": 999}, {"silence-route": "x"},
                                    {"silence-matcher": ["*"]}, {"silence-reason": "x" * 5000}])
def test_hostile_silence_input_is_refused_with_a_message(web, client_as, values):
    app, _store = web
    status, text = _silence(app, client_as("admin"), **values)
    assert status in (200, 400) and "silence-result" not in text and not _repo(app).silence_rows(time.time())


def test_the_delivery_status_shows_on_the_alerts_page_cases_only_to_security_reviewers_only_to_admin(web, client_as):
    from data_access.notify_repo import OutMessage

    app, _store = web
    repo = _repo(app)
    kinds = ("alerts", "cases", "reviewers")
    for kind in kinds:
        repo.enqueue(OutMessage(f"k-{kind}", None, "email", "a@b.example", kind, f"subject {kind}", "b", {}),
                     time.time())
    for role, expected in (("supervisor", {"alerts"}), ("security", {"alerts", "cases"}),
                           ("admin", {"alerts", "cases", "reviewers"})):
        values = {"lang": "en", "tick": 1}
        status, text = post(client_as(role), body(app, "silence-message", values, changed="tick.n_intervals"))
        assert status == 200
        assert {k for k in kinds if f"subject {k}" in text} == expected
