"""Every field of the security pages and the audit page, fuzzed through the signed-in callback endpoint.

Whatever JSON a browser (or anyone holding a session) posts, the answer is the page's message or a refusal,
never an error, and never more rows than asked for.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.dash_post import body, grid_block_body, post, triage_body

REFUSED_BY_THE_GUARD = 400  # web/callback_shape.py refuses a value of the wrong JSON type before the callback runs
ODD = st.sampled_from(["²", "١٢", "9999-12-31", "0001-01-01T00:00:00+14:00", "\ud800", "a\x00b", "-1", "1e5", "NaN",
                       "view", "yes", "2025-11-26", "2025-11-26T10:00:00Z", "open", "low", "D06", "ivanova", " 5 ",
                       "", "x" * 70, "9" * 13])
SCALARS = (st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats()
           | st.text(max_size=12) | st.text(st.characters(categories=["Cs", "Cc"]), max_size=3) | ODD)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OK = (200, 204, REFUSED_BY_THE_GUARD)


def _answer(text: str) -> dict:
    return json.loads(text)["response"]


@FUZZ
@given(since=VALUES, until=VALUES, operator=VALUES, citizen=VALUES, action=VALUES, explained=VALUES)
def test_the_access_log_filters_answer_a_message_or_a_count(web, client_as, since, until, operator, citizen,
                                                           action, explained):
    app, _ = web
    values = {"acc-apply": 1, "acc-since": since, "acc-until": until, "acc-operator": operator,
              "acc-citizen": citizen, "acc-action": action, "acc-explained": explained, "lang": "ru"}
    status, text = post(client_as("security"), body(app, "acc-filter", values))
    assert status in OK
    if status == 200:
        assert ("filter-error" in text) != ("rows-found" in text)


@FUZZ
@given(request=VALUES | st.fixed_dictionaries({"startRow": VALUES, "endRow": VALUES}), applied=VALUES)
def test_the_access_grid_serves_at_most_the_block_asked_for(web, client_as, request, applied):
    app, _ = web
    status, text = post(client_as("security"), grid_block_body(app, request, applied))
    assert status in OK
    if status == 200:
        rows = _answer(text)['{"key":1,"type":"acc-grid"}']["getRowsResponse"]["rowData"]
        assert rows == [] or len(rows) <= request["endRow"] - request["startRow"] <= 500


@FUZZ
@given(applied=VALUES)
def test_the_export_answers_a_file_or_a_message(web, client_as, applied):
    app, _ = web
    status, text = post(client_as("security"), body(app, "acc-download", {"acc-export": 1, "acc-filter": applied,
                                                                         "lang": "ru"}))
    assert status in OK


@FUZZ
@given(citizen=VALUES, reason=VALUES)
def test_the_reveal_form_answers_a_message(web, client_as, citizen, reason):
    app, _ = web
    values = {"acc-reveal": 1, "acc-reveal-id": citizen, "acc-reveal-reason": reason, "lang": "ru"}
    status, _text = post(client_as("security"), body(app, "acc-reveal-out", values))
    assert status in OK


@FUZZ
@given(status_filter=VALUES, band=VALUES, selected=VALUES, rows=VALUES)
def test_the_case_list_and_case_detail_answer_rows_or_a_message(web, client_as, status_filter, band, selected,
                                                                rows):
    app, _ = web
    client = client_as("security")
    status, _text = post(client, body(app, "cases-grid", {"cases-filter": status_filter, "cases-band": band,
                                                          "lang": "ru"}))
    assert status in OK
    status, _text = post(client, body(app, "case-detail", {"case-selected": selected, "lang": "ru"},
                                      changed="case-selected.data"))
    assert status in OK
    status, _text = post(client, body(app, "case-selected", {"cases-grid": rows}))
    assert status in OK


@FUZZ
@given(action=st.sampled_from(["assign_me", "review", "hold", "escalate", "close", "allow"]) | VALUES,
       case_id=VALUES, closure=VALUES, note=VALUES, leak=VALUES, detector=VALUES, scope=VALUES, days=VALUES)
def test_triage_answers_done_or_refused_and_keeps_the_chain_intact(web, client_as, action, case_id, closure, note,
                                                                   leak, detector, scope, days):
    app, _ = web
    values = {"case-selected": case_id, "case-closure": closure, "case-note": note, "case-leak": leak,
              "case-allow-detector": detector, "case-allow-scope": scope, "case-allow-days": days, "lang": "ru"}
    status, _text = post(client_as("security"), triage_body(app, action, values))
    assert status in OK
    assert app.server.extensions["hotline"].audit.check().intact


@FUZZ
@given(actor=VALUES, action=VALUES)
def test_the_audit_page_filters_answer_rows_or_a_message_and_keep_the_chain_intact(web, client_as, actor, action):
    app, _ = web
    values = {"audit-apply": 1, "audit-actor": actor, "audit-action": action, "lang": "en"}
    status, _text = post(client_as("admin"), body(app, "audit-grid", values))
    assert status in OK
    assert app.server.extensions["hotline"].audit.check().intact


@FUZZ
@given(tick=VALUES, lang=VALUES)
def test_the_overview_redraws_or_waits_whatever_the_tick(web, client_as, tick, lang):
    app, _ = web
    status, _text = post(client_as("security"), body(app, "sec-overview", {"tick": tick, "lang": lang}))
    assert status in OK
