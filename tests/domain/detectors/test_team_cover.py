"""Narrower explanations: a team's ticket explains an access only while open, with the operator on shift and
working the ticket's queue or channel that day; own tickets for 3 days after they close; every verdict names its
link (the ticket, or the D01 allow-rule that accepts an unexplained access)."""

from dataclasses import replace

from domain.detectors import AllowRule, DetectorConfig, Shift

from .factory import DAY, HOUR, MIN, T0, TEAM, acc, make_ctx, run, ticket

SHIFT = Shift(1, T0 - 2 * HOUR, T0 + 6 * HOUR)   # 08:00-16:00 Moscow


def _phone(tid, cid, assignee, line="technical", opened=T0 - 10 * MIN, closed=None):
    return replace(ticket(tid, cid, assignee=assignee, team=TEAM, opened=opened, closed=closed, call=f"c{tid}"),
                   channel="phone", line=line)


def _chat(tid, cid, assignee, opened=T0 - 10 * MIN, closed=None):
    return replace(ticket(tid, cid, assignee=assignee, team=TEAM, opened=opened, closed=closed), channel="chat")


def test_a_team_ticket_closed_2_days_ago_no_longer_explains_a_team_members_access():
    ctx = make_ctx(n_ops=2).add(SHIFT, _phone(400, 200, 1), _phone(500, 100, 2, opened=T0 - 3 * DAY,
                                                                    closed=T0 - 2 * DAY))
    out = run([acc(1, T0 - 5 * MIN, cid=200), acc(2, T0, cid=100)], ctx)
    assert out.explained[2] == (False, "none") and [h.citizen_ids for h in out.of("D01")] == [(100,)]


def test_an_open_team_ticket_of_the_queue_the_operator_answered_that_day_explains_the_access():
    ctx = make_ctx(n_ops=2).add(SHIFT, _phone(400, 200, 1), _phone(500, 100, 2))
    out = run([acc(1, T0 - 5 * MIN, cid=200), acc(2, T0, cid=100)], ctx)
    assert out.explained == {1: (True, "call"), 2: (True, "team_ticket")} and not out.hits
    assert out.links == {1: ("call", 400), 2: ("team_ticket", 500)}


def test_an_open_team_ticket_does_not_explain_an_operator_who_has_answered_nothing_yet_that_day():
    ctx = make_ctx(n_ops=2).add(SHIFT, _phone(500, 100, 2))
    out = run([acc(1, T0, cid=100)], ctx)
    assert out.explained[1] == (False, "none") and out.of("D01")


def test_a_chat_ticket_of_the_team_does_not_explain_an_operator_who_answered_only_the_technical_line():
    ctx = make_ctx(n_ops=2).add(SHIFT, _phone(400, 200, 1), _chat(500, 100, 2))
    out = run([acc(1, T0 - 5 * MIN, cid=200), acc(2, T0, cid=100)], ctx)
    assert out.explained[2] == (False, "none")


def test_a_team_ticket_does_not_explain_an_access_at_21_00_five_hours_after_the_shift():
    ctx = make_ctx(n_ops=2).add(SHIFT, _phone(400, 200, 1), _phone(500, 100, 2))
    out = run([acc(1, T0 - 5 * MIN, cid=200), acc(2, T0 + 11 * HOUR, cid=100)], ctx)
    assert out.explained[2] == (False, "none")


def test_team_cover_shift_drops_the_queue_condition_and_team_drops_the_shift_as_well():
    ctx = make_ctx(n_ops=2).add(SHIFT, _phone(400, 200, 1), _chat(500, 100, 2))
    rows = [acc(1, T0 - 5 * MIN, cid=200), acc(2, T0, cid=100), acc(3, T0 + 11 * HOUR, cid=100)]
    shift = run(rows, ctx, cfg=DetectorConfig(team_cover="shift")).explained
    team = run(rows, ctx, cfg=DetectorConfig(team_cover="team")).explained
    assert (shift[2], shift[3]) == ((True, "team_ticket"), (False, "none"))
    assert (team[2], team[3]) == ((True, "team_ticket"), (True, "team_ticket"))


def test_an_own_ticket_closed_4_days_ago_no_longer_explains_a_call_back():
    ctx = make_ctx().add(_phone(500, 100, 1, opened=T0 - 5 * DAY, closed=T0 - 4 * DAY))
    assert run([acc(1, T0, cid=100)], ctx).explained[1] == (False, "none")
    grace = DetectorConfig(ticket_after_s=7 * DAY)
    assert run([acc(1, T0, cid=100)], ctx, cfg=grace).explained[1] == (True, "call")


def test_a_d01_allow_rule_is_recorded_as_the_link_of_an_unexplained_access():
    ctx = make_ctx().add(AllowRule(7, "D01", 1, None, T0 + DAY))
    out = run([acc(1, T0, cid=100)], ctx)
    assert out.explained[1] == (False, "none") and out.links == {1: ("allow_rule", 7)}
    assert [h.detector for h, _ in out.suppressed] == ["D01"]
