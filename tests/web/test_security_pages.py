"""The security review through its callbacks: roles, hostile filter input, audited reveal and export."""

import json

import pytest

from tests.web.conftest import callback_bodies
from tests.web.dash_post import ack_body, body, grid_block_body, post, triage_body

INJECTIONS = ["1; DROP TABLE access_events;--", "' OR '1'='1", "x" * 100000, "%", "\\x00",
              "1 UNION SELECT * FROM users"]


def _body(app, output_id):
    return next(b for o, b in callback_bodies(app) if output_id in o)


def _filter_body(app, **values):
    body = _body(app, "acc-filter")
    order = ["acc-since", "acc-until", "acc-operator", "acc-citizen", "acc-action", "acc-explained", "lang"]
    body["inputs"][0]["value"] = 1
    for state in body["state"]:
        state["value"] = values.get(state["id"].replace("acc-", ""), None) if state["id"] in order else "ru"
    return body


def test_only_security_officers_reach_the_access_log(web, client_as):
    app, _ = web
    body = _filter_body(app)
    for role in ("display", "supervisor", "manager", "admin"):
        assert client_as(role).post("/_dash-update-component", json=body).status_code == 403, role
    assert client_as("security").post("/_dash-update-component", json=body).status_code == 200


def test_kiosk_token_cannot_reach_access_logs(web):
    import time

    app, _ = web
    users = app.server.extensions["hotline"].users
    token = users.create_token("wall", users.by_login("wall").id, "test", time.time())
    client = app.server.test_client()
    client.get(f"/kiosk?token={token}")
    assert client.get("/security/access").headers["Location"].endswith("/wall")
    for output in ("acc-filter", "acc-reveal-out", "acc-download", "case-detail", "sec-overview"):
        assert client.post("/_dash-update-component", json=_body(app, output)).status_code == 403, output


@pytest.mark.parametrize("field", ["operator", "citizen", "action", "explained", "since", "until"])
@pytest.mark.parametrize("value", INJECTIONS)
def test_hostile_filters_give_a_clear_error_or_no_rows(web, client_as, field, value):
    app, _ = web
    response = client_as("security").post("/_dash-update-component", json=_filter_body(app, **{field: value}))
    assert response.status_code == 200
    assert "filter-error" in response.get_data(as_text=True)


def test_a_valid_filter_counts_exactly_the_matching_rows(web, client_as):
    from data_access.access_repo import AccessRepository

    app, _ = web
    repo = AccessRepository(app.server.extensions["hotline"].app_db)
    repo.add([{"id": i, "ts": 1_764_136_800.0 + i, "day": "2025-11-26", "operator_id": 5 if i < 4 else 6,
               "operator_login": "op", "team_id": 1, "citizen_id": 9, "citizen_masked": "И***в И.", "action": "view",
               "ticket_id": None, "call_id": None, "ip": "10.0.0.1", "explained": True, "reason": "ticket"}
              for i in range(1, 10)])
    body = _filter_body(app, operator="5", since="2025-11-01", until="2025-12-01")
    text = client_as("security").post("/_dash-update-component", json=body).get_data(as_text=True)
    assert "rows-found" in text and ": 3" in text


def test_reveal_needs_a_reason_and_is_audited(web, client_as):
    app, _ = web
    client = client_as("security")
    body = _body(app, "acc-reveal-out")
    body["inputs"][0]["value"] = 1
    values = {"acc-reveal-id": "12", "acc-reveal-reason": "", "lang": "ru"}
    for state in body["state"]:
        state["value"] = values.get(state["id"])
    assert "reveal-need-reason" in client.post("/_dash-update-component", json=body).get_data(as_text=True)
    for state in body["state"]:
        if state["id"] == "acc-reveal-reason":
            state["value"] = "appeal 2026/11-17 from the citizen"
    client.post("/_dash-update-component", json=body)
    entries, _ = app.server.extensions["hotline"].audit.page(action="reveal")
    assert len(entries) == 1 and entries[0]["target"] == "citizen:12" and entries[0]["actor"] == "sec"
    assert "appeal 2026/11-17" in json.loads(entries[0]["details"])["reason"]


