"""The HOTLINE_SECURITY_* settings reach the detectors."""

from poller.security import detector_config
from settings import load_settings


def test_defaults_make_d17_d19_and_a_night_on_a_day_off_worth_40_points():
    cfg = detector_config(load_settings({}))
    assert (cfg.pts("D17"), cfg.pts("D19"), cfg.night_day_off_points) == (40, 40, 40)
    assert (cfg.night_from_h, cfg.night_to_h) == (22, 6)


def test_the_environment_sets_the_points_and_the_night():
    cfg = detector_config(load_settings({"HOTLINE_SECURITY_GUESS_SUCCESS_POINTS": "30",
                                         "HOTLINE_SECURITY_DORMANT_POINTS": "35",
                                         "HOTLINE_SECURITY_NIGHT_DAY_OFF_POINTS": "45",
                                         "HOTLINE_SECURITY_NIGHT_FROM_H": "23", "HOTLINE_SECURITY_NIGHT_TO_H": "5",
                                         "HOTLINE_TZ": "Asia/Yekaterinburg"}))
    assert (cfg.pts("D17"), cfg.pts("D19"), cfg.night_day_off_points) == (30, 35, 45)
    assert (cfg.night_from_h, cfg.night_to_h, cfg.tz) == (23, 5, "Asia/Yekaterinburg") and cfg.pts("D01") == 10


def test_team_cover_is_worked_and_the_grace_3_days_by_default_and_both_are_settings():
    cfg = detector_config(load_settings({}))
    assert (cfg.team_cover, cfg.ticket_after_s) == ("worked", 3 * 86400)
    wide = detector_config(load_settings({"HOTLINE_SECURITY_TEAM_COVER": "Team",
                                          "HOTLINE_SECURITY_TICKET_GRACE_DAYS": "1.5"}))
    assert (wide.team_cover, wide.ticket_after_s) == ("team", 1.5 * 86400)


def test_an_unknown_team_cover_falls_back_to_the_narrowest():
    assert detector_config(load_settings({"HOTLINE_SECURITY_TEAM_COVER": "everyone"})).team_cover == "worked"


def test_corporate_ranges_are_a_comma_separated_setting_and_a_bad_range_is_left_out():
    assert detector_config(load_settings({})).corporate_ranges == ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    cfg = detector_config(load_settings({"HOTLINE_SECURITY_CORPORATE_RANGES": "10.20.0.0/16, nonsense,195.1.2.0/24"}))
    assert cfg.corporate_ranges == ("10.20.0.0/16", "195.1.2.0/24")
