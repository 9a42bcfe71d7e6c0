"""Poller fail-over on the production engines: how long the wall goes without a new snapshot when the active
poller dies.

    python bench/failover.py [--scale 1.0] [--rounds 3] [--poll-s 2] [--lease-s 30]

A throw-away PostgreSQL holds the PBX's queue_log, the CRM and the app database, a redis-server the snapshots
(as ``make prod-local``); the simulator plays the hotline live into PostgreSQL at ``--scale`` after back-filling
the last hour; two ``python app.py poller`` processes run with the README's commands. Each round kills the
active poller with SIGKILL and measures the time until a snapshot of the other one is seen in Redis (read every
50 ms, as a wall's tick would find it); the killed one is started again as the standby for the next round. A
last round stops the active one with SIGTERM (the graceful hand-over). It also checks what the fail-over test
asserts: snapshot versions and counters never go back.

Target (issue 12): within 2 poll intervals plus the lease timeout, and at most 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.prod_local import environment  # noqa: E402
from tools.servers import ThrowawayPostgres, ThrowawayRedis  # noqa: E402
from tools.watch import SnapshotWatcher, never_backwards, wait_for  # noqa: E402

STARTED: list[subprocess.Popen] = []   # every process started, killed at the end whatever happened


def _start(env: dict, folder: Path, name: str, *args: str) -> subprocess.Popen:
    log = open(folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    STARTED.append(proc)
    return proc


def _round(env, folder, watcher, pollers: dict, how: int, name: str) -> float:
    """Stop the active poller with signal ``how``; seconds until the other one's first snapshot."""
    active = wait_for(lambda: next((p for p in pollers if watcher.seen and watcher.seen[-1][2] == p), None), 60,
                      "an active poller")
    standby = next(p for p in pollers if p != active)
    stopped_at = time.time()
    pollers[active].send_signal(how)
    took = wait_for(lambda: watcher.first_from(standby, stopped_at), 60, "the standby's snapshot",
                    every_s=0.02) - stopped_at
    pollers[active].wait(timeout=30)
    del pollers[active]
    fresh = _start(env, folder, name, "poller")   # back as the standby of the next round
    pollers[fresh.pid] = fresh
    return took


def run(scale: float, rounds: int, poll_s: float, lease_s: float) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="hotline-failover-"))
    pg, redis = ThrowawayPostgres().start(), ThrowawayRedis().start()
    try:
        env = {**environment(pg, redis.url, folder), "HOTLINE_SIM_SCALE": str(scale),
               "HOTLINE_POLL_INTERVAL_S": str(poll_s), "HOTLINE_POLLER_LEASE_S": str(lease_s),
               "HOTLINE_REDIS_KEY_PREFIX": "failover:"}
        subprocess.run([sys.executable, str(ROOT / "app.py"), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        _start(env, folder, "simulator", "simulate", "--days", "0.04")
        wait_for(lambda: b"caught up" in (folder / "simulator.log").read_bytes(), 900, "the simulator's back-fill")
        pollers = {p.pid: p for p in [_start(env, folder, "poller", "poller") for _ in range(2)]}
        watcher = SnapshotWatcher(env["HOTLINE_REDIS_URL"], env["HOTLINE_REDIS_KEY_PREFIX"], every_s=0.05)
        wait_for(lambda: watcher.seen, 300, "the first snapshot")
        time.sleep(3 * poll_s)
        killed = [_round(env, folder, watcher, pollers, signal.SIGKILL, "poller") for _ in range(rounds)]
        time.sleep(3 * poll_s)
        stopped = _round(env, folder, watcher, pollers, signal.SIGTERM, "poller")
        time.sleep(2 * poll_s)
        watcher.close()
        return {"scale": scale, "poll_s": poll_s, "lease_s": lease_s, "kill9_s": [round(t, 2) for t in killed],
                "sigterm_s": round(stopped, 2), "snapshots_seen": len(watcher.seen),
                "never_backwards": never_backwards(watcher.seen)}
    finally:
        for p in STARTED:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        redis.stop()
        pg.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--poll-s", type=float, default=2.0)
    parser.add_argument("--lease-s", type=float, default=30.0)
    args = parser.parse_args()
    r = run(args.scale, args.rounds, args.poll_s, args.lease_s)
    bound = min(2 * args.poll_s + args.lease_s, 10.0)
    print(f"fail-over at scale {r['scale']} (poll {r['poll_s']} s, lease {r['lease_s']} s): the standby published "
          f"{', '.join(f'{t} s' for t in r['kill9_s'])} after the active poller was killed -9 (median "
          f"{statistics.median(r['kill9_s']):.2f} s; target <= {bound:g} s); after SIGTERM {r['sigterm_s']} s; "
          f"{r['snapshots_seen']} snapshots read, never backwards: {r['never_backwards']}")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("RESULT " + json.dumps(r))
    return 0 if r["never_backwards"] and max(r["kill9_s"]) <= bound else 1


if __name__ == "__main__":
    sys.exit(main())
