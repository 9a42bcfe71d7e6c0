"""A real app (all pages, all callbacks, sign-in) over an in-memory snapshot, driven by Flask's test client."""

from __future__ import annotations

import re
import time

import pytest

from data_access.snapshot_store import InMemorySnapshotStore

PASSWORD = "correct-horse-battery"
ROLE_USERS = {"supervisor": "sup", "manager": "mgr", "security": "sec", "admin": "adm", "display": "wall"}


@pytest.fixture
def web(settings):
    """(dash app, snapshot store) with one user per role (login = ROLE_USERS[role], password PASSWORD)."""
    from data_access.appdb import open_app_db
    from data_access.users_repo import UserRepository
    from poller.engine import LiveEngine
    from web.factory import build_dash_app
    from web.passwords import hash_password

    store = InMemorySnapshotStore()
    LiveEngine(settings, store).cycle(time.time())  # sources missing: a snapshot that says so
    app = build_dash_app(settings, store)
    users = UserRepository(open_app_db(settings.url("app_db")))
    for role, login in ROLE_USERS.items():
        users.create(login, f"Test {role}", role, hash_password(PASSWORD), time.time())
    return app, store


def csrf_of(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client, login: str, password: str = PASSWORD, next_path: str = "/"):
    return client.post("/login", data={"login": login, "password": password, "csrf": csrf_of(client),
                                       "next": next_path})


@pytest.fixture
def client_as(web):
    """A factory of test clients signed in with a role."""
    app, _store = web

    def make(role: str):
        client = app.server.test_client()
        response = sign_in(client, ROLE_USERS[role])
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client
    return make


def callback_bodies(app) -> list[tuple[list[str], dict]]:
    """For every server callback of the app: its output ids and a request body that runs it."""
    app.server.test_client().get("/")  # the first request registers the pages' router
    bodies = []
    for output_spec, cb in app.callback_map.items():
        outputs = [{"id": _parse_id(o.rsplit(".", 1)[0]), "property": o.rsplit(".", 1)[1]}
                   for o in output_spec.strip(".").split("...")]
        inputs = [{"id": i["id"], "property": i["property"], "value": None} for i in cb["inputs"]]
        state = [{"id": s["id"], "property": s["property"], "value": None} for s in cb.get("state", [])]
        body = {"output": output_spec, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
                "state": state, "changedPropIds": []}
        bodies.append(([str(o["id"]) for o in outputs], body))
    return bodies


def _parse_id(text: str):
    import json

    return json.loads(text) if text.startswith("{") else text
