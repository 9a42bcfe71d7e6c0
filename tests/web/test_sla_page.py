"""/sla through its callbacks: the manager's report over 35 days of history written through HistoryRepository,
what-if, refusals by role, hostile values, exports with their SHA-256 in the audit trail, the forecast."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import time

import pytest

from tests.web.dash_post import body, post

DAY = 86400
LAST_MONTH = {"sla-period": "last_month", "sla-by": "day", "sla-variant": "default", "sla-short": 5,
              "sla-blocked": [], "sla-line": "technical", "lang": "ru"}


@pytest.fixture
def history(web, settings):
    """35 days of synthetic history (scale 0.02) up to now, in the app database the web app reads."""
    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository
    from domain.clock import day_add, local_day
    from simulator import history_rows

    shape = history_rows.Shape(scale=0.02)
    now = time.time()
    start = now - 70 * DAY  # the previous month and the 4 weeks before it too
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    repo.upsert_queue_intervals(list(history_rows.intervals(start, now, settings.tz, shape)), final=True)
    repo.upsert_channel_intervals(list(history_rows.channel_intervals(start, now, settings.tz, shape)), final=True)
    days = [day_add(local_day(now, settings.tz), -k) for k in range(70)]
    repo.upsert_operator_days(list(history_rows.operator_days(days, shape)))
    return repo


def expected_report(settings, **what):
    """The report the page must show, built from HistoryRepository's own reads (the pure path)."""
    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository
    from data_access.sla_inputs import base_inputs
    from domain.clock import local_day
    from domain.history import previous_period
    from domain.sla import WhatIf, period_bounds
    from domain.sla_report import Request, build, history_span, prepare

    start, end = period_bounds("last_month", time.time(), settings.tz)
    req = Request(start, end, "day", WhatIf(**what), "technical")
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    first, last = history_span(req)
    prev, _ = previous_period(start, end)
    inputs = prepare(base_inputs(req, settings, time.time()), repo.queue_intervals(first, last),
                     repo.channel_intervals(prev, end),
                     repo.operator_days(local_day(start, settings.tz), local_day(end - 1, settings.tz)))
    return build(inputs)


def refresh(app, client, **values) -> tuple[int, dict | str]:
    status, text = post(client, body(app, "sla-sec-lines", {**LAST_MONTH, **values}, changed="sla-period.value"))
    return status, (json.loads(text)["response"] if status == 200 else text)


def lines_cells(response: dict) -> dict[tuple[str, str], str]:
    """(row scope, field) -> the value shown, from the lines table's children."""
    out = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if node.get("type") == "Tr" and props.get("data-scope"):
                for cell in props.get("children", []):
                    field = cell.get("props", {}).get("data-field")
                    if field:
                        out[(props["data-scope"], field)] = cell["props"]["children"][0]["props"]["children"]
            for v in props.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(response["sla-sec-lines"]["children"])
    return out


def test_a_manager_lands_on_the_sla_page(web, client_as):
    response = client_as("manager").get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sla")
    assert client_as("supervisor").get("/").headers["Location"].endswith("/wall")


def test_last_month_by_day_shows_the_totals_of_the_history(web, client_as, history, settings):
    app, _ = web
    status, response = refresh(app, client_as("manager"))
    assert status == 200
    report = expected_report(settings)
    total = report.table("lines").total
    cells = lines_cells(response)
    assert cells[("*", "offered")] == f"{total['offered']:,}".replace(",", "\u202f")
    assert cells[("*", "service_level")] == f"{total['service_level'] * 100:.1f}%"
    assert total["offered"] > 20_000 and 0.5 < total["service_level"] < 1
    series = response["sla-sec-series"]["children"]
    assert len(json.dumps(series)) > 1000 and "sla-series-grid" in json.dumps(series)


