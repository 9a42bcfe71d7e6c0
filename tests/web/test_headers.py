"""Security headers on every response; the client address behind a trusted proxy only."""

import re


def test_every_response_carries_the_security_headers(web, client_as):
    app, _ = web
    for response in (app.server.test_client().get("/login"), client_as("supervisor").get("/wall"),
                     app.server.test_client().get("/health")):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy and "'unsafe-eval'" not in policy
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_the_policy_allows_dashs_inline_renderer_script_by_its_hash(web, client_as):
    import base64
    import hashlib

    page = client_as("supervisor").get("/wall")
    html = re.sub(r"<!--\[if IE\]>.*?<!\[endif\]-->", "", page.get_data(as_text=True), flags=re.S)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
    assert inline, "Dash's renderer start-up script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in page.headers["Content-Security-Policy"]


def test_hsts_is_sent_when_served_over_tls(web):
    app, _ = web
    response = app.server.test_client().get("/login", base_url="https://dash.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(web):
    app, _ = web
    client = app.server.test_client()
    for _ in range(2):
        client.post("/login", data={"login": "sup", "password": "x", "csrf": "-"},
                    headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert _audited_ips(app) <= {"198.51.100.4", "127.0.0.1"}


def test_behind_one_trusted_proxy_the_forwarded_address_is_used(settings):
    import time

    from data_access.snapshot_store import InMemorySnapshotStore
    from web.factory import build_dash_app

    app = build_dash_app(settings.__class__(**{**settings.__dict__, "trusted_proxies": 1}), InMemorySnapshotStore())
    client = app.server.test_client()
    client.get("/kiosk?token=guess", headers={"X-Forwarded-For": "203.0.113.9"},
               environ_base={"REMOTE_ADDR": "10.0.0.2"})
    time.sleep(0)
    assert "203.0.113.9" in _audited_ips(app)


def _audited_ips(app) -> set[str]:
    entries, _ = app.server.extensions["hotline"].audit.page()
    return {e["ip"] for e in entries}
