"""Wall screens at scale: N open walls polling gunicorn while a poller publishes a full-scale day over Redis.

    python bench/wall_load.py [--screens 50 200 500] [--seconds 45] [--warmup 10] [--app-db postgres|sqlite]

The production topology on this machine, loopback only: a throw-away redis-server (the snapshot store) and, for
the app database, a throw-away PostgreSQL (or a SQLite file), ``python app.py db upgrade``, a display account made
with ``python app.py create-user`` and one kiosk link per screen, ``gunicorn 'app:create_server()' -k gthread
-w 2`` and a poller process. The poller rebuilds a full-scale simulated day (back-filled once into --dir, as
bench/poll_cycle.py does, and copied for each run) and then runs a poll cycle every 2 s on a clock going on from
23:30 of that day, adding a peak-sized batch of rows before each cycle: a new snapshot version every 2 s.

Each screen is what a browser does with a kiosk link: GET /kiosk?token=... (the session cookie), GET /wall?kiosk=1
(the page's signed endId), then on every tick of the 2-s interval the callback requests Dash posts, with the
bodies recorded from Chromium. Which callbacks a tick posts is read from /_dash-dependencies as the renderer reads
it: today one (the wall's, which carries the freshness feed: pages/wall.py); before, two (the shell's freshness
feed and the wall). Screens tick on a fixed schedule with random phases (setInterval), without waiting for the
previous answers (a screen with 6 requests unanswered skips a tick, counted as an error), each with its own
keep-alive connections, in one asyncio process. Levels run in order; a level's screens stay open in the next.

For each N it prints requests per second, p50/p95/p99 latency, errors, and CPU seconds per second (from /proc)
of the gunicorn processes, of this load generator, of the poller and of the database servers, and the machine's
total. Target: 500 screens with p99 <= 200 ms and no errors on the 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TICK_S = 2.0  # dcc.Interval "tick" (HOTLINE_POLL_INTERVAL_S): both callbacks fire on every tick
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The headers Chromium sends with Dash's callback requests (Accept-Encoding and Cookie are added by the client).
BROWSER_HEADERS = {"Accept": "application/json", "Content-Type": "application/json",
                   "Accept-Encoding": "gzip, deflate, br, zstd",
                   "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                 "HeadlessChrome/156.0.0.0 Safari/537.36 (hotline wall_load)"}


# -- what the browser posts ------------------------------------------------------------------------------------
def _outputs(spec: str) -> list[dict]:
    """Dash's output spec string ("..a.children...b.data@hash.." or "a.data") as the renderer posts it."""
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def tick_plan(dependencies: list[dict]) -> dict[str, dict]:
    """What the browser posts on each tick of an open /wall, read from /_dash-dependencies as the renderer reads
    it: the wall's callback, and the shell's freshness feed unless the shell's tick pauses on /wall (a clientside
    callback sets tick.disabled there, and the wall's callback carries the feed). kind -> callback spec."""
    plan = {"wall": next(d for d in dependencies if "wall-body.children" in d["output"])}
    tick_paused = any(d["output"] == "tick.disabled" for d in dependencies)
    feed = next((d for d in dependencies if d["output"] == "fresh.data" and not d.get("clientside_function")), None)
    if feed is not None and not tick_paused and all(i["id"] != "fresh" for i in _outputs(plan["wall"]["output"])):
        plan["fresh"] = feed
    return plan


