"""Runs the live engine's cycle on a schedule: in a background thread (embedded) or as its own process."""

from __future__ import annotations

import atexit
import logging
import signal
import time
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from data_access.alert_repo import AlertRepository
from data_access.appdb import open_app_db
from data_access.poller_lease import make_lease
from data_access.snapshot_store import SnapshotStore, make_store
from poller.engine import LiveEngine
from settings import Settings

log = logging.getLogger("hotline.poller")
JOB_ID = "poll-cycle"
SECURITY_JOB_ID = "security-cycle"
HISTORY_JOB_ID = "history-settle"
NOTIFY_JOB_ID = "notify-cycle"
LEDGER_JOB_ID = "ticket-ledger"


def build_engine(settings: Settings, store: SnapshotStore | None = None, *, standby: bool = False) -> LiveEngine:
    """An engine wired to the configured sources, snapshot store and app database, with its security pipeline.

    ``standby`` (the poller process): the engine starts without the lease and takes it in a cycle when it is
    free. Otherwise (a poller inside the web process) raises :class:`PollerAlreadyRunning` when another poller
    publishes from the same app database.
    """
    from data_access.cursor_repo import CursorRepository
    from data_access.history_repo import HistoryRepository
    from data_access.ledger_repo import LedgerRepository
    from poller.history import HistoryKeeper
    from poller.ledger import TicketLedger
    from poller.notify import Notifier
    from poller.security import SecurityPipeline
    from poller.security_checkpoint import security_checkpointer

    store = store or make_store(settings.redis_url, settings.redis_key_prefix)
    app_db = open_app_db(settings.url("app_db"))
    lease = make_lease(app_db, settings.poller_lease_s)
    if not standby:
        lease.acquire(time.time())
    atexit.register(lease.release)
    security = SecurityPipeline(settings, app_db, checkpoints=security_checkpointer(settings, app_db), lease=lease)
    engine = LiveEngine(settings, store, alert_repo=AlertRepository(app_db), security=security, lease=lease,
                        checkpoints=checkpointer(settings, app_db),
                        history=HistoryKeeper(settings, HistoryRepository(app_db), ledger=TicketLedger(
                            settings, LedgerRepository(app_db), CursorRepository(app_db))))
    engine.notifier = Notifier(settings, app_db, snapshot=lambda: engine.last_snapshot)
    engine.start()
    return engine


def checkpointer(settings: Settings, app_db):
    """The engine's checkpoints in the app database (None when HOTLINE_POLLER_CHECKPOINT_S is 0)."""
    from data_access.checkpoint_repo import CheckpointRepository
    from poller.checkpoint import Checkpointer

    if settings.poller_checkpoint_s <= 0:
        return None
    return Checkpointer(settings, CheckpointRepository(app_db), settings.poller_checkpoint_s)


def _safe_cycle(engine: LiveEngine) -> None:
    try:
        engine.cycle()
    except Exception:  # noqa: BLE001 - the next cycle tries again; the snapshot's age shows the gap
        log.exception("poll cycle failed")


def _security_cycle(engine: LiveEngine) -> None:
    if engine.active:  # a standby (or a poller that lost its lease) judges no access row either
        engine.security.cycle()


def _history_job(engine: LiveEngine) -> None:
    if engine.active:
        engine.history.job(engine)


def _ledger_job(engine: LiveEngine) -> None:
    if engine.active:
        engine.history.ledger.job()


def _notify_job(engine: LiveEngine) -> None:
    if engine.active:  # only the lease holder plans and delivers notifications
        try:
            engine.notifier.cycle()
        except Exception:  # noqa: BLE001 - the outbox keeps everything; the next run goes on from it
            log.exception("notification cycle failed")


def _add_job(scheduler, engine: LiveEngine, interval_s: float) -> None:
    # The first cycle runs at once; max_instances=1 so a slow cycle is never overlapped by the next one.
    scheduler.add_job(_safe_cycle, "interval", args=[engine], seconds=interval_s, id=JOB_ID,
                      max_instances=1, coalesce=True, misfire_grace_time=max(1, int(interval_s)),
                      next_run_time=datetime.now(timezone.utc))
    if engine.security is not None:
        # Its own job: the detectors' work never delays the live screens' cycle.
        every = engine.s.security_interval_s
        scheduler.add_job(_security_cycle, "interval", args=[engine], seconds=every, id=SECURITY_JOB_ID,
                          max_instances=1, coalesce=True, misfire_grace_time=max(1, int(every)),
                          next_run_time=datetime.now(timezone.utc))
    if engine.history is not None:
        # Its own job too: a settle replays sources for seconds; the live cycle only upserts a few rows.
        from poller.history import SETTLE_EVERY_S

        scheduler.add_job(_history_job, "interval", args=[engine], seconds=SETTLE_EVERY_S, id=HISTORY_JOB_ID,
                          max_instances=1, coalesce=True, misfire_grace_time=int(SETTLE_EVERY_S))
    if engine.history is not None and engine.history.ledger is not None:
        from poller.ledger import LEDGER_EVERY_S

        scheduler.add_job(_ledger_job, "interval", args=[engine], seconds=LEDGER_EVERY_S, id=LEDGER_JOB_ID,
                          max_instances=1, coalesce=True, misfire_grace_time=int(LEDGER_EVERY_S),
                          next_run_time=datetime.now(timezone.utc))
    if getattr(engine, "notifier", None) is not None:  # set by build_engine (tests' engines have none)
        every = engine.s.notify_interval_s
        scheduler.add_job(_notify_job, "interval", args=[engine], seconds=every, id=NOTIFY_JOB_ID, max_instances=1,
                          coalesce=True, misfire_grace_time=max(1, int(every)))


def start_background(engine: LiveEngine, interval_s: float) -> BackgroundScheduler:
    """The embedded mode: cycles in a thread of this process, the first one right away."""
    scheduler = BackgroundScheduler(daemon=True)
    _add_job(scheduler, engine, interval_s)
    scheduler.start()
    return scheduler


def run_forever(settings: Settings) -> None:
    """``python app.py poller``: a production poller process. Start two or more (on other machines): one is active,
    the others stand by and take over when it dies or loses the app database. SIGTERM stops it gracefully."""
    engine = build_engine(settings, standby=True)
    log.info("poller started: every %.1f s, snapshot store %s, lease %s (standing by until it is free)",
             settings.poll_interval_s, "redis" if settings.redis_url else "memory", engine.lease.kind)
    scheduler = BlockingScheduler()
    _add_job(scheduler, engine, settings.poll_interval_s)
    signal.signal(signal.SIGTERM, lambda _sig, _frame: scheduler.shutdown(wait=False))
    try:
        scheduler.start()
    finally:
        stop_engine(engine)


def stop_engine(engine: LiveEngine) -> None:
    """A graceful stop: after the running cycle, give the lease up so a standby takes over at its next cycle."""
    engine.stop()
    log.info("poller stopped")
