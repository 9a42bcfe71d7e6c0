"""Formatting for the screens: what a supervisor reads on a tile or in a grid cell."""

import pytest

from components.format import duration, duration_short, pct, short_name


@pytest.mark.parametrize("seconds, text", [(None, "—"), (0, "0:00"), (45, "0:45"), (3723, "1:02:03"), (-3, "0:00")])
def test_duration(seconds, text):
    assert duration(seconds) == text


@pytest.mark.parametrize("seconds, lang, text", [(725, "ru", "12:05"), (3900, "ru", "1ч05м"), (3900, "en", "1h05m")])
def test_duration_short_fits_a_wall_tile(seconds, lang, text):
    assert duration_short(seconds, lang) == text


def test_pct():
    assert (pct(None), pct(0.8751), pct(0.8751, 1)) == ("—", "88%", "87.5%")


@pytest.mark.parametrize("full, short", [
    ("Иванова Анна Сергеевна", "Иванова А. С."), ("Petrov Ivan", "Petrov I."), ("PJSIP/9001", "PJSIP/9001"),
    ("", ""), (None, ""),
])
def test_short_name_for_an_operator_tile(full, short):
    assert short_name(full) == short


def test_a_median_of_1_5_hours_reads_1_5_ch_and_a_missing_one_reads_the_dash_alone():
    from components.format import hours

    assert (hours(1.5, "ru"), hours(1.5, "en"), hours(0.0, "ru")) == ("1.5 ч", "1.5 h", "0.0 ч")
    assert hours(None, "ru") == hours(None, "en") == "—"
