"""The security review through its callbacks: roles, hostile filter input, audited reveal and export."""

import json

import pytest

from tests.web.conftest import callback_bodies

INJECTIONS = ["1; DROP TABLE access_events;--", "' OR '1'='1", "x" * 100000, "%", "\\x00",
              "1 UNION SELECT * FROM users"]


def _body(app, output_id):
    return next(b for o, b in callback_bodies(app) if output_id in o)


def _filter_body(app, **values):
    body = _body(app, "acc-filter")
    order = ["acc-since", "acc-until", "acc-operator", "acc-citizen", "acc-action", "acc-explained", "lang"]
    body["inputs"][0]["value"] = 1
    for state in body["state"]:
        state["value"] = values.get(state["id"].replace("acc-", ""), None) if state["id"] in order else "ru"
    return body


def test_only_security_officers_reach_the_access_log(web, client_as):
    app, _ = web
    body = _filter_body(app)
    for role in ("display", "supervisor", "manager", "admin"):
        assert client_as(role).post("/_dash-update-component", json=body).status_code == 403, role
    assert client_as("security").post("/_dash-update-component", json=body).status_code == 200


def test_kiosk_token_cannot_reach_access_logs(web):
    import time

    app, _ = web
    users = app.server.extensions["hotline"].users
    token = users.create_token("wall", users.by_login("wall").id, "test", time.time())
    client = app.server.test_client()
    client.get(f"/kiosk?token={token}")
    assert client.get("/security/access").headers["Location"].endswith("/wall")
    for output in ("acc-filter", "acc-reveal-out", "acc-download", "case-detail", "sec-overview"):
        assert client.post("/_dash-update-component", json=_body(app, output)).status_code == 403, output


@pytest.mark.parametrize("field", ["operator", "citizen", "action", "explained", "since", "until"])
@pytest.mark.parametrize("value", INJECTIONS)
def test_hostile_filters_give_a_clear_error_or_no_rows(web, client_as, field, value):
    app, _ = web
    response = client_as("security").post("/_dash-update-component", json=_filter_body(app, **{field: value}))
    assert response.status_code == 200
    assert "filter-error" in response.get_data(as_text=True)


def test_a_valid_filter_counts_exactly_the_matching_rows(web, client_as):
    from data_access.access_repo import AccessRepository

    app, _ = web
    repo = AccessRepository(app.server.extensions["hotline"].app_db)
    repo.add([{"id": i, "ts": 1_764_136_800.0 + i, "day": "2025-11-26", "operator_id": 5 if i < 4 else 6,
               "operator_login": "op", "team_id": 1, "citizen_id": 9, "citizen_masked": "И***в И.", "action": "view",
               "ticket_id": None, "call_id": None, "ip": "10.0.0.1", "explained": True, "reason": "ticket"}
              for i in range(1, 10)])
    body = _filter_body(app, operator="5", since="2025-11-01", until="2025-12-01")
    text = client_as("security").post("/_dash-update-component", json=body).get_data(as_text=True)
    assert "rows-found" in text and ": 3" in text


def test_reveal_needs_a_reason_and_is_audited(web, client_as):
    app, _ = web
    client = client_as("security")
    body = _body(app, "acc-reveal-out")
    body["inputs"][0]["value"] = 1
    values = {"acc-reveal-id": "12", "acc-reveal-reason": "", "lang": "ru"}
    for state in body["state"]:
        state["value"] = values.get(state["id"])
    assert "reveal-need-reason" in client.post("/_dash-update-component", json=body).get_data(as_text=True)
    for state in body["state"]:
        if state["id"] == "acc-reveal-reason":
            state["value"] = "appeal 2026/11-17 from the citizen"
    client.post("/_dash-update-component", json=body)
    entries, _ = app.server.extensions["hotline"].audit.page(action="reveal")
    assert len(entries) == 1 and entries[0]["target"] == "citizen:12" and entries[0]["actor"] == "sec"
    assert "appeal 2026/11-17" in json.loads(entries[0]["details"])["reason"]


def test_viewing_the_access_log_is_audited(web, client_as):
    app, _ = web
    client_as("security").post("/_dash-update-component", json=_filter_body(app, operator="5"))
    entries, _ = app.server.extensions["hotline"].audit.page(action="access_log_view")
    assert entries and json.loads(entries[0]["details"])["filter"]["operator"] == "5"


def test_export_writes_its_sha256_to_the_audit_trail(web, client_as):
    import hashlib

    app, _ = web
    client = client_as("security")
    client.post("/_dash-update-component", json=_filter_body(app))
    body = _body(app, "acc-download")
    body["inputs"][0]["value"] = 1
    for state in body["state"]:
        state["value"] = {"acc-filter": {"since": None, "until": None}, "lang": "ru"}.get(state["id"])
    response = client.post("/_dash-update-component", json=body).get_json()
    content = response["response"]["acc-download"]["data"]["content"]
    import base64

    digest = hashlib.sha256(base64.b64decode(content)).hexdigest()
    entries, _ = app.server.extensions["hotline"].audit.page(action="export")
    assert json.loads(entries[0]["details"])["sha256"] == digest
