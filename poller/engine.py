"""The live engine: one poll cycle reads new source rows, updates the state and publishes a snapshot.

Exactly one engine runs per deployment (in-process in the embedded demo, its own process in production),
so the source databases' load does not depend on how many screens are watching.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from data_access.alert_repo import AlertRepository
from data_access.poller_lease import LeaseLost
from data_access.snapshot_store import SnapshotStore, StalePublisher
from data_access.telephony import QueueLogSource
from data_access.ticketing import CrmCursors, CrmSource, Directory
from data_access.tolerant import BadRowLog
from domain.alerts import AlertTracker, Changes, Condition, evaluate
from domain.channels import ChannelState
from domain.clock import day_start, epoch_to_local_naive, iso_utc, local_day
from domain.cycle_timing import CycleHistogram
from domain.lines import Lines
from domain.services import ServiceHealth
from domain.snapshot import AgentViews, LiveInputs, build_snapshot
from domain.sources import SourceStatus
from domain.telephony import TelephonyConfig, TelephonyState
from settings import Settings

log = logging.getLogger("hotline.poller")
cycle_log = logging.getLogger("hotline.poller.cycle")  # one line per cycle: silence it by this name if unwanted

MAX_BATCHES_PER_CYCLE = 10
DIRECTORY_REFRESH_S = 60.0
AGENT_LOOKBACK_S = 13 * 3600  # covers a 12-hour shift that began before the rebuild window
CHECK_HISTORY_S = 3600
FUTURE_TOLERANCE_S = 600  # PBX clock ahead of ours by up to 10 minutes is accepted


def telephony_config(s: Settings) -> TelephonyConfig:
    """The state machine's parameters from the settings."""
    return TelephonyConfig(tz=s.tz, sl_threshold_s=s.sl_threshold_s,
                           sl_thresholds={q.name: q.sl_threshold_s for q in s.queues()},
                           sl_goal=s.sl_goal, sl_variant=s.sl_variant,
                           short_abandon_s=s.short_abandon_s, lost_after_s=s.lost_call_after_s,
                           wrapup_s=s.wrapup_s, max_duration_s=s.max_call_duration_s)


