"""A security officer's review in the browser: filter the access log, open a case, reveal, close."""

import json
import time

import pytest
from sqlalchemy import select

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def _wait_for_copies(app, timeout=60):
    from data_access.schema.appdb import access_events

    engine = app.app.server.extensions["hotline"].app_db
    deadline = time.time() + timeout
    while time.time() < deadline:
        with engine.connect() as conn:
            row = conn.execute(select(access_events.c.id, access_events.c.operator_id, access_events.c.citizen_id)
                               .where(access_events.c.citizen_id.is_not(None)).limit(1)).first()
        if row:
            return row
        time.sleep(1)
    raise AssertionError("the security pipeline copied no access rows")


def _seed_case(app, access_id, operator_id, citizen_id):
    from domain.clock import local_day
    from domain.detectors.model import Hit

    cases = app.app.server.extensions["hotline"].cases()
    day = local_day(time.time(), app.settings.tz)  # the hotline's day, as the pipeline names it
    hit = Hit("D04", operator_id, day, time.time(), 60, "та же фамилия и тот же адрес",
              "same surname and same address", (access_id,), (citizen_id,), scope=f"c{citizen_id}")
    [case_id] = cases.record_hits([hit], time.time())
    return case_id


def test_security_officer_reviews_reveals_and_closes(live_app, anon_page):
    page = anon_page
    access_id, operator_id, citizen_id = _wait_for_copies(live_app)
    case_id = _seed_case(live_app, access_id, operator_id, citizen_id)
    sign_in(page, live_app, "sec1", "/security")
    page.wait_for_selector("#sec-band-age")
    page.wait_for_selector("#sec-hits-graph .main-svg, #sec-hits-empty")  # plotly draws after the page
    screenshot(page, "security-overview")

    page.goto(live_app.url + "/security/access")
    page.fill("#acc-operator", str(operator_id))
    page.click("#acc-apply")
    page.wait_for_selector("#rows-found")
    assert int(page.locator("#rows-found").inner_text().split(":")[1]) > 0
    page.wait_for_selector("[col-id=citizen] >> text=***")
    page.fill("#acc-reveal-id", str(citizen_id))
    page.click("#acc-reveal")
    page.wait_for_selector("#reveal-need-reason")
    page.fill("#acc-reveal-reason", "check of case #%d" % case_id)
    page.click("#acc-reveal")
    page.wait_for_selector("#revealed")
    screenshot(page, "security-access")
    entries, _ = live_app.app.server.extensions["hotline"].audit.page(action="reveal")
    assert entries[0]["actor"] == "sec1" and entries[0]["target"] == f"citizen:{citizen_id}"
    assert json.loads(entries[0]["details"])["reason"] == "check of case #%d" % case_id

    page.goto(live_app.url + "/security/cases")
    row = page.locator(f"#cases-grid .ag-row[row-id='{case_id}']")
    row.wait_for()
    row.click()
    page.wait_for_selector("#case-reasons")
    assert "D04" in page.locator("#case-reasons").inner_text()
    page.click("#case-closure")
    page.click("text=ложное срабатывание")
    page.fill("#case-note", "neighbours by address only: a shared dormitory")
    page.click("text=Закрыть")
    page.wait_for_selector("#triage-done")
    page.wait_for_function("() => document.querySelector('#case-status')?.innerText === 'закрыт'")
    screenshot(page, "security-case")
    case = live_app.app.server.extensions["hotline"].cases().get(case_id)
    assert (case["status"], case["closure"]) == ("closed", "false_positive")
    actions = [e["action"] for e in live_app.app.server.extensions["hotline"].audit.page(limit=50)[0]]
    assert {"access_log_view", "reveal", "case_view", "case_close"} <= set(actions)