def test_viewing_the_access_log_is_audited(web, client_as):
    app, _ = web
    client_as("security").post("/_dash-update-component", json=_filter_body(app, operator="5"))
    entries, _ = app.server.extensions["hotline"].audit.page(action="access_log_view")
    assert entries and json.loads(entries[0]["details"])["filter"]["operator"] == 5


def test_export_writes_its_sha256_to_the_audit_trail(web, client_as):
    import hashlib

    app, _ = web
    client = client_as("security")
    client.post("/_dash-update-component", json=_filter_body(app))
    body = _body(app, "acc-download")
    body["inputs"][0]["value"] = 1
    for state in body["state"]:
        state["value"] = {"acc-filter": {"since": None, "until": None}, "lang": "ru"}.get(state["id"])
    response = client.post("/_dash-update-component", json=body).get_json()
    content = response["response"]["acc-download"]["data"]["content"]
    import base64

    digest = hashlib.sha256(base64.b64decode(content)).hexdigest()
    entries, _ = app.server.extensions["hotline"].audit.page(action="export")
    assert json.loads(entries[0]["details"])["sha256"] == digest


# -- odd but harmless values (issue 8.10): the filter message, never an error, never extra rows -------------------
REFUSED_BY_THE_GUARD = 400  # web/callback_shape.py refuses a value of the wrong JSON type before the callback runs
ODD_FILTERS = [("operator", "²"), ("citizen", "²"), ("citizen", "١٢"), ("until", "9999-12-31"),
               ("since", "9999-12-31T23:59:59-14:00"), ("since", "0001-01-01T00:00:00+14:00"), ("operator", "\ud800"),
               ("operator", "ivan\x00ova"), ("operator", {"$ne": ""}), ("citizen", ["1"]), ("action", {"a": 1}),
               ("explained", True), ("since", 20251126.5)]


def _seed_access(app, n=30, operator_id=5, login="op"):
    from data_access.access_repo import AccessRepository

    AccessRepository(app.server.extensions["hotline"].app_db).add([
        {"id": i, "ts": 1_764_136_800.0 + i, "day": "2025-11-26", "operator_id": operator_id, "operator_login": login,
         "team_id": 1, "citizen_id": 9, "citizen_masked": "И***в И.", "action": "view", "ticket_id": None,
         "call_id": None, "ip": "10.0.0.1", "explained": True, "reason": "ticket"} for i in range(1, n + 1)])


@pytest.mark.parametrize("field, value", ODD_FILTERS)
def test_odd_but_harmless_filter_values_get_the_filter_message_not_an_error(web, client_as, field, value):
    app, _ = web
    status, text = post(client_as("security"), _filter_body(app, **{field: value}))
    assert status == 200 and "filter-error" in text and "rows-found" not in text


def test_an_end_date_of_2999_12_31_is_accepted_and_counts_every_row(web, client_as):
    app, _ = web
    _seed_access(app, 12)
    status, text = post(client_as("security"), _filter_body(app, since="2025-11-01", until="2999-12-31"))
    assert status == 200 and "rows-found" in text and ": 12" in text


def _block_of(text: str) -> dict:
    """The grid's block in a callback's answer (keyed by the grid's pattern-matching id)."""
    return json.loads(text)["response"]['{"key":1,"type":"acc-grid"}']["getRowsResponse"]


APPLIED = {"since": "2025-11-01", "until": "2025-12-01", "operator": None, "citizen": None, "action": None,
           "explained": None}


@pytest.mark.parametrize("request_", [{"startRow": "abc", "endRow": 100}, {"startRow": -1, "endRow": 100},
                                      {"startRow": 10**30, "endRow": 10**30 + 100}, {"startRow": 0, "endRow": 10**6},
                                      {"startRow": 0.5, "endRow": 100}, {"startRow": True, "endRow": 100},
                                      {"startRow": 100, "endRow": 0}, "abc", [0, 100]])
def test_an_odd_page_index_gives_no_rows_and_the_filter_message(web, client_as, request_):
    app, _ = web
    _seed_access(app)
    status, text = post(client_as("security"), grid_block_body(app, request_, APPLIED))
    assert status == 200
    assert _block_of(text) == {"rowData": [], "rowCount": 0} and "filter-error" in text


