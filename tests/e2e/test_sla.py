"""The manager's SLA page in headless Chromium: last month's heatmap, a what-if T, the XLSX download."""

from __future__ import annotations

import io
import time

import pytest

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e

TOTAL_SL = "#sla-lines tr[data-scope='*'] td[data-field='service_level'] .v"
TOTAL_OFFERED = "#sla-lines tr[data-scope='*'] td[data-field='offered'] .v"


@pytest.fixture(scope="module")
def sla_history(live_app):
    """Deterministic synthetic history (scale 0.02) from 4 weeks before last month up to today's local midnight,
    written through HistoryRepository: the test does not wait for a back-fill."""
    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository
    from domain.clock import day_add, day_start, local_day
    from domain.history import named_period
    from simulator import history_rows

    s = live_app.settings
    now = time.time()
    start = min(now - 35 * 86400, named_period("last_month", now, s.tz)[0] - 28 * 86400)
    end = day_start(now, s.tz)
    shape = history_rows.Shape(scale=0.02)
    repo = HistoryRepository(open_app_db(s.url("app_db")))
    repo.upsert_queue_intervals(list(history_rows.intervals(start, end, s.tz, shape)), final=True)
    repo.upsert_channel_intervals(list(history_rows.channel_intervals(start, end, s.tz, shape)), final=True)
    days = [day_add(local_day(end - 1, s.tz), -k) for k in range(int((end - start) // 86400))]
    repo.upsert_operator_days(list(history_rows.operator_days(days, shape)))
    return repo


def _manager_on_sla(anon_page, live_app):
    sign_in(anon_page, live_app, "boss1", "/sla")
    anon_page.wait_for_selector(TOTAL_SL, timeout=20000)
    return anon_page


def test_a_manager_sees_last_months_heatmap_changes_t_and_downloads_the_xlsx_with_the_pages_totals(
        anon_page, live_app, sla_history):
    from openpyxl import load_workbook

    page = _manager_on_sla(anon_page, live_app)
    assert page.locator("#sla-period").inner_text().strip().startswith("Прошлый месяц")
    page.wait_for_selector("#sla-heatmap .heatmaplayer .hm", timeout=20000)
    at_20 = page.locator(TOTAL_SL).inner_text()
    page.fill("#sla-t", "10")
    page.keyboard.press("Enter")
    changed = ("t => { const e = document.querySelector(\"" + TOTAL_SL + "\"); "
               "return e && e.innerText.endsWith('%') && e.innerText !== t; }")
    page.wait_for_function(changed, arg=at_20, timeout=20000)
    at_10 = page.locator(TOTAL_SL).inner_text()
    assert float(at_10.rstrip("%")) < float(at_20.rstrip("%"))
    offered = page.locator(TOTAL_OFFERED).inner_text()
    with page.expect_download(timeout=20000) as info:
        page.locator("#sla-sec-lines button", has_text="XLSX").click()
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    head, total = rows[0], next(r for r in rows if r[0] == "Все линии")
    assert f"{total[head.index('SL')] * 100:.1f}%" == at_10
    assert f"{total[head.index('Поступило')]:,}".replace(",", "\u202f") == offered
    page.wait_for_selector("#sla-export-sha")


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_sla_page_at_1920x1080_is_saved_as_a_screenshot(anon_page, live_app, sla_history, theme):
    page = _manager_on_sla(anon_page, live_app)
    page.goto(f"{live_app.url}/sla?theme={theme}")
    page.wait_for_selector("#sla-heatmap .heatmaplayer .hm", timeout=20000)
    page.wait_for_selector("#sla-forecast .ag-row", timeout=20000)
    page.wait_for_timeout(1500)
    screenshot(page, f"sla-{theme}")
    page.locator("#sla-sec-worst").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"sla-{theme}-worst")
    for section in ("channels", "operators"):
        page.locator(f"#sla-sec-{section}").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        screenshot(page, f"sla-{theme}-{section}")
