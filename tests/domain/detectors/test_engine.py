"""The engine: batching invariance, no double firing, allow-rules, restart, reasons in both languages, odd rows."""

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.detectors import IMPLEMENTED, AllowRule, DetectorConfig, DetectorEngine, case_reasons, group_cases

from . import scenario
from .factory import DAY, T0, Run, acc, make_ctx, operator, run

SETTLE = DetectorConfig().settle_s


def _ordered_rows():
    ctx, accesses, signins = scenario.build()
    rows = sorted([*accesses, *signins], key=lambda r: (r.ts, type(r).__name__ == "AccessEvent", r.id))
    return ctx, rows


def _feed(chunks, ctx, engine=None, flush=True):
    """Feed chunks of rows (each processed with now = its newest row), then flush unless told not to."""
    engine = engine or DetectorEngine()
    out = Run()
    last = T0
    for chunk in chunks:
        accesses = [r for r in chunk if type(r).__name__ == "AccessEvent"]
        signins = [r for r in chunk if type(r).__name__ == "SignIn"]
        last = max([last, *(r.ts for r in chunk)])
        res = engine.process(accesses, signins, ctx, last)
        out.hits += res.hits
        out.updates += res.updates
        out.explained.update(res.explained)
        out.suppressed += res.suppressed
    if flush:
        res = engine.flush(ctx, last + SETTLE + 1)
        out.hits += res.hits
        out.updates += res.updates
        out.explained.update(res.explained)
    return out


def _signature(out):
    """The hits in their final versions (grown by updates) and the verdicts; the time a hit fired is left out."""
    return sorted((replace(h, ts=0.0) for h in out.final()), key=lambda h: h.key), out.explained


def _joined(*runs):
    """The runs of an engine before and after a restart, as one."""
    return Run(hits=[h for r in runs for h in r.hits], updates=[h for r in runs for h in r.updates])


_BATCH = None


def _batch():
    global _BATCH
    if _BATCH is None:
        ctx, rows = _ordered_rows()
        _BATCH = _feed([rows], ctx)
    return _BATCH


def test_scenario_fires_every_implemented_detector():
    assert _batch().detectors() == IMPLEMENTED


def test_every_hit_has_reasons_in_both_languages():
    cyrillic = re.compile("[а-яё]", re.I)
    for h in _batch().hits:
        assert h.reason_ru and h.reason_en and h.reason_ru != h.reason_en, h
        assert cyrillic.search(h.reason_ru), h
        assert not cyrillic.search(re.sub(r"\(\w+/\w+\)", "", h.reason_en)), h   # surnames are quoted as they are
    for hits in group_cases(_batch().hits).values():
        assert len(case_reasons(hits, "ru")) == len(case_reasons(hits, "en")) == len({h.detector for h in hits})


def test_same_hits_in_one_batch_or_row_by_row():
    ctx, rows = _ordered_rows()
    assert _signature(_feed([[r] for r in rows], ctx)) == _signature(_batch())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 60), min_size=1, max_size=40))
def test_same_hits_for_any_chunking(sizes):
    ctx, rows = _ordered_rows()
    chunks, i = [], 0
    for size in sizes * (len(rows) // sum(sizes) + 1):
        if i >= len(rows):
            break
        chunks.append(rows[i:i + size])
        i += size
    assert _signature(_feed(chunks, ctx)) == _signature(_batch())


def test_redelivered_rows_do_not_fire_again():
    ctx, rows = _ordered_rows()
    engine = DetectorEngine()
    first = _feed([rows], ctx, engine)
    again = _feed([rows], ctx, engine)
    assert first.hits and not again.hits
    assert engine.stats["repeat_hit"] > 0


def test_day_level_detectors_fire_once_per_operator_day():
    keys = [(h.detector, h.operator_id, h.day) for h in _batch().hits if h.detector in {"D07", "D08", "D09",
                                                                                          "D10", "D19"}]
    assert len(keys) == len(set(keys))
    assert len({h.key for h in _batch().hits}) == len(_batch().hits)


def test_restart_restore_and_replay_give_the_same_hits():
    ctx, rows = _ordered_rows()
    half = len(rows) // 2
    before = _feed([rows[:half]], ctx)
    restarted = DetectorEngine()
    restarted.restore(before.final())
    after = _feed([rows[:half], rows[half:]], ctx, restarted)   # replay today's rows, then go on
    assert _signature(_joined(before, after))[0] == _signature(_batch())[0]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0.05, 0.95))