class LiveEngine:
    """Owns the live state. ``start`` rebuilds today; ``cycle`` polls, evaluates alerts and publishes."""

    def __init__(self, settings: Settings, store: SnapshotStore, *, alert_repo: AlertRepository | None = None,
                 telephony: QueueLogSource | None = None, ticketing: CrmSource | None = None,
                 security=None, lease=None, history=None, checkpoints=None,
                 clock: Callable[[], float] = time.time) -> None:
        self.s = settings
        self.store = store
        self.alert_repo = alert_repo
        self.clock = clock
        self.tel_src = telephony or QueueLogSource(settings.url("telephony"), settings.pbx_tz,
                                                   settings.poll_batch_rows, charset=settings.telephony_charset)
        self.crm_src = ticketing or CrmSource(settings.url("ticketing"), settings.poll_batch_rows)
        self.status = {name: SourceStatus(name) for name in ("telephony", "ticketing")}
        self.lines = Lines.of(settings.queues(), settings.channels())
        self.tracker = AlertTracker(settings.alert_raise_after_s, settings.alert_clear_after_s)
        self.services = ServiceHealth(settings.service_down_after_checks)
        self.directory = Directory()
        self.tel: TelephonyState | None = None
        self.channels: ChannelState | None = None
        self.tel_cursor: int | None = None
        self.crm_cursors: CrmCursors | None = None
        self._directory_at = -1e18
        self._catching_up = False
        self._lock = threading.Lock()
        self._rejections = BadRowLog("telephony")
        self.last_snapshot: dict | None = None
        self.agent_views = AgentViews()
        self.security = security  # the SecurityPipeline of this process, when it runs one (compliance status)
        self.lease = lease  # the PollerLease this engine publishes under (None: tests and replays)
        self.lease_lost = lease is not None and not lease.held  # True while standing by (not the active poller)
        self.history = history  # the HistoryKeeper writing this engine's intervals (poller/history.py), if any
        self.cycle_times = CycleHistogram()  # durations of the cycles before this one (the snapshot's ``poller``)
        self.checkpoints = checkpoints  # the Checkpointer saving and restoring the live state (poller/checkpoint.py)
        self.tel_origin: tuple[float, int] | None = None  # (since, first cursor) of the telephony rebuild
        self.checkpoint_taken_at: float | None = None  # when the checkpoint this state was restored from was taken
        self._restore_tried = False

    # -- life cycle -----------------------------------------------------------------------------------------
    def start(self, now: float | None = None) -> None:
        """Restore firing alerts; the first cycle rebuilds today's state from local midnight."""
        now = self.clock() if now is None else now
        if self.lease is None or self.lease.held:
            self._restore_alerts(now)

    def _restore_alerts(self, now: float) -> None:
        """Alerts firing in the app database (from before a restart, or the poller this one took over from)."""
        self.tracker = AlertTracker(self.s.alert_raise_after_s, self.s.alert_clear_after_s)
        if self.alert_repo is not None:
            try:
                self.tracker.restore(self.alert_repo.restore(), now)
            except Exception as exc:  # noqa: BLE001 - the app DB being down must not stop the poller
                log.error("could not restore alerts: %s", exc)

    def cycle(self, now: float | None = None, until: float | None = None) -> dict:
        """One poll cycle. ``until`` replays the sources as they were at that time (the snapshot command)."""
        with self._lock:
            now = self.clock() if now is None else now
            if self.lease is not None and not self._hold_lease(now):
                return self.last_snapshot or {}
            epoch = self.lease.epoch if self.lease is not None else None
            if until is None and self.checkpoints is not None and not self._restore_tried:
                self._restore_tried = True  # once per start or takeover: then the sources rebuild what is missing
                self._restore_checkpoint(now)
            began, read_before = time.perf_counter(), {n: st.rows_read for n, st in self.status.items()}
            self._poll_telephony(now, until)
            self._poll_ticketing(now, until)
            snapshot = self._snapshot(now)
            self._alerts(snapshot, now)
            snapshot["poller"] = {"cycle_seconds": self.cycle_times.view(),
                                  "active": self.lease.view() if self.lease is not None else None}
            version = self._publish(snapshot, epoch)
            if version is None:
                return self.last_snapshot or {}
            self.cycle_times.observe(time.perf_counter() - began)
            snapshot["version"] = version
            self.last_snapshot = snapshot
            if self.history is not None and until is None:
                self.history.after_cycle(self, now)
            self._log_cycle(now, time.perf_counter() - began, read_before, version)
            if until is None and self.checkpoints is not None and self.checkpoints.due(now):
                self._checkpoint(now)
            return snapshot

    # -- checkpoints: a restart or a takeover reads only the rows after the newest one -------------------------
    def _restore_checkpoint(self, now: float) -> None:
        """Load the newest usable checkpoint into this engine; without one the cycle rebuilds from midnight."""
        from poller.checkpoint import CheckpointRejected

        try:
            loaded = self.checkpoints.load(now)
            since, first = loaded.state["tel_origin"]
            found = self.tel_src.first_id_since(since)
            if not found.ok or found.data != first:
                raise CheckpointRejected("the telephony source no longer matches it")
        except CheckpointRejected as exc:
            log.info("rebuilding today from midnight: the checkpoint was not used: %s", exc)
            return
        except Exception as exc:  # noqa: BLE001 - the app database away: the rebuild needs only the sources
            log.error("rebuilding today from midnight: the checkpoint could not be read: %s", exc)
            return
        for name, value in loaded.state.items():
            setattr(self, name, value)
        self._directory_at, self._catching_up = loaded.taken_at, True  # read every row after it, then publish
        self.checkpoint_taken_at = loaded.taken_at
        log.info("restored the checkpoint taken %.0f s ago (telephony cursor %s)", now - loaded.taken_at,
                 self.tel_cursor)

    def _checkpoint(self, now: float) -> None:
        try:
            self.checkpoints.save(self, now)
        except LeaseLost as exc:
            log.error("checkpoint not written: %s", exc)
        except Exception as exc:  # noqa: BLE001 - the next minute tries again; a restart rebuilds at worst
            log.error("checkpoint not written: %s", exc)

    def _publish(self, snapshot: dict, epoch: int | None) -> int | None:
        try:
            return self.store.publish(snapshot, epoch)
        except StalePublisher as exc:
            self._stand_by(f"the snapshot store refused this poller's snapshot: {exc}")
            return None

    def _log_cycle(self, now: float, seconds: float, read_before: dict[str, int], version: int) -> None:
        """One structured line (logfmt) per cycle: its duration, the rows read and each source's lag."""
        parts = [f"cycle duration_ms={seconds * 1000:.1f}", f"version={version}"]
        for name, st in self.status.items():
            lag = "none" if st.newest_row_at is None else f"{max(0.0, now - st.newest_row_at):.1f}"
            parts.append(f"{name}_rows={st.rows_read - read_before.get(name, 0)} {name}_lag_s={lag} "
                         f"{name}_ok={'false' if st.error else 'true'}")
        if self.lease is not None:
            parts.append(f"lease_token={self.lease.epoch}")
        cycle_log.info(" ".join(parts))

    # -- the lease: one active poller, the others stand by ------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether this engine publishes (it holds the lease, or runs without one)."""
        return self.lease is None or (self.lease.held and not self.lease_lost)

    def _hold_lease(self, now: float) -> bool:
        """Renew the lease when active, try to take it when standing by; True when this cycle may publish."""
        if self.lease.held:
            try:
                if self.lease.renew(now):
                    return True
                reason = "the poller lease was taken by another poller or its connection was lost"
            except Exception as exc:  # noqa: BLE001 - the app database away: the row lease lives on for a while
                log.error("could not renew the poller lease: %s", exc)
                if not self.lease.expired(now):
                    return True
                reason = "the poller lease could not be renewed within its life"
            self._stand_by(reason)
            return False
        try:
            taken = self.lease.try_acquire(now)
        except Exception as exc:  # noqa: BLE001 - a standby tries again next cycle
            log.warning("standing by: could not try the poller lease: %s", exc)
            return False
        if not taken:
            return False
        self._take_over(now)
        return True

    def _stand_by(self, reason: str) -> None:
        """Stop publishing, forget the live state (a takeover later rebuilds it), and say so once."""
        if not self.lease_lost:
            log.critical("%s: this poller stops publishing and stands by", reason)
        self.lease_lost = True
        if self.lease is not None and self.lease.held:
            self.lease.abandon()
        self._reset_state()

    def _take_over(self, now: float) -> None:
        """This poller just took the lease: rebuild the state, take the firing alerts and the detectors' saved
        cursors over from the app database (what the previous poller wrote), then publish."""
        try:
            self.lease.advance_past(self.store.epoch())
        except Exception as exc:  # noqa: BLE001 - a store away: the publish says so
            log.error("could not read the snapshot store's lease token: %s", exc)
        log.warning("this poller is now the active one (lease %s, token %s)", self.lease.kind, self.lease.epoch)
        self.lease_lost = False
        self._reset_state()
        self._restore_alerts(now)
        if self.security is not None:
            self.security.cursors = None  # its next cycle starts from the saved cursors

    def stop(self) -> None:
        """A graceful stop (SIGTERM): after the running cycle, give the lease up so a standby takes over at once."""
        with self._lock:
            if self.checkpoints is not None and self.active:
                self._checkpoint(self.clock())  # the last one: the next poller starts from here
            if self.security is not None and self.active:
                self.security.stop(self.clock())
            if self.lease is not None and self.lease.held:
                self.lease.release()
                log.info("the poller lease was released")
            self.lease_lost = True

    def _reset_state(self) -> None:
        self.tel = self.channels = self.tel_cursor = self.crm_cursors = self.tel_origin = None
        self._restore_tried = False
        self._directory_at, self._catching_up = -1e18, False
        self.agent_views = AgentViews()
        self.status = {name: SourceStatus(name) for name in ("telephony", "ticketing")}

    # -- telephony --------------------------------------------------------------------------------------------
    def _poll_telephony(self, now: float, until: float | None) -> None:
        status = self.status["telephony"]
        try:
            if self.tel_cursor is None:
                self._rebuild_telephony(now, until)
            if self.tel_cursor is not None:
                self._read_telephony(now, until)
        except Exception as exc:  # noqa: BLE001 - a bug in one row must not stop the poller
            log.exception("telephony poll failed")
            status.failure(now, f"{type(exc).__name__}: {exc}")

    def _rebuild_telephony(self, now: float, until: float | None) -> None:
        today = day_start(now, self.s.tz)
        since = today - max(self.s.lost_call_after_s, 3600)
        first = self.tel_src.first_id_since(since)
        if not first.ok:
            self.status["telephony"].failure(now, first.error or "unknown error")
            return
        agents = self.tel_src.fetch_agent_events(since - AGENT_LOOKBACK_S, since)
        if not agents.ok:
            self.status["telephony"].failure(now, agents.error or "unknown error")
            return
        self.tel = TelephonyState(telephony_config(self.s), since)
        self._apply_telephony(agents.data, self.status["telephony"])
        self.status["telephony"].bad_rows.update(agents.bad)
        self.tel_cursor = first.data
        self.tel_origin = (since, first.data)
        self._catching_up = True
        log.info("telephony: rebuilding today from %s (cursor %s)", iso_utc(since), self.tel_cursor)

    def _read_telephony(self, now: float, until: float | None) -> None:
        status, rows, newest = self.status["telephony"], 0, None
        # While rebuilding, read everything before publishing: a half-read day must never look live.
        unbounded = until is not None or self._catching_up
        for _ in range(10**9 if unbounded else MAX_BATCHES_PER_CYCLE):
            result = self.tel_src.fetch_new(self.tel_cursor, until)
            if not result.ok:
                status.failure(now, result.error or "unknown error")
                return
            events, cursor = result.data
            self.tel.set_clock(until if until is not None else now, FUTURE_TOLERANCE_S)
            self._apply_telephony(events, status)
            self.tel_cursor = cursor  # past rows applied or counted: a batch that raised is read again
            status.bad_rows.update(result.bad)
            rows += result.rows
            newest = max(filter(None, (newest, result.newest_ts)), default=None)
            if result.rows < self.tel_src.batch_rows:
                self._catching_up = False
                break
        status.success(now, rows, newest)

    def _apply_telephony(self, events: list, status: SourceStatus) -> None:
        """Apply a batch; rows the state machine rejected (it goes on past them) are counted and logged."""
        before = self.tel.stats["rejected_row"]
        self.tel.apply_all(events)
        rejected = self.tel.stats["rejected_row"] - before
        if rejected:
            where, error = self.tel.last_rejected or ("queue_log", "")
            self._rejections.note(status.bad_rows, "rejected_row", where, f"{error} while applying it", rejected)

    # -- CRM ------------------------------------------------------------------------------------------------------
    def _poll_ticketing(self, now: float, until: float | None) -> None:
        status = self.status["ticketing"]
        try:
            if now - self._directory_at >= DIRECTORY_REFRESH_S or not self.directory.services:
                self._refresh_directory(now)
            if self.crm_cursors is None:
                self._rebuild_ticketing(now, until)
            elif until is None:
                self._read_ticketing(now)
        except Exception as exc:  # noqa: BLE001
            log.exception("ticketing poll failed")
            status.failure(now, f"{type(exc).__name__}: {exc}")

    def _refresh_directory(self, now: float) -> None:
        result = self.crm_src.load_directory()
        if not result.ok:
            self.status["ticketing"].failure(now, result.error or "unknown error")
            return
        self.directory, self._directory_at = result.data, now
        self.status["ticketing"].bad_rows.update(result.bad)
        for code, name_ru, name_en, line in self.directory.services:
            self.services.describe(code, name_ru, name_en, line)

    def _rebuild_ticketing(self, now: float, until: float | None) -> None:
        today = day_start(now, self.s.tz)
        result = self.crm_src.rebuild(today, until, checks_since_ts=min(today, now - CHECK_HISTORY_S))
        if not result.ok:
            self.status["ticketing"].failure(now, result.error or "unknown error")
            return
        batch, self.crm_cursors = result.data
        self.channels = ChannelState({c.name: c.target_s for c in self.lines.channels.values()}, self.s.tz, now)
        self._apply_crm(batch)
        self.status["ticketing"].bad_rows.update(result.bad)
        self.status["ticketing"].success(now, result.rows, None)

    def _read_ticketing(self, now: float) -> None:
        open_ids = [i.id for i in self.services.incidents.values() if i.resolved_at is None]
        result = self.crm_src.fetch_new(self.crm_cursors, open_ids)
        if not result.ok:
            self.status["ticketing"].failure(now, result.error or "unknown error")
            return
        batch, self.crm_cursors = result.data
        self._apply_crm(batch)
        self.status["ticketing"].bad_rows.update(result.bad)
        self.status["ticketing"].success(now, result.rows, result.newest_ts)

    def _apply_crm(self, batch) -> None:
        self.channels.apply(batch.tickets)
        self.services.add_checks(batch.checks)
        self.services.add_incidents(batch.incidents)

    # -- snapshot and alerts ----------------------------------------------------------------------------------
    def _snapshot(self, now: float) -> dict:
        if self.tel is None:
            self.tel = TelephonyState(telephony_config(self.s), now)
        self.tel.tick(now)
        channels = {}
        if self.channels is not None:
            self.channels.tick(now)
            channels = self.channels.view(now)
        self.services.prune_incidents(day_start(now, self.s.tz))
        sources = {name: st.view(now, self.s.source_stale_after_s) for name, st in self.status.items()}
        live = LiveInputs(channels=channels, services=self.services.view(now),
                          incidents=self.services.open_incidents(), sources=sources,
                          operators=self.directory.operators)
        snapshot = build_snapshot(now, self.tel, self.lines, live, self.agent_views)
        snapshot["compliance"] = compliance_view(self.security, now, self.s.journal_retention_days, self.s.tz)
        return snapshot

    def _alerts(self, snapshot: dict, now: float) -> None:
        conditions = evaluate(snapshot, self.lines, set(self.tracker.active))
        changes = self.tracker.update(conditions, now)
        holding = {c.key: c for c in conditions}
        rows = self._persist_alerts(changes, now)
        for row in rows:
            if row["key"] in holding:
                row["params"] = holding[row["key"]].params
        snapshot["alerts"] = rows

    def _persist_alerts(self, changes: Changes, now: float) -> list[dict]:
        if self.alert_repo is not None:
            try:
                self.alert_repo.apply(changes, now, fence=self.lease.fence if self.lease is not None else None)
                return self.alert_repo.active()
            except LeaseLost as exc:
                log.error("alert changes not written: %s", exc)
            except Exception as exc:  # noqa: BLE001
                log.error("alert database unavailable: %s", exc)
        return [_unsaved(t.condition) for t in self.tracker.active.values()]