@pytest.mark.parametrize("applied", ["abc", ["x"], {"since": "9999-12-31"}, {"operator": "²"}, 7])
def test_an_odd_applied_filter_sent_back_by_the_browser_gives_no_rows_and_no_export(web, client_as, applied):
    app, _ = web
    _seed_access(app)
    client = client_as("security")
    status, text = post(client, grid_block_body(app, {"startRow": 0, "endRow": 100}, applied))
    assert status == 200 and _block_of(text)["rowData"] == []
    status, text = post(client, body(app, "acc-download", {"acc-export": 1, "acc-filter": applied, "lang": "ru"}))
    assert status == 200 and "filter-error" in text and "acc-download" not in json.loads(text)["response"]


def test_a_block_of_100_rows_is_served_for_rows_100_to_200(web, client_as):
    app, _ = web
    _seed_access(app, 250)
    status, text = post(client_as("security"), grid_block_body(app, {"startRow": 100, "endRow": 200}, APPLIED))
    block = _block_of(text)
    assert status == 200 and len(block["rowData"]) == 100 and block["rowCount"] == -1


@pytest.mark.parametrize("citizen_id, reason", [("²", "appeal 2026/11-17"), ({"a": 1}, "appeal 2026/11-17"),
                                                ("12", {"a": 1}), ("12", "appeal \ud800"), ("12", "x" * 301)])
def test_odd_reveal_values_are_refused_with_a_message_and_reveal_nothing(web, client_as, citizen_id, reason):
    app, _ = web
    values = {"acc-reveal": 1, "acc-reveal-id": citizen_id, "acc-reveal-reason": reason, "lang": "ru"}
    status, text = post(client_as("security"), body(app, "acc-reveal-out", values))
    assert status == 200 and "revealed" not in text and ("filter-error" in text or "reveal" in text)
    assert app.server.extensions["hotline"].audit.page(action="reveal")[1] == 0


# -- names in the access log (issue 8.13) -------------------------------------------------------------------------
def test_the_access_log_shows_the_operators_name_beside_the_login_and_id(web, client_as):
    from data_access.operator_names import OperatorNames
    from domain.operators import OperatorInfo

    app, _ = web
    _seed_access(app, 3, operator_id=5, login="#5")  # copied before the names reached the app database
    OperatorNames(app.server.extensions["hotline"].app_db).replace_all([
        OperatorInfo(5, login="ivanova", full_name="Иванова Анна Петровна", team_id=1, team_name="Линия 1",
                     role="operator")])
    status, text = post(client_as("security"), grid_block_body(app, {"startRow": 0, "endRow": 100}, APPLIED))
    rows = _block_of(text)["rowData"]
    assert status == 200 and len(rows) == 3
    assert {(r["operator_label"], r["operator_id"]) for r in rows} == {("Иванова Анна Петровна (ivanova)", 5)}


# -- case triage (issue 8.3) and the cases page's other fields -------------------------------------------------------
def _case(app) -> int:
    from domain.detectors.model import Hit

    hit = Hit("D06", 7, "2025-11-26", 1_764_136_800.0, 60, "VIP", "VIP", (1,), (100,))
    [case_id] = app.server.extensions["hotline"].cases().record_hits([hit], 1_764_136_800.0)
    return case_id


@pytest.mark.parametrize("action", ["x" * 100, "delete_everything", "", {"nested": 1}, None, 7])
def test_an_unknown_triage_action_is_refused_and_not_written_to_the_trail(web, client_as, action):
    app, _ = web
    case_id = _case(app)
    status, text = post(client_as("security"), triage_body(app, action, {"case-selected": case_id, "lang": "ru"}))
    trail = app.server.extensions["hotline"].audit
    assert status == REFUSED_BY_THE_GUARD or (status == 200 and "triage-refused" in text)
    assert "triage-done" not in text
    assert not [e for e in trail.page(limit=1000)[0] if e["action"].startswith("case_")]
    assert trail.verify() == (True, None)