def test_restart_anywhere_replaying_from_replay_from(fraction):
    ctx, rows = _ordered_rows()
    cut = int(len(rows) * fraction)
    before = _feed([rows[:cut]], ctx, flush=False)       # then the process dies with rows still pending
    now = rows[cut - 1].ts
    restarted = DetectorEngine()
    restarted.restore(before.final())
    since = restarted.replay_from(now)
    assert since <= now - 3600
    after = _feed([[r for r in rows[:cut] if r.ts >= since], rows[cut:]], ctx, restarted)
    assert _signature(_joined(before, after))[0] == _signature(_batch())[0]


def test_allow_rules_silence_by_operator_or_team_until_expiry():
    rows = [acc(1, T0, op=1, cid=100), acc(2, T0, op=2, cid=100), acc(3, T0, op=3, cid=100)]
    ctx = make_ctx(n_ops=3).add(operator(3, team=2))
    ctx.add(AllowRule(1, "D01", 1, None, T0 + DAY), AllowRule(2, "D01", None, 2, T0 + DAY),
            AllowRule(3, "D01", 2, None, T0 - 1), AllowRule(4, "D07", 2, None, T0 + DAY),
            AllowRule(5, "D01", None, None, T0 + DAY))
    out = run(rows, ctx)
    assert [h.operator_id for h in out.of("D01")] == [2]
    assert sorted((h.operator_id, rule) for h, rule in out.suppressed) == [(1, 1), (3, 2)]


def test_an_allow_rule_silences_only_what_happens_after_it_was_made_so_a_replay_cannot_erase_the_past():
    rows = [acc(1, T0, op=1, cid=100), acc(2, T0 + 2 * 3600, op=1, cid=101)]
    ctx = make_ctx().add(AllowRule(1, "D01", 1, None, T0 + DAY, starts_at=T0 + 3600))
    out = run(rows, ctx)
    assert [h.citizen_ids for h in out.of("D01")] == [(100,)]
    assert [(h.citizen_ids, rule) for h, rule in out.suppressed] == [((101,), 1)]


def test_allow_rule_does_not_silence_dependent_detectors():
    ctx = make_ctx().add(AllowRule(1, "D01", 1, None, T0 + DAY))
    ctx.add(operator(1), ctx.citizens[100].__class__(100, "Смирнова", "F", None, False))
    out = run([acc(1, T0, cid=100)], ctx)
    assert out.detectors() == {"D04"} and [h.detector for h, _ in out.suppressed] == ["D01"]


def test_disabled_detectors_stay_silent():
    ctx, rows = _ordered_rows()
    cfg = DetectorConfig(enabled=IMPLEMENTED - {"D01", "D12"})
    engine = DetectorEngine(cfg)
    assert _feed([rows], ctx, engine).detectors() == IMPLEMENTED - {"D01", "D12"}


def test_odd_rows_are_counted_not_raised():
    engine = DetectorEngine()
    rows = [acc(1, T0, op=99, cid=100), acc(2, T0, cid=None), acc(3, T0, action="hack"), acc(4, float("nan")),
            acc(5, T0, cid=999_999), acc(6, T0, ticket_id=424242)]
    out = _feed([rows], make_ctx(), engine)
    assert out.explained[4] == (False, "invalid") and out.explained[3] == (False, "unknown_action")
    for key in ("unknown_operator", "record_without_citizen", "unknown_action", "invalid_access",
                "unknown_citizen", "unknown_ticket"):
        assert engine.stats[key] >= 1, key
    assert {h.operator_id for h in out.of("D01")} == {1, 99}


def test_memory_is_pruned_as_time_goes_on():
    ctx, rows = _ordered_rows()
    engine = DetectorEngine()
    _feed([rows], ctx, engine)
    engine.flush(ctx, T0 + 3 * DAY)
    size = engine.state_size()
    assert size["fired"] == size["pending"] == size["window_rows"] == size["operator_days"] == 0


def test_rows_from_the_future_are_rejected_so_windows_keep_working():
    engine, ctx = DetectorEngine(), make_ctx(citizens=range(100, 300))
    engine.process([acc(1, T0 + 300 * DAY, action="export")], [], ctx, T0)
    exports = [acc(10 + i, T0 + i, cid=100 + i, action="export") for i in range(25)]
    out = _feed([exports], ctx, engine)
    assert engine.stats["future_row"] == 1 and sorted(h.scope for h in out.of("D12")) == ["a29", "day", "hour"]


def test_an_invalid_now_falls_back_to_the_newest_row():
    engine = DetectorEngine()
    res = engine.process([acc(1, T0)], [], make_ctx(), float("nan"))
    assert res.explained == {1: (False, "pending")} and engine.stats["invalid_now"] == 1
