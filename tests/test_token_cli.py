"""``python app.py token create|revoke|list``: the token printed once, refused after revocation, audited."""

import pytest

import app


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    return tmp_path


def test_create_list_revoke(env, capsys):
    from data_access.api_tokens_repo import ApiTokenRepository
    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditTrail

    assert app.main(["token", "create", "--name", "status page", "--scopes", "operational,reports"]) == 0
    token = capsys.readouterr().out.strip()
    engine = open_app_db(f"sqlite:///{env}/app.db")
    repo = ApiTokenRepository(engine)
    assert token.startswith("hl_") and repo.resolve(token).scopes == ("operational", "reports")
    assert app.main(["token", "list"]) == 0
    listed = capsys.readouterr().out
    assert "status page" in listed and "live" in listed and token not in listed
    assert app.main(["token", "revoke", "--name", "status page"]) == 0
    assert repo.resolve(token) is None
    assert app.main(["token", "revoke", "--name", "status page"]) == 2
    actions = [e["action"] for e in AuditTrail(engine).page(limit=10)[0]]
    assert "api_token_created" in actions and "api_token_revoked" in actions


@pytest.mark.parametrize("argv", [["token", "create", "--name", "x", "--scopes", "admin"],
                                  ["token", "create", "--name", "<b>"], ["token", "create"]])
def test_bad_requests_say_why(env, capsys, argv):
    assert app.main(argv) == 2
    assert "error" in capsys.readouterr().err
