"""/health says what is down; a stopped app database gives a clear 503 at once, never a 500."""

from sqlalchemy.exc import OperationalError


def test_health_is_ok_with_the_app_database_and_store_up(web):
    app, _ = web
    response = app.server.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json()["ok"] is True and response.get_json()["app_db"] == "ok"


def _break_app_db(app, monkeypatch):
    context = app.server.extensions["hotline"]

    def refuse(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(context.app_db, "connect", refuse)
    monkeypatch.setattr(context.app_db, "begin", refuse)


def test_health_says_the_app_database_is_down(web, monkeypatch):
    app, _ = web
    _break_app_db(app, monkeypatch)
    response = app.server.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False and body["app_db"] == "down" and body["snapshot_store"] == "ok"
    assert set(body) == {"ok", "app_db", "snapshot_store", "snapshot_age_s", "stale"}  # nothing private


def test_a_signed_in_screen_gets_503_naming_the_app_database_when_it_stops(web, client_as, monkeypatch):
    from tests.web.conftest import callback_bodies

    app, _ = web
    wall = client_as("display")
    fresh = next(b for o, b in callback_bodies(app) if o == ["fresh"])
    assert wall.post("/_dash-update-component", json=fresh).status_code == 200
    _break_app_db(app, monkeypatch)
    response = wall.post("/_dash-update-component", json=fresh)
    assert response.status_code == 503 and response.get_json()["down"] == ["app_db"]
    page = wall.get("/wall")
    assert page.status_code == 503 and "База данных приложения недоступна" in page.get_data(as_text=True)


def test_ready_answers_200_with_a_fresh_snapshot_and_503_naming_a_stale_one(web):
    import time

    app, store = web
    _version, snap = store.latest()
    store.publish({**snap, "generated_ts": time.time() - 2})
    response = app.server.test_client().get("/ready")
    assert response.status_code == 200 and response.get_json()["ready"] is True
    store.publish({**snap, "generated_ts": time.time() - 40})  # HOTLINE_STALE_AFTER_S is 15
    response = app.server.test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json()["reasons"] == ["snapshot_stale"]
    assert set(response.get_json()) == {"ready", "reasons", "snapshot_age_s"}  # nothing private


def test_ready_names_the_app_database_when_it_is_down_without_signing_in(web, monkeypatch):
    app, _ = web
    _break_app_db(app, monkeypatch)
    response = app.server.test_client().get("/ready")
    assert response.status_code == 503 and "app_db_down" in response.get_json()["reasons"]
