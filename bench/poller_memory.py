"""The whole poller process after a restart with weeks of full-scale history: memory and the detectors' catch-up.

    python bench/poller_memory.py --dir DIR [--after-s 600]

DIR holds the sources (back-filled by bench/detectors.py, e.g. /tmp/hotline-bench/detectors-scale1.0-days30-adv)
and the app database that bench/detectors.py left: every access copy, case and operator-day of the history and
its saved journal cursors, as a poller that ran through those weeks leaves them. A fresh process (as after a
restart or a fail-over, imports not counted) builds the poller as `python app.py poller` does - live engine,
security pipeline, interval history with the CRM ledger - with its clock at ``--after-s`` seconds after the
history's end (so the detectors have that much of the journal to catch up on), and measures:

- the live engine's start to its first snapshot (the day rebuilt from midnight: no checkpoint in this database);
- the security pipeline's first cycle: restoring today's hits, replaying today's journal to rebuild its windows
  and judging the rows after the saved cursor (the catch-up);
- one run of the interval-history job and of the ledger job (the ledger's first run copies a bounded batch);
- the process's resident memory after each step and its peak (VmHWM).

Targets (issue 12): peak RSS under 500 MB, detectors' catch-up under 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.poll_cycle import END  # noqa: E402


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _mb() -> dict:
    return {"rss_mb": round(_status_kb("VmRSS") / 1024), "peak_mb": round(_status_kb("VmHWM") / 1024)}


def probe(folder: str, after_s: float) -> None:
    """In a fresh process: build the poller and run each of its jobs once at END + after_s, with figures."""
    from data_access.alert_repo import AlertRepository
    from data_access.appdb import open_app_db
    from data_access.cursor_repo import CursorRepository
    from data_access.history_repo import HistoryRepository
    from data_access.ledger_repo import LedgerRepository
    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.engine import LiveEngine
    from poller.history import HistoryKeeper
    from poller.ledger import TicketLedger
    from poller.security import SecurityPipeline
    from settings import load_settings

    now = END + after_s
    settings = load_settings({}, data_dir=folder, sim_scale=1.0)
    steps = {"imported": _mb()}
    app_db = open_app_db(settings.url("app_db"))
    security = SecurityPipeline(settings, app_db)
    engine = LiveEngine(settings, InMemorySnapshotStore(), alert_repo=AlertRepository(app_db), security=security,
                        history=HistoryKeeper(settings, HistoryRepository(app_db), ledger=TicketLedger(
                            settings, LedgerRepository(app_db), CursorRepository(app_db))), clock=lambda: now)
    for name, step in (("first_snapshot", lambda: (engine.start(now), engine.cycle(now))),
                       ("security_catch_up", lambda: security.cycle(now)),
                       ("history_job", lambda: engine.history.job(engine, now)),
                       ("ledger_job", lambda: engine.history.ledger.job(now))):
        started = time.perf_counter()
        step()
        steps[name] = {"seconds": round(time.perf_counter() - started, 1), **_mb()}
    steps["security"] = {"error": security.status.error, "rows": security.status.rows,
                         "engine_state": security.engine.state_size()}
    print(json.dumps(steps))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--after-s", type=float, default=600.0)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.dir, args.after_s)
        return 0
    history = json.loads((Path(args.dir) / "bench-history.json").read_text())
    print(f"history: {history['days']} days at scale {history['scale']}: "
          f"{history['rows'].get('pd_access_log')} access rows, {history['rows'].get('tickets')} tickets", flush=True)
    out = subprocess.run([sys.executable, __file__, "--dir", args.dir, "--after-s", str(args.after_s), "--probe"],
                         capture_output=True, text=True)
    if out.returncode:
        print(out.stderr[-3000:])
        return out.returncode
    steps = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\npoller restarted {args.after_s:g} s after the history's end (fresh process; after imports "
          f"{steps['imported']['rss_mb']} MB):")
    print(f"{'step':20} {'seconds':>8} {'RSS MB':>7} {'peak MB':>8}")
    for name in ("first_snapshot", "security_catch_up", "history_job", "ledger_job"):
        s = steps[name]
        print(f"{name:20} {s['seconds']:>8} {s['rss_mb']:>7} {s['peak_mb']:>8}")
    peak = max(steps[n]["peak_mb"] for n in ("first_snapshot", "security_catch_up", "history_job", "ledger_job"))
    catch_up = steps["security_catch_up"]["seconds"]
    print(f"\npeak RSS {peak} MB (target < 500); detectors' catch-up {catch_up} s (target < 60); "
          f"security: {steps['security']}")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
