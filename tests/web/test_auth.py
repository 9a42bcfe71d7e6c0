"""Security: nothing without a session, 403 for a wrong role, throttling, cookies, kiosk tokens, audit."""

import pytest

from tests.web.conftest import PASSWORD, ROLE_USERS, callback_bodies, csrf_of, sign_in

PAGES = ["/wall", "/queues", "/operators", "/services", "/alerts"]


def test_pages_and_dash_routes_need_a_session(web):
    app, _ = web
    client = app.server.test_client()
    for path in PAGES + ["/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in ("/_dash-layout", "/_dash-dependencies", "/_hotline/heartbeat"):
        assert client.get(path).status_code == 401, path
    assert client.get("/login").status_code == 200
    assert client.get("/assets/10_hotline.css").status_code == 200


def test_every_callback_is_refused_without_a_session(web):
    app, _ = web
    client = app.server.test_client()
    bodies = callback_bodies(app)
    assert len(bodies) >= 6
    for outputs, body in bodies:
        assert client.post("/_dash-update-component", json=body).status_code == 401, outputs


def test_a_wrong_role_gets_403_from_the_callback_endpoint(web, client_as):
    app, _ = web
    wall = client_as("display")
    by_page = {tuple(o): b for o, b in callback_bodies(app)}
    queues_body = next(b for o, b in by_page.items() if "queue-summary" in o)
    assert wall.post("/_dash-update-component", json=queues_body).status_code == 403
    ops_body = next(b for o, b in by_page.items() if "ops-grid" in o)
    assert wall.post("/_dash-update-component", json=ops_body).status_code == 403
    wall_body = next(b for o, b in by_page.items() if "wall-body" in o)
    wall_body["inputs"][1]["value"] = "ru"
    assert wall.post("/_dash-update-component", json=wall_body).status_code == 200
    supervisor = client_as("supervisor")
    assert supervisor.post("/_dash-update-component", json=queues_body).status_code == 200


def test_the_page_router_refuses_pages_of_other_roles(web, client_as):
    app, _ = web
    router = next(b for o, b in callback_bodies(app) if "_pages_content" in o)
    for inp in router["inputs"]:
        if inp["property"] == "pathname":
            inp["value"] = "/queues"
        elif inp["property"] == "search":
            inp["value"] = ""
    assert client_as("display").post("/_dash-update-component", json=router).status_code == 403
    assert client_as("supervisor").post("/_dash-update-component", json=router).status_code == 200
    assert client_as("security").post("/_dash-update-component", json=router).status_code == 403


def test_unknown_and_malformed_callbacks_are_refused(client_as):
    client = client_as("admin")
    for body in ({"outputs": {"id": "made-up", "property": "children"}, "inputs": []}, {"x": 1}, [], "text"):
        assert client.post("/_dash-update-component", json=body).status_code == 403


def test_a_role_lands_on_its_own_pages(client_as):
    wall = client_as("display")
    assert wall.get("/queues").headers["Location"].endswith("/wall")
    assert wall.get("/wall").status_code == 200
    assert client_as("supervisor").get("/").headers["Location"].endswith("/wall")


def test_repeated_wrong_passwords_are_throttled(web):
    app, _ = web
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "sup", "wrong-password-1").status_code == 401
    locked = sign_in(client, "sup", PASSWORD)
    assert locked.status_code == 429 and "временно заблокирован" in locked.get_data(as_text=True)
    other = app.server.test_client()
    assert sign_in(other, "mgr").status_code == 302  # another login is not locked
    entries, _ = app.server.extensions["hotline"].audit.page(action="sign_in_failed")
    assert len(entries) == 5 and entries[0]["target"] == "sup"


def test_unknown_login_and_wrong_password_look_the_same(web):
    app, _ = web
    client = app.server.test_client()
    a = sign_in(client, "nobody", "whatever-password").get_data(as_text=True)
    b = sign_in(client, "sec", "whatever-password").get_data(as_text=True)
    assert "Неверный логин или пароль" in a and "Неверный логин или пароль" in b


