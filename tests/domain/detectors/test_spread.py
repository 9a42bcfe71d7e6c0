"""Windows that cannot be split: D12 and D13 also judged per rolling hour and per day against the peers."""

from .factory import HOUR, MIN, T0, acc, make_ctx, run, ticket


def _batches(n_batches, per_batch, gap, action, first_id=1, first_cid=1000, op=1, t0=T0):
    """``n_batches`` batches of ``per_batch`` distinct citizens, 1 s apart, one batch every ``gap`` seconds."""
    return [acc(first_id + b * per_batch + i, t0 + b * gap + i, op=op, cid=first_cid + b * per_batch + i,
                action=action) for b in range(n_batches) for i in range(per_batch)]


def _scopes(hits):
    return sorted(h.scope for h in hits)


def test_exports_in_3_batches_of_19_six_minutes_apart_never_fill_the_5_minute_window_but_fill_the_hour():
    rows = _batches(3, 19, 6 * MIN, "export")
    out = run(rows, make_ctx(citizens=range(1000, 1100)))
    assert _scopes(out.of("D12")) == ["day", "hour"]
    hour = next(h for h in out.of("D12") if h.scope == "hour")
    assert hour.points == 50 and "distinct citizens exported or printed within an hour" in hour.reason_en


def test_3_exports_an_hour_for_8_hours_fire_d12_for_the_day_at_the_20th_citizen_and_list_all_24():
    rows = _batches(8, 3, HOUR, "print")
    assert not run(rows[:19], make_ctx(citizens=range(1000, 1100))).of("D12")
    out = run(rows, make_ctx(citizens=range(1000, 1100)))
    [day] = [h for h in out.final() if h.detector == "D12"]
    assert day.scope == "day" and day.ts == rows[19].ts and day.access_ids == tuple(range(1, 25))
    assert "24 distinct citizens exported or printed in one day (24 journal rows): 10:00-17:00 (420 min)" \
        in day.reason_en


def test_14_unlinked_searches_every_11_minutes_never_fill_the_search_window_but_fill_the_hour():
    rows = _batches(3, 14, 11 * MIN, "search")
    out = run(rows, make_ctx(citizens=range(1000, 1100)))
    assert _scopes(out.of("D13")) == ["day", "hour"]


def test_searches_of_callers_the_operators_own_phone_tickets_link_do_not_count():
    ctx = make_ctx(citizens=range(1000, 1100))
    ctx.add(*(ticket(5000 + c, c, assignee=1, opened=T0 + (c - 1000) * 20 * MIN, call=f"call{c}")
              for c in range(1000, 1040)))
    rows = [acc(i, T0 + (c - 1000) * 20 * MIN + 5, cid=c, action="search") for i, c in enumerate(range(1000, 1040))]
    assert not run(rows, ctx).of("D13")


def test_a_team_where_all_7_operators_export_25_citizens_a_day_raises_nothing():
    ctx = make_ctx(n_ops=7, citizens=range(1000, 1200))
    rows = [r for op in range(1, 8) for r in _batches(25, 1, 20 * MIN, "export", first_id=op * 100, op=op,
                                                        first_cid=1000 + op * 25 - 25)]
    assert not run(rows, ctx).of("D12")
