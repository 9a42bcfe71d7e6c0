"""/report-mail: managers subscribe themselves to the scheduled SLA report; administrators see everybody's."""

from __future__ import annotations

import pytest

from tests.web.dash_post import body, post


def _click(app, client, button: str, **values) -> tuple[int, str]:
    base = {"sub-email": "mgr@hotline.example", "sub-cadence": "monthly", "sub-lang": "ru", "lang": "en", button: 1}
    return post(client, body(app, "sub-message", {**base, **values}, changed=f"{button}.n_clicks"))


def _subs(app):
    from data_access.subscriptions_repo import SubscriptionRepository

    return SubscriptionRepository(app.server.extensions["hotline"].app_db).all()


def test_a_manager_subscribes_and_unsubscribes_only_themselves(web, client_as):
    app, _store = web
    manager = client_as("manager")
    assert manager.get("/report-mail").status_code == 200
    status, text = _click(app, manager, "sub-save", **{"sub-cadence": "weekly"})
    assert status == 200 and "sub-result" in text
    [sub] = _subs(app)
    assert (sub.login, sub.email, sub.cadence) == ("mgr", "mgr@hotline.example", "weekly")
    status, _text = _click(app, client_as("admin"), "sub-save", **{"sub-email": "adm@hotline.example"})
    assert status == 200 and len(_subs(app)) == 2
    status, text = _click(app, manager, "sub-remove", **{"sub-cadence": "weekly"})
    assert status == 200 and [s.login for s in _subs(app)] == ["adm"]


@pytest.mark.parametrize("role", ["supervisor", "security", "display"])
def test_other_roles_may_not_subscribe(web, client_as, role):
    app, _store = web
    status, _text = _click(app, client_as(role), "sub-save")
    assert status == 403 and not _subs(app)


@pytest.mark.parametrize("values", [{"sub-email": "x\r\nBcc: all@corp.example"}, {"sub-email": ["a@b.example"]},
                                    {"sub-cadence": "hourly"}, {"sub-cadence": None}, {"sub-email": None}])
def test_bad_input_is_refused_with_a_message(web, client_as, values):
    app, _store = web
    status, text = _click(app, client_as("manager"), "sub-save", **values)
    assert status in (200, 400) and "sub-result" not in text and not _subs(app)
