"""The definitions on screen quote the live settings: T, goal and short-abandon limit travel in the snapshot."""

import json
import time

from data_access.snapshot_store import InMemorySnapshotStore
from tests.web.conftest import PASSWORD, sign_in
from tests.web.dash_post import body


def _app_with(settings, **overrides):
    from data_access.appdb import open_app_db
    from data_access.users_repo import UserRepository
    from poller.engine import LiveEngine
    from web.factory import build_dash_app
    from web.passwords import hash_password

    settings = settings.__class__(**{**settings.__dict__, **overrides})
    store = InMemorySnapshotStore()
    LiveEngine(settings, store).cycle(time.time())
    app = build_dash_app(settings, store)
    UserRepository(open_app_db(settings.url("app_db"))).create("sup", "Sup", "supervisor",
                                                                 hash_password(PASSWORD), time.time())
    client = app.server.test_client()
    assert sign_in(client, "sup").status_code == 302
    return app, client


def _wall_and_queue(app, client) -> tuple[str, dict]:
    wall = client.post("/_dash-update-component", json=body(app, "wall-body", {"lang": "ru", "tick": 1}))
    queue = client.post("/_dash-update-component",
                        json=body(app, "queue-summary", {"lang": "ru", "tick": 1, "queue-pick": "technical"}))
    assert wall.status_code == 200 and queue.status_code == 200
    return wall.get_data(as_text=True), queue.get_json()["response"]


def test_the_default_definitions_say_20_s_80_percent_and_5_s(settings):
    wall, _queue = _wall_and_queue(*_app_with(settings))
    assert "отвеченные за 20 с" in wall and "Цель 80 %" in wall and "короткого сброса, 5 с" in wall


def test_changing_t_goal_and_short_abandon_changes_the_walls_tooltips_and_the_goal_line(settings):
    app, client = _app_with(settings, sl_threshold_s=30, sl_goal=0.9, short_abandon_s=10)
    wall, queue = _wall_and_queue(app, client)
    assert "отвеченные за 30 с" in wall and "Цель 90 %" in wall and "короткого сброса, 10 с" in wall
    assert "за 20 с" not in wall and "Цель 80 %" not in wall
    summary = json.dumps(queue["queue-summary"], ensure_ascii=False)
    assert "отвеченные за 30 с" in summary and "быстрее 10 с" in summary
    goal_line = queue["queue-chart"]["figure"]["layout"]["shapes"][0]
    assert goal_line["y0"] == goal_line["y1"] == 90.0


def test_the_variant_in_use_is_the_one_defined_on_screen(settings):
    wall, _queue = _wall_and_queue(*_app_with(settings, sl_variant="asterisk2"))
    assert "SL2" in wall


def test_every_catalogue_metric_has_both_languages_and_fills_its_definition():
    from domain.metrics import CHANNEL_METRICS, QUEUE_METRICS, MetricParams

    for m in QUEUE_METRICS + CHANNEL_METRICS:
        for lang in ("ru", "en"):
            text = m.help(lang, MetricParams(threshold_s=17, goal=0.75, short_abandon_s=3, target_s=900))
            assert m.label(lang) and text and "{" not in text, m.key
