"""The wall's poll at scale: one request per tick carries the freshness feed, and the body only when it changed.

Hundreds of wall screens poll every 2 s (bench/wall_load.py): a screen that already shows the newest snapshot
version is answered without rendering, every answer carries the data's age and what is down (the stale indicator
never depends on a new version), and the shell's own tick, which would post the feed a second time, pauses on
/wall only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.web.dash_post import body, post

ROOT = Path(__file__).resolve().parents[2]
RECHECK_S = 0.25  # pages/wall.py VERSION_RECHECK_S: a worker asks the store for the version at most this often


def after_recheck() -> None:
    time.sleep(RECHECK_S + 0.05)


def wall_request(app, known, lang: str = "ru", tick: int = 3) -> dict:
    return body(app, "wall-body", {"wall-tick": tick, "lang": lang, "wall-version": known},
                changed="wall-tick.n_intervals")


def answer(client, request_body: dict) -> dict:
    status, text = post(client, request_body)
    assert status == 200, text[:300]
    return {key: value for key, value in json.loads(text)["response"].items()}


def fresh_of(response: dict) -> dict:
    (data,) = response["fresh"].values()  # the property carries Dash's duplicate-output suffix
    return data


def test_an_unchanged_version_answers_with_the_freshness_feed_only_and_renders_nothing(web, client_as):
    app, store = web
    client = client_as("display")
    renders = app.server.extensions["hotline"].renders
    version = store.version()
    first = answer(client, wall_request(app, None))
    assert first["wall-version"]["data"] == [version, "ru"]
    assert first["wall-body"]["children"]
    misses, hits = renders.misses, renders.hits
    again = answer(client, wall_request(app, [version, "ru"]))
    assert set(again) == {"fresh"}  # no body, no version: nothing rendered, nothing sent again
    assert (renders.misses, renders.hits) == (misses, hits)
    assert fresh_of(again)["gen"] == store.latest()[1]["generated_ts"]


def test_a_new_version_renders_once_and_is_sent_with_the_feed(web, client_as):
    app, store = web
    client = client_as("display")
    old = store.version()
    answer(client, wall_request(app, None))
    snapshot = store.latest()[1]
    new = store.publish({**snapshot, "generated_ts": snapshot["generated_ts"] + 2})
    after_recheck()
    renders = app.server.extensions["hotline"].renders
    misses = renders.misses
    changed = answer(client, wall_request(app, [old, "ru"]))
    assert changed["wall-version"]["data"] == [new, "ru"]
    assert changed["wall-body"]["children"]
    assert fresh_of(changed)["gen"] == snapshot["generated_ts"] + 2
    assert renders.misses == misses + 1
    answer(client_as("supervisor"), wall_request(app, [old, "ru"]))  # another screen: the same render
    assert renders.misses == misses + 1
    english = answer(client, wall_request(app, [new, "ru"], lang="en"))  # another language is another render
    assert english["wall-version"]["data"] == [new, "en"] and renders.misses == misses + 2


def test_the_feed_of_an_unchanged_version_still_says_what_is_down(web, client_as):
    """A snapshot store that cannot be read leaves the version as it was: the answer must still say so, and the
    data's age goes on growing from the snapshot's time (the browser turns the screen stale)."""
    app, store = web
    client = client_as("display")
    version = store.version()
    answer(client, wall_request(app, None))
    gen = store.latest()[1]["generated_ts"]

    def broken() -> int:
        raise ConnectionError("redis down")

    store.version = broken
    after_recheck()  # the version checked less than 0.25 s ago is reused: the failure shows at the next check
    first = fresh_of(answer(client, wall_request(app, [version, "ru"])))
    time.sleep(0.05)
    second = answer(client, wall_request(app, [version, "ru"]))
    assert set(second) == {"fresh"}
    assert "snapshot_store" in fresh_of(second)["bad"] and "snapshot_store" in first["bad"]
    assert fresh_of(second)["gen"] == gen and fresh_of(second)["now"] > first["now"]


def test_sources_down_reach_the_wall_through_its_own_feed(web, client_as):
    app, store = web
    snapshot = store.latest()[1]
    store.publish({**snapshot, "sources": {"telephony": {"ok": False}, "ticketing": {"ok": True}}})
    after_recheck()
    fresh = fresh_of(answer(client_as("display"), wall_request(app, None)))
    assert fresh["bad"] == ["telephony"]


def test_the_wall_polls_with_one_request_per_tick(web):
    """On /wall the shell's tick pauses (the wall's request carries its feed); other pages keep it."""
    app, _store = web
    app.server.test_client().get("/")  # the first request registers the pages' callbacks
    wall_callbacks = [spec for key, spec in app.callback_map.items() if "wall-body" in key]
    assert len(wall_callbacks) == 1
    assert [i["id"] for i in wall_callbacks[0]["inputs"]] == ["wall-tick", "lang"]
    assert any(out.startswith("fresh.data@") for out in next(k for k in app.callback_map if "wall-body" in k)
               .strip(".").split("..."))
    pauses = [c for c in app._callback_list if c["output"] == "tick.disabled"]
    assert len(pauses) == 1 and pauses[0]["clientside_function"]["function_name"] == "shellTickPaused"
    assert [i["id"] for i in pauses[0]["inputs"]] == ["url"]
    script = (ROOT / "assets" / "20_hotline.js").read_text()
    assert 'shellTickPaused: function (pathname) {\n        return pathname === "/wall";' in script


def test_a_worker_asks_the_store_for_the_version_at_most_every_quarter_second(monkeypatch):
    """Hundreds of screens a second cost one version check per worker per 0.25 s; a failed check is not reused
    (what is down is said at once) and a caller without ``recheck_s`` always asks."""
    import data_access.snapshot_store as module
    from data_access.snapshot_store import InMemorySnapshotStore, SnapshotReader

    clock = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    store = InMemorySnapshotStore()
    store.publish({"generated_ts": 1})
    reader = SnapshotReader(store)
    asked = []
    version = store.version
    store.version = lambda: asked.append(1) or version()
    assert reader.get(RECHECK_S)[0] == 1 and len(asked) == 1
    store.publish({"generated_ts": 2})
    clock[0] += 0.2
    assert reader.get(RECHECK_S)[0] == 1 and len(asked) == 1  # within 0.25 s: the version known
    assert reader.get()[0] == 2 and len(asked) == 2            # the other pages ask every time
    store.publish({"generated_ts": 3})
    clock[0] += 0.3
    assert reader.get(RECHECK_S)[0] == 3 and len(asked) == 3

    def down() -> int:
        raise ConnectionError("redis down")

    store.version = down
    clock[0] += 0.3
    assert reader.get(RECHECK_S)[0] == 3 and reader.problem == "ConnectionError"
    store.version = lambda: asked.append(1) or version()
    assert reader.get(RECHECK_S)[0] == 3 and reader.problem is None and len(asked) == 4  # asked again at once


def test_a_poll_sets_no_cookie_but_a_session_ended_elsewhere_is_refused_at_the_next_poll(web, client_as):
    app, _store = web
    client = client_as("display")
    response = client.post("/_dash-update-component", json=wall_request(app, None))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers   # nothing signed again per poll
    hotline = app.server.extensions["hotline"]
    hotline.sessions.end_for_user(hotline.users.by_login("wall").id, time.time())   # signed out by an admin
    assert client.post("/_dash-update-component", json=wall_request(app, None)).status_code in (401, 403)
