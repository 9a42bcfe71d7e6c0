"""Property tests: random and malformed rows never make the engine raise, and what it returns stays well formed."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.detectors import IMPLEMENTED, AccessEvent, DetectorConfig, DetectorEngine, SignIn

from . import scenario
from .factory import DAY, T0

ACTIONS = ["search", "view", "edit", "export", "print", "", " VIEW ", "delete"]
anything = st.one_of(st.none(), st.booleans(), st.text(max_size=8), st.integers(-10, 10), st.floats())
times = st.one_of(st.floats(T0 - 2 * DAY, T0 + 2 * DAY), st.floats(), st.integers(-10**12, 10**12), anything)
ids = st.one_of(st.integers(-3, 400), anything)

access = st.builds(
    AccessEvent, id=ids, ts=times, operator_id=st.one_of(st.integers(-1, 12), anything),
    citizen_id=st.one_of(st.none(), st.integers(-1, 520), anything),
    action=st.one_of(st.sampled_from(ACTIONS), anything),
    ticket_id=st.one_of(st.none(), st.integers(0, 1100), anything),
    call_id=st.one_of(st.none(), st.sampled_from(["c-901", "c-1001", ""]), anything),
    ip=st.one_of(st.sampled_from(["10.0.0.1", "10.0.0.2", " ", ""]), anything),
)
signin = st.builds(
    SignIn, id=ids, ts=times, operator_id=st.one_of(st.none(), st.integers(-1, 12), anything),
    login=st.one_of(st.sampled_from(["op1", "OP1", "op10", ""]), anything), success=anything,
    ip=st.one_of(st.sampled_from(["10.0.0.1", "203.0.113.7"]), anything),
)
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CTX, ACCESSES, SIGNINS = scenario.build()     # the engine only reads the context


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(access, st.none(), st.integers()), max_size=30), max_size=4),
       st.lists(st.one_of(signin, st.none()), max_size=20), st.one_of(st.floats(T0, T0 + DAY), st.floats()))
def test_random_rows_never_raise(batches, signins, now):
    engine = DetectorEngine(DetectorConfig(settle_s=0))
    results = [engine.process(batch, signins if i == 0 else [], CTX, now) for i, batch in enumerate(batches)]
    results.append(engine.flush(CTX, now))
    for res in results:
        for h in res.hits + [h for h, _ in res.suppressed]:
            assert h.detector in IMPLEMENTED and 0 <= h.points <= 100 and DAY_RE.match(h.day)
            assert h.reason_ru and h.reason_en
        for verdict in res.explained.values():
            assert isinstance(verdict[0], bool) and isinstance(verdict[1], str)


@settings(max_examples=40, deadline=None)
@given(st.lists(access, max_size=40))
def test_garbage_mixed_into_a_real_day_never_raises(rows):
    engine = DetectorEngine()
    engine.process(ACCESSES + rows, SIGNINS, CTX, T0 + DAY)
    engine.flush(CTX, T0 + 2 * DAY)