def test_a_clearance_is_confirmed_by_a_second_officer_and_the_closing_officer_is_refused(web, client_as):
    import time

    from data_access.users_repo import UserRepository
    from tests.web.conftest import PASSWORD, sign_in
    from web.passwords import hash_password

    app, _ = web
    hotline = app.server.extensions["hotline"]
    UserRepository(hotline.app_db).create("sec2", "Second Officer", "security", hash_password(PASSWORD), time.time())
    second = app.server.test_client()
    assert sign_in(second, "sec2").status_code == 302
    case_id, first = _case(app), client_as("security")
    closing = {"case-selected": case_id, "case-closure": "false_positive", "case-note": "the citizen wrote in",
               "lang": "en"}
    assert "triage-done" in post(first, triage_body(app, "close", closing))[1]
    seen = {"case-selected": case_id, "case-seen": hotline.cases().get(case_id)["closed_at"], "lang": "en"}
    status, text = post(first, triage_body(app, "confirm", seen))
    assert status == 200 and "triage-refused" in text and "cannot confirm" in text
    assert hotline.cases().get(case_id)["confirmed_by"] is None
    for stale in (None, "2020-01-01T00:00:00Z", "not a time", ["x"]):       # not the closure on record now
        status, text = post(second, triage_body(app, "confirm", {**seen, "case-seen": stale}))
        assert status in (200, REFUSED_BY_THE_GUARD) and "triage-done" not in text
    assert hotline.cases().get(case_id)["confirmed_by"] is None
    status, text = post(second, triage_body(app, "confirm", seen))
    assert status == 200 and "triage-done" in text
    assert hotline.cases().get(case_id)["confirmed_by"] == "sec2"
    [entry] = [e for e in hotline.audit.page(limit=1000)[0] if e["action"] == "case_confirm"]
    assert entry["actor"] == "sec2"
    status, _text = post(client_as("supervisor"), triage_body(app, "confirm", {"case-selected": case_id}))
    assert status == 403


@pytest.mark.parametrize("action", ["x" * 100, "case_close", {"nested": 1}, None, 7, ["close"]])
def test_the_triage_check_refuses_an_unknown_action_before_anything_else(action):
    from domain.cases import TriageError
    from pages.security_cases import triage_request

    with pytest.raises(TriageError, match="unknown action"):
        triage_request(action, 1, None, "note", [], None, "operator", 30)


def test_the_triage_check_keeps_a_known_action_and_its_form():
    from pages.security_cases import triage_request

    request = triage_request("allow", "12", None, "  shared dormitory ", ["leak"], "D06", "team", 45.0)
    assert request == ("allow", 12, None, "shared dormitory", True, "D06", "team", 45, None)


def test_every_triage_button_is_a_known_action_with_a_step():
    from domain.cases import TRIAGE_ACTIONS
    from pages.security_cases import TRIAGE_STEPS, triage_button

    assert set(TRIAGE_STEPS) == set(TRIAGE_ACTIONS)
    assert triage_button("close") == {"type": "case-action", "action": "close"}
    with pytest.raises(ValueError):
        triage_button("delete_everything")


@pytest.mark.parametrize("field, value", [("case-allow-days", "abc"), ("case-allow-days", float("nan")),
                                          ("case-allow-days", 10**30), ("case-allow-days", 0),
                                          ("case-allow-detector", {"a": 1}), ("case-allow-detector", "D99"),
                                          ("case-note", {"a": 1}), ("case-note", "benign \ud800"),
                                          ("case-selected", "abc"), ("case-selected", 10**30),
                                          ("case-selected", 99999), ("case-allow-scope", ["team"])])
def test_odd_allow_rule_form_values_are_refused_with_a_message(web, client_as, field, value):
    app, _ = web
    values = {"case-selected": _case(app), "case-allow-detector": "D06", "case-allow-scope": "operator",
              "case-allow-days": 30, "case-note": "shared dormitory", "lang": "ru", field: value}
    status, text = post(client_as("security"), triage_body(app, "allow", values))
    assert status == 200 and "triage-refused" in text
    assert app.server.extensions["hotline"].cases().allow_rules(0) == []