def test_changing_t_to_10_seconds_recomputes_the_service_level_from_the_histograms(web, client_as, history, settings):
    app, _ = web
    client = client_as("manager")
    at_20 = lines_cells(refresh(app, client)[1])[("*", "service_level")]
    at_10 = lines_cells(refresh(app, client, **{"sla-t": 10})[1])[("*", "service_level")]
    expected = expected_report(settings, threshold_s=10).table("lines").total["service_level"]
    assert at_10 == f"{expected * 100:.1f}%" and at_10 != at_20
    assert float(at_10[:-1]) < float(at_20[:-1])  # fewer calls are answered within 10 s than within 20 s


def test_the_heatmap_has_a_column_per_day_and_a_row_per_quarter_hour(web, client_as, history):
    app, _ = web
    _status, response = refresh(app, client_as("manager"))
    heat = response["sla-heatmap"]["figure"]["data"][0]
    assert heat["type"] == "heatmap" and 28 <= len(heat["x"]) <= 31 and len(heat["y"]) == 96


@pytest.mark.parametrize("role", ["display", "security"])
def test_the_report_is_refused_to_display_and_security_roles(web, client_as, history, role):
    app, _ = web
    status, _text = refresh(app, client_as(role))
    assert status == 403


@pytest.mark.parametrize("values", [{"sla-period": "forever"}, {"sla-t": "20; DROP"}, {"sla-t": 100000},
                                    {"sla-period": "custom", "sla-from": "2026-13-40", "sla-to": "2026-11-30"},
                                    {"sla-period": "custom", "sla-from": "2024-01-01", "sla-to": "2026-11-30"},
                                    {"sla-by": "interval", "sla-period": "custom", "sla-from": "2026-01-01",
                                     "sla-to": "2026-06-30"},
                                    {"sla-line": "nosuchline"}, {"sla-variant": "x" * 70}])
def test_an_odd_control_value_gives_the_filter_message_and_never_an_error(web, client_as, values):
    app, _ = web
    status, response = refresh(app, client_as("manager"), **values)
    assert status in (200, 400)
    if status == 200:
        assert "Фильтр не принят" in json.dumps(response, ensure_ascii=False)


def test_a_table_export_holds_the_pages_rows_and_its_sha256_is_in_the_audit_trail(web, client_as, history):
    from openpyxl import load_workbook

    app, _ = web
    client = client_as("manager")
    state = refresh(app, client)[1]["sla-state"]["data"]
    content = export(app, client, state, {"type": "sla-export", "table": "lines", "fmt": "xlsx"})
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Очередь" and rows[-1][0] == "Все линии" and len(rows) == 6
    headers = list(rows[0])
    assert isinstance(rows[-1][headers.index("SL")], float) and isinstance(rows[-1][headers.index("Поступило")], int)
    entries, _ = app.server.extensions["hotline"].audit.page(action="export")
    details = json.loads(entries[0]["details"])
    assert details["sha256"] == hashlib.sha256(content).hexdigest() and details["table"] == "lines"


def test_the_csv_export_of_the_worst_intervals_has_a_header_and_twenty_rows(web, client_as, history):
    app, _ = web
    client = client_as("manager")
    state = refresh(app, client)[1]["sla-state"]["data"]
    text = export(app, client, state, {"type": "sla-export", "table": "worst", "fmt": "csv"}).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Время", "Очередь", "SL, %"] and len(rows) == 21
    assert all(0 <= float(r[2]) < 80 for r in rows[1:])  # below the 80 % goal, as a percent number


def test_the_monthly_report_opens_with_its_summary_sheet(web, client_as, history):
    from openpyxl import load_workbook

    app, _ = web
    client = client_as("manager")
    state = refresh(app, client)[1]["sla-state"]["data"]
    wb = load_workbook(io.BytesIO(export(app, client, state, None, monthly=True)))
    assert wb.sheetnames[0] == "Сводка" and "Определения" in wb.sheetnames and len(wb.sheetnames) == 14


