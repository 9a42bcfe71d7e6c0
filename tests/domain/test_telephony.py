"""The queue_log state machine over hand-written event sequences (every verb of docs/queue_log.md)."""

import random

import pytest

from domain.metrics import MetricParams, call_kpis
from domain.queue_log import QueueLogEvent, pad_data
from domain.telephony import TelephonyConfig, TelephonyState

T0 = 1_764_136_800.0  # 2025-11-26 06:00 UTC
Q = "technical"
AG = "PJSIP/1001"


def E(ts, callid, verb, *data, queue=Q, agent="NONE"):
    return QueueLogEvent(float(ts), callid, queue, agent, verb, pad_data(list(data)))


def make(events=(), cfg=None, now=T0):
    state = TelephonyState(cfg or TelephonyConfig(tz="UTC", wrapup_s=15), now)
    state.apply_all(events)
    return state


def kpis(state, queue=Q, variant="default"):
    return call_kpis(state.book.today.get(queue, {}), MetricParams(variant=variant, wrapup_s=state.cfg.wrapup_s))


def answered_call(t, callid="c1", hold=12, talk=100, verb="COMPLETECALLER", agent=AG):
    return [E(t, callid, "ENTERQUEUE", "", "+79161234567", "1"),
            E(t + 5, callid, "RINGNOANSWER", "5000", agent=agent),
            E(t + hold, callid, "CONNECT", str(hold), "1700.5", "3", agent=agent),
            E(t + hold + talk, callid, verb, str(hold), str(talk), "1", agent=agent)]


def test_answered_call_counts_and_operator_states():
    events = answered_call(T0)
    state = make(events[:3])
    assert state.agents[AG].state(T0 + 20) == "on_call"
    assert kpis(state)["answered"] == 1 and len(state.waiting[Q]) == 0
    state.apply(events[3])
    k = kpis(state)
    assert (k["offered"], k["answered"], k["abandoned"]) == (1, 1, 0)
    assert k["service_level"] == 1.0 and k["asa_s"] == 12 and k["aht_s"] == 115
    assert state.agents[AG].state(T0 + 112 + 10) == "wrap_up"
    assert state.agents[AG].state(T0 + 112 + 16) == "available"
    assert state.agent_book.today[AG]["answered"] == 1


def test_completeagent_is_handled_like_completecaller():
    k = kpis(make(answered_call(T0, verb="COMPLETEAGENT", hold=30)))
    assert k["answered"] == 1 and k["service_level"] == 0.0 and k["asa_s"] == 30


def test_caller_number_is_masked_in_state():
    state = make([E(T0, "c1", "ENTERQUEUE", "", "+79161234567", "1")])
    call = state.waiting[Q][("c1", Q)]
    assert call.caller.endswith("67") and "9161234" not in call.caller


def test_abandons_short_abandons_and_rates():
    state = make([E(T0, "a", "ENTERQUEUE", "", "1", "1"), E(T0 + 30, "a", "ABANDON", "1", "1", "30"),
                  E(T0, "s", "ENTERQUEUE", "", "2", "2"), E(T0 + 3, "s", "ABANDON", "2", "2", "3"),
                  *answered_call(T0, "b", hold=10)])
    k = kpis(state)
    assert (k["offered"], k["abandoned"], k["short_abandoned"]) == (3, 2, 1)
    assert k["service_level"] == 0.5          # 1 answered in T / (1 answered + 1 long abandon)
    assert k["abandon_rate"] == 0.5           # (2 - 1 short) / (3 - 1 short)
    assert kpis(state, variant="asterisk")["service_level"] == 1.0
    assert kpis(state, variant="asterisk2")["service_level"] == round(2 / 3, 4)  # 1 answered + 1 abandon <= T
    assert [c.wait_s for c in state.abandoned[Q].values()] == [30, 3]


