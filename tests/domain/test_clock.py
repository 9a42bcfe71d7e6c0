"""Times: the one ISO 8601 parser and local days."""

import pytest

from domain.clock import day_add, iso_epoch, iso_utc, local_day, parse_iso

T0 = 1_764_136_800.0  # 2025-11-26 06:00 UTC, 09:00 in Moscow


@pytest.mark.parametrize("text", ["2025-11-26T06:00:00Z", "2025-11-26T06:00:00+00:00", "2025-11-26T09:00:00+03:00",
                                  "2025-11-26T06:00:00", " 2025-11-26T06:00:00Z "])
def test_6_utc_written_five_ways_is_the_same_moment(text):
    assert parse_iso(text).timestamp() == T0


def test_a_time_without_a_zone_is_read_in_the_zone_given():
    assert parse_iso("2025-11-26T09:00:00", "Europe/Moscow").timestamp() == T0


def test_what_iso_utc_writes_iso_epoch_reads_back_and_nothing_stays_nothing():
    assert iso_epoch(iso_utc(T0)) == T0 and iso_epoch(None) is None and iso_epoch("") is None


def test_text_that_is_not_iso_is_refused():
    with pytest.raises(ValueError):
        parse_iso("26.11.2025")


def test_21_utc_is_already_the_next_day_in_moscow_and_days_count_across_months():
    assert local_day(T0 + 15 * 3600, "Europe/Moscow") == "2025-11-27"
    assert day_add("2025-11-26", 7) == "2025-12-03" and day_add("2025-03-01", -1) == "2025-02-28"
