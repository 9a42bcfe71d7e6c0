"""A real PostgreSQL app database that stops accepting connections: clear 503s naming it, then recovery."""

import time

import pytest
from sqlalchemy import create_engine, text

from data_access.snapshot_store import InMemorySnapshotStore
from tests.web.conftest import PASSWORD, callback_bodies, sign_in

pytestmark = pytest.mark.postgres


def _switch(admin, name: str, accept: bool) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if accept else "false"}'))
        if not accept:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})


def test_a_stopped_postgres_app_database_gives_503_naming_it_and_the_screens_recover(settings, postgres_url):
    from data_access.appdb import open_app_db
    from data_access.users_repo import UserRepository
    from poller.engine import LiveEngine
    from web.factory import build_dash_app
    from web.passwords import hash_password

    url = postgres_url("appdb_down")
    settings = settings.__class__(**{**settings.__dict__, "app_db_url": url})
    store = InMemorySnapshotStore()
    LiveEngine(settings, store).cycle(time.time())
    app = build_dash_app(settings, store)
    UserRepository(open_app_db(url)).create("wall", "Wall", "display", hash_password(PASSWORD), time.time())
    screen = app.server.test_client()
    assert sign_in(screen, "wall").status_code == 302
    fresh = next(b for o, b in callback_bodies(app) if o == ["fresh"])
    assert screen.post("/_dash-update-component", json=fresh).status_code == 200
    admin = create_engine(url.replace("/appdb_down?", "/postgres?"), isolation_level="AUTOCOMMIT")
    _switch(admin, "appdb_down", accept=False)
    try:
        started = time.monotonic()
        refused = screen.post("/_dash-update-component", json=fresh)
        assert refused.status_code == 503 and refused.get_json()["down"] == ["app_db"]
        assert time.monotonic() - started < 5  # at once, not after a client time-out
        health = app.server.test_client().get("/health")
        assert health.status_code == 503 and health.get_json()["app_db"] == "down"
    finally:
        _switch(admin, "appdb_down", accept=True)
    assert screen.post("/_dash-update-component", json=fresh).status_code == 200
    assert app.server.test_client().get("/health").status_code == 200
    admin.dispose()