def request_body(spec: dict, n: int, known, lang: str = "ru") -> dict:
    """The body Dash posts for ``spec`` on tick ``n`` (as recorded from Chromium): the interval's count, the
    language, and the [version, lang] the screen shows."""
    values = {"n_intervals": n, ("lang", "data"): lang, ("wall-version", "data"): known}
    outputs = _outputs(spec["output"])
    tick = next(i for i in spec["inputs"] if i["property"] == "n_intervals")

    def entry(item: dict) -> dict:
        value = n if item["property"] == "n_intervals" else values.get((item["id"], item["property"]))
        return {"id": item["id"], "property": item["property"], "value": value}

    body = {"output": spec["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [entry(i) for i in spec["inputs"]],
            "changedPropIds": [f"{tick['id']}.n_intervals"], "parsedChangedPropsIds": [f"{tick['id']}.n_intervals"]}
    if spec.get("state"):
        body["state"] = [entry(i) for i in spec["state"]]
    return body


# -- CPU from /proc --------------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat)


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (every process, every core)."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:8]]
    return (sum(values) - values[3] - values[4]) / CLK_TCK  # minus idle and iowait


class CpuMeter:
    """CPU seconds per second of named process groups between ``start`` and ``stop``."""

    def __init__(self, groups: dict[str, callable]) -> None:
        self.groups = groups  # name -> () -> list of pids (read again at each mark: workers may come and go)

    def mark(self) -> dict[str, float]:
        marks = {name: sum(cpu_seconds(p) for p in pids()) for name, pids in self.groups.items()}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        marks["load generator"] = usage.ru_utime + usage.ru_stime
        marks["machine"] = machine_busy()
        marks["_t"] = time.monotonic()
        return marks

    @staticmethod
    def rates(before: dict, after: dict) -> dict[str, float]:
        seconds = after["_t"] - before["_t"]
        return {k: (after[k] - before[k]) / seconds for k in before if k != "_t"}


# -- the screens -----------------------------------------------------------------------------------------------
@dataclass
class Results:
    """Requests sent inside the measuring window of one level."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"wall": [], "fresh": []})
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    wall_bytes: int = 0

    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class Screen:
    """One wall screen: its own cookies and keep-alive connections, its tick schedule, the version it shows."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.session = None
        self.url = ""
        self.known = None
        self.tasks: set[asyncio.Task] = set()

    async def sign_in(self) -> None:
        import aiohttp

        self.session = aiohttp.ClientSession(
            self.base, connector=aiohttp.TCPConnector(limit=6, keepalive_timeout=60),  # Chromium: 6 per host
            cookie_jar=aiohttp.CookieJar(unsafe=True), headers=BROWSER_HEADERS,
            timeout=aiohttp.ClientTimeout(total=10))
        async with self.session.get(f"/kiosk?token={self.token}&next=/wall%3Fkiosk%3D1") as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"kiosk sign-in answered {response.status}")
        async with self.session.get("/wall?kiosk=1") as response:
            page = await response.text()
            if response.status != 200 or "/login" in str(response.url):
                raise RuntimeError(f"/wall answered {response.status} at {response.url}")
        end_id = re.search(r'"end_id"\s*:\s*"([^"]+)"', page)
        self.url = "/_dash-update-component" + (f"?endId={end_id.group(1)}" if end_id else "")
        # The polls send the session's cookies as they are (the refreshed copies Flask sends back carry the same
        # session): parsing a Set-Cookie per answer would make the load generator dearer than the browser is.
        cookies = "; ".join(f"{c.key}={c.value}" for c in self.session.cookie_jar)
        await self.session.close()
        self.session = aiohttp.ClientSession(
            self.base, connector=aiohttp.TCPConnector(limit=6, keepalive_timeout=60),
            cookie_jar=aiohttp.DummyCookieJar(), headers={**BROWSER_HEADERS, "Cookie": cookies},
            timeout=aiohttp.ClientTimeout(total=10))

    async def run(self, bench: "Bench") -> None:
        """Tick every TICK_S from a random phase, as setInterval does: each tick posts both callbacks at once
        without waiting for the previous tick's answers (latency is measured from each request's send)."""
        loop = asyncio.get_running_loop()
        at = loop.time() + random.uniform(0, TICK_S)
        n = 0
        while not bench.stopping:
            await asyncio.sleep(max(0.0, at - loop.time()))
            n += 1
            if len(self.tasks) >= 6:  # the previous answers have not come back: the screen waits (counted)
                if bench.results is not None:
                    bench.results.errors["tick skipped: 6 requests still unanswered"] += 1
                at += TICK_S
                continue
            for kind, spec in bench.plan.items():
                body = request_body(spec, n, self.known)
                task = asyncio.create_task(self.post(bench, kind, json.dumps(body, separators=(",", ":"))))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            at += TICK_S

    async def post(self, bench: "Bench", kind: str, body: str) -> None:
        import orjson

        results = bench.results  # the window the request was sent in
        started = time.perf_counter()
        try:
            async with self.session.post(self.url, data=body) as response:
                raw = await response.read()
                status, wire = response.status, response.content_length  # as sent (compressed)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, by kind
            if results is not None:
                results.errors[f"{kind}: {type(exc).__name__}"] += 1
            return
        took = time.perf_counter() - started
        drawn = ""
        if status == 200 and kind == "wall":
            answer = orjson.loads(raw)["response"]
            if "wall-version" in answer:
                self.known = answer["wall-version"]["data"]
            drawn = " body" if "wall-body" in answer else " feed only"
        if results is None:
            return
        results.statuses[f"{kind} {status}{drawn}"] += 1
        if status in (200, 204):
            results.latencies[kind].append(took)
            if kind == "wall":
                results.wall_bytes += wire if wire is not None else len(raw)
        else:
            results.errors[f"{kind}: HTTP {status}"] += 1

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.session is not None:
            await self.session.close()


