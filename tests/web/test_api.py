"""The read-only API: tokens and scopes, revocation at once, no personal data, rate limit, hourly audit, OpenAPI."""

from __future__ import annotations

import copy
import json
import re
import time

import pytest

from settings import load_settings

RATE = 30


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, data_dir=str(tmp_path), pbx_tz="UTC", tz="UTC", api_rate_per_minute=RATE)


@pytest.fixture
def tokens(web):
    from data_access.api_tokens_repo import ApiTokenRepository

    app, _store = web
    repo = ApiTokenRepository(app.server.extensions["hotline"].app_db)
    made = {name: repo.create(name, scopes, "adm", time.time())[1]
            for name, scopes in (("ops", "operational"), ("rep", "reports"), ("both", "operational,reports"))}
    return repo, made


def _get(client, path: str, token: str | None, **query):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(path, headers=headers, query_string=query)


PERSONAL = {"operator": "Сидоров Семён Петрович", "name": "SIP/sidorov", "caller": "+7 *** ***-**-67",
            "team_name": "Первая смена"}


def _personal_snapshot(store) -> dict:
    """The published snapshot with personal data where the real one has it (operators, masked callers)."""
    _v, snap = store.latest()
    snap = copy.deepcopy(snap)
    q = snap["queues"]["general"]
    q["waiting_calls"] = [{"position": 1, "caller": PERSONAL["caller"], "entered_at": snap["generated_at"],
                           "wait_s": 12.0}]
    q["abandoned_calls"] = [{"at": snap["generated_at"], "caller": PERSONAL["caller"], "wait_s": 40, "short": False}]
    snap["agents"] = [{"name": PERSONAL["name"], "operator": PERSONAL["operator"], "operator_id": 4242,
                       "team": "t1", "team_name": PERSONAL["team_name"], "queues": ["general"], "state": "on_call",
                       "since": snap["generated_at"], "pause_reason": "", "answered": 3}]
    snap["alerts"] = [{"id": 1, "key": "source_stale:ticketing", "rule": "source_stale", "scope": "ticketing",
                       "severity": "critical", "params": {"lag_s": 40, "error": "host crm-db.internal refused"},
                       "fired_at": snap["generated_at"], "acked_by": "sup", "acked_at": None, "state": "firing"}]
    snap["sources"]["ticketing"]["error"] = "host crm-db.internal refused"
    store.publish(snap)
    return snap


OPERATIONAL = ("queues", "channels", "services", "alerts", "agents", "status")


