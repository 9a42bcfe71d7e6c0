"""Interval history: back-fill speed of `history rebuild`, the app database's growth per day, the live cycle's cost.

    python bench/history.py [--scale 1.0] [--cycles 40] [--dir /tmp/hotline-bench]

Uses the day bench/poll_cycle.py back-fills (kept in --dir and shared with it: 24 hours of simulated traffic
ending 2026-11-20 23:30 Moscow time) and prints, in one run:

- the time `history rebuild` takes for the local day 2026-11-20 (target: under 60 s for a full-scale day), with
  the rows it wrote, into a fresh app database;
- the app database's growth for that day of history, in bytes (file size after a checkpoint, minus the empty
  schema), per table;
- the median and p95 of a peak-sized poll cycle (100 queue_log rows and ~120 CRM rows) without and with the
  history keeper writing the changed intervals after each cycle, on the same day in state.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.poll_cycle import END, ensure_history, peak_rows, settings_for  # noqa: E402
from data_access.appdb import open_app_db  # noqa: E402
from data_access.engines import make_engine  # noqa: E402
from data_access.history_repo import HistoryRepository  # noqa: E402
from data_access.snapshot_store import InMemorySnapshotStore  # noqa: E402
from domain.clock import local_day  # noqa: E402
from poller.engine import LiveEngine  # noqa: E402
from poller.history import HistoryKeeper, rebuild_days  # noqa: E402

DAY = local_day(END, "Europe/Moscow")


def db_bytes(engine) -> dict[str, int]:
    """Bytes of the whole file and of each history table (SQLite's dbstat when it has it)."""
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        pages, size = (conn.execute(text(f"PRAGMA {p}")).scalar() for p in ("page_count", "page_size"))
        out = {"file": pages * size}
        try:
            for name in ("history_queue", "history_channel", "history_operator_day"):
                out[name] = conn.execute(text("SELECT SUM(pgsize) FROM dbstat WHERE name = :n OR name LIKE :i"),
                                         {"n": name, "i": f"ix_{name}%"}).scalar() or 0
        except Exception:  # noqa: BLE001 - a SQLite built without dbstat: the file size alone
            pass
    return out


def rebuild(folder: Path, scale: float) -> dict:
    settings = settings_for(folder, scale)
    app_path = folder / "bench-history-app.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{app_path}{suffix}"):
            os.remove(f"{app_path}{suffix}")
    settings = replace(settings, app_db_url=f"sqlite:///{app_path}")
    engine = open_app_db(settings.url("app_db"))
    empty = db_bytes(engine)
    started = time.perf_counter()
    done = rebuild_days(settings, HistoryRepository(engine), DAY, DAY, force=True, now=END + 86400,
                        out=io.StringIO())
    seconds = time.perf_counter() - started
    grown = {k: v - empty.get(k, 0) for k, v in db_bytes(engine).items()}
    rows = HistoryRepository(engine).row_counts()
    engine.dispose()
    return {"rebuild_s": round(seconds, 1), "rows": rows, "bytes": grown, "written": done["rows"]}


def cycles(folder: Path, scale: float, count: int, keep_history: bool) -> dict:
    settings = settings_for(folder, scale)
    app_url = f"sqlite:///{folder / 'bench-cycle-app.db'}"
    settings = replace(settings, app_db_url=app_url)
    keeper = HistoryKeeper(settings, HistoryRepository(open_app_db(app_url))) if keep_history else None
    now = END
    engine = LiveEngine(settings, InMemorySnapshotStore(), history=keeper, clock=lambda: now)
    engine.start(now)
    engine.cycle(now)
    tel, crm_db = make_engine(settings.url("telephony")), make_engine(settings.url("ticketing"))
    times = []
    for i in range(count):
        now = END + 2 * (i + 1)
        peak_rows(tel, crm_db, settings.pbx_tz, now, 1000 * keep_history + i)
        t0 = time.perf_counter()
        engine.cycle(now)
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1),
            "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    args = parser.parse_args()
    folder = Path(args.dir) / f"scale{args.scale}-days1"
    history = ensure_history(folder, 1, args.scale)
    print(f"sources: {history['rows'].get('queue_log', 0)} queue_log rows (day {DAY}, {ZoneInfo('Europe/Moscow')})",
          flush=True)
    r = rebuild(folder, args.scale)
    print(f"history rebuild of {DAY}: {r['rebuild_s']} s (target < 60 s), {r['written']} rows written: {r['rows']}")
    print("app database growth for the day: " + ", ".join(f"{k} {v:,} B" for k, v in r["bytes"].items()))
    plain = cycles(folder, args.scale, args.cycles, keep_history=False)
    kept = cycles(folder, args.scale, args.cycles, keep_history=True)
    print(f"poll cycle without history: median {plain['median_ms']} ms, p95 {plain['p95_ms']} ms")
    print(f"poll cycle with history:    median {kept['median_ms']} ms, p95 {kept['p95_ms']} ms "
          f"(ratio {kept['median_ms'] / plain['median_ms']:.2f})")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
