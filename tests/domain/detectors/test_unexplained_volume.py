"""D11: several records opened without a reason in one day, against the operator's own usual."""

from domain.detectors import DetectorConfig

from .factory import MIN, T0, acc, make_ctx, run


def test_d11_fires_at_the_fourth_unexplained_citizen_of_the_day():
    ctx = make_ctx()
    rows = [acc(i, T0 + i * MIN, cid=100 + i) for i in range(1, 6)]
    assert not run(rows[:3], ctx).of("D11")
    [hit] = run(rows[:4], ctx).of("D11")
    assert hit.points == 30 and len(hit.citizen_ids) == 4
    assert "4 distinct citizens" in hit.reason_en and "без звонка или обращения" in hit.reason_ru


def test_d11_evidence_grows_to_every_unexplained_row_of_the_day_with_the_exact_count():
    rows = [acc(i, T0 + i * MIN, cid=100 + i) for i in range(1, 6)] + [acc(9, T0 + 9 * MIN, cid=101)]
    final = run(rows, make_ctx()).final()
    [hit] = [h for h in final if h.detector == "D11"]
    assert hit.access_ids == (1, 2, 3, 4, 5, 9) and len(hit.citizen_ids) == 5
    assert "5 distinct citizens" in hit.reason_en
    [d01] = [h for h in final if h.detector == "D01" and h.citizen_ids == (101,)]
    assert d01.access_ids == (1, 9) and "(2 rows today)" in d01.reason_en


def test_d11_against_an_operator_whose_work_is_often_unexplained():
    ctx = make_ctx()
    for k in range(1, 8):   # a back-office operator who usually opens 5 records a day without a ticket
        day = f"2025-03-{10 - k:02d}"
        ctx.daily_counts[(1, day)] = 40
        ctx.unexplained_counts[(1, day)] = 5
    rows = [acc(i, T0 + i * MIN, cid=100 + i) for i in range(1, 12)]
    assert not run(rows, ctx).of("D11")   # 11 < 2 x 5 + 2
    assert run(rows + [acc(50, T0 + 50 * MIN, cid=180)], ctx).of("D11")


def test_d11_can_be_disabled():
    cfg = DetectorConfig(enabled=DetectorConfig().enabled - {"D11"})
    rows = [acc(i, T0 + i * MIN, cid=100 + i) for i in range(1, 10)]
    assert not run(rows, make_ctx(), cfg=cfg).of("D11")
