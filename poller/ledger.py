"""The poller's copy of the CRM for the managers' reports: tickets of every channel, surveys and portal incidents
(data_access/ledger_repo.py), so that the SLA page reads only the app database.

- **Follow**: every run reads the CRM's change feed after its cursors (ticket status history, surveys, incidents by
  id), upserts what it names and makes the FCR and survey counts of the local days it touched again. The cursors
  are saved after the rows are written, and a row read twice is one row: a restart or two pollers overlapping
  briefly count nothing twice.
- **Start**: with no cursors saved, the ledger starts at the CRM's newest ids after copying today's tickets, every
  open one, today's surveys and the open incidents.
- **Rebuild** (``python app.py history rebuild`` and the demo's back-fill): a local day's tickets, surveys and
  incidents copied from the CRM, and the day's counts made again.
"""

from __future__ import annotations

import logging
import time

from data_access.crm_ledger import CrmLedgerSource, LedgerBatch, LedgerCursors
from data_access.cursor_repo import CursorRepository
from data_access.ledger_repo import LedgerRepository
from domain.clock import day_start, local_day
from settings import Settings

log = logging.getLogger("hotline.ledger")

LEDGER_EVERY_S = 30.0       # how often the poller follows the CRM's change feed for the reports
MAX_BATCHES = 20            # a run reads at most this many batches; the rest waits for the next run
KEEP_DAYS = 40              # ordinary resolved tickets and surveys are kept this long (their days' counts stay)


class SourceUnavailable(RuntimeError):
    """A source could not be read during a replay or a copy: nothing more of the range is written."""


def touched_days(batch: LedgerBatch, tz: str) -> set[str]:
    """The local days whose FCR or survey counts a batch may change."""
    days = {local_day(t.resolved_ts, tz) for t in batch.tickets if t.resolved_ts is not None}
    return days | {local_day(s.ts, tz) for s in batch.surveys}


class TicketLedger:
    """Keeps the ledger tables and the daily quality counts in step with the CRM."""

    def __init__(self, settings: Settings, repo: LedgerRepository, cursors: CursorRepository,
                 source: CrmLedgerSource | None = None) -> None:
        self.s = settings
        self.repo = repo
        self.cursors = cursors
        self.src = source or CrmLedgerSource(settings.url("ticketing"), settings.poll_batch_rows)
        self._pruned_day = ""

    def job(self, now: float | None = None) -> int:
        """The scheduler's job: follow the change feed; returns rows copied (errors are logged, tried again)."""
        now = time.time() if now is None else now
        try:
            copied = self.follow(now)
            if self._pruned_day != local_day(now, self.s.tz):
                self._pruned_day = local_day(now, self.s.tz)
                self.repo.prune(now - KEEP_DAYS * 86400)
            return copied
        except SourceUnavailable as exc:
            log.warning("ledger: CRM not read (tried again): %s", exc)
        except Exception:  # noqa: BLE001 - the app database may be away; the next run tries again
            log.exception("ledger run failed")
        return 0

    def follow(self, now: float) -> int:
        """Copy what changed in the CRM since the saved cursors (start the ledger when none are saved)."""
        if self.src.check_available():
            return 0  # no CRM (a PBX checked alone): nothing to follow
        saved = self.cursors.load(LedgerCursors.NAMES)
        if saved is None:
            return self.start(now)
        cursors, copied = LedgerCursors.from_saved(saved), 0
        for _ in range(MAX_BATCHES):
            result = self.src.changes(cursors, self.repo.open_incident_ids())
            if not result.ok:
                raise SourceUnavailable(result.error)
            batch, new = result.data
            self.write(batch, since_day=local_day(now - (KEEP_DAYS - 1) * 86400, self.s.tz))
            self.cursors.save(_forward(cursors, new).as_saved())
            copied += batch.rows
            if new == cursors or result.rows < self.src.batch_rows:
                break
            cursors = new
        return copied

    def start(self, now: float) -> int:
        """A fresh ledger: today's and the open tickets, today's surveys and incidents; then the feed's heads."""
        heads = self.src.heads()
        if not heads.ok:
            raise SourceUnavailable(heads.error)
        copied = self.copy_range(day_start(now, self.s.tz), now)
        self.cursors.save(heads.data.as_saved())
        return copied

    def copy_range(self, start: float, end: float) -> int:
        """Copy the tickets created, resolved or open in [start, end), its surveys and incidents; remake the
        counts of the days touched. Returns rows copied."""
        after, copied = 0, 0
        while True:
            result = self.src.range_batch(start, end, after)
            if not result.ok:
                raise SourceUnavailable(result.error)
            batch, last = result.data
            self.write(batch, extra_days={local_day(start, self.s.tz)} if after == 0 else set())
            copied += batch.rows
            if last == after or result.rows < self.src.batch_rows:
                return copied
            after = last

    def write(self, batch: LedgerBatch, extra_days: set[str] = frozenset(), since_day: str = "") -> None:
        """Upsert a batch and make again the quality counts of the days it touched from ``since_day`` on (the
        change feed leaves older days as they are: their ordinary tickets may be pruned from the ledger already,
        and counting again without them would lose them)."""
        self.repo.upsert_tickets(batch.tickets)
        self.repo.upsert_surveys(batch.surveys)
        self.repo.upsert_incidents(batch.incidents)
        for day in sorted(touched_days(batch, self.s.tz) | set(extra_days)):
            if day >= since_day:
                self.repo.rebuild_quality_day(day, self.s.tz)

    def dispose(self) -> None:
        self.src.dispose()


def _forward(old: LedgerCursors, new: LedgerCursors) -> LedgerCursors:
    """Cursors only move forward (a poller that read before another one wrote cannot move them back)."""
    return LedgerCursors(max(old.history, new.history), max(old.surveys, new.surveys),
                         max(old.incidents, new.incidents))
