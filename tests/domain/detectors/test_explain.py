"""D01: an access is explained only by a ticket of that citizen assigned to the operator or their team."""

import pytest

from domain.detectors import DetectorConfig, DetectorEngine, InMemoryContext

from .factory import DAY, DAY_T0, MIN, OTHER_TEAM, T0, TEAM, acc, make_ctx, run, ticket


@pytest.mark.parametrize("link, code", [
    (dict(assignee=1), "ticket"),
    (dict(assignee=1, call="1741590000.17"), "call"),
    (dict(team=TEAM), "team_ticket"),
    (dict(assignee=2, team=TEAM), "team_ticket"),
])
def test_explained_by_own_or_team_ticket(link, code):
    ctx = make_ctx(n_ops=2).add(ticket(500, 100, **link))
    out = run([acc(1, T0, cid=100)], ctx, cfg=DetectorConfig(team_cover="team"))
    assert out.explained[1] == (True, code)
    assert not out.of("D01")


@pytest.mark.parametrize("link", [dict(assignee=2), dict(team=OTHER_TEAM), dict(assignee=None, team=None)])
def test_ticket_of_someone_else_does_not_explain(link):
    ctx = make_ctx(n_ops=2).add(ticket(500, 100, **link))
    out = run([acc(1, T0, cid=100)], ctx)
    assert out.explained[1] == (False, "none")
    [hit] = out.of("D01")
    assert (hit.operator_id, hit.day, hit.citizen_ids, hit.access_ids, hit.points) == (1, DAY_T0, (100,), (1,), 10)
    assert "нет звонка или обращения, связывающего оператора с гражданином" in hit.reason_ru
    assert "no call or ticket links the operator to the citizen" in hit.reason_en


def test_ticket_of_another_citizen_does_not_explain():
    out = run([acc(1, T0, cid=100)], make_ctx().add(ticket(500, 101, assignee=1)))
    assert out.explained[1] == (False, "none")


@pytest.mark.parametrize("offset, closed, explained", [
    (-5 * MIN, None, True),                 # 5 min before the ticket opened: the caller is being identified
    (-5 * MIN - 1, None, False),
    (30 * DAY, None, True),                 # an open ticket explains for as long as it stays open
    (3 * DAY, 0.0, True),                   # up to 3 days after it was closed (a call-back)
    (3 * DAY + 1, 0.0, False),
])
def test_ticket_window(offset, closed, explained):
    opened = T0 - 40 * DAY
    t = ticket(500, 100, assignee=1, opened=opened, closed=None if closed is None else opened + closed)
    ctx = make_ctx().add(t)
    ctx.journal_since = opened - DAY
    out = run([acc(1, opened + offset, cid=100)], ctx)
    assert out.explained[1][0] is explained


def test_row_ticket_and_call_are_looked_up_even_if_not_recent():
    class OnlyDirect(InMemoryContext):
        def tickets_of_citizen(self, citizen_id):
            return []

    base = make_ctx()
    ctx = OnlyDirect(operators=base.operators, citizens=base.citizens, journal_since=base.journal_since)
    ctx.add(ticket(500, 100, assignee=1), ticket(501, 101, assignee=1, call="c-501"))
    out = run([acc(1, T0, cid=100, ticket_id=500), acc(2, T0, cid=101, call="c-501")], ctx)
    assert out.explained == {1: (True, "ticket"), 2: (True, "call")}


def test_searches_are_never_unexplained_and_odd_rows_get_codes():
    rows = [acc(1, T0, action="search", cid=150), acc(2, T0, action="search", cid=None),
            acc(3, T0, action="view", cid=None), acc(4, T0, action="teleport", cid=150)]
    out = run(rows, make_ctx())
    assert out.explained == {1: (True, "search"), 2: (True, "search"), 3: (False, "no_citizen"),
                             4: (False, "unknown_action")}
    assert not out.hits


def test_verdict_waits_for_a_ticket_opened_just_after_the_access():
    ctx = make_ctx()
    engine = DetectorEngine(DetectorConfig())
    first = engine.process([acc(1, T0, cid=100)], [], ctx, T0)
    assert first.explained == {1: (False, "pending")} and not first.hits
    ctx.add(ticket(500, 100, assignee=1, opened=T0 + 3 * MIN))       # the CRM writes the ticket a bit later
    later = engine.flush(ctx, T0 + engine.config.settle_s)
    assert later.explained == {1: (True, "ticket")} and not later.hits


def test_unexplained_verdict_becomes_final_after_settling():
    engine = DetectorEngine()
    ctx = make_ctx()
    assert engine.process([acc(1, T0, cid=100)], [], ctx, T0 + 60).explained == {1: (False, "pending")}
    assert engine.pending == 1
    final = engine.flush(ctx, T0 + engine.config.settle_s)
    assert final.explained == {1: (False, "none")} and [h.detector for h in final.hits] == ["D01"]
    assert engine.pending == 0


def test_one_d01_per_operator_day_and_citizen():
    rows = [acc(1, T0, cid=100), acc(2, T0 + 60, cid=100, action="edit"), acc(3, T0 + 120, cid=101)]
    out = run(rows, make_ctx())
    assert sorted(h.citizen_ids for h in out.of("D01")) == [(100,), (101,)]
    assert out.explained[2] == (False, "none")


def test_the_operator_who_took_the_call_stays_explained_after_an_escalation():
    from domain.detectors.model import TicketLink

    escalated = TicketLink(900, 150, assignee_id=99, team_id=42, opened_at=T0, closed_at=None, call_id="c1",
                           handlers=frozenset({1}))
    ctx = make_ctx().add(escalated)
    out = run([acc(1, T0 + 60, cid=150, ticket_id=900, call="c1")], ctx)
    assert out.explained[1] == (True, "call") and not out.of("D01")
