"""The wall screen's server-side cost with a full-scale day in the snapshot, and the source load per viewer count.

    python bench/wall.py [--scale 1.0] [--requests 200] [--viewers 1 50] [--seconds 30]

(a) The wall callback's time (median, p95) and response size, every request rendering a new snapshot version
    (the worst case: no render is reused). Targets: p95 <= 30 ms, response <= 50 KB.
(b) SQL statements run against the two source databases per minute while 1 and then 50 simulated viewers
    poll the wall every 2 s. They must be equal: the screens read the snapshot, only the poller reads sources.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench.poll_cycle import END, ensure_history, settings_for  # noqa: E402
from data_access.snapshot_store import InMemorySnapshotStore  # noqa: E402
from poller.engine import LiveEngine  # noqa: E402
from poller.scheduler import start_background  # noqa: E402
from web.factory import build_dash_app  # noqa: E402


def wall_request(version_known) -> dict:
    """The body the browser posts when the wall's interval fires."""
    return {
        "output": "..wall-body.children...wall-version.data..",
        "outputs": [{"id": "wall-body", "property": "children"}, {"id": "wall-version", "property": "data"}],
        "inputs": [{"id": "tick", "property": "n_intervals", "value": 1},
                   {"id": "lang", "property": "data", "value": "ru"}],
        "changedPropIds": ["tick.n_intervals"],
        "state": [{"id": "wall-version", "property": "data", "value": version_known}],
    }


def ensure_user(app, login: str, role: str) -> tuple[str, str]:
    """A bench account of ``role`` in the app database; returns (login, password)."""
    from web.passwords import hash_password

    users, password = app.server.extensions["hotline"].users, f"{login}-password"
    if users.by_login(login) is None:
        users.create(login, f"Bench {role}", role, hash_password(password), time.time())
    return login, password


def signed_in_client(app):
    """A test client signed in as a wall screen (display role), as every viewer is."""
    import re

    login, password = ensure_user(app, "bench-wall", "display")
    client = app.server.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"login": login, "password": password, "csrf": csrf})
    return client


def callback_cost(app, store: InMemorySnapshotStore, snapshot: dict, requests: int, fresh: bool = True) -> dict:
    """Time and size of the wall callback; ``fresh``: a new snapshot version for every request (no render
    reused, the worst case), otherwise one version shared by every request (many screens, one render)."""
    client = signed_in_client(app)
    client.get("/wall")
    times, sizes, gz = [], [], []
    store.publish(snapshot)
    for _ in range(requests):
        if fresh:
            store.publish(snapshot)
        t0 = time.perf_counter()
        response = client.post("/_dash-update-component", json=wall_request(None))
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        sizes.append(len(response.data))
        gz.append(len(gzip.compress(response.data)))
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "response_kb": round(statistics.median(sizes) / 1024, 1),
            "gzip_kb": round(statistics.median(gz) / 1024, 1)}


def count_statements(engine: LiveEngine) -> dict:
    counter = {"n": 0}

    def bump(*_args, **_kwargs):
        counter["n"] += 1

    for source in (engine.tel_src, engine.crm_src):
        event.listen(source.engine, "before_cursor_execute", bump)
    return counter


def viewers_load(app, engine: LiveEngine, viewers: int, seconds: float, counter: dict) -> float:
    """Source statements per minute while ``viewers`` screens poll the wall and its freshness feed."""
    stop = threading.Event()

    def viewer():
        client = signed_in_client(app)
        client.get("/wall")
        known = None
        while not stop.is_set():
            response = client.post("/_dash-update-component", json=wall_request(known))
            if response.status_code == 200:
                known = json.loads(response.data)["response"]["wall-version"]["data"]
            stop.wait(2.0)

    threads = [threading.Thread(target=viewer, daemon=True) for _ in range(viewers)]
    for t in threads:
        t.start()
    time.sleep(2)
    start = counter["n"]
    time.sleep(seconds)
    per_minute = (counter["n"] - start) * 60 / seconds
    stop.set()
    for t in threads:
        t.join()
    return per_minute


def day_snapshot(folder: str, scale: float) -> tuple:
    """(settings, store, snapshot): the state at END of a simulated day (back-filled once), published."""
    day = Path(folder) / f"scale{scale}-days1"
    ensure_history(day, 1, scale)
    settings = settings_for(day, scale)
    store = InMemorySnapshotStore()
    return settings, store, LiveEngine(settings, store, clock=lambda: END).cycle(END)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--viewers", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    args = parser.parse_args()
    settings, store, snapshot = day_snapshot(args.dir, args.scale)
    app = build_dash_app(settings, store)
    print(f"snapshot: {len(snapshot['agents'])} operators, "
          f"{sum(q['offered'] for q in snapshot['queues'].values())} calls offered today")
    for fresh, what in ((True, "a new version every request"), (False, "one version shared by all requests")):
        cost = callback_cost(app, store, snapshot, args.requests, fresh)
        print(f"wall callback, {what}: median {cost['median_ms']} ms, p95 {cost['p95_ms']} ms (target <= 30); "
              f"response {cost['response_kb']} KB, {cost['gzip_kb']} KB gzipped (target <= 50)")
    live = LiveEngine(settings, store)  # the real clock: the poller runs as in production
    counter = count_statements(live)
    scheduler = start_background(live, settings.poll_interval_s)
    loads = {n: viewers_load(app, live, n, args.seconds, counter) for n in args.viewers}
    scheduler.shutdown(wait=False)
    for n, per_minute in loads.items():
        print(f"source SQL statements per minute with {n:>2} viewer(s): {per_minute:.0f}")
    if len(loads) >= 2:
        values = list(loads.values())
        print(f"ratio {max(args.viewers)} viewers / {min(args.viewers)} viewer: {values[-1] / values[0]:.2f} "
              f"(must be 1.0 up to one poll cycle of jitter)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
