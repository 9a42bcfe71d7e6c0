"""D21: half-hour slots with answered calls and no journal row, for one operator or the whole journal."""

from domain.detectors.gaps import GapConfig, JournalGap, JournalGaps, OperatorGap, gap_hit

SLOT = 1800.0
T = 1741590000.0           # 2025-03-10 10:00 Moscow, a slot boundary


def _watch() -> JournalGaps:
    gaps = JournalGaps(GapConfig())
    gaps.watch_from(T - 3600)
    return gaps


def test_an_operator_who_answered_3_calls_with_no_journal_row_is_a_gap_and_one_with_rows_is_not():
    gaps = _watch()
    for k in range(3):
        gaps.observe_call(7, T + 300 * k)
        gaps.observe_call(8, T + 300 * k)
        gaps.observe(8, T + 300 * k + 20)
    assert gaps.due(T + SLOT + 600) == [T - 1800, T]   # 09:30 (seen from 09:00 + 10 min lateness) and 10:00
    assert gaps.judge(T - 1800) == (None, [])
    assert gaps.judge(T) == (None, [OperatorGap(7, T, T + SLOT, 3)])
    assert gaps.due(T + SLOT + 600) == []               # judged once


def test_a_row_a_few_minutes_after_the_slot_still_covers_a_call_at_its_end():
    gaps = _watch()
    gaps.observe_call(7, T + SLOT - 30)
    gaps.observe_call(7, T + SLOT - 20)
    gaps.observe(7, T + SLOT + 240)
    assert gaps.judge(T) == (None, [])


def test_a_silent_journal_while_25_calls_were_answered_is_a_journal_gap_not_25_operator_cases():
    gaps = _watch()
    for op in range(25):
        gaps.observe_call(op, T + 60 * op)
    assert gaps.judge(T) == (JournalGap(T, T + SLOT, 25), [])


def test_a_slot_is_judged_only_once_its_lateness_is_read_and_never_before_the_rows_were_watched():
    gaps = JournalGaps(GapConfig())
    gaps.observe(1, T + 100)                            # the first row read: 10:01:40
    assert gaps.due(T + SLOT + 599) == []
    assert gaps.due(T + 2 * SLOT + 600) == [T + SLOT]   # 10:00 was not watched from its start


def test_the_hit_names_the_calls_and_the_local_span():
    hit = gap_hit(OperatorGap(7, T, T + SLOT, 3), "2025-03-10", 20, lambda ts: "10:00" if ts == T else "10:30")
    assert (hit.detector, hit.operator_id, hit.points, hit.scope) == ("D21", 7, 20, f"gap{int(T)}")
    assert hit.reason_en == "answered 3 calls at 10:00-10:30 and the access journal holds no row of theirs"
