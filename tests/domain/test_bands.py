"""The one band list: bounds and order, as the detectors' scoring, the case policy and the pages read them."""

import pytest

from domain.bands import BANDS, at_least, band_of, bands_from


@pytest.mark.parametrize("score, band", [
    (0, "info"), (19, "info"), (20, "low"), (39, "low"), (40, "medium"), (69, "medium"), (70, "high"),
    (90, "high"), (91, "critical"), (100, "critical"),
])
def test_a_score_of_19_is_info_20_is_low_40_medium_70_high_and_91_critical(score, band):
    assert band_of(score) == band


def test_the_bands_run_from_info_to_critical():
    assert BANDS == ("info", "low", "medium", "high", "critical")


def test_medium_and_above_are_medium_high_and_critical():
    assert bands_from("medium") == ("medium", "high", "critical")
    assert at_least("high", "medium") and not at_least("low", "medium")


def test_a_name_that_is_not_a_band_is_refused():
    with pytest.raises(ValueError):
        bands_from("severe")
