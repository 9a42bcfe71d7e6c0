"""What a wall screen says when a part of the dashboard stops: at once, and naming the part."""

from __future__ import annotations

import time

from sqlalchemy.exc import OperationalError

from tests.e2e.conftest import screenshot


def test_a_stopped_app_database_is_named_on_the_stale_banner_within_seconds(live_app, page, monkeypatch):
    page.goto(live_app.url + "/wall")
    page.wait_for_selector("#tile-general")
    engine = live_app.app.server.extensions["hotline"].app_db

    def refuse(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(engine, "connect", refuse)
    monkeypatch.setattr(engine, "begin", refuse)
    started = time.monotonic()
    page.wait_for_selector("#stale-banner:not(.hidden)", timeout=6000)
    page.wait_for_function("document.querySelector('#stale-text').innerText.includes('база данных приложения')",
                           timeout=4000)
    shown_after = time.monotonic() - started
    screenshot(page, "wall-app-db-down")
    assert shown_after < 5.0, f"the banner took {shown_after:.1f} s"  # the stale limit alone would be 6 s here
    monkeypatch.undo()
    page.wait_for_selector("#stale-banner.hidden", state="attached", timeout=15000)
