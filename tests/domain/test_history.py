"""Interval history in the live state machine: wait histograms, blocked callers, agent-seconds per queue and
interval, per-operator days, channel intervals, and periods in zones with DST and half-hour offsets."""

import random

import pytest

from domain.channels import ChannelState, TicketFacts, backlog_at_end
from domain.counters import CounterBook
from domain.history import ChannelInterval, IntervalCounts, OperatorDay, day_bounds, group, kpis, local_start
from domain.metrics import MetricParams, call_kpis
from domain.queue_log import QueueLogEvent, pad_data
from domain.telephony import ACCRUE_EVERY_S, ACCRUE_LAG_S, Agent, TelephonyConfig, TelephonyState

T0 = 1_764_151_200.0  # 2025-11-26 10:00 UTC
Q, Q2, AG = "technical", "general", "PJSIP/1001"


def E(ts, callid, verb, *data, queue=Q, agent="NONE"):
    return QueueLogEvent(float(ts), callid, queue, agent, verb, pad_data(list(data)))


def make(events=(), now=T0):
    state = TelephonyState(TelephonyConfig(tz="UTC", wrapup_s=15), now)
    state.apply_all(events)
    return state


def interval(state, scope, start):
    """The interval of ``scope`` starting at ``start`` as the history stores it."""
    index = int((start - state.day_start) // 900)
    fields = {**state.book.intervals.get(scope, {}).get(index, {}),
              **state.staff_book.intervals.get(scope, {}).get(index, {})}
    return IntervalCounts.from_counters(scope, int(start), fields)


def test_an_answered_and_an_abandoned_call_fill_the_wait_histograms_of_their_intervals():
    state = make([E(T0, "a", "ENTERQUEUE", "", "1", "1"), E(T0 + 12, "a", "CONNECT", "12", "x", "3", agent=AG),
                  E(T0 + 890, "b", "ENTERQUEUE", "", "2", "1"), E(T0 + 930, "b", "ABANDON", "1", "1", "40")])
    first, second = interval(state, Q, T0), interval(state, Q, T0 + 900)
    assert first.answer_waits == {12: 1} and first.counts["answered"] == 1 and first.counts["answered_in_t"] == 1
    assert second.abandon_waits == {40: 1} and second.counts["abandoned"] == 1 and second.longest_wait_s == 40
    assert first.counts["offered"] == 2 and "offered" not in second.counts  # offered at ENTERQUEUE's interval


def test_duplicate_and_out_of_order_rows_leave_one_entry_in_the_histograms():
    rows = [E(T0, "a", "ENTERQUEUE", "", "1", "1"), E(T0 + 25, "a", "CONNECT", "25", "x", "3", agent=AG)]
    state = make(rows[::-1] + rows)
    assert interval(state, Q, T0).answer_waits == {25: 1}


def test_histograms_stay_out_of_the_day_totals_and_the_rolling_windows():
    state = make([E(T0, "a", "ENTERQUEUE", "", "1", "1"), E(T0 + 7, "a", "CONNECT", "7", "x", "3", agent=AG)])
    assert "hw7" not in state.book.today[Q] and state.book.today[Q]["answered"] == 1
    assert "hw7" not in state.book.window(Q, T0 + 60, 15)


def test_the_waits_histogram_recomputes_service_level_for_10_20_and_30_seconds():
    events = []
    for i, hold in enumerate((5, 12, 25, 35)):
        events += [E(T0 + i, f"c{i}", "ENTERQUEUE", "", "1", "1"),
                   E(T0 + i + hold, f"c{i}", "CONNECT", str(hold), "x", "1", agent=f"PJSIP/{i}")]
    events += [E(T0, "s", "ENTERQUEUE", "", "1", "1"), E(T0 + 3, "s", "ABANDON", "1", "1", "3")]
    item = interval(make(events), Q, T0)
    assert [kpis([item], MetricParams(threshold_s=t))["service_level"] for t in (10, 20, 30)] == [0.25, 0.5, 0.75]


@pytest.mark.parametrize("verb", ["FULL", "JOINEMPTY", "JOINUNAVAIL", "CLOSED", "DIVERT_CA_RATIO"])
def test_a_caller_turned_away_counts_once_as_blocked_and_received_is_offered_plus_blocked(verb):
    turned_away = E(T0 + 60, "b1", verb)
    state = make([E(T0, "a", "ENTERQUEUE", "", "1", "1"), turned_away, turned_away, E(T0 + 61, "b2", verb)])
    today = call_kpis(state.book.today[Q], MetricParams())
    assert (today["offered"], today["blocked"], today["received"]) == (1, 2, 3)
    assert state.stats["duplicates"] == 1 and interval(state, Q, T0).counts["blocked"] == 2
    assert kpis([interval(state, Q, T0)], MetricParams())["received"] == 3


def _shift_day():
    """Logged in 10:05, paused for lunch 10:20-10:25, a call 10:40-10:42 (talk 120 s), removed at 10:50."""
    return [E(T0 + 300, "MANAGER", "ADDMEMBER", agent=AG), E(T0 + 300, "MANAGER", "ADDMEMBER", agent=AG, queue=Q2),
            E(T0 + 1200, "NONE", "PAUSE", "Обед", agent=AG), E(T0 + 1500, "NONE", "UNPAUSE", agent=AG),
            E(T0 + 2395, "c", "ENTERQUEUE", "", "1", "1"), E(T0 + 2400, "c", "CONNECT", "5", "x", "1", agent=AG),
            E(T0 + 2520, "c", "COMPLETECALLER", "5", "120", "1", agent=AG),
            E(T0 + 3000, "MANAGER", "REMOVEMEMBER", agent=AG), E(T0 + 3000, "MANAGER", "REMOVEMEMBER", agent=AG,
                                                                   queue=Q2)]


def test_agent_seconds_per_queue_are_split_at_the_interval_borders():
    state = make(_shift_day())
    state.accrue_agents(T0 + 3600)
    agents = [interval(state, Q, T0 + k * 900).agents for k in range(4)]
    assert agents[0] == {"staffed_s": 600, "available_s": 600}
    assert agents[1] == {"staffed_s": 900, "available_s": 600, "paused_s": 300}
    assert agents[2] == {"staffed_s": 900, "available_s": 765, "busy_s": 135}  # 120 s talk + 15 s wrap-up
    assert agents[3] == {"staffed_s": 300, "available_s": 300}
    assert interval(state, Q, T0 + 900).paused_by_reason == {"Обед": 300}
    assert interval(state, Q2, T0 + 1800).agents == agents[2]  # a member of two queues counts in both


def test_an_operators_day_has_its_calls_seconds_in_each_state_and_occupancy():
    state = make(_shift_day())
    state.accrue_agents(T0 + 3600)
    day = OperatorDay.from_counters(AG, "2025-11-26", state.agent_book.today[AG])
    assert (day.answered, day.handled, day.talk_s, day.wrapup_s) == (1, 1, 120, 15)
    assert (day.staffed_s, day.busy_s, day.paused_s, day.paused_by_reason) == (2700, 135, 300, {"Обед": 300})
    assert day.occupancy == pytest.approx(135 / 2400)


def test_an_open_state_is_booked_within_a_minute_while_it_lasts():
    state = make([E(T0, "MANAGER", "ADDMEMBER", agent=f"PJSIP/{i}") for i in range(120)])
    for now in range(int(T0), int(T0) + 130, 2):
        state.tick(float(now))
    latest = T0 + 128 - ACCRUE_LAG_S
    assert all(a.acc_at >= latest - ACCRUE_EVERY_S - 2 for a in state.agents.values())
    booked = interval(state, Q, T0).agents["staffed_s"]
    assert 120 * (latest - ACCRUE_EVERY_S - 2 - T0) <= booked <= 120 * (latest - T0)


def test_segments_agree_with_the_staffed_and_busy_seconds_of_occupancy():
    rng = random.Random(3)
    for _ in range(300):
        agent = Agent("a", 0.0)
        agent.logged_in, agent.paused = rng.random() < 0.8, rng.random() < 0.3
        agent.call = ("c", Q) if rng.random() < 0.3 else None
        agent.wrap_until = rng.choice([0.0, 50.0, 150.0])
        kinds = {}
        for s, e, kind in agent.segments(0.0, 100.0):
            kinds[kind] = kinds.get(kind, 0.0) + e - s
        staffed, busy = agent._delta(100.0)
        assert staffed == sum(v for k, v in kinds.items() if k != "paused")
        assert busy == kinds.get("talk", 0.0) + kinds.get("wrapup", 0.0)


def test_a_roll_keeps_the_closed_day_and_touched_buckets_are_handed_out_once():
    book = CounterBook(T0 - 36000, day_end=T0 + 50400)
    book.replace((), ((Q, int(T0 // 60), "offered", 1),))
    assert book.take_touched() == {(Q, 40)} and book.take_touched() == set()
    book.roll_day(T0 + 50400, T0 + 136800)
    start, intervals = book.closed_day
    assert start == T0 - 36000 and intervals[Q][40]["offered"] == 1 and not book.intervals


def test_a_channel_interval_has_responses_by_bucket_resolutions_by_due_and_the_backlog_at_its_end():
    state = ChannelState({"chat": 60}, "UTC", T0)
    state.apply([TicketFacts(1, "chat", T0 - 86400, T0 + 100, False),                   # waiting since yesterday
                 TicketFacts(2, "chat", T0 + 10, T0 + 40, True, T0 + 500, T0 + 3600),  # resolved by due
                 TicketFacts(3, "chat", T0 + 20, T0 + 920, True, T0 + 950, T0 + 900),  # resolved late
                 TicketFacts(4, "chat", T0 + 30, None, False)])
    book, base = state.book.intervals["chat"], state.backlog_base["chat"]
    assert base == 1
    first = ChannelInterval.from_counters("chat", int(T0), book[40], backlog_at_end(base, book, 40))
    second = ChannelInterval.from_counters("chat", int(T0 + 900), book[41], backlog_at_end(base, book, 41))
    assert (first.created, first.responded, first.responded_in_t, first.resolved, first.resolved_by_due) == \
        (3, 2, 1, 1, 1)
    assert first.backlog == 2 and second.backlog == 1   # tickets 3 and 4 waiting at 10:15; 4 at 10:30
    assert first.response_waits == {30: 1, 129600: 1} and second.response_waits == {900: 1}
    assert (first.responded_within(60), second.responded_within(900), second.responded_within(600)) == (1, 1, 0)


@pytest.mark.parametrize("day, tz, intervals", [("2026-03-29", "Europe/Berlin", 92),
                                                ("2026-10-25", "Europe/Berlin", 100),
                                                ("2026-11-26", "Europe/Moscow", 96)])
def test_a_local_day_holds_92_96_or_100_intervals(day, tz, intervals):
    start, end = day_bounds(day, tz)
    assert (end - start) / 900 == intervals


def test_kolkata_hours_group_4_intervals_starting_at_half_past_utc():
    start, _end = day_bounds("2026-11-26", "Asia/Kolkata")
    items = [IntervalCounts(Q, int(start + k * 900), {"offered": 1}) for k in range(8)]
    groups = group(items, "hour", "Asia/Kolkata")
    assert sorted(len(v) for v in groups.values()) == [4, 4]
    assert all(hour_start % 3600 == 1800 for _q, hour_start in groups)
    assert local_start(start + 2700, "hour", "Asia/Kolkata") == start
