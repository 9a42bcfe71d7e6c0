"""The callback guard judges a request by what Dash will run: declared ids, properties and positions.

Randomised bodies are posted to every callback of the app (pages, the router, the shell) with every role: no
body ever gets a page the role may not open, and none gets a 500.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import ROLE_USERS, callback_bodies

ROUTER = "_pages_content"
ALLOWED_STATUS = {200, 204, 400, 403, 413}


def _router_body(app) -> dict:
    return copy.deepcopy(next(b for o, b in callback_bodies(app) if ROUTER in o))


def _ids_in(value) -> set[str]:
    """Every component id in a Dash response tree."""
    found: set[str] = set()
    if isinstance(value, dict):
        props = value.get("props")
        if isinstance(props, dict) and isinstance(props.get("id"), str):
            found.add(props["id"])
        for item in value.values():
            found |= _ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _ids_in(item)
    return found


@pytest.fixture
def pages_ids(web, client_as):
    """{path: component ids that the router draws for that page}, each page drawn by a role allowed to open it."""
    import dash

    app, _ = web
    drawers = {"security": client_as("security"), "admin": client_as("admin")}
    found = {}
    for page in dash.page_registry.values():
        role = "security" if "security" in page["roles"] and "admin" not in page["roles"] else "admin"
        body = _router_body(app)
        body["inputs"][0]["value"], body["inputs"][1]["value"] = page["path"], ""
        response = drawers[role].post("/_dash-update-component", json=body)
        assert response.status_code == 200, page["path"]
        found[page["path"]] = _ids_in(response.get_json())
    return found


def _forbidden_ids(role: str, pages_ids: dict) -> set[str]:
    from web.access import allowed_paths

    allowed = allowed_paths(role)
    seen_allowed = set().union(*(ids for path, ids in pages_ids.items() if path in allowed))
    return set().union(*(ids for path, ids in pages_ids.items() if path not in allowed)) - seen_allowed


def test_a_pathname_posted_in_another_position_does_not_open_a_forbidden_page(web, client_as, pages_ids):
    app, _ = web
    wall = client_as("display")
    body = _router_body(app)
    # Dash hands position 0 to the router's pathname: "/audit" there, and an allowed "/wall" further on.
    body["inputs"] = [{"id": "_pages_location", "property": "search", "value": "/audit"},
                      {"id": "_pages_location", "property": "pathname", "value": "/wall"}]
    response = wall.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert not (_ids_in(response.get_json()) & _forbidden_ids("display", pages_ids))
    body["inputs"] = [{"id": "not-the-location", "property": "pathname", "value": "/security"},
                      {"id": "_pages_location", "property": "pathname", "value": "/wall"}]
    assert wall.post("/_dash-update-component", json=body).status_code == 400


def test_a_security_officer_cannot_draw_operational_pages_through_the_router(web, client_as):
    app, _ = web
    officer = client_as("security")
    for path in ("/queues", "/operators", "/wall", "/services"):
        body = _router_body(app)
        body["inputs"][0]["value"], body["inputs"][1]["value"] = path, ""
        assert officer.post("/_dash-update-component", json=body).status_code == 403, path


def test_the_callback_dash_runs_is_the_one_that_is_judged(web, client_as):
    """``outputs`` of an allowed callback with ``output`` naming a forbidden one: Dash runs ``output``."""
    app, _ = web
    bodies = dict((tuple(o), b) for o, b in callback_bodies(app))
    wall_body = next(b for o, b in bodies.items() if "wall-body" in o)
    queues_body = next(b for o, b in bodies.items() if "queue-summary" in o)
    forged = copy.deepcopy(wall_body)
    forged["output"] = queues_body["output"]
    assert client_as("display").post("/_dash-update-component", json=forged).status_code in (400, 403)


def test_a_clientside_callback_posted_to_the_server_is_refused_not_a_500(web, client_as):
    app, _ = web
    body = next(b for o, b in callback_bodies(app) if "age-badge" in o)
    assert client_as("admin").post("/_dash-update-component", json=body).status_code == 403


# -- randomised bodies ----------------------------------------------------------------------------------------
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=False),
                      st.text(max_size=40), st.sampled_from(["/audit", "/security", "/security/cases", "/queues",
                                                              "/wall", "/operators", "/alerts", "//x", "/\\evil"]))
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12)


def _mutate(body: dict, data, donors: list[dict]) -> dict:
    body = copy.deepcopy(body)
    slots = [(name, i) for name in ("inputs", "state") for i in range(len(body.get(name) or []))]
    move = data.draw(st.sampled_from(["value", "swap", "foreign", "drop", "output", "outputs", "field", "none"]))
    donor = data.draw(st.sampled_from(donors))
    if move == "value" and slots:
        name, i = data.draw(st.sampled_from(slots))
        if isinstance(body[name][i], dict):
            body[name][i]["value"] = data.draw(JSON)
    elif move == "swap" and len(body["inputs"]) > 1:
        body["inputs"].reverse()
    elif move == "foreign" and slots and donor["inputs"]:
        name, i = data.draw(st.sampled_from(slots))
        body[name][i] = copy.deepcopy(data.draw(st.sampled_from(donor["inputs"])))
        body[name][i]["value"] = data.draw(JSON)
    elif move == "drop" and slots:
        name, i = data.draw(st.sampled_from(slots))
        del body[name][i]
    elif move == "output":
        body["output"] = donor["output"]
    elif move == "outputs":
        body["outputs"] = copy.deepcopy(donor["outputs"])
    elif move == "field":
        body[data.draw(st.sampled_from(["inputs", "state", "outputs", "output", "changedPropIds"]))] = data.draw(JSON)
    return body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=st.data())
def test_random_bodies_never_reach_a_forbidden_page_nor_give_a_500(web, client_as, pages_ids, data):
    app, _ = web
    clients = getattr(test_random_bodies_never_reach_a_forbidden_page_nor_give_a_500, "_clients", None)
    if clients is None or clients[0] is not app:
        clients = (app, {role: client_as(role) for role in ROLE_USERS})
        test_random_bodies_never_reach_a_forbidden_page_nor_give_a_500._clients = clients
    bodies = [b for _o, b in callback_bodies(app)]
    role = data.draw(st.sampled_from(sorted(ROLE_USERS)))
    body = _mutate(data.draw(st.sampled_from(bodies)), data, bodies)
    response = clients[1][role].post("/_dash-update-component", data=json.dumps(body),
                                     content_type="application/json")
    assert response.status_code in ALLOWED_STATUS, (role, body, response.get_data(as_text=True)[:300])
    if response.status_code == 200:
        assert not (_ids_in(response.get_json()) & _forbidden_ids(role, pages_ids)), (role, body)


def test_bodies_dash_itself_would_fail_on_are_refused_with_400(web, client_as):
    app, _ = web
    display = client_as("display")
    fresh = {"output": "fresh.data", "outputs": [{"id": "fresh", "property": "data"}],
             "inputs": [{"id": "tick", "property": "n_intervals", "value": 1}], "changedPropIds": ["tick.n_intervals"]}
    assert display.post("/_dash-update-component", json=fresh).status_code == 400  # a list for one Output
    fresh["outputs"] = {"id": "fresh", "property": "data"}
    assert display.post("/_dash-update-component", json=fresh).status_code == 200
    assert display.post("/_dash-update-component", json={**fresh, "state": None}).status_code == 400
    deep = '{"output": "fresh.data", "inputs": ' + "[" * 50000 + "]" * 50000 + "}"
    assert display.post("/_dash-update-component", data=deep, content_type="application/json").status_code == 400
