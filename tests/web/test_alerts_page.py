"""/alerts: a click that lands together with the poll's tick still acts (Dash merges them into one call)."""

from __future__ import annotations

import time

from domain.alerts import Changes, Condition
from tests.web.dash_post import ack_body, body, post


def _active_alert(app) -> int:
    """One active alert in the app database; its id."""
    alerts = app.server.extensions["hotline"].alerts
    alerts.apply(Changes(fired=[Condition("queue_waiting", "q_general", "critical", {"waiting": 12})]), time.time())
    [row] = alerts.active()
    return row["id"]


def _merged_with_tick(request: dict) -> dict:
    """The same call as Dash sends when the poll's tick and the click fall together: the tick listed first."""
    request["changedPropIds"] = ["tick.n_intervals", *request["changedPropIds"]]
    for item in request["inputs"]:
        if isinstance(item, dict) and item["id"] == "tick":
            item["value"] = 41
    return request


def test_an_acknowledge_click_merged_with_the_polls_tick_is_recorded_with_who_and_when(web, client_as):
    app, _ = web
    alert_id = _active_alert(app)
    status, _text = post(client_as("supervisor"), _merged_with_tick(ack_body(app, alert_id)))
    assert status == 200
    [row] = app.server.extensions["hotline"].alerts.active()
    assert row["state"] == "acknowledged" and row["acked_by"]
    assert app.server.extensions["hotline"].audit.page(action="alert_ack")[1] == 1


def test_a_wall_screen_clicking_acknowledge_together_with_a_tick_still_acknowledges_nothing(web, client_as):
    app, _ = web
    alert_id = _active_alert(app)
    status, _text = post(client_as("display"), _merged_with_tick(ack_body(app, alert_id)))
    assert status in (200, 204, 403)
    [row] = app.server.extensions["hotline"].alerts.active()
    assert row["state"] != "acknowledged"


def test_a_silence_added_in_the_same_call_as_the_tick_is_set(web, client_as):
    app, _ = web
    values = {"silence-matcher": "queue_waiting:*", "silence-hours": 2, "silence-reason": "works", "silence-add": 1,
              "lang": "en", "tick": 41}
    request = body(app, "silence-message", values, changed="silence-add.n_clicks")
    request["changedPropIds"] = ["tick.n_intervals", "silence-add.n_clicks"]
    status, text = post(client_as("supervisor"), request)
    assert status == 200 and "silence-result" in text
