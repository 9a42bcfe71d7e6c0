"""``make prod-local``: the production topology on this machine, with the README's commands.

A throw-away PostgreSQL holds the PBX's queue_log, the CRM and the app database; a redis-server holds the
snapshots; the simulator plays the hotline live into PostgreSQL; ``python app.py db upgrade`` makes the app
database; two ``python app.py poller`` processes run (one publishes, one stands by: stop the active one and watch
the Services page) and ``gunicorn 'app:create_server()'`` serves http://127.0.0.1:8050 with two workers.
Ctrl-C stops everything and removes the databases. Needs the PostgreSQL server binaries and redis-server
(tests/e2e/test_topology.py runs the same commands).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _app(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "app.py"), *args]


def environment(pg, redis_url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "HOTLINE_DATA_DIR": str(folder), "HOTLINE_REDIS_URL": redis_url,
            "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32), "HOTLINE_TELEPHONY_URL": pg.database("asterisk"),
            "HOTLINE_TICKETING_URL": pg.database("crm"), "HOTLINE_APP_DB_URL": pg.database("hotline_dashboard")}


def main() -> int:
    from tools.servers import ThrowawayPostgres, ThrowawayRedis

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", default=str(ROOT / "var" / "prod-local"))
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a SIGTERM stops everything as Ctrl-C does
    pg, redis = ThrowawayPostgres().start(), ThrowawayRedis().start()
    procs: list[subprocess.Popen] = []
    try:
        env = environment(pg, redis.url, folder)
        subprocess.run(_app("db", "upgrade"), env=env, cwd=ROOT, check=True)
        password = secrets.token_urlsafe(12)
        subprocess.run(_app("create-user", "--login", "admin", "--role", "admin", "--password-stdin"), env=env,
                       cwd=ROOT, check=True, input=f"{password}\n", text=True)
        commands = [_app("simulate", "--today"), _app("poller"), _app("poller"),
                    [str(Path(sys.executable).parent / "gunicorn"), "app:create_server()", "-w", str(args.workers),
                     "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{args.port}"]]
        procs = [subprocess.Popen(cmd, env=env, cwd=ROOT) for cmd in commands]
        print(f"\nhttp://127.0.0.1:{args.port}  admin / {password}   (pollers: pid {procs[1].pid} and "
              f"{procs[2].pid}; Ctrl-C stops everything)\n", flush=True)
        while procs[3].poll() is None and any(p.poll() is None for p in procs[1:3]):  # web and a poller alive
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.stop()
        pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
