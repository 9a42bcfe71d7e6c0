"""D15: the same citizen opened without a reason on 3 distinct days within 14."""

from domain.detectors import DetectorEngine

from .factory import DAY, T0, acc, make_ctx, run, ticket


def test_d15_third_unexplained_day_fires():
    ctx = make_ctx()
    ctx.unexplained[(1, 150)] |= {"2025-03-01", "2025-03-05", "2025-02-20"}   # 02-20 is out of the 14 days
    out = run([acc(1, T0, cid=150)], ctx)
    [hit] = out.of("D15")
    assert hit.citizen_ids == (150,) and hit.points == 30
    assert "в 3 разных днях за 14 дн.: 2025-03-01, 2025-03-05, 2025-03-10" in hit.reason_ru
    assert "on 3 distinct days within 14 days" in hit.reason_en


def test_d15_two_days_are_not_enough_and_explained_days_do_not_count():
    ctx = make_ctx().add(ticket(500, 150, assignee=1, opened=T0 - 3 * DAY, closed=T0 - 2 * DAY))
    ctx.unexplained[(1, 150)] |= {"2025-03-01"}
    assert not run([acc(1, T0, cid=150)], ctx).of("D15")


def test_d15_from_the_engines_own_memory_across_days():
    engine, ctx = DetectorEngine(), make_ctx()
    hits = []
    for k, aid in zip((0, 4, 9), (1, 2, 3), strict=True):
        hits += run([acc(aid, T0 + k * DAY, cid=150)], ctx, engine=engine).of("D15")
    assert [h.day for h in hits] == ["2025-03-19"]