@pytest.mark.parametrize("verb, data", [
    ("EXITWITHTIMEOUT", ("1", "1", "600")), ("EXITEMPTY", ("1", "1", "5")),
    ("EXITWITHKEY", ("5", "1", "1", "40")), ("WITHDRAW", ("1", "1", "12", "")),
])
def test_exits_are_counted_apart_from_abandons(verb, data):
    state = make([E(T0, "x", "ENTERQUEUE", "", "1", "1"), E(T0 + 50, "x", verb, *data)])
    k = kpis(state)
    assert (k["offered"], k["timed_out"], k["abandoned"], k["service_level"]) == (1, 1, 0, None)
    assert not state.waiting[Q]


@pytest.mark.parametrize("verb, data, talk", [
    ("TRANSFER", ("200", "from-internal", "10", "50", "1"), 50),
    ("BLINDTRANSFER", ("200", "from-internal", "10", "60", "1"), 60),
    ("ATTENDEDTRANSFER", ("BRIDGE", "abc-123", "10", "70", "1"), 70),
    ("ATTENDEDTRANSFER", ("LINK", "PJSIP/a", "PJSIP/b", "10", "80|1"), 80),
])
def test_transfers_end_the_call_with_its_talk_time(verb, data, talk):
    events = answered_call(T0, hold=10)[:3] + [E(T0 + 100, "c1", verb, *data, agent=AG)]
    state = make(events)
    counters = state.book.today[Q]
    assert counters["handled"] == 1 and counters["transferred"] == 1 and counters["talk_sum"] == talk
    assert state.agents[AG].state(T0 + 101) == "wrap_up"


def test_operator_verbs():
    state = make([E(T0, "MANAGER", "ADDMEMBER", "", agent=AG), E(T0 + 1, "MANAGER", "ADDMEMBER", "", agent=AG,
                                                                    queue="general")])
    agent = state.agents[AG]
    assert agent.queues == {Q, "general"} and agent.state(T0 + 2) == "available"
    state.apply(E(T0 + 10, "NONE", "PAUSE", "Обед", agent=AG))
    assert (agent.state(T0 + 11), agent.pause_reason) == ("paused", "Обед")
    state.apply(E(T0 + 70, "NONE", "UNPAUSE", "", agent=AG))
    assert agent.state(T0 + 71) == "available" and agent.state_since(T0 + 71) == T0 + 70
    state.apply(E(T0 + 80, "NONE", "PAUSEALL", "Перерыв", agent=AG, queue="NONE"))
    assert agent.state(T0 + 81) == "paused"
    state.apply(E(T0 + 90, "NONE", "UNPAUSEALL", "", agent=AG, queue="NONE"))
    state.apply(E(T0 + 95, "NONE", "PENALTY", "2", agent=AG))
    state.apply(E(T0 + 96, "NONE", "RINGINUSE", "0", agent=AG))
    assert agent.state(T0 + 97) == "available"
    state.apply(E(T0 + 100, "MANAGER", "REMOVEMEMBER", "", agent=AG, queue="general"))
    assert agent.queues == {Q} and agent.state(T0 + 101) == "available"
    state.apply(E(T0 + 110, "MANAGER", "REMOVEMEMBER", "", agent=AG))
    assert agent.state(T0 + 111) == "offline"


def test_agent_login_logoff_and_paused_member():
    state = make([E(T0, "NONE", "AGENTLOGIN", "PJSIP/1001", agent="Agent/1001", queue="NONE"),
                  E(T0, "MANAGER", "ADDMEMBER", "PAUSED", agent="PJSIP/2002")])
    assert state.agents["Agent/1001"].state(T0 + 1) == "available"
    assert state.agents["PJSIP/2002"].state(T0 + 1) == "paused"
    state.apply(E(T0 + 60, "NONE", "AGENTLOGOFF", "PJSIP/1001", "60", agent="Agent/1001", queue="NONE"))
    assert state.agents["Agent/1001"].state(T0 + 61) == "offline"