def test_an_allow_rule_for_30_days_is_made_and_audited(web, client_as):
    app, _ = web
    values = {"case-selected": _case(app), "case-allow-detector": "D06", "case-allow-scope": "operator",
              "case-allow-days": 30.0, "case-note": "shared dormitory", "lang": "ru"}
    status, text = post(client_as("security"), triage_body(app, "allow", values))
    assert status == 200 and "triage-done" in text
    [entry] = app.server.extensions["hotline"].audit.page(action="case_allow")[0]
    assert json.loads(entry["details"])["days"] == 30


@pytest.mark.parametrize("status_, band", [({"a": 1}, "low"), ("\ud800", "low"), ("everything", "low"),
                                           ("open", ["low"]), ("open", "severe")])
def test_odd_case_list_filters_get_the_filter_message_and_no_rows(web, client_as, status_, band):
    app, _ = web
    _case(app)
    values = {"cases-filter": status_, "cases-band": band, "lang": "ru"}
    status, text = post(client_as("security"), body(app, "cases-grid", values))
    answer = json.loads(text)["response"]
    assert status == 200 and answer["cases-grid"]["rowData"] == [] and "filter-error" in text


@pytest.mark.parametrize("selected", ["abc", 10**30, -1, {"id": 1}])
def test_an_odd_selected_case_id_gets_a_message(web, client_as, selected):
    app, _ = web
    values = {"case-selected": selected, "lang": "ru"}
    status, text = post(client_as("security"), body(app, "case-detail", values, changed="case-selected.data"))
    assert status == 200 and "filter-error" in text


@pytest.mark.parametrize("rows", ["abc", [1], [{"x": 1}], {"id": 1}])
def test_an_odd_grid_selection_is_ignored(web, client_as, rows):
    app, _ = web
    status, _text = post(client_as("security"), body(app, "case-selected", {"cases-grid": rows}))
    assert status in (200, 204)


@pytest.mark.parametrize("tick", ["abc", [1], {"n": 1}, 10**30, -7, True])
def test_an_odd_tick_count_on_the_overview_is_not_an_error(web, client_as, tick):
    app, _ = web
    status, _text = post(client_as("security"), body(app, "sec-overview", {"tick": tick, "lang": "ru"}))
    assert status in (200, 204, REFUSED_BY_THE_GUARD)


@pytest.mark.parametrize("alert_id", ["abc", 10**30, -1, {"a": 1}, None])
def test_an_odd_alert_id_acknowledges_nothing_and_is_not_an_error(web, client_as, alert_id):
    app, _ = web
    status, _text = post(client_as("supervisor"), ack_body(app, alert_id))
    assert status in (200, 204, REFUSED_BY_THE_GUARD)
    assert app.server.extensions["hotline"].audit.page(action="alert_ack")[1] == 0


# -- the overview on a fresh demo and with data (issue 9.10) ---------------------------------------------------------
def _hit_at(detector: str, ts: float):
    """A 60-point hit of operator 7 at ``ts``, on its Moscow day."""
    from domain.clock import local_day
    from domain.detectors.model import Hit

    return Hit(detector, 7, local_day(ts, "Europe/Moscow"), ts, 60, "VIP", "VIP", (1,), (100,))


def _overview(app, client, lang="ru") -> str:
    status, text = post(client, body(app, "sec-overview", {"tick": 0, "lang": lang}))
    assert status == 200
    return text


@pytest.mark.parametrize("lang, words", [("ru", ["За последние 14 дней правила ещё не срабатывали",
                                                 "Ни один случай ещё не закрыт", "За 7 дней обращений",
                                                 "Журнал CRM ещё пуст"]),
                                        ("en", ["No detector has fired in the last 14 days yet",
                                                "No case has been closed with a verdict yet",
                                                "No record accesses in the last 7 days yet",
                                                "The CRM's journal is still empty"])])
def test_a_fresh_overview_says_in_words_that_there_is_nothing_yet_instead_of_an_empty_chart(web, client_as, lang,
                                                                                             words):
    app, _ = web
    text = _overview(app, client_as("security"), lang)
    assert all(w in text for w in words)
    assert "sec-hits-graph" not in text and '"range"' not in text and "Retention is respected" not in text


