"""The routing policy (pure): quiet hours, silences, who hears of cases, grouping, resolved and repeat messages."""

from domain.notify import GroupState, Item, Route, Silence, hears, plan, quiet, silenced

ROUTE = Route(1, "r", "webhook", "https://x.example/h", group_wait_s=60, repeat_s=600)
SECURITY = Route(2, "soc", "email", "soc@x.example", audience="security", min_band="high")
W = Item("queue_waiting:technical", "alert", "warning", "queue_waiting", "technical")
C = Item("queue_waiting:technical", "alert", "critical", "queue_waiting", "technical")
CASE = Item("case:7", "case", "high", "case", "high")


def test_quiet_hours_may_run_over_midnight():
    night = Route(1, "r", "email", "a@b.example", quiet_from="22:00", quiet_to="07:00")
    assert quiet(night, "23:30") and quiet(night, "06:59") and not quiet(night, "07:00") and not quiet(night, "21:59")
    assert hears(night, C, "23:30") and not hears(night, W, "23:30") and hears(night, W, "12:00")


def test_cases_reach_security_routes_only_and_from_their_band():
    assert not hears(ROUTE, CASE, "12:00")
    assert hears(SECURITY, CASE, "12:00")
    assert not hears(SECURITY, Item("case:8", "case", "medium"), "12:00")


def test_silence_matchers():
    live = lambda matcher, route_id=None: [Silence(1, matcher, route_id, 200.0)]  # noqa: E731
    assert silenced(W, ROUTE, live("*"), 100) and silenced(W, ROUTE, live("queue_waiting:*"), 100)
    assert silenced(W, ROUTE, live("queue_waiting:technical"), 100)
    assert not silenced(W, ROUTE, live("queue_waiting:general"), 100)
    assert not silenced(W, ROUTE, live("*", route_id=2), 100)
    assert not silenced(W, ROUTE, live("*"), 300)  # expired
    assert silenced(CASE, SECURITY, live("case:*"), 100) and not silenced(W, ROUTE, live("case:*"), 100)


def test_a_window_groups_changes_then_one_message_tells_the_state():
    state, message = plan(ROUTE, GroupState(), [W], [], 0, "12:00")
    assert message is None and state.pending_since == 0
    state, message = plan(ROUTE, state, [C], [], 30, "12:00")  # changed inside the window
    assert message is None and state.pending_since == 0
    state, message = plan(ROUTE, state, [C], [], 60, "12:00")
    assert message is not None and [i.level for i in message.firing] == ["critical"]
    assert state.announced == {C.key: "critical"} and state.pending_since is None


def test_resolved_then_repeat():
    state = GroupState({C.key: "critical"}, None, 0, 1)
    same, message = plan(ROUTE, state, [C], [], 599, "12:00")
    assert message is None
    same, message = plan(ROUTE, state, [C], [], 600, "12:00")
    assert message.repeat and same.last_sent_at == 600
    gone, message = plan(ROUTE, state, [], [], 700, "12:00")
    assert message is None and gone.pending_since == 700
    gone, message = plan(ROUTE, gone, [], [], 760, "12:00")
    assert message.resolved == (C.key,) and not message.firing and gone.announced == {}


def test_a_silenced_or_quieted_alert_is_forgotten_not_announced_resolved():
    state = GroupState({W.key: "warning"}, None, 0, 1)
    after, message = plan(ROUTE, state, [W], [Silence(1, "*", None, 10_000)], 100, "12:00")
    assert message is None and after.announced == {}


OVERSIGHT = Route(3, "dpo", "email", "dpo@x.example", audience="oversight")
FINDING = Item("reviewer:77", "reviewer", "medium", "D20", "reveal", acked=True)


def test_a_reviewers_finding_reaches_oversight_routes_only_and_they_hear_of_nothing_else():
    assert hears(OVERSIGHT, FINDING, "12:00")
    assert not hears(ROUTE, FINDING, "12:00") and not hears(SECURITY, FINDING, "12:00")
    assert not hears(OVERSIGHT, Item("case:1", "case", "critical"), "12:00")
    assert not hears(OVERSIGHT, Item("queue_waiting:technical", "alert", "critical"), "12:00")


def test_a_silence_of_everything_does_not_hide_a_reviewers_own_acts_but_reviewer_star_does():
    everything = Silence(1, "*", None, 2e9)
    assert not silenced(FINDING, OVERSIGHT, [everything], 1e9)
    assert silenced(FINDING, OVERSIGHT, [Silence(2, "reviewer:*", None, 2e9)], 1e9)
