"""Browser tests: the real app (web + poller over SQLite sources filled by the simulator) in headless Chromium."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, require_binary

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


class LiveApp:
    """The app served from a thread, with its poller under the test's control."""

    def __init__(self, settings):
        from data_access.snapshot_store import InMemorySnapshotStore
        from poller.scheduler import build_engine, start_background

        self.settings = settings
        self.store = InMemorySnapshotStore()
        self.engine = build_engine(settings, self.store)
        self.scheduler = start_background(self.engine, settings.poll_interval_s)
        self.passwords = create_users(settings)
        self.port = free_port()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.start_web()
        self.wait_for_snapshot()

    def start_web(self) -> None:
        """A new web app on the port; after ``stop_web`` this is a restarted web process (the poller kept running)."""
        from werkzeug.serving import make_server

        from web.factory import build_dash_app

        self.app = build_dash_app(self.settings, self.store)
        self.server = make_server("127.0.0.1", self.port, self.app.server, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop_web(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for_snapshot(self, timeout: float = 30) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            version, snap = self.store.latest()
            if snap:
                return snap
            time.sleep(0.2)
        raise AssertionError("the poller published no snapshot")

    def pause_poller(self) -> None:
        self.scheduler.pause()

    def resume_poller(self) -> None:
        self.scheduler.resume()

    def write_queue_log(self, *rows: tuple) -> None:
        """Write rows (epoch, callid, queue, agent, event, data...) into the telephony source, as the PBX does."""
        from sqlalchemy import insert

        from data_access.engines import make_engine
        from data_access.schema.telephony import queue_log
        from domain.clock import epoch_to_local_naive

        values = []
        for ts, callid, queue, agent, event, *data in rows:
            data = list(data) + [""] * (5 - len(data))
            values.append({"time": epoch_to_local_naive(ts, self.settings.pbx_tz), "callid": callid,
                           "queuename": queue, "agent": agent, "event": event,
                           **{f"data{i + 1}": d for i, d in enumerate(data)}})
        engine = make_engine(self.settings.url("telephony"))
        with engine.begin() as conn:
            conn.execute(insert(queue_log), values)
        engine.dispose()

    def close(self) -> None:
        self.server.shutdown()
        self.scheduler.shutdown(wait=False)


USERS = {"super1": "supervisor", "sec1": "security", "wall1": "display", "admin1": "admin", "boss1": "manager"}


def create_users(settings) -> dict[str, str]:
    """One user per role; returns login -> password."""
    from data_access.appdb import open_app_db
    from data_access.users_repo import UserRepository
    from web.passwords import hash_password

    users = UserRepository(open_app_db(settings.url("app_db")))
    out = {}
    for login, role in USERS.items():
        out[login] = f"{login}-correct-horse"
        if users.by_login(login) is None:
            users.create(login, f"Test {role}", role, hash_password(out[login]), time.time())
    return out


def sign_in(page, app: "LiveApp", login: str = "super1", target: str = "/wall") -> None:
    """Sign in through the real sign-in form."""
    page.goto(f"{app.url}/login?next={target}")
    page.fill("#login", login)
    page.fill("#password", app.passwords[login])
    page.click("#submit")
    page.wait_for_url(f"**{target.split('?')[0]}*")


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory):
    from settings import load_settings
    from simulator.runner import backfill

    folder = tmp_path_factory.mktemp("e2e")
    settings = load_settings({}, data_dir=str(folder), poll_interval_s=1.0, stale_after_s=6.0,
                             source_stale_after_s=6.0, alert_raise_after_s=0.0, sim_scale=0.02,
                             security_interval_s=2.0)
    now = time.time()
    backfill(settings, now - 2 * 3600, now, scale=0.02)
    return settings


@pytest.fixture(scope="session")
def live_app(e2e_settings):
    app = LiveApp(e2e_settings)
    yield app
    app.close()


@pytest.fixture(scope="session")
def browser():
    require_binary(CHROMIUM, "browser tests drive Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def anon_page(browser):
    """A fresh browser context, signed in as nobody. Any Content-Security-Policy violation fails the test."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ru-RU")
    pg = context.new_page()
    violations: list[str] = []
    pg.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield pg
    context.close()
    assert not violations, f"the page broke its Content-Security-Policy: {violations[:3]}"


@pytest.fixture
def page(anon_page, live_app):
    """A browser page signed in as a shift supervisor."""
    sign_in(anon_page, live_app)
    return anon_page


def screenshot(page, name: str) -> Path:
    """Save a 1920x1080 screenshot in artifacts/screenshots (ignored by git) for a look by eye."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path