class Bench:
    def __init__(self, base: str, tokens: list[str]) -> None:
        self.base, self.tokens = base, tokens
        self.screens: list[Screen] = []
        self.runners: list[asyncio.Task] = []
        self.results: Results | None = None
        self.stopping = False
        self.sign_in_failures: Counter = Counter()
        self.plan: dict[str, dict] | None = None

    async def open_screens(self, n: int, parallel: int = 4) -> float:
        """Sign in screens up to ``n`` (a few at a time, as screens are switched on) and start their ticks; a
        sign-in that fails is counted and tried again (a person would reload the screen). Returns the seconds."""
        started = time.perf_counter()
        gate = asyncio.Semaphore(parallel)

        async def one(screen: Screen) -> None:
            for attempt in range(5):
                async with gate:
                    try:
                        await screen.sign_in()
                        break
                    except Exception as exc:  # noqa: BLE001 - counted, printed with the figures
                        self.sign_in_failures[str(exc) or type(exc).__name__] += 1
                        await screen.close()
                await asyncio.sleep(1 + attempt)
            else:
                raise RuntimeError(f"a screen could not sign in: {dict(self.sign_in_failures)}")
            self.runners.append(asyncio.create_task(screen.run(self)))
            if len(self.runners) % 100 == 0:
                print(f"  {len(self.runners)} screens open", flush=True)

        new = [Screen(self.base, token) for token in self.tokens[len(self.screens):n]]
        self.screens.extend(new)
        if self.plan is None:  # what a tick posts, from the app's callbacks as the renderer reads them
            await new[0].sign_in()
            async with new[0].session.get("/_dash-dependencies") as response:
                self.plan = tick_plan(await response.json())
            print(f"each tick of a wall posts: {', '.join(s['output'] for s in self.plan.values())}", flush=True)
            await new[0].close()
        await asyncio.gather(*(one(s) for s in new))
        return time.perf_counter() - started

    async def level(self, n: int, warmup_s: float, seconds: float, meter: CpuMeter) -> dict:
        sign_in_s = await self.open_screens(n)
        await asyncio.sleep(warmup_s)
        before, self.results = meter.mark(), Results()
        await asyncio.sleep(seconds)
        results, self.results = self.results, None
        after = meter.mark()
        await asyncio.sleep(1.5)  # answers to requests sent in the window still arrive (and are counted)
        return {"n": n, "sign_in_s": sign_in_s, "results": results, "cpu": CpuMeter.rates(before, after),
                "seconds": seconds, "sign_in_failures": dict(self.sign_in_failures),
                "per_tick": len(self.plan)}

    async def close(self) -> None:
        self.stopping = True
        for runner in self.runners:
            runner.cancel()
        await asyncio.gather(*(s.close() for s in self.screens), return_exceptions=True)


# -- figures ---------------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(level: dict) -> dict:
    r: Results = level["results"]
    every = r.latencies["fresh"] + r.latencies["wall"]
    walls = r.statuses["wall 200 body"] + r.statuses["wall 200 feed only"]
    return {"n": level["n"], "rps": r.count() / level["seconds"],
            "expected_rps": level["n"] * level["per_tick"] / TICK_S,
            "p50": percentile(every, 0.50) * 1000, "p95": percentile(every, 0.95) * 1000,
            "p99": percentile(every, 0.99) * 1000, "max": max(every, default=float("nan")) * 1000,
            "wall_p99": percentile(r.latencies["wall"], 0.99) * 1000,
            "fresh_p99": percentile(r.latencies["fresh"], 0.99) * 1000 if r.latencies["fresh"] else None,
            "errors": sum(r.errors.values()), "error_kinds": dict(r.errors), "statuses": dict(r.statuses),
            "wall_kb": r.wall_bytes / walls / 1024 if walls else 0.0, "cpu": level["cpu"],
            "sign_in_s": level["sign_in_s"], "sign_in_failures": level["sign_in_failures"]}


