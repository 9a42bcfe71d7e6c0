"""D07 off shift, D08 on leave / terminated / not active, D19 dormant account."""

import pytest

from domain.detectors import DetectorConfig, DetectorEngine, Leave, Shift

from .factory import DAY, DAY_T0, HOUR, MIN, T0, acc, make_ctx, operator, run, sign

SHIFT = Shift(1, T0 - 2 * HOUR, T0 + 6 * HOUR)   # 08:00-16:00 Moscow


@pytest.mark.parametrize("ts, fires", [
    (T0, False), (SHIFT.start - 15 * MIN, False), (SHIFT.end + 15 * MIN, False),
    (SHIFT.start - 15 * MIN - 1, True), (SHIFT.end + 16 * MIN, True), (T0 + 14 * HOUR, True),
])
def test_d07_off_shift(ts, fires):
    ctx = make_ctx().add(SHIFT)
    out = run([acc(1, ts, action="search", cid=None)], ctx)
    assert bool(out.of("D07")) is fires


def test_d07_reason_gives_local_time_and_fires_once_a_day():
    ctx = make_ctx().add(SHIFT)
    out = run([acc(1, T0 + 7 * HOUR), acc(2, T0 + 7 * HOUR + 60, cid=101)], ctx)   # 17:00 in Moscow
    hits = out.of("D07")
    assert len(hits) == 1 and hits[0].points == 15
    assert "17:00" in hits[0].reason_ru and "outside every shift" in hits[0].reason_en


def test_d07_on_a_day_off_weighs_more():
    ctx = make_ctx().add(SHIFT)
    [hit] = run([acc(1, T0 + 24 * HOUR)], ctx).of("D07")   # 10:00 in Moscow the next day: no shift that day
    assert hit.points == 30 and "10:00" in hit.reason_ru and "day off" in hit.reason_en


def test_d07_without_a_schedule_needs_the_operators_own_history():
    ctx = make_ctx().add(Shift(1, T0 - 30 * DAY, T0 - 30 * DAY + 8 * HOUR))
    ctx.add_activity(1, *(T0 - k * DAY for k in range(1, 50)))    # 49 accesses: too few to know the hours
    engine = DetectorEngine(DetectorConfig())
    assert not run([acc(1, T0 + 14 * HOUR)], ctx, engine=engine).of("D07")
    assert engine.stats["no_schedule"] == 1


def _weekday_office_hours(ctx) -> None:
    """Four weeks of accesses Monday to Friday, 09:00-18:00 Moscow, ten an hour; no shift schedule."""
    midnight = T0 - 10 * HOUR
    ctx.add_activity(1, *(midnight - week * 7 * DAY + wd * DAY + h * HOUR + k * 360
                          for week in range(1, 5) for wd in range(5) for h in range(9, 18) for k in range(10)))


@pytest.mark.parametrize("ts, fires", [
    (T0 + HOUR, False),                    # Monday 11:00: the operator's usual hour
    (T0 - 7 * HOUR, True),                 # Monday 03:00: never in four weeks
    (T0 + 5 * DAY + 2 * HOUR, True),       # Saturday 12:00: never on a Saturday
])
def test_d07_without_a_schedule_fires_at_a_rare_hour_of_the_week(ts, fires):
    ctx = make_ctx()
    _weekday_office_hours(ctx)
    hits = run([acc(1, ts, action="search", cid=None)], ctx).of("D07")
    assert bool(hits) is fires
    if fires:
        assert "no shift schedule" in hits[0].reason_en and "0.0%" in hits[0].reason_en
        assert "графика смен нет" in hits[0].reason_ru and hits[0].points == 15