def compliance_view(security, now: float, retention_days: int, tz: str = "UTC") -> dict:
    """Journal retention and the detectors' health, for the services page and the retention alert."""
    if security is None:
        return {"retention_days": retention_days, "journal_oldest_at": None, "over_retention": False,
                "detectors_ok": None, "detectors_error": None, "detectors_last_run_at": None, "journal_bad_rows": {},
                "journal_gaps": []}
    st = security.status
    oldest = st.journal_oldest_at
    return {"retention_days": retention_days, "journal_oldest_at": iso_utc(oldest),
            "over_retention": oldest is not None and now - oldest > (retention_days + 1) * 86400,
            "detectors_ok": st.error is None and st.last_success_at is not None,
            "detectors_error": st.error, "detectors_last_run_at": iso_utc(st.last_success_at),
            "journal_bad_rows": dict(getattr(security.source, "bad", {})),
            "journal_gaps": journal_gaps_view(getattr(getattr(security, "gaps", None), "journal_gaps", []), tz)}


def journal_gaps_view(gaps, tz: str) -> list[dict]:
    """The day's journal gaps (D21), newest first: UTC bounds, the local span in words, the calls answered."""
    return [{"from": iso_utc(g.start), "to": iso_utc(g.end), "calls": g.calls,
             "span": f"{_hhmm(g.start, tz)}-{_hhmm(g.end, tz)} {local_day(g.start, tz)}"}
            for g in sorted(gaps, key=lambda g: -g.start)]


def _unsaved(c: Condition) -> dict:
    """An alert known only to this process (no app database, or the snapshot command)."""
    return {"id": None, "key": c.key, "rule": c.rule, "scope": c.scope, "severity": c.severity,
            "params": c.params, "fired_at": None, "resolved_at": None, "acked_by": None, "acked_at": None,
            "state": "firing"}


def _hhmm(ts: float, tz: str) -> str:
    return epoch_to_local_naive(ts, tz).strftime("%H:%M")