def test_system_custom_and_unknown_verbs_change_nothing_but_are_counted():
    state = make([E(T0, "NONE", "QUEUESTART", queue="NONE"), E(T0, "NONE", "CONFIGRELOAD", queue="NONE"),
                  E(T0, "c9", "DID", "88005553535"), E(T0, "c9", "OUTDIAL", "123"),
                  E(T0, "c9", "FROBNICATE", "?")])
    assert state.stats["ignored"] == 4 and state.stats["unknown_verb"] == 1
    assert state.unknown_verbs == {"FROBNICATE": 1}
    assert not state.book.today


def _day(seed=0):
    events = []
    for i in range(30):
        t = T0 + i * 40
        if i % 3 == 0:
            events += [E(t, f"a{i}", "ENTERQUEUE", "", "1", "1"), E(t + 25, f"a{i}", "ABANDON", "1", "1", "25")]
        else:
            events += answered_call(t, f"c{i}", hold=5 + i, talk=30, agent=f"PJSIP/{i % 4}")
    return events


def _counts(state):
    return {k: v for k, v in state.book.today[Q].items() if v}


def test_duplicates_change_nothing():
    events = _day()
    once = make(events)
    twice = make([e for e in events for _ in (0, 1)])
    assert _counts(twice) == _counts(once)
    assert twice.stats["duplicates"] == len(events)
    far_apart = make(events + events)  # a whole batch read twice
    assert _counts(far_apart) == _counts(once)


def test_out_of_order_events_give_the_same_counts():
    events = _day()
    expected = _counts(make(events))
    rng = random.Random(4)
    for _ in range(20):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert _counts(make(shuffled)) == expected


def test_old_asterisk_14_format_from_the_real_sample():
    events = [E(T0, "1266833905.2", "ENTERQUEUE", "", "01773597776", queue="9000"),
              E(T0 + 1, "1266833905.2", "CONNECT", "1", "1266833911.7", queue="9000", agent="Local/2004@x/n"),
              E(T0 + 4, "1266833905.2", "COMPLETEAGENT", "1", "3", "1", queue="9000", agent="Local/2004@x/n")]
    k = kpis(make(events), queue="9000")
    assert (k["offered"], k["answered"], k["asa_s"]) == (1, 1, 1.0)


def test_missing_enterqueue_is_inferred_once():
    state = make([E(T0 + 30, "c1", "CONNECT", "30", "x", "2", agent=AG),
                  E(T0 + 90, "c2", "ABANDON", "1", "1", "45")])
    k = kpis(state)
    assert (k["offered"], k["answered"], k["abandoned"]) == (2, 1, 1)
    state.apply(E(T0, "c1", "ENTERQUEUE", "", "5", "1"))  # arrives late: no double count
    assert kpis(state)["offered"] == 2
    assert state.calls[("c1", Q)].entered_at == T0


def test_lost_exit_is_flagged_not_waited_forever_and_a_late_exit_repairs_it():
    cfg = TelephonyConfig(tz="UTC", lost_after_s=600)
    state = make([E(T0, "c1", "ENTERQUEUE", "", "1", "1")], cfg)
    state.tick(T0 + 300)
    assert len(state.waiting[Q]) == 1
    state.tick(T0 + 601)
    assert not state.waiting[Q] and kpis(state)["lost"] == 1 and state.stats["lost_calls"] == 1
    state.apply(E(T0 + 700, "c1", "ABANDON", "1", "1", "700"))
    k = kpis(state)
    assert (k["lost"], k["abandoned"], k["offered"]) == (0, 1, 1)


def test_lost_talk_frees_the_operator():
    cfg = TelephonyConfig(tz="UTC", lost_talk_after_s=3600)
    state = make(answered_call(T0)[:3], cfg)
    state.tick(T0 + 3700)
    assert state.agents[AG].state(T0 + 3700 + 20) == "available"
    assert kpis(state)["lost"] == 1