def test_a_missing_median_reads_as_the_dash_alone_and_1_5_hours_reads_1_5_ch(web, client_as):
    import time

    app, _ = web
    client = client_as("security")
    text = _overview(app, client)
    assert "— h" not in text and "— ч" not in text
    cases = app.server.extensions["hotline"].cases()
    now = time.time()
    [case_id] = cases.record_hits([_hit_at("D06", now - 2 * 3600)], now - 2 * 3600)
    cases.assign(case_id, "sec", "sec", now - 2 * 3600)
    cases.close(case_id, "sec", "true_positive", "confirmed", now - 3600 / 2)
    text = _overview(app, client)
    assert "0.0 ч" in text and "1.5 ч" in text and "sec-hits-graph" in text
    assert "1.5 h" in _overview(app, client, "en")


def test_the_team_column_names_the_team_of_rows_copied_before_the_names_arrived(web, client_as):
    import time

    from data_access.access_repo import AccessRepository
    from data_access.operator_names import OperatorNames
    from domain.clock import local_day
    from domain.operators import OperatorInfo

    app, _ = web
    db = app.server.extensions["hotline"].app_db
    now = time.time()
    AccessRepository(db).add([
        {"id": i, "ts": now - 60, "day": local_day(now, "Europe/Moscow"), "operator_id": 5, "operator_login": "#5",
         "team_id": None, "citizen_id": 9, "citizen_masked": "И***в И.", "action": "view", "ticket_id": None,
         "call_id": None, "ip": "10.0.0.1", "explained": i > 1, "reason": "ticket" if i > 1 else "none"}
        for i in range(1, 5)])
    OperatorNames(db).replace_all([OperatorInfo(5, login="ivanova", full_name="Иванова Анна Петровна", team_id=3,
                                                team_name="Общие вопросы: группа 1")])
    text = _overview(app, client_as("security"))
    assert "Общие вопросы: группа 1" in text and "75.0%" in text


def test_a_case_with_3_unexplained_views_and_a_relative_lists_2_reasons_strongest_first(web, client_as):
    from domain.detectors.model import Hit

    app, _ = web
    hits = [Hit("D01", 7, "2025-11-26", 1_764_136_800.0 + i, 10, f"просмотр записи №{i}", f"view of #{i}", (i,),
                (100 + i,), scope=f"c{100 + i}") for i in (1, 2, 3)]
    hits.append(Hit("D04", 7, "2025-11-26", 1_764_136_900.0, 60, "та же фамилия", "same surname", (4,), (104,),
                    scope="c104"))
    [case_id] = app.server.extensions["hotline"].cases().record_hits(hits, 1_764_137_000.0)
    values = {"case-selected": case_id, "lang": "ru"}
    status, text = post(client_as("security"), body(app, "case-detail", values, changed="case-selected.data"))
    [reasons] = _component(json.loads(text)["response"], "case-reasons")
    lines = [item["props"]["children"] for item in reasons["props"]["children"]]
    assert status == 200 and [line.split(" (")[0] for line in lines] == ["D04 Родственник или сосед",
                                                                         "D01 Доступ без основания"]
    assert lines[1].endswith("(ещё 2)")


def _component(tree, component_id: str) -> list[dict]:
    """The components of a callback's answer whose id is ``component_id``."""
    if isinstance(tree, list):
        return [c for item in tree for c in _component(item, component_id)]
    if not isinstance(tree, dict):
        return []
    own = [tree] if tree.get("props", {}).get("id") == component_id else []
    return own + [c for value in tree.values() for c in _component(value, component_id)]


def test_a_closed_line_of_a_case_history_names_its_reason_in_words():
    from pages.security_cases import event_detail

    closed = {"action": "closed", "detail": "false_positive: neighbours by address only"}
    assert event_detail(closed, "ru") == "ложное срабатывание: neighbours by address only"
    assert event_detail(closed, "en") == "false positive: neighbours by address only"
    assert event_detail({"action": "assigned", "detail": "sec1: x"}, "ru") == "sec1: x"
    assert event_detail({"action": "confirmed", "detail": "benign_positive"}, "en") == "benign positive"
    withdrawn = {"actor": "system", "action": "rejudged",
                 "detail": "R07, R30 withdrawn: rested on cleared day(s) 2026-11-20, 2026-11-21"}
    assert event_detail(withdrawn, "ru") == ("R07, R30 сняты: опирались на дни, с которых снято подозрение: "
                                             "2026-11-20, 2026-11-21")
    assert event_detail({"actor": "system", "action": "reopened", "detail": "new evidence"}, "ru") == \
        "новые доказательства"
    assert event_detail({"actor": "sec1", "action": "note", "detail": "new evidence"}, "ru") == "new evidence"