@pytest.mark.parametrize("op, leave, words_ru, words_en", [
    (operator(1, status="terminated", terminated_at=T0 - DAY), None, "после увольнения (09.03.2025)",
     "after termination (09.03.2025)"),
    (operator(1, status="suspended"), None, "«отстранён»", "'suspended'"),
    (operator(1), Leave(1, T0 - DAY, T0 + DAY, "vacation"), "отпуск", "on leave (vacation)"),
    (operator(1), Leave(1, T0 - DAY, T0 + DAY, "sick"), "больничный", "sick leave"),
])
def test_d08_absent(op, leave, words_ru, words_en):
    ctx = make_ctx().add(op, *([leave] if leave else []))
    out = run([acc(1, T0, action="search", cid=None), acc(2, T0 + 60)], ctx)
    [hit] = out.of("D08")
    assert hit.points == 80 and hit.access_ids == (1, 2)
    assert words_ru in hit.reason_ru and words_en in hit.reason_en
    assert "[2 rows: 10:00-10:01 (1 min)]" in hit.reason_en and "[2 строк: 10:00-10:01 (1 мин)]" in hit.reason_ru


def test_d08_silent_outside_leave_and_before_termination():
    ctx = make_ctx().add(operator(1, terminated_at=T0 + DAY), Leave(1, T0 - 5 * DAY, T0 - DAY, "vacation"))
    assert not run([acc(1, T0)], ctx).of("D08")


MIDNIGHT = T0 - 10 * HOUR   # Monday 00:00 in Moscow


@pytest.mark.parametrize("ts, fires", [
    (MIDNIGHT + 10 * MIN, False),      # the Sunday evening shift runs to 00:30: still work
    (MIDNIGHT + 44 * MIN, False),      # ... within its 15 min margin
    (MIDNIGHT + 50 * MIN, True),       # after it: on leave
    (MIDNIGHT + 9 * HOUR, True),       # a shift planned inside the leave does not excuse it
])
def test_d08_a_shift_begun_before_the_leave_is_still_work(ts, fires):
    ctx = make_ctx().add(Leave(1, MIDNIGHT, MIDNIGHT + 7 * DAY, "vacation"),
                         Shift(1, MIDNIGHT - 8 * HOUR, MIDNIGHT + 30 * MIN), Shift(1, MIDNIGHT + 8 * HOUR,
                                                                                  MIDNIGHT + 16 * HOUR))
    assert bool(run([acc(1, ts, action="search", cid=None)], ctx).of("D08")) is fires


def test_d19_dormant_account_touches_a_record():
    ctx = make_ctx()
    ctx.add_activity(1, T0 - 25 * DAY)
    out = run([acc(1, T0), acc(2, T0 + 60, cid=101)], ctx)
    [hit] = out.of("D19")
    assert hit.access_ids == (1,) and hit.points == 40 and hit.day == DAY_T0
    assert "нет активности 25 дн." in hit.reason_ru and "no activity for 25 days" in hit.reason_en


def test_d19_wakes_on_sign_in_and_fires_on_the_first_record_touch():
    ctx = make_ctx()
    ctx.add_activity(1, T0 - 30 * DAY)
    out = run([acc(1, T0 + 5 * MIN, action="search", cid=None), acc(2, T0 + 10 * MIN)], ctx,
              signins=[sign(1, T0)])
    [hit] = out.of("D19")
    assert hit.access_ids == (2,)


@pytest.mark.parametrize("last, hired", [(T0 - 20 * DAY, T0 - 365 * DAY), (None, T0 - 5 * DAY)])
def test_d19_not_dormant(last, hired):
    ctx = make_ctx().add(operator(1, hired_at=hired))
    ctx.journal_since = T0 - 29 * DAY
    if last is not None:
        ctx.add_activity(1, last)
    assert not run([acc(1, T0)], ctx).of("D19")


def test_d19_no_journal_history_means_idle_since_the_journal_started():
    ctx = make_ctx()
    ctx.journal_since = T0 - 29 * DAY
    assert run([acc(1, T0)], ctx).of("D19")
    ctx.journal_since = T0 - 2 * DAY            # a fresh install: nobody is dormant
    assert not run([acc(1, T0)], ctx).of("D19")


def test_d19_failed_sign_ins_do_not_keep_an_account_awake():
    ctx = make_ctx()
    ctx.add_activity(1, T0 - 30 * DAY)
    fails = [sign(i, T0 - (10 - i) * DAY, success=False) for i in range(5)]
    assert run([acc(1, T0)], ctx, signins=fails).of("D19")