def test_sign_in_needs_the_form_token(web):
    app, _ = web
    client = app.server.test_client()
    client.get("/login")
    response = client.post("/login", data={"login": "sup", "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_samesite(web):
    app, _ = web
    client = app.server.test_client()
    cookie = sign_in(client, "sup").headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookies_when_configured(settings):
    from dataclasses import replace

    from web.factory import build_dash_app

    app = build_dash_app(replace(settings, cookie_secure=True))
    assert app.server.config["SESSION_COOKIE_SECURE"] and app.server.config["REMEMBER_COOKIE_SECURE"]


def test_no_open_redirect_after_sign_in(web):
    app, _ = web
    client = app.server.test_client()
    response = sign_in(client, "sup", next_path="//evil.example/x")
    assert response.headers["Location"].endswith("/wall")


def test_kiosk_token_signs_in_a_wall_screen_with_a_remembered_session(web):
    import time

    app, _ = web
    users = app.server.extensions["hotline"].users
    token = users.create_token("wall 1", users.by_login("wall").id, "test", time.time())
    client = app.server.test_client()
    assert client.get("/kiosk?token=not-a-token").status_code == 403
    response = client.get(f"/kiosk?token={token}")
    assert response.status_code == 200 and f'data-token="{token}"' in response.get_data(as_text=True)
    assert "remember_token" in " ".join(response.headers.getlist("Set-Cookie"))
    assert client.get("/_hotline/heartbeat").get_json()["role"] == "display"
    assert client.get("/queues").headers["Location"].endswith("/wall")
    users.revoke_token("wall 1", time.time())
    assert app.server.test_client().get(f"/kiosk?token={token}").status_code == 403


def test_sign_ins_are_audited_and_the_trail_is_append_only(web):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    app, _ = web
    client = app.server.test_client()
    sign_in(client, "sup")
    trail = app.server.extensions["hotline"].audit
    entries, total = trail.page()
    assert total >= 1 and entries[0]["action"] == "sign_in" and entries[0]["actor"] == "sup"
    assert trail.verify() == (True, None)
    with pytest.raises(DatabaseError, match="append-only"):
        with trail.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(DatabaseError, match="append-only"):
        with trail.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))


def test_roles_map_is_complete():
    assert set(ROLE_USERS) == {"supervisor", "manager", "security", "admin", "display"}


def test_a_revoked_kiosk_token_signs_its_open_screens_out_at_the_next_request(web):
    import time

    app, _ = web
    users = app.server.extensions["hotline"].users
    token = users.create_token("hall 3", users.by_login("wall").id, "test", time.time())
    screen = app.server.test_client()
    assert screen.get(f"/kiosk?token={token}").status_code == 200
    remembered = screen.get_cookie("remember_token").value
    assert screen.get("/_hotline/heartbeat").status_code == 200
    assert users.revoke_token("hall 3", time.time()) == 1
    assert screen.get("/_hotline/heartbeat").status_code == 401
    # Only the remember cookie, as a screen that lost its session would send it: refused too.
    fresh = app.server.test_client()
    fresh.set_cookie("remember_token", remembered)
    assert fresh.get("/_hotline/heartbeat").status_code == 401


def test_a_session_cookie_copied_before_sign_out_no_longer_works(web):
    app, _ = web
    desk = app.server.test_client()
    assert sign_in(desk, "sup").status_code == 302
    copied = desk.get_cookie("session").value
    assert desk.get("/_hotline/heartbeat").status_code == 200
    desk.post("/logout", headers={"Sec-Fetch-Site": "same-origin"})
    thief = app.server.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/_hotline/heartbeat").status_code == 401


def test_a_new_password_ends_the_users_open_sessions(web):
    from web.passwords import hash_password

    app, _ = web
    desk = app.server.test_client()
    assert sign_in(desk, "mgr").status_code == 302
    app.server.extensions["hotline"].users.set_password("mgr", hash_password("another-password-42"))
    assert desk.get("/_hotline/heartbeat").status_code == 401


def test_parallel_wrong_passwords_are_throttled_without_a_race(web, settings):
    """20 guesses at once for one login: at most 5 (the limit) have their password checked."""
    from concurrent.futures import ThreadPoolExecutor

    import web.auth as auth_module

    app, _ = web
    checked = []
    real_verify = auth_module.verify_password

    def counting_verify(stored, password):
        checked.append(password)
        return real_verify(stored, password)

    clients = [app.server.test_client() for _ in range(20)]
    tokens = [csrf_of(c) for c in clients]
    auth_module.verify_password = counting_verify
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            codes = list(pool.map(lambda ct: ct[0].post("/login", data={
                "login": "sup", "password": "guess", "csrf": ct[1], "next": "/"}).status_code,
                zip(clients, tokens, strict=True)))
    finally:
        auth_module.verify_password = real_verify
    assert len(checked) <= settings.login_max_failures == 5
    assert codes.count(429) >= 15 and codes.count(401) == len(checked)


