"""Source values are not trusted too far: durations bounded by the row times, the day changed by the clock only."""

from domain.telephony import TelephonyConfig, TelephonyState
from tests.domain.test_telephony import AG, T0, E, answered_call, kpis, make

ABSURD_HOLD = 118_343_192_400  # the CONNECT that made a queue's ASA 32,873,109 hours


def test_an_absurd_hold_at_connect_is_replaced_by_the_30_s_since_enterqueue_and_counted():
    state = make([E(T0, "c1", "ENTERQUEUE", "", "+79161234567", "1"),
                  E(T0 + 30, "c1", "CONNECT", str(ABSURD_HOLD), "u1", "3", agent=AG)])
    k = kpis(state)
    assert (k["answered"], k["asa_s"]) == (1, 30.0)
    assert state.stats["absurd_duration"] == 1


def test_a_hold_up_to_5_s_past_the_row_times_is_believed():
    state = make([E(T0, "c1", "ENTERQUEUE", "", "1", "1"), E(T0 + 30, "c1", "CONNECT", "34", "u1", "3", agent=AG)])
    assert kpis(state)["asa_s"] == 34.0 and state.stats["absurd_duration"] == 0


def test_a_connect_without_its_enterqueue_is_believed_up_to_4_hours_only():
    state = make([E(T0, "c1", "CONNECT", "14400", "u1", "3", agent=AG),
                  E(T0, "c2", "CONNECT", "14401", "u2", "3", agent="PJSIP/2")])
    k = kpis(state)
    assert k["answered"] == 2 and k["asa_s"] == 7200.0  # (14,400 + 0) / 2
    assert state.stats["absurd_duration"] == 1


def test_an_absurd_talk_time_is_replaced_by_the_100_s_since_connect():
    events = answered_call(T0, hold=12, talk=100)
    events[3] = E(T0 + 112, "c1", "COMPLETECALLER", "12", "999999999", "1", agent=AG)
    k = kpis(make(events))
    assert k["aht_s"] == 115.0  # 100 s talk + 15 s wrap-up
    assert make(events).stats["absurd_duration"] == 1


def test_an_absurd_wait_at_abandon_is_replaced_by_the_3_s_since_enterqueue_so_it_is_a_short_abandon():
    state = make([E(T0, "c1", "ENTERQUEUE", "", "1", "1"), E(T0 + 3, "c1", "ABANDON", "1", "1", "86400")])
    k = kpis(state)
    assert (k["abandoned"], k["short_abandoned"]) == (1, 1)
    assert state.abandoned["technical"][("c1", "technical")].wait_s == 3
    assert state.stats["absurd_duration"] == 1


def test_a_negative_duration_is_counted_and_the_row_times_used():
    state = make([E(T0, "c1", "ENTERQUEUE", "", "1", "1"), E(T0 + 8, "c1", "CONNECT", "-5", "u1", "3", agent=AG)])
    assert kpis(state)["asa_s"] == 8.0 and state.stats["absurd_duration"] == 1


def test_a_row_dated_after_midnight_does_not_roll_the_day_and_counts_in_the_next_day_only():
    cfg = TelephonyConfig(tz="UTC")
    evening = T0 + 17 * 3600 + 55 * 60  # 23:55 UTC
    state = TelephonyState(cfg, evening)
    state.set_clock(evening, 600)
    state.apply(E(evening + 8 * 60, "next", "ENTERQUEUE", "", "1", "1"))  # dated 00:03, eight minutes ahead
    state.apply_all([E(evening + 60 * m, f"old{m}", "ENTERQUEUE", "", "1", "1") for m in (1, 2, 3, 4)])
    assert state.day_start == T0 - 6 * 3600 and kpis(state)["offered"] == 4
    assert len(state.waiting["technical"]) == 5  # the early caller is waiting all the same
    state.set_clock(evening + 5 * 60 + 1, 600)  # the clock passes midnight
    assert state.day_start == T0 + 18 * 3600 and kpis(state)["offered"] == 1


def test_a_row_that_raises_is_counted_and_the_rows_after_it_are_applied(monkeypatch):
    import domain.telephony as telephony

    real = telephony.mask_phone
    monkeypatch.setattr(telephony, "mask_phone", lambda n: 1 / 0 if n == "boom" else real(n))
    state = make([E(T0, "c1", "ENTERQUEUE", "", "1", "1"), E(T0 + 1, "c2", "ENTERQUEUE", "", "boom", "1"),
                  E(T0 + 2, "c3", "ENTERQUEUE", "", "3", "1")])
    assert kpis(state)["offered"] == 2 and state.stats["rejected_row"] == 1
    assert state.last_rejected == ("queue_log row None", "ZeroDivisionError")
