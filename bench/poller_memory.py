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

The first restart finds no detectors' checkpoint, and its saved cursors are set back to the journal's rows of
``--checkpoint-age-s`` before the history's end: it writes its checkpoint there, as a live poller writes one every
HOTLINE_SECURITY_CHECKPOINT_S, then judges the rows after it. A second fresh process then restarts as a poller
stopped at the history's end would: it resumes from that checkpoint and replays only the rows after it. Both
first cycles write a checkpoint (as a live poller's first cycle does); the write is also timed on its own.

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


def probe(folder: str, after_s: float, phase: str, checkpoint_age_s: float) -> None:
    """In a fresh process: build the poller and run each of its jobs once at END + after_s, with figures.

    ``phase`` "replay": no detectors' checkpoint, saved cursors set back by ``checkpoint_age_s`` (the checkpoint is
    written there, then the rows after it are judged); "resume": a restart that takes that checkpoint up."""
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
    from poller.security_checkpoint import SecurityCheckpointer, security_checkpointer
    from settings import load_settings

    now = END + after_s
    settings = load_settings({}, data_dir=folder, sim_scale=1.0)
    steps = {"imported": _mb()}
    app_db = open_app_db(settings.url("app_db"))
    checkpoints: SecurityCheckpointer = security_checkpointer(settings, app_db)
    if phase == "replay":
        _set_back(app_db, settings, checkpoint_age_s)
    security = SecurityPipeline(settings, app_db, checkpoints=checkpoints)
    engine = LiveEngine(settings, InMemorySnapshotStore(), alert_repo=AlertRepository(app_db), security=security,
                        history=HistoryKeeper(settings, HistoryRepository(app_db), ledger=TicketLedger(
                            settings, LedgerRepository(app_db), CursorRepository(app_db))), clock=lambda: now)
    jobs = [("first_snapshot", lambda: (engine.start(now), engine.cycle(now))),
            ("security_catch_up", lambda: security.cycle(now))]
    if phase == "replay":   # the first cycle wrote the checkpoint; once more, timed (the same state)
        jobs += [("checkpoint_write", lambda: security._checkpoint(now, force=True)),
                 ("history_job", lambda: engine.history.job(engine, now)),
                 ("ledger_job", lambda: engine.history.ledger.job(now)),
                 ("rows_after_checkpoint", lambda: security.cycle(now + 10))]
    for name, step in jobs:
        started = time.perf_counter()
        rows = security.status.rows
        step()
        steps[name] = {"seconds": round(time.perf_counter() - started, 1), "rows": security.status.rows - rows,
                       **_mb()}
    steps["security"] = {"error": security.status.error, "rows": security.status.rows,
                         "resumed": security.status.checkpoint_taken_at is not None,
                         "checkpoint_mb": round(len(checkpoints.repo.load().payload) / 1e6, 1),
                         "engine_state": security.engine.state_size()}
    print(json.dumps(steps))


def _set_back(app_db, settings, age_s: float) -> None:
    """No detectors' checkpoint, and the saved journal cursors at the rows of ``age_s`` before the history's end."""
    from sqlalchemy import delete, func, select

    from data_access.checkpoint_repo import SECURITY_ROW_ID
    from data_access.cursor_repo import CursorRepository
    from data_access.engines import make_engine
    from data_access.schema import crm
    from data_access.schema.appdb import poller_checkpoint, poller_cursors
    from domain.clock import utc_naive

    with app_db.begin() as conn:
        conn.execute(delete(poller_checkpoint).where(poller_checkpoint.c.id == SECURITY_ROW_ID))
    source = make_engine(settings.url("ticketing"), read_only=True)
    with source.connect() as conn:
        tops = {name: conn.execute(select(func.coalesce(func.max(t.c.id), 0))
                                   .where(t.c.ts <= utc_naive(END - age_s))).scalar()
                for name, t in (("access", crm.pd_access_log), ("signin", crm.sign_in_events))}
    with app_db.begin() as conn:   # save() never moves a cursor back: this is the bench setting it back
        conn.execute(delete(poller_cursors).where(poller_cursors.c.name.in_(list(tops))))
    CursorRepository(app_db).save(tops)


def _run_probe(args, phase: str) -> dict | None:
    out = subprocess.run([sys.executable, __file__, "--dir", args.dir, "--after-s", str(args.after_s),
                          "--checkpoint-age-s", str(args.checkpoint_age_s), "--probe", phase],
                         capture_output=True, text=True)
    if out.returncode:
        print(out.stderr[-3000:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--after-s", type=float, default=600.0)
    parser.add_argument("--checkpoint-age-s", type=float, default=300.0,
                        help="how long before the stop the detectors' checkpoint was written (default: the "
                             "HOTLINE_SECURITY_CHECKPOINT_S default)")
    parser.add_argument("--probe", choices=("replay", "resume"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.dir, args.after_s, args.probe, args.checkpoint_age_s)
        return 0
    history = json.loads((Path(args.dir) / "bench-history.json").read_text())
    print(f"history: {history['days']} days at scale {history['scale']}: "
          f"{history['rows'].get('pd_access_log')} access rows, {history['rows'].get('tickets')} tickets", flush=True)
    replay = _run_probe(args, "replay")
    resume = replay and _run_probe(args, "resume")
    if not resume:
        return 1
    print(f"\npoller restarted {args.after_s:g} s after the history's end (fresh process; after imports "
          f"{replay['imported']['rss_mb']} MB), no detectors' checkpoint:")
    _table(replay, ("first_snapshot", "security_catch_up", "checkpoint_write", "history_job", "ledger_job",
                    "rows_after_checkpoint"))
    print(f"\nrestarted again (fresh process), resuming from the detectors' checkpoint written "
          f"{args.checkpoint_age_s:g} s of journal before the stop ({replay['security']['checkpoint_mb']} MB):")
    _table(resume, ("first_snapshot", "security_catch_up"))
    peak = max(s["peak_mb"] for s in (*replay.values(), *resume.values()) if isinstance(s, dict) and "peak_mb" in s)
    slow, fast = replay["security_catch_up"]["seconds"], resume["security_catch_up"]["seconds"]
    print(f"\npeak RSS {peak} MB (target < 500); detectors' catch-up: replaying today {slow} s, from the "
          f"checkpoint {fast} s (ratio {slow / max(fast, 0.1):.0f}x; target < 60 s)")
    print(f"security: replay {replay['security']}\n          resume {resume['security']}")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("RESULT " + json.dumps({"days": history["days"], "peak_mb": peak, "replay_s": slow, "resume_s": fast,
                                  "resumed": resume["security"]["resumed"]}))
    return 0


def _table(steps: dict, names: tuple[str, ...]) -> None:
    print(f"{'step':22} {'seconds':>8} {'rows':>8} {'RSS MB':>7} {'peak MB':>8}")
    for name in names:
        s = steps[name]
        print(f"{name:22} {s['seconds']:>8} {s['rows']:>8} {s['rss_mb']:>7} {s['peak_mb']:>8}")


if __name__ == "__main__":
    sys.exit(main())