def test_anonymous_requests_cannot_grow_the_audit_trail_without_limit(web):
    app, _ = web
    client = app.server.test_client()
    trail = app.server.extensions["hotline"].audit
    _, before = trail.page()
    for i in range(300):
        assert client.get(f"/kiosk?token=guess-{i}").status_code == 403
    _, refused = trail.page(action="kiosk_token_refused")
    assert refused == 1 and trail.page()[1] - before == 1
    for i in range(100):
        sign_in(client, f"nobody-{i}", "x")
    _, total = trail.page()
    assert total - before <= app.server.extensions["hotline"].settings.anon_audit_per_minute


def test_a_callback_body_over_the_size_limit_is_refused_before_it_is_read(web, client_as):
    body = b'{"output": "x", "inputs": [' + b'"a",' * (700 * 1024) + b'"a"]}'
    response = client_as("admin").post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("next_value", [
    '/wall</script><script>alert(1)</script>', "/\\evil.example", "/\\/evil.example", "https://evil.example/",
    "//evil.example", "/nowhere", "/wall\r\nLocation: x", 'javascript:alert(1)'])
def test_the_kiosk_page_never_writes_a_hostile_next_into_a_script_nor_redirects_off_site(web, next_value):
    import time

    app, _ = web
    users = app.server.extensions["hotline"].users
    token = users.create_token("hall 9", users.by_login("wall").id, "test", time.time())
    response = app.server.test_client().get("/kiosk", query_string={"token": token, "next": next_value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<script>" not in page and "alert(1)" not in page
    assert 'data-target="/wall?kiosk=1"' in page
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


def test_a_kiosk_next_that_is_a_page_of_this_app_is_kept():
    from web.auth import safe_next

    assert safe_next("/alerts?kiosk=1&rotate=/wall,/alerts") == "/alerts?kiosk=1&rotate=/wall,/alerts"
    assert safe_next("/\\evil.example") == "/" and safe_next("/%5Cevil") == "/" and safe_next(["/wall"]) == "/"


def test_a_kiosk_token_keeps_at_most_20_live_sessions_and_old_rows_are_purged(web):
    import time

    from sqlalchemy import func, select

    from data_access.schema.appdb import web_sessions

    app, _ = web
    context = app.server.extensions["hotline"]
    token = context.users.create_token("hall 5", context.users.by_login("wall").id, "test", time.time())
    client = app.server.test_client()
    for _ in range(60):
        assert client.get(f"/kiosk?token={token}").status_code == 200
    with context.app_db.connect() as conn:
        live = conn.execute(select(func.count()).select_from(web_sessions)
                            .where(web_sessions.c.ended_at.is_(None), web_sessions.c.token_id.is_not(None))).scalar()
    assert live == 20
    assert client.get("/_hotline/heartbeat").status_code == 200  # the newest session is one of them
    context.sessions.purge(time.time() + 40 * 86400)  # the 40 ended a month ago and more: gone; the live 20 stay
    with context.app_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(web_sessions)).scalar() == 20


def test_an_address_is_throttled_even_when_it_signs_in_to_another_account_between_guesses(web, settings):
    app, _ = web
    client = app.server.test_client()
    codes = []
    for i in range(40):
        codes.append(sign_in(client, f"nobody{i % 12}", "wrong-password", ).status_code)
        if i % 10 == 9:
            assert sign_in(app.server.test_client(), "wall").status_code in (302, 429)
    assert codes.count(401) == settings.login_max_failures_ip == 20 and codes.count(429) == 20


def test_sign_out_is_a_post_from_this_site_and_a_link_from_elsewhere_only_asks(web):
    app, _ = web
    desk = app.server.test_client()
    assert sign_in(desk, "sup").status_code == 302
    asked = desk.get("/logout")
    assert asked.status_code == 200 and 'method="post"' in asked.get_data(as_text=True)
    assert desk.post("/logout", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200
    assert desk.get("/_hotline/heartbeat").status_code == 200  # still signed in
    assert desk.post("/logout", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 302
    assert desk.get("/_hotline/heartbeat").status_code == 401


def test_paths_under_the_public_prefixes_that_are_not_files_are_not_public(web, client_as):
    app, _ = web
    anonymous = app.server.test_client()
    for path in ("/assets/", "/_dash-component-suites/x", "/assets/../app.py"):
        response = anonymous.get(path)
        assert response.status_code in (302, 401, 404) and "dash_version" not in response.get_data(as_text=True)
    assert anonymous.get("/_dash-component-suites/os/x.js").status_code == 404
    assert anonymous.get("/assets/10_hotline.css").status_code == 200
    assert client_as("admin").get("/assets/").status_code == 404
