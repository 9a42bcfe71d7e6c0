"""D14: an unexplained access to a record nobody opened in the 28 days before the day."""

from domain.detectors import DetectorEngine, Shift, case_score

from .factory import DAY, HOUR, MIN, T0, acc, make_ctx, run, ticket


def _ctx(journal_days: float = 40):
    ctx = make_ctx()
    ctx.journal_since = T0 - journal_days * DAY
    ctx.touches[120].append(T0 - 20 * DAY)      # someone opened citizen 120's record 20 days ago
    ctx.add_activity(1, T0 - DAY)               # operator 1 worked yesterday (not a dormant account)
    return ctx


def test_d14_an_unexplained_record_nobody_opened_in_28_days_fires_15_points_and_grows_with_the_next():
    out = run([acc(1, T0, cid=150), acc(2, T0 + 10 * MIN, cid=151), acc(3, T0 + 20 * MIN, cid=151)], _ctx())
    [hit] = out.of("D14")
    assert hit.points == 15
    [grown] = [h for h in out.final() if h.detector == "D14"]
    assert grown.access_ids == (1, 2, 3) and grown.citizen_ids == (150, 151)
    assert grown.reason_en.endswith("nobody had opened in 28 days: 2")
    assert "никто не открывал 28 дн.: 2" in grown.reason_ru


def test_d14_a_record_opened_by_anyone_20_days_ago_is_not_rare():
    assert not run([acc(1, T0, cid=120)], _ctx()).of("D14")


def test_d14_an_explained_access_is_not_judged():
    ctx = _ctx().add(ticket(500, 150, assignee=1))
    assert not run([acc(1, T0, cid=150)], ctx).of("D14")


def test_d14_needs_a_journal_that_covers_the_whole_look_back():
    engine = DetectorEngine()
    out = run([acc(1, T0, cid=150)], _ctx(journal_days=20), engine=engine)
    assert not out.of("D14") and engine.stats["rare_no_history"] == 1


def test_d14_adds_its_points_but_is_not_a_third_detector_nor_a_weak_signal_of_its_own():
    ctx = _ctx().add(Shift(1, T0 - 2 * HOUR, T0 + 6 * HOUR))   # 08:00-16:00
    out = run([acc(1, T0 + 8 * HOUR, cid=150)], ctx)           # 18:00: off shift (D07, 15 points)
    assert out.detectors() == {"D01", "D07", "D14"}
    assert case_score(out.final()) == (40, "medium")


def test_d14_beside_d01_alone_stays_low():
    assert case_score(run([acc(1, T0, cid=150)], _ctx()).final()) == (25, "low")