def export(app, client, state: dict, button: dict | None, monthly: bool = False) -> bytes:
    request = body(app, "sla-download", {"sla-state": state, "lang": "ru", "sla-monthly": 1 if monthly else None})
    pattern = '{"fmt":["ALL"],"table":["ALL"],"type":"sla-export"}'
    index = next(i for i, item in enumerate(request["inputs"]) if item["id"] == pattern)
    request["inputs"][index] = [{"id": button, "property": "n_clicks", "value": 1}] if button else []
    if button:
        request["changedPropIds"] = [json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks"]
    else:
        request["changedPropIds"] = ["sla-monthly.n_clicks"]
    status, text = post(client, request)
    assert status == 200, text[:500]
    data = json.loads(text)["response"]["sla-download"]["data"]
    return base64.b64decode(data["content"])


def test_the_forecast_names_the_peak_that_needs_more_operators_than_are_logged_in(web, client_as, history):
    app, _ = web
    status, text = post(client_as("manager"), body(app, "sla-forecast", {"sla-forecast-tick": 1, "lang": "en"}))
    assert status == 200
    assert "more operator" in text and "sla-forecast-grid" in text


def test_the_channels_and_the_operators_are_drawn_by_their_own_requests(web, client_as, history):
    app, _ = web
    client = client_as("manager")
    status, text = post(client, body(app, "sla-sec-channels", LAST_MONTH, changed="sla-period.value"))
    assert status == 200 and "sla-channels-grid" in text and "sla-appeals-grid" in text
    status, text = post(client, body(app, "sla-sec-operators", LAST_MONTH, changed="sla-period.value"))
    response = json.loads(text)["response"]
    rows = next(n for n in _nodes(response["sla-sec-operators"]["children"]) if n.get("type") == "AgGrid")
    assert status == 200 and len(rows["props"]["rowData"]) == 48  # 12 operators of each of the 4 lines
    assert post(client_as("display"), body(app, "sla-sec-operators", LAST_MONTH))[0] == 403


def _nodes(tree):
    if isinstance(tree, dict):
        yield tree
        for v in tree.get("props", {}).values():
            yield from _nodes(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _nodes(v)


def test_every_header_tooltip_is_the_catalogues_definition_with_the_what_if_t(web, client_as, history):
    from domain.metrics import REPORT, MetricParams

    app, _ = web
    _status, response = refresh(app, client_as("manager"), **{"sla-t": 10})
    text = json.dumps(response, ensure_ascii=False)
    assert REPORT["service_level"].help("ru", MetricParams(threshold_s=10, goal=0.8)) in text
    assert REPORT["needed"].help("ru", MetricParams(threshold_s=10, goal=0.8)) in text
    assert "отвеченные за 10 с" in text and "отвеченные за 20 с" not in text


def test_the_english_switch_relabels_the_report(web, client_as, history):
    app, _ = web
    _status, response = refresh(app, client_as("manager"), lang="en")
    text = json.dumps(response, ensure_ascii=False)
    assert "Lines: the period's figures" in text and "All lines" in text and "compared with" in text
    assert "Поступило" not in text


def test_the_period_line_says_what_the_history_holds(web, client_as, history):
    app, _ = web
    status, response = refresh(app, client_as("manager"))
    assert status == 200
    assert re.search(r"в истории: \d\d\.\d\d\.\d{4}", response["sla-period-text"]["children"])


def test_trying_another_t_reads_and_draws_only_the_lines_again_not_the_operators_nor_the_channels(
        web, client_as, history, monkeypatch):
    from data_access import sla_history

    app, _ = web
    client = client_as("manager")
    reads = {"operator_totals": 0, "channel_totals": 0}

    def counting(name: str):
        real = getattr(sla_history, name)

        def counted(*a, **kw):
            reads[name] += 1
            return real(*a, **kw)
        return counted
    for name in reads:
        monkeypatch.setattr(sla_history, name, counting(name))
    for t in (20, 31, 47):
        for section in ("sla-sec-operators", "sla-sec-channels"):
            status, _text = post(client, body(app, section, {**LAST_MONTH, "sla-t": t}, changed="sla-t.value"))
            assert status == 200
    assert reads == {"operator_totals": 1, "channel_totals": 2}  # the channels: the period and the one before
