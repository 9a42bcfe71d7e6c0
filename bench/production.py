"""The production figures of issue 12 in one run: restart, fail-over, the poller with 30 days of history, walls.

    python bench/production.py [--history DIR] [--screens 50 200 500] [--skip NAME ...]

Runs, one after the other (never two at once: the machine has 2 cores), each printing its own report:

- bench/restart.py: restart to the first snapshot, from the checkpoint and by the full rebuild (full scale);
- bench/failover.py: the active poller killed -9 three times and stopped once with SIGTERM, on PostgreSQL
  and Redis (full scale);
- bench/poller_memory.py --dir DIR: the poller's peak RSS and the detectors' catch-up after a restart, by
  replaying today and from the detectors' checkpoint, on 30 days of full-scale history (DIR as bench/detectors.py
  leaves it: ``python bench/detectors.py --scale 1.0`` back-fills it once, about 30 minutes; skipped when DIR
  holds no history);
- bench/wall_load.py: N wall screens against gunicorn with a poller publishing a full-scale day.

and then the summary against the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY = "/tmp/hotline-bench/detectors-scale1.0-days30-adv"


def _run(name: str, *args: str) -> dict | list | None:
    """Run bench/<name>.py, its report passed through; its RESULT line, or None when it failed."""
    print(f"\n=== bench/{name}.py {' '.join(args)}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / f"{name}.py"), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    result = None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        else:
            print(line, end="", flush=True)
    proc.wait()
    print(f"=== {name}: {time.perf_counter() - started:.0f} s, exit {proc.returncode}", flush=True)
    return result


def summary(found: dict) -> list[str]:
    lines = []
    if r := found.get("restart"):
        lines.append(f"restart to first snapshot: {r['checkpoint_s']} s from the checkpoint, {r['rebuild_s']} s "
                     f"rebuilt ({r['rebuild_s'] / r['checkpoint_s']:.1f}x; target <= 2 s)")
    if r := found.get("failover"):
        lines.append(f"fail-over (kill -9): {', '.join(str(t) for t in r['kill9_s'])} s; SIGTERM {r['sigterm_s']} s "
                     f"(target <= 10 s); never backwards: {r['never_backwards']}")
    if r := found.get("poller_memory"):
        lines.append(f"poller with {r['days']:g} days of history: peak RSS {r['peak_mb']} MB (target < 500); "
                     f"detectors' catch-up {r['resume_s']} s from the checkpoint, {r['replay_s']} s replaying "
                     f"today (target < 60 s)")
    for level in found.get("wall_load") or []:
        lines.append(f"{level['n']:>4} wall screens: {level['rps']:.0f} req/s, p50 {level['p50']:.0f} ms, "
                     f"p95 {level['p95']:.0f} ms, p99 {level['p99']:.0f} ms, {level['errors']} errors, "
                     f"gunicorn {level['gunicorn_cpu']:.2f} CPU-s/s")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", default=HISTORY, help="30 days of full-scale history (bench/detectors.py)")
    parser.add_argument("--screens", nargs="+", default=["50", "200", "500"])
    parser.add_argument("--skip", nargs="*", default=[], choices=["restart", "failover", "poller_memory",
                                                                  "wall_load"])
    args = parser.parse_args()
    found: dict = {}
    steps = [("restart", ()), ("failover", ()), ("poller_memory", ("--dir", args.history)),
             ("wall_load", ("--screens", *args.screens))]
    for name, extra in steps:
        if name in args.skip:
            continue
        if name == "poller_memory" and not (Path(args.history) / "bench-history.json").exists():
            print(f"\n=== bench/poller_memory.py skipped: no history in {args.history} "
                  f"(python bench/detectors.py --scale 1.0 --warmup-days 23 --days 7 makes it)")
            continue
        found[name] = _run(name, *extra)
    print("\n=== summary")
    for line in summary(found):
        print(line)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
