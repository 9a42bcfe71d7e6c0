"""InMemoryContext: the reference semantics of every context lookup, and ``feed`` for multi-day benches."""

import pytest

from domain.detectors import DetectorEngine, InMemoryContext, Leave, Shift, WatchEntry

from .factory import DAY, DAY_T0, HOUR, T0, acc, make_ctx, operator, sign, ticket


def test_lookups():
    ctx = make_ctx(n_ops=3).add(operator(3, role="senior"), ticket(1, 100, assignee=1, call="c1", opened=T0),
                                ticket(2, 100, assignee=2), Shift(1, T0, T0 + HOUR), Leave(1, T0, T0 + DAY, "sick"),
                                WatchEntry(100, "vip", T0 + DAY))
    ctx.add(ticket(2, 101, assignee=2))                       # an updated ticket replaces the old one
    assert [t.ticket_id for t in ctx.tickets_of_citizen(100)] == [1]
    assert ctx.ticket_by_call("c1").ticket_id == 1 and ctx.ticket_by_call("nope") is None
    assert [t.ticket_id for t in ctx.calls_of_operator(1, T0 - 1, T0 + 1)] == [1]
    assert ctx.calls_of_operator(1, T0 + 1, T0 + 2) == []
    assert len(ctx.shifts(1, T0 + HOUR, T0 + 2 * HOUR)) == 1 and not ctx.shifts(1, T0 + 2 * HOUR, T0 + 3 * HOUR)
    assert ctx.leaves(1)[0].kind == "sick" and ctx.leaves(2) == []
    assert ctx.watch(100, T0) and ctx.watch(100, T0 + DAY) is None
    assert ctx.peers(1) == [2] and ctx.peers(99) == []
    with pytest.raises(TypeError):
        ctx.add("not a fact")


def test_feed_builds_baselines_unexplained_days_and_activity():
    ctx, engine = make_ctx(), DetectorEngine()
    rows = [acc(1, T0, cid=100), acc(2, T0 + 60, cid=101), acc(3, T0 + 120, cid=101, action="search")]
    signins = [sign(1, T0 - HOUR), sign(2, T0 - 2 * HOUR, success=False)]
    res = engine.process(rows, signins, ctx, T0 + HOUR)
    ctx.feed(rows, signins, res.explained, engine.config.tz)
    assert ctx.daily_distinct_citizens(1, "2025-03-11") == [2]
    assert ctx.daily_distinct_citizens(1, DAY_T0) == []
    assert ctx.unexplained_days(1, 100, "2025-03-01") == {DAY_T0}
    assert ctx.last_activity_before(1, T0) == T0 - HOUR
    assert ctx.journal_start() == T0 - 10 * DAY
    assert InMemoryContext().journal_start() is None
