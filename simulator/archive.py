"""The demo's past: a month of the simulated hotline, played into archive sources and rebuilt into the history.

The live sources of the demo start at today's local midnight, and the simulator plays forward from there; the past
is simulated apart, into ``<data_dir>/archive`` (its own queue_log and CRM databases), and each finished day is
rebuilt into the app database's interval history with the same code as ``python app.py history rebuild``. So a
manager finds a month of history on a fresh machine, with the simulator's portal outages and their floods in it and
an understaffed evening every sixth day (a call surge the roster was not made for), and the live sources never
receive rows dated in the past.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import replace
from io import StringIO

from data_access.appdb import open_app_db
from data_access.history_repo import HistoryRepository
from domain.clock import day_start, local_day
from domain.history import INTERVAL_S, day_bounds
from settings import Settings

log = logging.getLogger("hotline.simulator")
DEMO_HISTORY_DAYS = 35
SURGE_EVERY_DAYS = 6
PROGRESS_FILE = "progress.json"
# The archive CRM numbers its tickets, incidents and surveys from here, apart from the live CRM's: the managers'
# ledger keeps both under the CRM's own ids.
ARCHIVE_ID_FLOOR = 1_000_000_000


def archive_settings(settings: Settings) -> Settings:
    """The archive's sources in ``<data_dir>/archive``; the history goes to the live app database."""
    return replace(settings, data_dir=os.path.join(settings.data_dir, "archive"), telephony_url="",
                   ticketing_url="", app_db_url=settings.url("app_db"))


def past_days(now: float, tz: str, days: int) -> list[str]:
    """The ``days`` local days before today, oldest first."""
    today = day_start(now, tz)
    return [local_day(today - (days - i) * 86400 + 43200, tz) for i in range(days)]


def _progress(archive: Settings) -> dict:
    path = os.path.join(archive.data_dir, PROGRESS_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _save_progress(archive: Settings, progress: dict) -> None:
    os.makedirs(archive.data_dir, exist_ok=True)
    path = os.path.join(archive.data_dir, PROGRESS_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(progress, handle)
    os.replace(path + ".tmp", path)


def seed_archive_ids(archive: Settings) -> None:
    """Make the archive CRM's next ids start above ARCHIVE_ID_FLOOR: one placeholder ticket, incident and survey
    dated 1970 (outside any period a report or a rebuild reads), written once."""
    from datetime import datetime

    from sqlalchemy import select

    from data_access.engines import make_engine
    from data_access.schema import crm

    os.makedirs(archive.data_dir, exist_ok=True)
    engine = make_engine(archive.url("ticketing"))
    try:
        crm.metadata.create_all(engine)
        with engine.begin() as conn:
            if conn.execute(select(crm.tickets.c.id).where(crm.tickets.c.id >= ARCHIVE_ID_FLOOR)).first():
                return
            then = datetime(1970, 1, 2)
            conn.execute(crm.tickets.insert().values(id=ARCHIVE_ID_FLOOR, channel="other", category="other",
                                                     status="closed", created_at=then, resolved_at=then))
            conn.execute(crm.incidents.insert().values(id=ARCHIVE_ID_FLOOR, opened_at=then, resolved_at=then,
                                                       severity="minor", title="-", status="resolved"))
            conn.execute(crm.surveys.insert().values(id=ARCHIVE_ID_FLOOR, ts=then, channel="other", csat=3))
    finally:
        engine.dispose()


HANDOVER_S = 2 * 3600  # the archive's tickets still in flight at a day's end are resolved this long after it


def close_in_flight(archive: Settings, end: float) -> int:
    """Resolve the archive tickets created before ``end`` and still open, ``HANDOVER_S`` after it.

    Each archive day is simulated on its own, so the tickets in flight at its end would stay open for good (a
    month of them overdue on the SLA page); in the hotline they are answered the next morning. Returns tickets
    closed."""
    from sqlalchemy import func, update

    from data_access.engines import make_engine
    from data_access.schema import crm
    from domain.clock import utc_naive

    t = crm.tickets
    at = utc_naive(end + HANDOVER_S)
    engine = make_engine(archive.url("ticketing"))
    try:
        with engine.begin() as conn:
            return conn.execute(update(t).where(t.c.status.in_(("new", "open", "escalated")),
                                                t.c.created_at < utc_naive(end))
                                .values(status="resolved", resolved_at=at,
                                        first_response_at=func.coalesce(t.c.first_response_at, at))).rowcount
    finally:
        engine.dispose()


def _past_config(archive: Settings):
    """The simulator as the live demo runs it, with an understaffed evening (a call surge) every sixth day."""
    from simulator.runner import config

    return replace(config(archive), surge_every_days=SURGE_EVERY_DAYS)


def backfill_history(settings: Settings, days: int = DEMO_HISTORY_DAYS, stop: threading.Event | None = None,
                     now: float | None = None) -> int:
    """Simulate and rebuild the past ``days`` days that the history does not hold yet; returns days rebuilt.

    Resumable: the archive remembers how far it was simulated, and a day whose intervals are final is skipped.
    """
    from poller.history import rebuild_days
    from simulator.runner import backfill

    now = time.time() if now is None else now
    archive = archive_settings(settings)
    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    progress, done = _progress(archive), 0
    seed_archive_ids(archive)
    wanted = past_days(now, settings.tz, days)
    for i, day in enumerate(wanted, 1):
        if stop is not None and stop.is_set():
            break
        start, end = day_bounds(day, settings.tz)
        if repo.final_starts(start, end) >= round((end - start) / INTERVAL_S):
            continue
        if progress.get("simulated_until", 0) < end:
            backfill(archive, max(start, progress.get("simulated_until", 0)), end, cfg=_past_config(archive))
            close_in_flight(archive, end)
            progress["simulated_until"] = end
            _save_progress(archive, progress)
        rebuild_days(archive, repo, day, day, now=now, out=StringIO())
        done += 1
        log.info("demo history: %s back-filled (%d of %d days)", day, i, len(wanted))
    return done


def start_background(settings: Settings, stop: threading.Event, days: int = DEMO_HISTORY_DAYS) -> threading.Thread:
    """For `make run`: the month of history behind today, filled in a thread while the demo runs."""
    def run() -> None:
        try:
            filled = backfill_history(settings, days, stop)
            log.info("demo history: %d past days back-filled into the interval history", filled)
        except Exception:  # noqa: BLE001 - the live demo goes on without its past
            log.exception("demo history back-fill failed")

    thread = threading.Thread(target=run, name="demo-history", daemon=True)
    thread.start()
    return thread
