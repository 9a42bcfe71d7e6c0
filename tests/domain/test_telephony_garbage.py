"""Property tests: random garbage rows never crash the reader nor change the counts of the valid calls."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.queue_log import KNOWN_VERBS, MalformedLine, QueueLogEvent, pad_data, parse_pipe_line
from domain.telephony import TelephonyConfig, TelephonyState
from tests.domain.test_telephony import T0, Q, _counts, _day

VALID = _day()
VALID_CALLIDS = {e.callid for e in VALID}
EXPECTED = None

text = st.text(max_size=40)
garbage_event = st.builds(
    lambda ts, callid, queue, agent, verb, data: QueueLogEvent(ts, callid, queue, agent, verb, pad_data(data)),
    ts=st.floats(min_value=T0 - 86400, max_value=T0 + 3600, allow_nan=False),
    callid=text.filter(lambda c: c not in VALID_CALLIDS),
    queue=text.filter(lambda q: q != Q),
    agent=st.one_of(text, st.sampled_from(["NONE", "PJSIP/1", ""])),
    verb=st.one_of(st.sampled_from(sorted(KNOWN_VERBS)), text),
    data=st.lists(st.one_of(text, st.integers(-10**9, 10**12).map(str)), max_size=7),
)
garbage_line = st.one_of(
    text,
    st.lists(st.one_of(text, st.integers(-10**12, 10**12).map(str)), max_size=9).map("|".join),
)


def _expected():
    global EXPECTED
    if EXPECTED is None:
        state = TelephonyState(TelephonyConfig(tz="UTC"), T0)
        state.apply_all(VALID)
        EXPECTED = _counts(state)
    return EXPECTED


def _interleave(valid, garbage, positions):
    out = list(valid)
    for item, pos in zip(garbage, positions, strict=False):
        out.insert(pos % (len(out) + 1), item)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(garbage_event, max_size=40), st.lists(st.integers(0, 10**6), min_size=40, max_size=40))
def test_garbage_events_do_not_change_valid_counts(garbage, positions):
    state = TelephonyState(TelephonyConfig(tz="UTC"), T0)
    state.apply_all(_interleave(VALID, garbage, positions))
    state.tick(T0 + 2000)
    assert _counts(state) == _expected()


@settings(max_examples=150, deadline=None)
@given(st.lists(garbage_line, max_size=40), st.lists(st.integers(0, 10**6), min_size=40, max_size=40))
def test_garbage_lines_never_crash_the_reader(lines, positions):
    state = TelephonyState(TelephonyConfig(tz="UTC"), T0)
    state.horizon = T0 + 3600  # as the poller sets it: rows from the future are refused
    valid_lines = ["|".join([str(e.ts), e.callid, e.queue, e.agent, e.verb, *e.data]) for e in VALID]
    for line in _interleave(valid_lines, lines, positions):
        try:
            event = parse_pipe_line(line)
        except MalformedLine:
            continue
        if event.callid in VALID_CALLIDS and event.queue == Q and line not in valid_lines:
            continue  # a random line that happens to name a valid call is not garbage
        state.apply(event)
    assert _counts(state) == _expected()
