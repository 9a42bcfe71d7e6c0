"""The supervisor screens in headless Chromium against the real app with simulator data."""

import re
import time
import uuid

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

PAGES = {"/wall": "#tile-general", "/queues": "#queue-summary [data-metric=waiting]",
         "/operators": "#ops-tiles .op-tile", "/services": "#src-telephony", "/alerts": "#alerts-body"}


def metric_text(page, tile: str, metric: str) -> str:
    return page.locator(f"#tile-{tile} [data-metric={metric}] .metric-value").inner_text()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_and_is_saved_as_a_screenshot(live_app, page, path):
    page.goto(live_app.url + path)
    page.wait_for_selector(PAGES[path], timeout=15000)
    page.wait_for_timeout(1500)
    assert page.locator(".stale-banner.hidden").count() == 1
    screenshot(page, path.strip("/"))


def test_wall_kiosk_mode_hides_navigation_and_keeps_the_age(live_app, page):
    page.goto(live_app.url + "/wall?kiosk=1")
    page.wait_for_selector("#tile-general")
    assert page.locator("#navbar.hidden").count() == 1
    assert re.search(r"\d", page.locator("#age-badge").inner_text())
    page.wait_for_timeout(1000)
    screenshot(page, "wall-kiosk")
    # One JS call finds and measures the element: a re-render between two calls would detach it.
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                         "'#tile-general [data-metric=waiting] .metric-value')).fontSize)")
    assert size >= 64


def test_wall_has_no_personal_data(live_app, page):
    page.goto(live_app.url + "/wall")
    page.wait_for_selector("#tile-general")
    text = page.locator("body").inner_text()
    assert not re.search(r"\*\*\*-\*\*-\d\d|\+7\d{10}", text)  # no caller numbers, even masked


def test_a_new_queue_log_row_changes_the_wall(live_app, page):
    page.goto(live_app.url + "/wall")
    page.wait_for_selector("#tile-general")
    before = int(metric_text(page, "general", "waiting"))
    callid = f"{time.time():.0f}.{uuid.uuid4().int % 10000}"
    live_app.write_queue_log((time.time(), callid, "general", "NONE", "ENTERQUEUE", "", "+79161234567", "1"))
    page.wait_for_function(
        "n => Number(document.querySelector('#tile-general [data-metric=waiting] .metric-value').innerText) > n",
        arg=before, timeout=15000)
    assert int(metric_text(page, "general", "waiting")) == before + 1


def test_stale_state_appears_when_the_poller_stops_and_clears_when_it_resumes(live_app, page):
    page.goto(live_app.url + "/wall")
    page.wait_for_selector("#tile-general")
    assert page.locator("#stale-banner.hidden").count() == 1
    live_app.pause_poller()
    try:
        page.wait_for_selector("#stale-banner:not(.hidden)", timeout=20000)
        assert page.locator("#shell.is-stale").count() == 1
        screenshot(page, "wall-stale")
    finally:
        live_app.resume_poller()
    page.wait_for_selector("#stale-banner.hidden", state="attached", timeout=20000)
    assert page.locator("#shell.is-stale").count() == 0


def test_a_web_server_restart_is_survived_without_a_reload(live_app, page):
    page.goto(live_app.url + "/wall")
    page.wait_for_selector("#tile-general")
    page.evaluate("window.__sameDocument = true")
    before = int(metric_text(page, "general", "waiting"))
    live_app.stop_web()
    try:
        page.wait_for_selector("#stale-banner:not(.hidden)", timeout=20000)
        callid = f"{time.time():.0f}.{uuid.uuid4().int % 10000}"
        live_app.write_queue_log((time.time(), callid, "general", "NONE", "ENTERQUEUE", "", "+79161234568", "1"))
    finally:
        live_app.start_web()
    page.wait_for_selector("#stale-banner.hidden", state="attached", timeout=20000)
    page.wait_for_function(
        "n => Number(document.querySelector('#tile-general [data-metric=waiting] .metric-value').innerText) > n",
        arg=before, timeout=15000)
    assert page.evaluate("window.__sameDocument === true")  # recovered in place, nobody pressed reload


