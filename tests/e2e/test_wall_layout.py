"""The wall at 1920x1080 as a supervisor sees it from across the room: nothing cut off, readable in both themes."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_portal_service_is_on_screen_and_inside_the_wall(live_app, page, theme):
    page.goto(f"{live_app.url}/wall?kiosk=1&theme={theme}")
    page.wait_for_selector(".services-strip .chip")
    boxes = page.evaluate("""() => [...document.querySelectorAll('.services-strip .chip')].map(c => {
        const r = c.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; })""")
    services = len(live_app.store.latest()[1]["services"])
    assert services >= 9 and len(boxes) == services
    for left, right, top, bottom in boxes:
        assert 0 <= left and right <= 1920 and 0 <= top and bottom <= 1080, (left, right, top, bottom)
    screenshot(page, f"wall-{theme}")


def test_the_tiles_say_abandon_rate_not_abandoned(live_app, page):
    page.goto(f"{live_app.url}/wall")
    page.wait_for_selector("#tile-general [data-metric=abandon_rate]")
    assert page.locator("#tile-general [data-metric=abandon_rate] .metric-label").inner_text() == "Доля потерь"
    tooltip = page.locator("#tile-general [data-metric=service_level] .metric-label").get_attribute("title")
    assert "20 с" in tooltip and "80 %" in tooltip
