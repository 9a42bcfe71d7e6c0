"""The operators page in headless Chromium with a full-scale day's operators in the snapshot.

    python bench/operators_page.py [--scale 1.0] [--seconds 30]

The snapshot of a full-scale day (thousands of operators) is published again every poll interval with some
operators changing state, as a busy floor does. For the tile view and the table view the script prints: the time
from opening the page to every operator drawn, how many updates the page drew, and the browser's long tasks
(main-thread work over 50 ms: what a supervisor feels as a stutter) per update and as a share of the run.
Needs Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wall import day_snapshot, ensure_user  # noqa: E402
from data_access.snapshot_store import InMemorySnapshotStore  # noqa: E402
from web.factory import build_dash_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
STATES = ("available", "on_call", "wrap_up", "paused")
OBSERVE = """() => {
  window.__long = [];
  new PerformanceObserver(list => list.getEntries().forEach(e => window.__long.push(e.duration)))
    .observe({type: "longtask", buffered: false});
  const f = window.dash_clientside.hotline.operatorTiles;
  window.__draws = 0;
  window.dash_clientside.hotline.operatorTiles = function () { window.__draws += 1; return f.apply(this, arguments); };
}"""


def republish(store: InMemorySnapshotStore, snapshot: dict, stop: threading.Event, every_s: float) -> None:
    """Publish the snapshot again and again, now-dated, with a tenth of the working operators changing state."""
    agents = [dict(a) for a in snapshot["agents"]]
    n = 0
    while not stop.wait(every_s):
        n += 1
        working = [a for a in agents if a["state"] != "offline"]
        for a in working[n % 10::10]:
            a["state"] = STATES[(STATES.index(a["state"]) + 1) % len(STATES)] if a["state"] in STATES else "on_call"
            a["since_ts"] = time.time()
        now = time.time()
        store.publish({**snapshot, "agents": [dict(a) for a in agents], "generated_ts": now})


def print_payload(snapshot: dict) -> None:
    """What one update sends (the changing fields of every operator) and the directory of names sent on change."""
    import gzip

    from plotly.io.json import to_json_plotly

    from pages.operators import directory, rows

    for what, data in (("rows per update", rows(snapshot["agents"], snapshot, "ru")),
                       ("directory of names, sent when it changes", directory(snapshot["agents"]))):
        body = to_json_plotly(data).encode()
        print(f"{what}: {len(body) / 1024:.0f} KB, {len(gzip.compress(body)) / 1024:.0f} KB gzipped")


def serve(app) -> str:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def measure(page, url: str, view: str, operators: int, seconds: float) -> dict:
    """Open /operators in ``view``, wait until it is drawn, then watch the updates for ``seconds``."""
    page.goto(f"{url}/operators")
    page.wait_for_selector("#ops-view")
    page.click(f"#ops-view input[value={view}]", force=True)
    started = time.perf_counter()
    page.goto(f"{url}/operators")
    drawn = ("n => document.querySelectorAll('#ops-tiles .op-tile').length >= n" if view == "tiles"
             else "n => document.querySelectorAll('#ops-grid .ag-row').length > 0")
    page.wait_for_function(drawn, arg=operators, timeout=120000)
    first_ms = (time.perf_counter() - started) * 1000
    page.evaluate(OBSERVE)
    page.wait_for_timeout(seconds * 1000)
    long_tasks, draws = page.evaluate("window.__long"), page.evaluate("window.__draws")
    return {"first_ms": round(first_ms), "draws": draws, "long": long_tasks,
            "busy_share": sum(long_tasks) / (seconds * 1000)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    args = parser.parse_args()
    settings, store, snapshot = day_snapshot(args.dir, args.scale)
    operators = len(snapshot["agents"])
    print(f"snapshot: {operators} operators, "
          f"{sum(a['state'] != 'offline' for a in snapshot['agents'])} of them working")
    app = build_dash_app(settings, store)
    print_payload(snapshot)
    login, password = ensure_user(app, "bench-supervisor", "supervisor")
    url, stop = serve(app), threading.Event()
    threading.Thread(target=republish, args=(store, snapshot, stop, settings.poll_interval_s), daemon=True).start()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/login")
        page.fill("#login", login)
        page.fill("#password", password)
        page.click("#submit")
        page.wait_for_load_state()
        for view in ("tiles", "table"):
            r = measure(page, url, view, operators, args.seconds)
            long = r["long"]
            print(f"{view:6}: first full draw {r['first_ms']} ms; {r['draws']} tile updates in {args.seconds:g} s; "
                  f"long tasks {len(long)}, median {statistics.median(long) if long else 0:.0f} ms, "
                  f"max {max(long) if long else 0:.0f} ms; main thread blocked {100 * r['busy_share']:.1f} % "
                  f"of the time")
        browser.close()
    stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