@pytest.mark.parametrize("name", OPERATIONAL)
def test_an_operational_token_reads_the_snapshot_parts(web, tokens, name):
    app, _store = web
    response = _get(app.server.test_client(), f"/api/v1/{name}", tokens[1]["ops"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["generated_at"] and (name in body or name == "status")


def test_queue_figures_equal_the_snapshot(web, tokens):
    app, store = web
    _v, snap = store.latest()
    body = _get(app.server.test_client(), "/api/v1/queues", tokens[1]["ops"]).get_json()
    for name, q in snap["queues"].items():
        assert body["queues"][name]["offered"] == q["offered"] and body["queues"][name]["waiting"] == q["waiting"]


def test_an_operational_token_cannot_read_reports(web, tokens):
    app, _store = web
    response = _get(app.server.test_client(), "/api/v1/reports/sla", tokens[1]["ops"])
    assert response.status_code == 403 and "reports" in response.get_json()["error"]


def test_a_reports_token_cannot_read_the_live_figures(web, tokens):
    app, _store = web
    assert _get(app.server.test_client(), "/api/v1/queues", tokens[1]["rep"]).status_code == 403


def test_a_reports_token_reads_the_sla_figures_as_the_cli_computes_them(web, tokens):
    import io

    from components.sla_text import write_json
    from data_access.sla_inputs import read_inputs
    from domain.sla import WhatIf, period_bounds
    from domain.sla_report import Request, build

    app, _store = web
    context = app.server.extensions["hotline"]
    response = _get(app.server.test_client(), "/api/v1/reports/sla", tokens[1]["rep"],
                    **{"from": "2026-11-01", "to": "2026-11-30", "by": "week"})
    assert response.status_code == 200, response.get_data(as_text=True)
    s = context.settings
    start, end = period_bounds("custom", time.time(), s.tz, "2026-11-01", "2026-11-30")
    req = Request(start, end, "week", WhatIf(s.sl_variant, None, s.short_abandon_s))
    out = io.StringIO()
    write_json(build(read_inputs(req, s, context.app_db, now=time.time(), parts=("queues",)), ("queues",)), out)
    assert response.get_json() == json.loads(out.getvalue())


def test_a_revoked_token_is_refused_at_once(web, tokens):
    app, _store = web
    repo, made = tokens
    client = app.server.test_client()
    assert _get(client, "/api/v1/queues", made["both"]).status_code == 200
    assert repo.revoke("both", "adm", time.time())
    response = _get(client, "/api/v1/queues", made["both"])
    assert response.status_code == 401 and "queues" not in response.get_json()


@pytest.mark.parametrize("token", [None, "", "hl_wrong", "x" * 5000, "' OR '1'='1", "../../etc/passwd", "\u0000"])
def test_a_missing_or_wrong_token_is_401(web, tokens, token):
    app, _store = web
    response = _get(app.server.test_client(), "/api/v1/queues", token)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_session_is_not_an_api_token(web, tokens, client_as):
    assert client_as("admin").get("/api/v1/queues").status_code == 401


def test_no_personal_data_in_any_response(web, tokens):
    app, store = web
    _personal_snapshot(store)
    client = app.server.test_client()
    texts = [_get(client, f"/api/v1/{n}", tokens[1]["both"]).get_data(as_text=True) for n in OPERATIONAL]
    texts.append(_get(client, "/api/v1/reports/sla", tokens[1]["both"], period="this_month").get_data(as_text=True))
    joined = "\n".join(texts)
    for value in (*PERSONAL.values(), "4242", "crm-db.internal", "Сидоров", "sidorov", "acked_by"):
        assert value not in joined, value
    masked_or_not = re.compile(r"\+7[\s\d*()-]{6,}|\b\d{2}\s?\d{2}\s\d{6}\b|\b\d{12}\b|passport|birth|citizen|"
                               r"\binn\b|surname|full_name|caller|phone", re.IGNORECASE)
    assert not masked_or_not.search(joined), masked_or_not.search(joined)
    agents = json.loads(texts[OPERATIONAL.index("agents")])["agents"]
    assert agents["by_state"]["on_call"] == 1


@pytest.mark.parametrize("query, fragment", [
    ({"period": "forever"}, "period"), ({"from": "2026-13-45"}, "from"), ({"from": "yesterday"}, "from"),
    ({"from": "2026-11-01", "to": "2026-10-01"}, "ends before"), ({"by": "decade"}, "by"),
    ({"threshold": "abc"}, "threshold"), ({"threshold": "0"}, "threshold"), ({"threshold": "10" * 30}, "threshold"),
    ({"queue": "q" * 81}, "printable"),
    ({"queue": "general\u0000"}, "printable"), ({"from": "2020-01-01", "to": "2026-01-01"}, "366"),
])
def test_bad_report_input_gives_a_clear_400(web, tokens, query, fragment):
    app, _store = web
    response = _get(app.server.test_client(), "/api/v1/reports/sla", tokens[1]["rep"], **query)
    assert response.status_code == 400 and fragment in response.get_json()["error"], response.get_json()


def test_a_repeated_parameter_is_refused(web, tokens):
    app, _store = web
    response = app.server.test_client().get("/api/v1/reports/sla?by=day&by=week",
                                            headers={"Authorization": f"Bearer {tokens[1]['rep']}"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/queues/../reports/sla", "/api/v2/queues", "/api/",
                                  "/api/v1/", "/api/v1/reports"])
def test_unknown_paths_are_json_404s_not_pages(web, tokens, path):
    app, _store = web
    response = _get(app.server.test_client(), path, tokens[1]["both"])
    assert response.status_code in (401, 404) and response.is_json


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(web, tokens, method):
    app, _store = web
    client = app.server.test_client()
    response = getattr(client, method)("/api/v1/queues", headers={"Authorization": f"Bearer {tokens[1]['ops']}"})
    assert response.status_code == 405 and response.is_json


def test_the_rate_limit_answers_429_and_is_audited_per_hour(web, tokens):
    app, _store = web
    repo, made = tokens
    client = app.server.test_client()
    codes = [_get(client, "/api/v1/status", made["ops"]).status_code for _ in range(RATE + 3)]
    assert codes[:RATE] == [200] * RATE and codes[RATE:] == [429] * 3
    last = _get(client, "/api/v1/status", made["ops"])
    assert int(last.headers["Retry-After"]) >= 1
    usage = [u for u in repo.usage(time.time() - 3600) if u["token"] == "ops"]
    assert len(usage) == 1 and usage[0]["calls"] == RATE + 4 and usage[0]["refused"] == 4


def test_the_openapi_document_validates_and_lists_every_route(web):
    from openapi_spec_validator import validate

    from web.api import ROUTES

    app, _store = web
    response = app.server.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate(doc)
    assert {f"/api/v1/{name}" for name in ROUTES} <= set(doc["paths"])
    for name, (scope, _view) in ROUTES.items():
        assert doc["paths"][f"/api/v1/{name}"]["get"]["x-scope"] == scope


def test_tokens_are_kept_only_as_hashes(web, tokens):
    from sqlalchemy import select

    from data_access.schema.appdb import api_tokens

    app, _store = web
    with app.server.extensions["hotline"].app_db.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(select(api_tokens)) for v in row)
    for token in tokens[1].values():
        assert token not in stored


def test_token_names_and_scopes_are_checked(web, tokens):
    from data_access.api_tokens_repo import TokenError

    repo, _made = tokens
    for name, scopes in (("ops", "operational"), ("", "reports"), ("x" * 121, "reports"), ("<script>", "reports"),
                         ("ok", "admin"), ("ok", ""), ("ok", ["reports", 3])):
        with pytest.raises(TokenError):
            repo.create(name, scopes, "adm", time.time())


def test_a_stopped_app_database_gives_a_clear_503(web, tokens, monkeypatch):
    from sqlalchemy.exc import OperationalError

    app, _store = web
    context = app.server.extensions["hotline"]

    def refuse(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(context.app_db, "connect", refuse)
    monkeypatch.setattr(context.app_db, "begin", refuse)
    response = _get(app.server.test_client(), "/api/v1/queues", tokens[1]["ops"])
    assert response.status_code == 503 and response.get_json() == {"error": "the app database is unavailable"}