def test_midnight_resets_today_in_the_configured_zone():
    # 20:50 UTC = 23:50 in Moscow; Moscow's midnight is 21:00 UTC.
    evening = 1_764_190_200.0  # 2025-11-26 20:50 UTC
    cfg = TelephonyConfig(tz="Europe/Moscow")
    state = make(answered_call(evening, "old", hold=5, talk=60) + [E(evening + 300, "w", "ENTERQUEUE", "", "1", "1")],
                 cfg, now=evening)
    assert kpis(state)["offered"] == 2
    state.tick(evening + 660)  # 00:01 Moscow
    k = kpis(state)
    assert (k["offered"], k["answered"]) == (0, 0)
    assert len(state.waiting[Q]) == 1  # the caller waiting across midnight is still waiting
    state.apply(E(evening + 700, "w", "CONNECT", "400", "u", "1", agent=AG))
    assert kpis(state)["answered"] == 1 and kpis(state)["offered"] == 0
    assert ("old", Q) not in state.calls or state.day_start - state.calls[("old", Q)].ended_at < 3600


def test_rolling_windows_count_recent_minutes_only():
    state = make(answered_call(T0, "early", hold=5, talk=10) + answered_call(T0 + 1800, "late", hold=50, talk=10))
    now = T0 + 1900
    last15 = call_kpis(state.book.window(Q, now, 15), MetricParams(wrapup_s=15))
    last60 = call_kpis(state.book.window(Q, now, 60), MetricParams(wrapup_s=15))
    assert (last15["answered"], last15["service_level"]) == (1, 0.0)
    assert (last60["answered"], last60["service_level"]) == (2, 0.5)


def test_occupancy_is_talk_plus_wrap_over_staffed_time():
    state = make([E(T0, "MANAGER", "ADDMEMBER", "", agent=AG), *answered_call(T0 + 10, hold=0, talk=40)])
    # staffed 0..100 = 100 s; busy = 40 s talk + 15 s wrap-up
    staffed, busy = state.agents[AG].totals(T0 + 100)
    assert (round(staffed), round(busy)) == (100, 55)


def test_paused_time_is_not_staffed_time():
    state = make([E(T0, "MANAGER", "ADDMEMBER", "", agent=AG), E(T0 + 50, "NONE", "PAUSE", "Обед", agent=AG),
                  E(T0 + 150, "NONE", "UNPAUSE", "", agent=AG)])
    staffed, busy = state.agents[AG].totals(T0 + 200)
    assert (round(staffed), round(busy)) == (100, 0)


def test_a_call_ending_after_removemember_does_not_bring_the_membership_back():
    state = make([E(T0, "MANAGER", "ADDMEMBER", "", agent=AG), *answered_call(T0 + 10)[:3],
                  E(T0 + 30, "MANAGER", "REMOVEMEMBER", "", agent=AG)])
    assert state.agents[AG].state(T0 + 31) == "on_call"  # removed while talking: the call goes on
    state.apply(answered_call(T0 + 10)[3])
    assert state.agents[AG].queues == set() and state.agents[AG].state(T0 + 200) == "offline"


def test_static_members_are_learned_from_ring_events():
    state = make([E(T0, "c1", "ENTERQUEUE", "", "1", "1"), E(T0 + 1, "c1", "RINGNOANSWER", "1000", agent="SIP/7")])
    assert state.agents["SIP/7"].queues == {Q} and state.agents["SIP/7"].state(T0 + 2) == "available"


def test_a_row_from_the_future_is_refused_and_does_not_roll_the_day():
    state = make(answered_call(T0))
    state.horizon = T0 + 600
    state.apply(E(T0 + 86400 * 365, "x", "ENTERQUEUE", "", "1", "1"))
    assert kpis(state)["offered"] == 1 and state.stats["future_rows"] == 1
