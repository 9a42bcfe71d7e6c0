"""'Today' changes by the poller's clock at local midnight, never because a source row is dated ahead."""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from data_access.snapshot_store import InMemorySnapshotStore
from poller.engine import LiveEngine

MSK = ZoneInfo("Europe/Moscow")


def msk(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=MSK).timestamp()


def _call(callid, minute, outcome="ABANDON"):
    start = f"2026-11-26 23:{minute:02d}:00"
    return [(start, callid, "general", "NONE", "ENTERQUEUE", "", "+79160000001", "1"),
            (f"2026-11-26 23:{minute:02d}:30", callid, "general", "NONE", outcome, "1", "1", "30")]


def test_a_row_dated_0003_at_2355_neither_rolls_the_day_nor_loses_the_old_days_2356_to_2359_calls(settings, sources):
    settings = replace(settings, tz="Europe/Moscow", pbx_tz="Europe/Moscow")
    engine = LiveEngine(settings, InMemorySnapshotStore())
    sources.queue_log(*_call("a", 0), *_call("b", 30))
    assert engine.cycle(msk("2026-11-26 23:55:00"))["queues"]["general"]["offered"] == 2
    sources.queue_log(("2026-11-27 00:03:00", "early", "general", "NONE", "ENTERQUEUE", "", "+79160000009", "1"))
    snap = engine.cycle(msk("2026-11-26 23:55:30"))  # the PBX's clock is 8 minutes ahead of the poller's
    assert snap["day_start"] == "2026-11-25T21:00:00Z"
    assert (snap["queues"]["general"]["offered"], snap["queues"]["general"]["waiting"]) == (2, 1)
    sources.queue_log(*[row for m in (56, 57, 58, 59) for row in _call(f"late{m}", m)])
    snap = engine.cycle(msk("2026-11-26 23:59:45"))
    q = snap["queues"]["general"]
    assert snap["day_start"] == "2026-11-25T21:00:00Z"
    assert (q["offered"], q["abandoned"]) == (6, 6)
    snap = engine.cycle(msk("2026-11-27 00:00:05"))  # the poller's clock passes midnight
    q = snap["queues"]["general"]
    assert snap["day_start"] == "2026-11-26T21:00:00Z"
    assert (q["offered"], q["abandoned"], q["waiting"]) == (1, 0, 1)
