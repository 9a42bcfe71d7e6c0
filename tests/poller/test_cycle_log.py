"""Operations: one structured (logfmt) line per poll cycle with its duration, the rows read and each source's lag."""

import re

from data_access.snapshot_store import InMemorySnapshotStore
from poller.engine import LiveEngine
from tests.poller.conftest import utc


def test_each_cycle_logs_one_line_with_its_duration_the_3_rows_read_and_the_lag(settings, sources, caplog):
    sources.queue_log(("2026-11-20T10:00:00", "c1", "general", "NONE", "ENTERQUEUE", "", "+7916", "1"),
                      ("2026-11-20T10:00:05", "c1", "general", "PJSIP/1", "CONNECT", "5", "x", "2"),
                      ("2026-11-20T10:00:50", "c1", "general", "PJSIP/1", "COMPLETECALLER", "5", "45", "1"))
    engine = LiveEngine(settings, InMemorySnapshotStore())
    with caplog.at_level("INFO", logger="hotline.poller.cycle"):
        engine.cycle(utc("2026-11-20T10:01:00"))
        engine.cycle(utc("2026-11-20T10:01:02"))
    lines = [r.getMessage() for r in caplog.records if r.name == "hotline.poller.cycle"]
    assert len(lines) == 2
    assert re.fullmatch(r"cycle duration_ms=\d+\.\d version=1 telephony_rows=3 telephony_lag_s=10\.0 "
                        r"telephony_ok=true ticketing_rows=\d+ ticketing_lag_s=none ticketing_ok=true", lines[0])
    assert "version=2 telephony_rows=0 telephony_lag_s=12.0" in lines[1]
