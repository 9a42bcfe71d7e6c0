"""The SLA page's server time with full-scale interval history, and how it grows with a year of history.

    python bench/sla_page.py [--scale 1.0] [--requests 5] [--dir /tmp/hotline-bench-sla]

Writes synthetic full-scale history (simulator/history_rows.py: 4 queues x 96 intervals a day with realistic wait
histograms, 6 digital channels, operators' days) through HistoryRepository into an app database, then posts the
/sla report callback as a signed-in manager through the real Flask app, for the last 30 days:

- by day and by 15-minute interval (target: at most 300 ms each): the page's three requests (the lines, the
  channels, the operators) posted side by side as the browser does, for the first view of the period (nothing
  cached) with each request's own time, for another T on the period already drawn (only the lines are read and
  drawn again), and the median of repeated identical views;
- the same after 335 more days are written before them: a year of history (target: at most 2x the month).

The history is written once per folder and kept (a year at full scale takes a few minutes to generate).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DAY = 86400


def write_history(settings, start: float, end: float, scale: float, operators: bool) -> None:
    """Synthetic history for [start, end) written through HistoryRepository."""
    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository
    from domain.clock import day_add, local_day
    from simulator import history_rows

    shape = history_rows.Shape(scale=scale, operators_per_queue=max(int(800 * scale), 4))
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    for first in range(int(start), int(end), 30 * DAY):  # a month at a time: bounded memory
        last = min(first + 30 * DAY, end)
        repo.upsert_queue_intervals(list(history_rows.intervals(first, last, settings.tz, shape)), final=True)
        repo.upsert_channel_intervals(list(history_rows.channel_intervals(first, last, settings.tz, shape)),
                                      final=True)
        print(f"  history written up to {local_day(last - 1, settings.tz)}", flush=True)
    if operators:
        days = [day_add(local_day(end - 1, settings.tz), -k) for k in range(int((end - start) // DAY))]
        repo.upsert_operator_days(list(history_rows.operator_days(days, shape)))
    repo.set_final_until(end)  # as the poller marks the intervals past the late events' grace


def manager_client(app):
    from web.passwords import hash_password

    users = app.server.extensions["hotline"].users
    if users.by_login("bench-manager") is None:
        users.create("bench-manager", "Bench manager", "manager", hash_password("bench-password"), time.time())
    client = app.server.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"login": "bench-manager", "password": "bench-password", "csrf": csrf})
    return client


PARTS = {"lines": "sla-sec-lines", "channels": "sla-sec-channels", "operators": "sla-sec-operators"}


def report_body(app, since: str, until: str, by: str, t: int | None, part: str = "lines") -> dict:
    from tests.web.dash_post import body

    values = {"sla-period": "custom", "sla-from": since, "sla-to": until, "sla-by": by, "sla-variant": "default",
              "sla-t": t, "sla-short": 5, "sla-blocked": [], "sla-line": "technical", "lang": "ru"}
    return body(app, PARTS[part], values, changed="sla-period.value")


def page_time(app, clients, since: str, until: str, by: str, requests: int, first_t: int) -> dict:
    """The page's three requests (lines, channels, operators) posted side by side as the browser does: the
    first view of a T not seen yet, then ``requests`` identical views (median); each request's own time too."""
    import threading

    def view(t) -> tuple[float, dict, int]:
        own, size = {}, [0]

        def one(part, client):
            t0 = time.perf_counter()
            response = client.post("/_dash-update-component", json=report_body(app, since, until, by, t, part))
            own[part] = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            size[0] += len(response.data)
        threads = [threading.Thread(target=one, args=(p, c)) for p, c in zip(PARTS, clients, strict=True)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return (time.perf_counter() - t0) * 1000, own, size[0]
    first, first_own, size = view(first_t)
    whatif, whatif_own, _size = view(first_t + 50)  # the period drawn already: another T redraws only the lines
    again = [view(first_t) for _ in range(requests)]
    return {"first_ms": round(first), "first_own": {k: round(v) for k, v in first_own.items()},
            "whatif_ms": round(whatif), "whatif_lines": round(whatif_own["lines"]),
            "median_ms": round(statistics.median(a[0] for a in again)), "kb": round(size / 1024)}


def measure(settings, since: str, until: str, requests: int, label: str, seed_t: int) -> dict:
    from data_access.snapshot_store import InMemorySnapshotStore
    from web.factory import build_dash_app

    app = build_dash_app(settings, InMemorySnapshotStore())
    clients = [manager_client(app) for _ in PARTS]
    clients[0].get("/sla")
    out = {}
    for k, by in enumerate(("day", "interval")):
        out[by] = r = page_time(app, clients, since, until, by, requests, seed_t + k)
        own = ", ".join(f"{p} {ms}" for p, ms in r["first_own"].items())
        print(f"{label}, a month by {by:>8}: first view {r['first_ms']:>5} ms ({own}), another T "
              f"{r['whatif_ms']:>4} ms, repeated views {r['median_ms']:>4} ms (median of {requests}), {r['kb']} KB",
              flush=True)
    return out


def main() -> int:
    from domain.clock import day_start, local_day
    from settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--dir", default="/tmp/hotline-bench-sla")
    args = parser.parse_args()
    folder = Path(args.dir) / f"scale{args.scale}"
    settings = load_settings({}, data_dir=str(folder), tz="Europe/Moscow")
    end = day_start(time.time(), settings.tz)
    month_start = end - 30 * DAY
    since, until = local_day(month_start, settings.tz), local_day(end - 1, settings.tz)
    stamp = folder / "written.json"
    done = json.loads(stamp.read_text()) if stamp.exists() else {}
    if done.get("end") != end:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("app.db*"):
            old.unlink()
        print(f"writing 30 days of history at scale {args.scale} ...", flush=True)
        t0 = time.perf_counter()
        write_history(settings, month_start, end, args.scale, operators=True)
        print(f"  {time.perf_counter() - t0:.0f} s", flush=True)
        done = {"end": end, "year": False}
        stamp.write_text(json.dumps(done))
    if done.get("year"):
        print("the folder holds a year already: measuring the month with a year of history only")
        month = None
    else:
        month = measure(settings, since, until, args.requests, "30 days of history", 31)
        print("writing 335 more days of history before them ...", flush=True)
        write_history(settings, end - 365 * DAY, month_start, args.scale, operators=False)
        stamp.write_text(json.dumps({**done, "year": True}))
    year = measure(settings, since, until, args.requests, "a year of history ", 41)
    if month:
        for by in ("day", "interval"):
            print(f"year / month, by {by}: first {year[by]['first_ms'] / month[by]['first_ms']:.2f}x, repeated "
                  f"{year[by]['median_ms'] / month[by]['median_ms']:.2f}x (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