def print_table(rows: list[dict], cores: int) -> None:
    print(f"\n{'screens':>7} {'req/s':>7} {'(need)':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'errors':>6} | CPU s/s: {'gunicorn':>8} {'load gen':>8} {'poller':>6} {'db+redis':>8} "
          f"{'machine':>7} (of {cores})")
    for s in rows:
        c = s["cpu"]
        print(f"{s['n']:>7} {s['rps']:>7.0f} {s['expected_rps']:>7.0f} {s['p50']:>7.1f} {s['p95']:>7.1f} "
              f"{s['p99']:>7.1f} {s['max']:>7.0f} {s['errors']:>6} | {'':9}{c['gunicorn']:>8.2f} "
              f"{c['load generator']:>8.2f} {c['poller']:>6.2f} {c['db+redis']:>8.2f} {c['machine']:>7.2f}")
    for s in rows:
        feed = f", shell freshness feed {s['fresh_p99']:.1f} ms" if s["fresh_p99"] is not None else ""
        print(f"  {s['n']} screens: p99 wall {s['wall_p99']:.1f} ms{feed}; "
              f"answers {s['statuses']}; wall answer {s['wall_kb']:.2f} KB on the wire (mean); "
              f"screens signed in in {s['sign_in_s']:.1f} s" + (f"; errors {s['error_kinds']}" if s["errors"] else "")
              + (f"; failed sign-ins so far (tried again) {s['sign_in_failures']}" if s["sign_in_failures"] else ""))
    last = max(rows, key=lambda s: s["n"])
    met = last["n"] >= 500 and last["p99"] <= 200 and last["errors"] == 0
    print(f"target (500 screens, p99 <= 200 ms, no errors): {'met' if met else 'NOT met'} "
          f"({last['n']} screens: p99 {last['p99']:.1f} ms, {last['errors']} errors)")


# -- the topology ----------------------------------------------------------------------------------------------
def _app(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "app.py"), *args]


def wait_http(url: str, timeout_s: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout_s:.0f} s")


def wait_line(path: Path, text: str, timeout_s: float, proc: subprocess.Popen) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            log = path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the poller exited with {proc.returncode}:\n{log}")
        time.sleep(0.3)
    raise RuntimeError(f"the poller did not say {text!r} in {timeout_s:.0f} s")


def make_tokens(env: dict, count: int) -> list[str]:
    """The display account (the README's command) and one kiosk link per screen (the repository the
    ``create-kiosk-token`` command uses: 500 processes would take minutes)."""
    from data_access.appdb import open_app_db
    from data_access.users_repo import UserRepository
    from settings import load_settings

    subprocess.run(_app("create-user", "--login", "bench-wall", "--role", "display", "--password-stdin"), env=env,
                   cwd=ROOT, check=True, input="bench-wall-password-1234\n", text=True, stdout=subprocess.DEVNULL)
    engine = open_app_db(load_settings(env).url("app_db"))
    users = UserRepository(engine)
    user_id, now = users.by_login("bench-wall").id, time.time()
    tokens = [users.create_token(f"bench-screen-{i + 1}", user_id, "bench", now) for i in range(count)]
    engine.dispose()
    return tokens


