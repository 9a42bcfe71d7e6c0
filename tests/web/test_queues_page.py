"""/queues over the callback endpoint: the queue picker's value as any browser (or hand-made request) sends it."""

import pytest

from tests.web.dash_post import body, post


@pytest.mark.parametrize("queue", ["\ud800", 10**30, "a\x00b", "x" * 81, ["general"], {"q": "general"}])
def test_an_odd_queue_pick_is_never_an_error(web, client_as, queue):
    app, _ = web
    status, _text = post(client_as("supervisor"), body(app, "queue-summary", {"queue-pick": queue, "lang": "ru"},
                                                     changed="queue-pick.value"))
    assert status in (200, 204, 400)  # 400: the request guard refused a value of the wrong type first


def test_picking_the_general_queue_redraws_the_page_for_it(web, client_as):
    app, _ = web
    status, text = post(client_as("supervisor"), body(app, "queue-summary", {"queue-pick": "general", "lang": "ru"},
                                                      changed="queue-pick.value"))
    assert status == 200 and '"general"' in text
