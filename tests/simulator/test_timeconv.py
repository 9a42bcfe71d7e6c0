"""The fast time conversions agree with domain.clock (which uses zoneinfo per call)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.clock import epoch_to_local_naive
from domain.clock import utc_naive as slow_utc_naive
from simulator.timeconv import LocalTime, utc_naive

EPOCHS = st.floats(min_value=946684800, max_value=2524608000, allow_nan=False)   # 2000..2050


@settings(max_examples=300)
@given(EPOCHS, st.sampled_from(["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]))
def test_same_as_domain_clock(ts, tz):
    assert utc_naive(ts) == slow_utc_naive(ts)
    assert LocalTime(tz).naive(ts) == epoch_to_local_naive(ts, tz)


def test_local_calendar():
    moscow = LocalTime("Europe/Moscow")
    ts = 1764104400.0                      # 2025-11-26 00:00 MSK
    assert moscow.date(ts).isoformat() == "2025-11-26" and moscow.hour(ts) == 0
    assert moscow.at(moscow.date(ts), 10.5) == ts + 10.5 * 3600
