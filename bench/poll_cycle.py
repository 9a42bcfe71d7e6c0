"""Poll-cycle cost against history size, start-up rebuild time and the poller's memory, in one run.

    python bench/poll_cycle.py [--scale 1.0] [--days 1 10] [--cycles 40] [--dir /tmp/hotline-bench]

For each history length it back-fills the simulator at full scale into SQLite files (kept in --dir and reused
on later runs), then measures (a) the time of one peak-sized poll cycle (100 new queue_log rows plus CRM rows)
with that much history in the databases, (b) the start-up rebuild of today's full-scale day, and (c) the
poller's peak memory with the day in state (in a fresh process). Targets: (a) median <= 50 ms and the 10-day /
1-day ratio <= 1.3, (b) <= 10 s, (c) <= 300 MB. Figures vary with the machine; compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from data_access.engines import make_engine  # noqa: E402
from data_access.schema import crm, telephony  # noqa: E402
from data_access.snapshot_store import InMemorySnapshotStore  # noqa: E402
from domain.clock import epoch_to_local_naive, utc_naive  # noqa: E402
from poller.engine import LiveEngine  # noqa: E402
from settings import load_settings  # noqa: E402

# The day measured ends at 23:30 Moscow time: 'today' then holds a nearly full day of traffic.
END = datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("Europe/Moscow")).timestamp()


def settings_for(folder: Path, scale: float):
    return load_settings({}, data_dir=str(folder), sim_scale=scale)


def ensure_history(folder: Path, days: float, scale: float, two_cores: bool | None = None, cfg=None) -> dict:
    """Back-fill ``days`` of simulated traffic ending at END (once; reused when the marker file says so)."""
    marker = folder / "bench-history.json"
    if marker.exists():
        return json.loads(marker.read_text())
    from simulator.runner import backfill

    if folder.exists():                     # an unfinished back-fill must not be appended to
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    written = backfill(settings_for(folder, scale), END - days * 86400, END, scale=scale, two_cores=two_cores,
                       cfg=cfg)
    info = {"days": days, "scale": scale, "rows": written, "backfill_s": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(info))
    return info


def peak_rows(tel_engine, crm_engine, pbx_tz: str, now: float, batch: int) -> None:
    """Write one peak-sized batch: 100 queue_log rows (20 calls x 5 events) and ~120 CRM rows."""
    rows = []
    for i in range(20):
        callid, agent, t = f"bench{batch}.{i}", f"PJSIP/{9000 + i}", now - 60 + i
        for dt, verb, data in ((0, "ENTERQUEUE", ["", "+79160000000", "1"]), (3, "RINGNOANSWER", ["3000"]),
                               (8, "CONNECT", ["8", "x", "3"]), (50, "COMPLETECALLER", ["8", "42", "1"]),
                               (51, "PAUSE", ["Перерыв"])):
            data = data + [""] * (5 - len(data))
            rows.append({"time": epoch_to_local_naive(t + dt, pbx_tz), "callid": callid, "queuename": "technical",
                         "agent": "NONE" if verb == "ENTERQUEUE" else agent, "event": verb,
                         **{f"data{k + 1}": v for k, v in enumerate(data)}})
    at = utc_naive(now)
    with tel_engine.begin() as conn:
        conn.execute(insert(telephony.queue_log), rows)
    with crm_engine.begin() as conn:
        first = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM tickets")).scalar() + 1
        conn.execute(insert(crm.tickets), [{"channel": "chat", "category": "technical", "status": "new",
                                            "created_at": at} for _ in range(20)])
        conn.execute(insert(crm.ticket_status_history), [{"ticket_id": first + i, "ts": at, "status": "created"}
                                                         for i in range(20)] * 2)
        conn.execute(insert(crm.service_checks), [{"ts": at, "service_code": "esia", "ok": True, "latency_ms": 120}
                                                  for _ in range(10)])
        conn.execute(insert(crm.pd_access_log), [{"ts": at, "operator_id": 1, "citizen_id": 1 + i, "action": "view",
                                                  "ip": "10.20.0.1"} for i in range(50)])


def measure(folder: Path, scale: float, cycles: int) -> dict:
    settings = settings_for(folder, scale)
    now = END
    engine = LiveEngine(settings, InMemorySnapshotStore(), clock=lambda: now)
    started = time.perf_counter()
    engine.start(now)
    first = engine.cycle(now)
    rebuild_s = time.perf_counter() - started
    tel, crm_db = make_engine(settings.url("telephony")), make_engine(settings.url("ticketing"))
    times = []
    for i in range(cycles):
        now = END + 2 * (i + 1)
        peak_rows(tel, crm_db, settings.pbx_tz, now, i)
        t0 = time.perf_counter()
        engine.cycle(now)
        times.append((time.perf_counter() - t0) * 1000)
    return {"rebuild_s": round(rebuild_s, 2), "offered_today": sum(q["offered"] for q in first["queues"].values()),
            "cycle_median_ms": round(statistics.median(times), 1),
            "cycle_p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 1)}


def memory_probe(folder: str, scale: float) -> None:
    """In a fresh process: rebuild today's state and print the peak resident memory in MB."""
    settings = settings_for(Path(folder), scale)
    engine = LiveEngine(settings, InMemorySnapshotStore(), clock=lambda: END)
    engine.start(END)
    engine.cycle(END)
    print(json.dumps({"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        memory_probe(args.memory_probe, args.scale)
        return 0
    results = {}
    for days in args.days:
        folder = Path(args.dir) / f"scale{args.scale}-days{days}"
        history = ensure_history(folder, days, args.scale)
        print(f"history {days} d: {sum(history['rows'].get(k, 0) for k in ('queue_log',))} queue_log rows, "
              f"back-filled in {history['backfill_s']} s", flush=True)
        # Each measurement works on a copy-free database: the peak rows it adds are few and harmless.
        results[days] = measure(folder, args.scale, args.cycles)
        probe = subprocess.run([sys.executable, __file__, "--scale", str(args.scale), "--memory-probe", str(folder)],
                               capture_output=True, text=True, check=True)
        results[days].update(json.loads(probe.stdout.strip().splitlines()[-1]))
        print(f"  {days} d: {results[days]}", flush=True)
    print("\nhistory  rebuild_s  cycle_median_ms  cycle_p95_ms  peak_rss_mb  offered_today")
    for days, r in results.items():
        print(f"{days:>5} d  {r['rebuild_s']:>9}  {r['cycle_median_ms']:>15}  {r['cycle_p95_ms']:>12}  "
              f"{r['peak_rss_mb']:>11}  {r['offered_today']:>13}")
    if len(results) >= 2:
        small, big = results[min(results)], results[max(results)]
        print(f"ratio median cycle {max(results)} d / {min(results)} d: "
              f"{big['cycle_median_ms'] / small['cycle_median_ms']:.2f} (target <= 1.3)")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