def run_poller() -> int:
    """``--poller``: rebuild the back-filled day up to 23:30, then a cycle every 2 s with a peak batch before it."""
    from bench.poll_cycle import END, peak_rows
    from data_access.alert_repo import AlertRepository
    from data_access.appdb import open_app_db
    from data_access.engines import make_engine
    from data_access.snapshot_store import make_store
    from poller.engine import LiveEngine
    from settings import load_settings

    settings = load_settings()
    began = [time.time()]
    engine = LiveEngine(settings, make_store(settings.redis_url, settings.redis_key_prefix),
                        alert_repo=AlertRepository(open_app_db(settings.url("app_db"))),
                        clock=lambda: END + time.time() - began[0])
    engine.start(END)
    started = time.perf_counter()
    snapshot = engine.cycle(END)
    print(f"poller: day rebuilt in {time.perf_counter() - started:.1f} s: {len(snapshot['agents'])} operators, "
          f"{sum(q['offered'] for q in snapshot['queues'].values())} calls offered; publishing", flush=True)
    began[0] = time.time()
    tel, crm_db = make_engine(settings.url("telephony")), make_engine(settings.url("ticketing"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    batch, cycles = 0, []
    while True:
        due = began[0] + (batch + 1) * settings.poll_interval_s
        time.sleep(max(0.0, due - time.time()))
        now = engine.clock()
        peak_rows(tel, crm_db, settings.pbx_tz, now, batch)
        t0 = time.perf_counter()
        engine.cycle(now)
        cycles.append(time.perf_counter() - t0)
        batch += 1
        if batch % 15 == 0:
            print(f"poller: {batch} cycles, median {sorted(cycles)[len(cycles) // 2] * 1000:.0f} ms", flush=True)
            cycles.clear()


class Topology:
    """redis-server, the app database, the poller and gunicorn; ``stop`` ends what it started."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-wall-load-"))
        self.redis = self.pg = self.poller = self.web = None
        self.logs: list = []

    def start(self, source: Path, screens: int) -> tuple[str, list[str]]:
        from tools.servers import ThrowawayPostgres, ThrowawayRedis, free_port

        for name in ("telephony.db", "crm.db"):  # the peak rows the poller adds go into copies
            shutil.copy(source / name, self.folder / name)
        self.redis = ThrowawayRedis().start()
        env = {**os.environ, "HOTLINE_DATA_DIR": str(self.folder), "HOTLINE_REDIS_URL": self.redis.url,
               "HOTLINE_SECRET_KEY": "wall-load-" + os.urandom(16).hex(), "HOTLINE_SIM_SCALE": str(self.args.scale),
               "HOTLINE_SECURITY_INTERVAL_S": "3600"}
        if self.args.app_db == "postgres":
            self.pg = ThrowawayPostgres().start()
            env["HOTLINE_APP_DB_URL"] = self.pg.database("hotline_dashboard")
        subprocess.run(_app("db", "upgrade"), env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        tokens = make_tokens(env, screens)
        self.poller = self._spawn([sys.executable, __file__, "--poller"], env, "poller.log")
        wait_line(self.folder / "poller.log", "publishing", 300, self.poller)
        print((self.folder / "poller.log").read_text().strip().splitlines()[-1], flush=True)
        port = free_port()
        self.web = self._spawn([str(Path(sys.executable).parent / "gunicorn"), "app:create_server()", "-k", "gthread",
                                "-w", str(self.args.workers), "--threads", str(self.args.threads),
                                "--keep-alive", str(self.args.keep_alive), "-b", f"127.0.0.1:{port}"],
                               env, "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/health", 120, self.web)
        return base, tokens

    def _spawn(self, cmd: list[str], env: dict, log: str) -> subprocess.Popen:
        self.logs.append(open(self.folder / log, "wb"))  # noqa: SIM115 - closed in stop()
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.logs[-1], stderr=subprocess.STDOUT)

    def meter(self) -> CpuMeter:
        pg_pid = None
        if self.pg is not None:
            pg_pid = int((self.pg.data / "postmaster.pid").read_text().split()[0])
        return CpuMeter({"gunicorn": lambda: process_tree(self.web.pid), "poller": lambda: [self.poller.pid],
                         "db+redis": lambda: [self.redis.proc.pid] + (process_tree(pg_pid) if pg_pid else [])})

    def stop(self) -> None:
        for proc in (self.web, self.poller):
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in (self.web, self.poller):
            if proc is not None:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for log in self.logs:
            log.close()
        if self.redis is not None:
            self.redis.stop()
        if self.pg is not None:
            self.pg.stop()
        if not self.args.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


async def load(base: str, tokens: list[str], levels: list[int], args: argparse.Namespace, meter: CpuMeter) -> list:
    bench = Bench(base, tokens)
    rows = []
    try:
        for n in levels:
            level = await bench.level(n, args.warmup, args.seconds, meter)
            rows.append(summary(level))
            s = rows[-1]
            print(f"{n} screens: {s['rps']:.0f} req/s, p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms, "
                  f"p99 {s['p99']:.1f} ms, {s['errors']} errors; CPU gunicorn {s['cpu']['gunicorn']:.2f}, "
                  f"load generator {s['cpu']['load generator']:.2f}", flush=True)
    finally:
        await bench.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screens", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--seconds", type=float, default=45, help="measuring window per level")
    parser.add_argument("--warmup", type=float, default=10, help="seconds after a level's screens opened")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--app-db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep-alive", type=float, default=5,
                        help="gunicorn --keep-alive: longer than the 2-s tick, so a screen's connection is reused")
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs, databases)")
    parser.add_argument("--poller", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.poller:
        return run_poller()
    import aiohttp  # noqa: F401 - fail before starting anything: pip install -e '.[dev]'

    from bench.poll_cycle import ensure_history

    source = Path(args.dir) / f"scale{args.scale}-days1"
    ensure_history(source, 1, args.scale)
    levels = sorted(args.screens)
    topology = Topology(args)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        base, tokens = topology.start(source, max(levels))
        print(f"gunicorn 'app:create_server()' -k gthread -w {args.workers} --threads {args.threads} "
              f"--keep-alive {args.keep_alive} at {base}; app database: {args.app_db}; snapshot store: redis; "
              f"{len(tokens)} kiosk links; run folder {topology.folder}", flush=True)
        rows = asyncio.run(load(base, tokens, levels, args, topology.meter()))
        print_table(rows, os.cpu_count() or 0)
        print("RESULT " + json.dumps([{k: s[k] for k in ("n", "rps", "p50", "p95", "p99", "errors")}
                                      | {"gunicorn_cpu": s["cpu"]["gunicorn"]} for s in rows]))
    finally:
        topology.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