def test_operators_show_one_tile_per_operator_and_switch_to_the_table(live_app, page):
    page.goto(live_app.url + "/operators")
    page.wait_for_selector("#ops-tiles .op-tile")
    agents = live_app.store.latest()[1]["agents"]
    assert page.locator("#ops-tiles .op-tile").count() == len(agents)
    on_call = [a for a in agents if a["state"] == "on_call"]
    if on_call:
        tile = page.locator(f"#ops-tiles .op-tile[data-operator='{on_call[0]['name']}']")
        assert "st-on_call" in tile.get_attribute("class")
    assert page.locator("#ops-grid-wrap.hidden").count() == 1
    page.click("text=Таблица")
    page.wait_for_selector("#ops-grid .ag-row")
    assert page.locator("#ops-tiles.hidden").count() == 1
    page.reload()
    page.wait_for_selector("#ops-grid .ag-row")           # the choice is kept
    screenshot(page, "operators-table")
    page.click("text=Плитки")
    page.wait_for_selector("#ops-tiles .op-tile")


def test_the_english_switch_changes_the_labels(live_app, page):
    page.goto(live_app.url + "/wall")
    page.wait_for_selector("#tile-general")
    assert "В очереди" in page.locator("#tile-general").inner_text()
    page.click("#lang-toggle")
    page.wait_for_function("() => document.querySelector('#tile-general')?.innerText.includes('Waiting')")
    # The navigation is relabelled by its own callback: it may land a moment after the wall's tiles.
    page.wait_for_function("() => document.querySelector('#nav-links')?.innerText.includes('Wall')")
    page.reload()
    page.wait_for_function("() => document.querySelector('#tile-general')?.innerText.includes('Waiting')")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.querySelector('#tile-general')?.innerText.includes('В очереди')")


def test_an_acknowledged_alert_stays_acknowledged_after_a_reload(live_app, page):
    now = time.time()
    live_app.write_queue_log(*[(now, f"ack{i}.{uuid.uuid4().int % 10000}", "documents", "NONE", "ENTERQUEUE", "",
                                f"+7916000{i:04d}", str(i + 1)) for i in range(20)])
    page.goto(live_app.url + "/alerts")
    card = page.locator(".alert-card", has_text=re.compile("Документы: в очереди"))
    card.wait_for(timeout=20000)
    card.locator(".ack-button").click()
    card.locator(".ack-note").wait_for(timeout=10000)
    page.reload()
    card = page.locator(".alert-card", has_text=re.compile("Документы: в очереди"))
    card.wait_for(timeout=10000)
    assert card.locator(".ack-note").count() == 1 and card.locator(".ack-button").count() == 0
    screenshot(page, "alerts-acknowledged")


def test_kiosk_rotation_goes_through_the_chosen_pages(live_app, page):
    page.goto(live_app.url + "/wall?kiosk=1&rotate=/wall,/alerts&every=5")
    page.wait_for_selector("#tile-general")
    page.wait_for_function("() => location.pathname === '/alerts' && location.search.includes('kiosk=1')",
                           timeout=20000)  # the rotation changes the path without a page load
    page.wait_for_selector("#alerts-body")
    assert page.locator("#navbar.hidden").count() == 1


def test_a_wall_screen_signs_in_with_its_kiosk_token(live_app, anon_page):
    users = live_app.app.server.extensions["hotline"].users
    token = users.create_token(f"e2e wall {time.time()}", users.by_login("wall1").id, "test", time.time())
    anon_page.goto(f"{live_app.url}/kiosk?token={token}&next=/wall%3Fkiosk%3D1")
    anon_page.wait_for_selector("#tile-general")
    assert anon_page.evaluate("localStorage.getItem('hotline-kiosk-token')") == token
    assert "Журнал доступа" not in anon_page.locator("body").inner_text()
