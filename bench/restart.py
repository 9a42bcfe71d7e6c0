"""Restart to the first snapshot at full scale: from the newest checkpoint versus the full rebuild from midnight.

    python bench/restart.py [--scale 1.0] [--dir /tmp/hotline-bench]

Back-fills one simulated day (as bench/poll_cycle.py does, reused from --dir), lets a poller rebuild it and write
its checkpoint at 23:30 Moscow time, adds a minute of peak traffic after it, then measures in fresh processes
(imports not counted) the time from a new engine to its first published snapshot: once loading the checkpoint and
reading the minute after it, once rebuilding the day from midnight. Target: checkpoint restart <= 2 s.
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

from bench.poll_cycle import END, ensure_history, peak_rows  # noqa: E402
from data_access.appdb import open_app_db  # noqa: E402
from data_access.engines import make_engine  # noqa: E402
from data_access.snapshot_store import InMemorySnapshotStore  # noqa: E402
from poller.engine import LiveEngine  # noqa: E402
from poller.scheduler import checkpointer  # noqa: E402
from settings import load_settings  # noqa: E402

AFTER_S = 60  # the checkpoint is a minute old when the restart comes (it is written every minute)


def settings_for(folder: Path, scale: float):
    return load_settings({}, data_dir=str(folder), sim_scale=scale,
                         app_db_url=f"sqlite:///{folder / 'bench-restart-app.db'}")


def write_checkpoint(folder: Path, scale: float) -> dict:
    """A poller that rebuilt the day publishes at END and writes its checkpoint; then a minute of peak rows."""
    settings = settings_for(folder, scale)
    (folder / "bench-restart-app.db").unlink(missing_ok=True)
    engine = LiveEngine(settings, InMemorySnapshotStore(), checkpoints=checkpointer(settings, open_app_db(
        settings.url("app_db"))))
    engine.cycle(END)
    started = time.perf_counter()
    engine.checkpoints.save(engine, END)  # again, timed (the first cycle wrote one already)
    took = time.perf_counter() - started
    size = engine.checkpoints.repo.load().payload
    tel, crm_db = make_engine(settings.url("telephony")), make_engine(settings.url("ticketing"))
    for i in range(AFTER_S // 2):
        peak_rows(tel, crm_db, settings.pbx_tz, END + 2 * (i + 1), 10_000 + i)
    return {"checkpoint_write_s": round(took, 2), "checkpoint_mb": round(len(size) / 1e6, 1)}


def restart_probe(folder: str, scale: float, use_checkpoint: bool) -> None:
    """In a fresh process: a new engine's time to its first snapshot, and the day's offered calls in it."""
    settings = settings_for(Path(folder), scale)
    checkpoints = checkpointer(settings, open_app_db(settings.url("app_db"))) if use_checkpoint else None
    now = END + AFTER_S
    started = time.perf_counter()
    engine = LiveEngine(settings, InMemorySnapshotStore(), checkpoints=checkpoints, clock=lambda: now)
    engine.start(now)
    snapshot = engine.cycle(now)
    took = time.perf_counter() - started
    print(json.dumps({"seconds": round(took, 2), "restored": engine.checkpoint_taken_at is not None,
                      "offered": sum(q["offered"] for q in snapshot["queues"].values())}))


def probe(folder: Path, scale: float, use_checkpoint: bool) -> dict:
    args = [sys.executable, __file__, "--scale", str(scale), "--probe", str(folder)]
    out = subprocess.run(args + (["--checkpoint"] if use_checkpoint else []), capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        restart_probe(args.probe, args.scale, args.checkpoint)
        return 0
    folder = Path(args.dir) / f"scale{args.scale}-days1"
    history = ensure_history(folder, 1, args.scale)
    print(f"one day at scale {args.scale}: {history['rows'].get('queue_log', 0)} queue_log rows", flush=True)
    written = write_checkpoint(folder, args.scale)
    print(f"checkpoint: {written['checkpoint_mb']} MB compressed, written in {written['checkpoint_write_s']} s "
          f"(the cycle that writes it, once a minute)", flush=True)
    from_checkpoint, rebuilt = probe(folder, args.scale, True), probe(folder, args.scale, False)
    assert from_checkpoint["restored"] and not rebuilt["restored"], (from_checkpoint, rebuilt)
    assert from_checkpoint["offered"] == rebuilt["offered"], (from_checkpoint, rebuilt)
    print(f"\nrestart to first snapshot, {AFTER_S} s of peak traffic after the checkpoint "
          f"(offered today {rebuilt['offered']}, the same both ways):")
    print(f"  from the checkpoint   {from_checkpoint['seconds']:>6} s   (target <= 2 s)")
    print(f"  full rebuild          {rebuilt['seconds']:>6} s")
    print(f"  ratio                 {rebuilt['seconds'] / from_checkpoint['seconds']:>6.1f}x faster")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("RESULT " + json.dumps({"checkpoint_s": from_checkpoint["seconds"], "rebuild_s": rebuilt["seconds"],
                                  "checkpoint_mb": written["checkpoint_mb"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
