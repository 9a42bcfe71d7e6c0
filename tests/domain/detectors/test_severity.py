"""Severity by meaning: single strong signals are medium cases on their own, and so are two weak signals."""

from domain.detectors import DetectorConfig, Hit, Shift, case_score

from .factory import DAY, HOUR, MIN, T0, TEAM, acc, make_ctx, run, sign, ticket

SHIFT = Shift(1, T0 - 2 * HOUR, T0 + 6 * HOUR)   # Monday 08:00-16:00 Moscow; Tuesday is a day off


def _band(hits: list[Hit]) -> str:
    return case_score(hits)[1]


def test_six_failed_sign_ins_then_a_success_from_the_own_workstation_is_a_medium_case():
    fails = [sign(i, T0 + i * MIN, success=False, ip="10.0.0.1") for i in range(1, 7)]
    out = run([], make_ctx(), signins=fails + [sign(9, T0 + 8 * MIN, ip="10.0.0.1")])
    assert out.detectors() == {"D17"} and _band(out.hits) == "medium"
    assert "6 failed sign-ins" in out.of("D17")[0].reason_en


def test_a_dormant_account_idle_for_25_days_reading_one_explained_record_is_a_medium_case():
    ctx = make_ctx().add(ticket(500, 100, assignee=1, team=TEAM, opened=T0 - HOUR))
    ctx.add_activity(1, T0 - 25 * DAY)
    out = run([acc(1, T0)], ctx)
    assert out.explained[1] == (True, "ticket")
    assert out.detectors() == {"D19"} and _band(out.hits) == "medium"


def test_an_access_at_23_30_on_a_day_off_is_a_medium_case_even_when_a_team_ticket_covers_the_citizen():
    ctx = make_ctx().add(SHIFT, ticket(500, 100, assignee=2, team=TEAM, opened=T0 + 20 * HOUR))
    tuesday_2330 = T0 + 37 * HOUR + 30 * MIN
    out = run([acc(1, tuesday_2330)], ctx)
    [hit] = out.of("D07")
    assert hit.points == 40 and "at night (23:30)" in hit.reason_en and _band(out.hits) == "medium"


def test_a_day_off_access_at_10_00_then_one_at_23_30_fires_the_night_as_well():
    ctx = make_ctx().add(SHIFT)
    out = run([acc(1, T0 + 24 * HOUR, action="search", cid=None),
               acc(2, T0 + 37 * HOUR + 30 * MIN, action="search", cid=None)], ctx)
    assert sorted(h.points for h in out.of("D07")) == [30, 40] and _band(out.hits) == "medium"


def test_the_night_is_a_setting_and_may_wrap_past_midnight():
    cfg = DetectorConfig(night_from_h=1, night_to_h=5)
    assert cfg.night(1) and cfg.night(4) and not cfg.night(5) and not cfg.night(23)
    wrap = DetectorConfig()
    assert wrap.night(22) and wrap.night(0) and wrap.night(5) and not wrap.night(6) and not wrap.night(21)


def _hit(det: str, points: int) -> Hit:
    return Hit(det, 1, "2025-03-10", T0, points, "r", "r", (), ())


def test_two_weak_signals_of_15_points_each_make_a_medium_case_of_30_points():
    assert case_score([_hit("D07", 15), _hit("D04", 15)]) == (30, "medium")
    assert case_score([_hit("D07", 15), _hit("D10", 20)]) == (35, "medium")
    assert case_score([_hit("D10", 20), _hit("D15", 30)]) == (50, "medium")


def test_one_weak_signal_and_an_unexplained_access_of_10_points_stay_low():
    assert case_score([_hit("D01", 10), _hit("D07", 15)]) == (25, "low")
    assert case_score([_hit("D07", 15), _hit("D07", 30)]) == (30, "low")


def test_an_explained_watch_list_access_of_15_points_and_d10_of_20_stay_low():
    assert case_score([_hit("D06", 15), _hit("D10", 20)]) == (35, "low")