def test_every_triage_refusal_the_domain_can_give_is_worded_in_russian():
    import re

    from components.i18n import REFUSALS_RU, t_refusal
    from tests.conftest import ROOT

    sources = (ROOT / "domain" / "cases.py").read_text() + (ROOT / "pages" / "security_cases.py").read_text()
    plain = set(re.findall(r'TriageError\("([^"]+)"\)', sources))
    plain |= set(re.findall(r'refusal: str = "([^"]+)"', sources))
    plain |= set(re.findall(r'_open\(case, "([^"]+)"\)', sources))
    assert plain and not plain - set(REFUSALS_RU), sorted(plain - set(REFUSALS_RU))
    assert t_refusal("already confirmed by sec2", "ru") == "уже подтверждено: sec2"
    assert t_refusal("days: a whole number from 1 to 180", "ru") == "days: a whole number from 1 to 180"


def test_reading_grid_blocks_and_redrawing_a_case_are_audited_whatever_the_trigger(web, client_as):
    """A security officer posting the grid's block request or a case redraw directly still leaves a trail."""
    from tests.web.dash_post import body

    app, _ = web
    officer = client_as("security")
    trail = app.server.extensions["hotline"].audit
    grid = body(app, "getRowsResponse", {"acc-filter": {"since": None, "until": None}, "lang": "ru"})
    grid["inputs"][0]["id"] = {"type": "acc-grid", "key": 1}
    grid["inputs"][0]["value"] = {"startRow": 0, "endRow": 100}
    grid["outputs"] = {"id": {"type": "acc-grid", "key": 1}, "property": "getRowsResponse"}
    before = trail.page(action="access_log_rows")[1]
    response = officer.post("/_dash-update-component", json=grid)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert trail.page(action="access_log_rows")[1] == before + 1


def _d20(app) -> list[str]:
    import time

    from data_access.reviewer_acts import ReviewerActs
    from domain.detectors.reviewers import findings

    source = ReviewerActs(app.server.extensions["hotline"].app_db, "UTC")
    return [f.reason_en for f in findings(source.acts(time.time() - 3600), source.cover)]


def test_a_citizen_filter_padded_with_9000_spaces_is_audited_as_read_and_found_by_d20(web, client_as):
    app, _ = web
    client, padded = client_as("security"), " " * 9000 + "424242"
    status, text = post(client, _filter_body(app, citizen=padded))
    assert status == 200 and "filter-error" not in text
    status, _text = post(client, grid_block_body(app, {"startRow": 0, "endRow": 100},
                                                 {"since": None, "until": None, "operator": None,
                                                  "citizen": padded, "action": None, "explained": None}))
    assert status == 200
    [entry] = app.server.extensions["hotline"].audit.page(action="access_log_view")[0]
    assert json.loads(entry["details"])["filter"]["citizen"] == 424242 and len(entry["details"]) < 300
    assert any("citizen #424242" in reason for reason in _d20(app))


def test_a_name_matching_two_operators_is_refused_not_guessed(web, client_as):
    from data_access.operator_names import OperatorNames
    from domain.operators import OperatorInfo

    app, _ = web
    OperatorNames(app.server.extensions["hotline"].app_db).replace_all([
        OperatorInfo(5, login="ivanova", full_name="Иванова Анна Петровна", team_id=1, role="operator"),
        OperatorInfo(6, login="ivanov", full_name="Иванов Пётр", team_id=1, role="operator")])
    status, text = post(client_as("security"), _filter_body(app, operator="Иванов"))
    assert status == 200 and "filter-error" in text and "several operators" in text
    status, text = post(client_as("security"), _filter_body(app, operator="ivanov"))
    assert status == 200 and "filter-error" not in text
    assert any("operator #6" in reason for reason in _d20(app))
