"""The app factory: every app built in one process serves the same callbacks."""

from data_access.snapshot_store import InMemorySnapshotStore
from web.factory import build_dash_app


def test_a_second_app_in_the_process_has_every_callback(web, settings):
    first, _store = web
    first.server.test_client().get("/")           # the first request is when Dash hands out its callbacks
    second = build_dash_app(settings, InMemorySnapshotStore())
    second.server.test_client().get("/")
    assert set(second.callback_map) == set(first.callback_map)
    assert any("ops-rows.data" in key for key in second.callback_map)        # a page's callback
    assert any("fresh.data" in key for key in second.callback_map)           # the frame's
    outputs = [spec["output"] for spec in second._callback_list]
    assert len(outputs) == len(set(outputs)) == len(second.callback_map)
