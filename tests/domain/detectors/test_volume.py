"""D09 volume above the operator's own baseline, D10 above the peers'."""

from domain.detectors import DetectorConfig, DetectorEngine

from .factory import DAY_T0, MIN, T0, acc, make_ctx, operator, run

BASELINE = [8, 9, 10, 10, 11, 12, 10, 9, 11, 10]   # median 10, MAD 1


def _touches(n, op=1, start_id=1, t0=T0, first_cid=100):
    return [acc(start_id + i, t0 + i * MIN, op=op, cid=first_cid + i) for i in range(n)]


def _ctx_with_baseline(days):
    ctx = make_ctx(citizens=range(100, 400))
    for k, count in enumerate(days, start=1):
        ctx.daily_counts[(1, f"2025-03-{10 - k:02d}" if k < 10 else f"2025-02-{28 - (k - 10):02d}")] = count
    return ctx


def test_d09_fires_when_the_threshold_is_crossed_not_earlier():
    ctx = _ctx_with_baseline(BASELINE)
    rows = _touches(30)
    assert not run(rows[:24], ctx).of("D09")  # 2.5 x the median of 10
    [hit] = run(rows[:25], ctx).of("D09")
    assert hit.access_ids[-1] == 25 and hit.ts == rows[24].ts and len(hit.citizen_ids) == 25
    assert hit.points == 25 and hit.day == DAY_T0
    assert "за день 25 разных граждан при обычных 10" in hit.reason_ru
    assert "25 distinct citizens today against a usual 10" in hit.reason_en


def test_d09_evidence_grows_to_all_35_rows_of_the_day_and_the_reason_to_30_citizens():
    rows = _touches(30) + [acc(100 + i, T0 + (40 + i) * MIN, cid=100 + i) for i in range(5)]   # 5 revisits
    [hit] = run(rows, _ctx_with_baseline(BASELINE)).of("D09")
    assert hit.ts == rows[24].ts and len(hit.access_ids) == 35 and len(hit.citizen_ids) == 30
    assert "30 distinct citizens today against a usual 10" in hit.reason_en


def test_d09_needs_five_past_days():
    assert not run(_touches(60), _ctx_with_baseline([10, 10, 10, 10])).of("D09")


def test_d09_two_and_a_half_times_the_median_is_required():
    # A double shift (twice the usual) is not unusual; the usual factor 2 is raised to 2.5.
    ctx = _ctx_with_baseline([30, 30, 30, 30, 30, 30])
    assert not run(_touches(74), ctx).of("D09")
    assert run(_touches(75), ctx).of("D09")


def test_d09_repeat_touches_of_one_citizen_count_once():
    rows = [acc(i, T0 + i, cid=100 + i % 5) for i in range(1, 200)]
    assert not run(rows, _ctx_with_baseline(BASELINE)).of("D09")


def _team(n_peers, peer_count):
    """Peers 2..n+1 touch ``peer_count`` citizens each, one peer after the other, before operator 1 starts."""
    ctx = make_ctx(n_ops=1 + n_peers, citizens=range(100, 400))
    rows = []
    for p in range(2, 2 + n_peers):
        rows += _touches(peer_count, op=p, start_id=p * 1000, t0=T0 - p * 60 * MIN)
    return ctx, rows


def test_d10_above_peers():
    ctx, rows = _team(6, 10)
    out = run(rows + _touches(30), ctx)
    [hit] = out.of("D10")
    assert hit.operator_id == 1 and len(hit.citizen_ids) == 30 and hit.points == 20
    assert "у 6 коллег медиана 10" in hit.reason_ru and "6 peers: median 10" in hit.reason_en


def test_d10_not_while_the_peers_are_just_starting():
    ctx, rows = _team(6, 5)   # peers' median 5: early in the shift nobody's count means much yet
    assert not run(rows + _touches(30), ctx).of("D10")


def test_d10_needs_five_active_peers_of_the_same_role():
    ctx, rows = _team(6, 10)
    ctx.add(operator(6, role="senior"), operator(7, role="senior"))
    assert not run(rows + _touches(25), ctx).of("D10")


def test_d10_not_above_busy_peers():
    ctx, rows = _team(6, 30)
    assert not run(rows + _touches(25), ctx).of("D10")


def test_d10_p99_branch_only_for_large_teams():
    # With small teams p99 is about the maximum: whoever first passes every peer (and 20) would fire, so the
    # p99 branch needs peers_p99_min (100) active peers; small teams are judged by the robust z alone.
    ctx = make_ctx(n_ops=7, citizens=range(100, 400))
    rows = [acc(p * 1000 + i, T0 + i * MIN, op=p, cid=100 + i) for i in range(25) for p in range(1, 8)]
    assert not run(rows, ctx).of("D10")
    loose = DetectorConfig(peers_p99_min=5, peers_median_min=0, volume_median_factor=1.0)
    assert [h.operator_id for h in run(rows, ctx, cfg=loose).of("D10")][:1] == [1]


def test_d10_needs_twenty_citizens():
    ctx, rows = _team(6, 2)
    assert not run(rows + _touches(19), ctx).of("D10")


def test_counts_are_per_local_day():
    engine = DetectorEngine()
    ctx = _ctx_with_baseline(BASELINE)
    evening = T0 + 13 * 60 * MIN + 30 * MIN      # 23:30 Moscow
    rows = _touches(15, t0=evening - 15 * MIN) + _touches(15, start_id=100, t0=evening + 31 * MIN, first_cid=200)
    assert not run(rows, ctx, engine=engine).of("D09")
