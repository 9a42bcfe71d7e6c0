"""/integrations: an administrator creates (shown once) and revokes API tokens; nobody else may."""

from __future__ import annotations

import re

import pytest

from tests.web.dash_post import body, post


def _click(app, client, button: str, name, scopes=("operational",)) -> tuple[int, str]:
    values = {button: 1, "api-name": name, "api-scopes": list(scopes) if scopes is not None else None, "lang": "en"}
    return post(client, body(app, "api-message", values, changed=f"{button}.n_clicks"))


def test_an_administrator_creates_then_revokes_a_token(web, client_as):
    from data_access.api_tokens_repo import ApiTokenRepository

    app, _store = web
    admin = client_as("admin")
    assert admin.get("/integrations").status_code == 200
    status, text = _click(app, admin, "api-create", "portal status page", ("operational", "reports"))
    assert status == 200 and "api-new-token" in text
    token = re.search(r"hl_[\w-]{20,}", text).group(0)
    repo = ApiTokenRepository(app.server.extensions["hotline"].app_db)
    assert repo.resolve(token).scopes == ("operational", "reports")
    assert app.server.test_client().get("/api/v1/status", headers={"Authorization": f"Bearer {token}"}).status_code \
        == 200
    status, text = _click(app, admin, "api-revoke", "portal status page")
    assert status == 200 and "revoked" in text and repo.resolve(token) is None
    assert app.server.test_client().get("/api/v1/status", headers={"Authorization": f"Bearer {token}"}).status_code \
        == 401
    actions = [e["action"] for e in app.server.extensions["hotline"].audit.page(limit=20)[0]]
    assert "api_token_created" in actions and "api_token_revoked" in actions


@pytest.mark.parametrize("role", ["supervisor", "manager", "security", "display"])
def test_other_roles_cannot_open_the_page_nor_run_its_callback(web, client_as, role):
    app, _store = web
    client = client_as(role)
    assert client.get("/integrations").status_code == 302
    status, _text = _click(app, client, "api-create", "sneaky")
    assert status == 403


@pytest.mark.parametrize("name, scopes", [("", ["operational"]), ("<script>alert(1)</script>", ["operational"]),
                                          ("x" * 500, ["operational"]), (["list"], ["operational"]),
                                          ({"a": 1}, ["reports"]), ("ok name", ["admin"]), ("ok name", None),
                                          ("ok name", "operational"), ("\u202eevil", ["reports"])])
def test_hostile_input_is_refused_with_a_message(web, client_as, name, scopes):
    app, _store = web
    status, text = _click(app, client_as("admin"), "api-create", name, scopes)
    assert status in (200, 400) and "api-new-token" not in text
