"""D12 bulk export/print, D13 search burst, D17 failed sign-ins then success, D18 concurrent IPs."""

import pytest

from .factory import HOUR, MIN, T0, acc, make_ctx, run, sign, ticket


def _short(hits):
    """The hits of the short window (scope 'a<access id>'), not those of the hour and the day."""
    return [h for h in hits if h.scope.startswith("a")]


def _rows(n, action, step, start_id=1, t0=T0, first_cid=100, op=1):
    return [acc(start_id + i, t0 + i * step, op=op, cid=first_cid + i, action=action) for i in range(n)]


@pytest.mark.parametrize("action", ["export", "print"])
def test_d12_twenty_citizens_in_five_minutes_and_the_evidence_holds_all_25_of_the_burst(action):
    out = run(_rows(25, action, 10), make_ctx(citizens=range(100, 300)))
    [hit] = _short(out.of("D12"))
    assert hit.scope == "a20" and hit.points == 50     # the 20th distinct citizen started the burst
    assert hit.access_ids == tuple(range(1, 26)) and len(hit.citizen_ids) == 25
    assert "25 разных граждан выгружено или распечатано подряд: 10:00-10:04 (4 мин)" in hit.reason_ru
    assert "25 distinct citizens exported or printed in a row: 10:00-10:04 (4 min)" in hit.reason_en


def test_d12_slow_exports_and_repeated_citizens_do_not_fire():
    slow = _rows(40, "export", 16)                                  # 19 citizens per 5 min at most
    same = [acc(i, T0 + i, cid=100 + i % 10, action="print") for i in range(1, 100)]
    assert not _short(run(slow, make_ctx(citizens=range(100, 300))).of("D12"))
    assert not run(same, make_ctx()).of("D12")


def test_d12_once_per_burst_and_again_for_a_new_burst():
    ctx = make_ctx(citizens=range(100, 400))
    rows = _rows(60, "export", 10) + _rows(25, "export", 10, start_id=100, t0=T0 + HOUR, first_cid=200)
    hits = _short(run(rows, ctx).of("D12"))
    assert [h.scope for h in hits] == ["a20", "a119"] and [h.access_ids[-1] for h in hits] == [60, 124]


def test_d13_search_burst_without_a_call():
    out = run(_rows(20, "search", 30), make_ctx())
    [hit] = _short(out.of("D13"))
    assert len(hit.citizen_ids) == 20 and hit.points == 40 and hit.scope == "a15"
    assert "без активного звонка" in hit.reason_ru and "with no active call" in hit.reason_en


def test_d13_silent_during_a_call_and_fires_after_it():
    ctx = make_ctx(citizens=range(100, 300))
    ctx.add(ticket(500, 100, assignee=1, opened=T0 - 2 * MIN, closed=T0 + 12 * MIN, call="c-1"))
    during = _rows(20, "search", 30)
    assert not _short(run(during, ctx).of("D13"))
    after = _rows(20, "search", 30, start_id=100, t0=T0 + 30 * MIN, first_cid=200)
    assert _short(run(during + after, ctx).of("D13"))


def test_d13_a_call_ticket_left_open_for_days_is_no_live_call():
    ctx = make_ctx().add(ticket(500, 100, assignee=1, opened=T0 - 3 * HOUR, call="c-1"))
    assert run(_rows(20, "search", 30), ctx).of("D13")


def test_d13_searches_without_a_citizen_are_not_counted():
    rows = [acc(i, T0 + i, cid=None, action="search") for i in range(1, 50)]
    assert not run(rows, make_ctx()).of("D13")


def test_d17_five_failures_then_success():
    fails = [sign(i, T0 + i * MIN, success=False, op=None, login="OP1 ") for i in range(1, 6)]
    out = run([], make_ctx(), signins=fails + [sign(9, T0 + 50 * MIN)])
    [hit] = out.of("D17")
    assert hit.signin_ids == (1, 2, 3, 4, 5, 9) and hit.operator_id == 1 and hit.points == 40
    assert "5 неудачных попыток входа" in hit.reason_ru and "5 failed sign-ins" in hit.reason_en


@pytest.mark.parametrize("fails, gap", [(4, 50 * MIN), (5, 2 * HOUR)])
def test_d17_too_few_failures_or_too_late(fails, gap):
    rows = [sign(i, T0 + i, success=False) for i in range(1, fails + 1)] + [sign(99, T0 + gap)]
    assert not run([], make_ctx(), signins=rows).of("D17")


def test_d17_failures_are_consumed_by_the_success():
    rows = [sign(i, T0 + i, success=False) for i in range(1, 6)] + [sign(10, T0 + 60), sign(11, T0 + 120)]
    assert len(run([], make_ctx(), signins=rows).of("D17")) == 1


def test_d18_two_ips_within_five_minutes():
    rows = [acc(1, T0, ip="10.0.0.1"), acc(2, T0 + 60, ip="10.0.0.1", cid=101)]
    signins = [sign(1, T0 + 120, ip="192.168.5.5")]
    out = run(rows, make_ctx(), signins=signins)
    [hit] = out.of("D18")
    assert hit.access_ids == (1, 2) and hit.signin_ids == (1,) and hit.points == 40
    assert "10.0.0.1, 192.168.5.5" in hit.reason_ru and "2 distinct IP addresses" in hit.reason_en


def test_d18_once_per_burst_and_not_for_a_desk_change():
    alternating = [acc(i, T0 + i * MIN, ip=f"10.0.0.{i % 2}", cid=100 + i) for i in range(1, 30)]
    assert len(run(alternating, make_ctx()).of("D18")) == 1
    moved = [acc(1, T0, ip="10.0.0.1"), acc(2, T0 + 6 * MIN, ip="10.0.0.2")]
    assert not run(moved, make_ctx()).of("D18")
