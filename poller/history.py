"""The interval history the poller keeps, and its rebuild from the sources.

- **Live**: after every cycle the 15-minute buckets the cycle changed (and the open interval) of the live counter
  books are upserted, non-final; at the day roll the closed day's intervals and operator days are flushed before
  the books forget them. Cheap: only changed buckets, a few rows a cycle.
- **Settle** (its own job, every few minutes): intervals that closed more than ``HOTLINE_HISTORY_FINAL_AFTER_S``
  ago and are not final yet are rebuilt from the sources and marked final. Late events (a COMPLETE written hours
  after its CONNECT, a ticket's first response entered late) land in their interval this way, and an outage or a
  restart is filled from the sources; rows are replaced by key, never added twice.
- **Rebuild** (``python app.py history rebuild``): whole local days replayed from the sources.

A replay uses the live state machine and counter books (domain.telephony, domain.channels): the range is read a
minute at a time along the sources' time columns, from the lost-call lookback before it, after the operators'
events of the hours before (as the live start-up rebuild does), and its intervals are taken from the books.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, TextIO

from data_access.cursor_repo import CursorRepository
from data_access.history_repo import HistoryRepository
from data_access.ledger_repo import LedgerRepository
from data_access.telephony import QueueLogSource
from data_access.ticketing import CrmSource
from domain.channels import ChannelState, backlog_at_end
from domain.clock import day_add, day_start, local_day, next_day_start
from domain.counters import INTERVAL_S
from domain.history import ChannelInterval, IntervalCounts, OperatorDay, day_bounds
from domain.telephony import TelephonyConfig, TelephonyState
from poller.engine import AGENT_LOOKBACK_S, telephony_config
from poller.ledger import SourceUnavailable, TicketLedger
from settings import Settings

log = logging.getLogger("hotline.history")

SETTLE_EVERY_S = 300.0
REPLAY_WINDOW_S = 60.0        # a replay reads the sources a minute at a time (and flags lost calls as it goes)
OPERATOR_FLUSH_S = 300.0      # today's operator days are written this often by the settle job


def _ok(result):
    if not result.ok:
        raise SourceUnavailable(result.error or "unknown error")
    return result


# -- rows from the counter books -------------------------------------------------------------------------------
def _index_range(day_start_ts: float, start: float, end: float) -> range:
    """Indexes in their day of the intervals that start in [start, end)."""
    return range(int((start - day_start_ts) // INTERVAL_S), int((end - day_start_ts + INTERVAL_S - 1) // INTERVAL_S))


def queue_rows(day_start_ts: float, calls: dict, staff: dict, keys: Iterable[tuple[str, int]]) -> list[IntervalCounts]:
    """Queue intervals (scope, interval index of the day) from a day's call and staffing buckets."""
    out = []
    for scope, index in sorted(keys):
        fields = {**calls.get(scope, {}).get(index, {}), **staff.get(scope, {}).get(index, {})}
        out.append(IntervalCounts.from_counters(scope, int(day_start_ts + index * INTERVAL_S), fields))
    return out


def channel_rows(day_start_ts: float, intervals: dict, base: dict[str, int],
                 keys: Iterable[tuple[str, int]]) -> list[ChannelInterval]:
    """Channel intervals from a day's channel buckets and the backlog at the day's start."""
    out = []
    for scope, index in sorted(keys):
        buckets = intervals.get(scope, {})
        out.append(ChannelInterval.from_counters(scope, int(day_start_ts + index * INTERVAL_S), buckets.get(index, {}),
                                                 backlog_at_end(base.get(scope, 0), buckets, index)))
    return out


def operator_rows(totals: dict, names: Iterable[str], day: str) -> list[OperatorDay]:
    """Operator days of ``names`` from a day's per-operator totals (those with nothing in them left out)."""
    out = []
    for name in sorted(names):
        fields = totals.get(name)
        if fields and any(fields.values()):
            out.append(OperatorDay.from_counters(name, day, fields))
    return out


# -- replays ---------------------------------------------------------------------------------------------------------
@dataclass
class Replayed:
    """What a replay of [start, end) gives: its intervals, and the operator days when it was a whole day."""

    queues: list[IntervalCounts] = field(default_factory=list)
    channels: list[ChannelInterval] = field(default_factory=list)
    operators: list[OperatorDay] = field(default_factory=list)


def replay_telephony(src: QueueLogSource, cfg: TelephonyConfig, start: float, end: float) -> TelephonyState:
    """The state machine after the queue_log rows up to ``end``, read from the lost-call lookback before ``start``
    (contributions before the day of ``start`` fall outside its books)."""
    since = start - max(cfg.lost_after_s, 3600)
    state = TelephonyState(cfg, start)
    state.apply_all(_ok(src.fetch_agent_events(since - AGENT_LOOKBACK_S, since)).data)
    t = since
    while t < end:
        stop = min(t + REPLAY_WINDOW_S, end)
        state.apply_all(_ok(src.fetch_time_range(t, stop)).data)
        state.flag_lost(stop)
        state.book.trim_minutes(stop)
        t = stop
    state.accrue_agents(end)
    return state


def replay_channels(src: CrmSource, targets: dict[str, int], tz: str, start: float, end: float) -> ChannelState:
    """The channel state after every ticket that counts in [start, end), read in id order in bounded chunks."""
    state = ChannelState(targets, tz, start)
    after = 0
    while True:
        result = _ok(src.tickets_for_range(start, end, after))
        tickets, after = result.data
        state.apply(tickets)
        if result.rows < src.batch_rows:
            return state


def replay_range(settings: Settings, tel_src: QueueLogSource, crm_src: CrmSource | None, start: float, end: float,
                 whole_day: bool = False) -> Replayed:
    """Every queue's and channel's intervals of [start, end) (one local day at most) rebuilt from the sources
    (no channels without ``crm_src``)."""
    tel = replay_telephony(tel_src, telephony_config(settings), start, end)
    scopes = {q.name for q in settings.queues()} | tel.queues
    indexes = _index_range(tel.day_start, start, end)
    out = Replayed(queues=queue_rows(tel.day_start, tel.book.intervals, tel.staff_book.intervals,
                                     [(q, i) for q in scopes for i in indexes]))
    if whole_day:
        totals = tel.agent_book.today
        out.operators = operator_rows(totals, totals, local_day(tel.day_start, settings.tz))
    if crm_src is None:
        return out
    channels = replay_channels(crm_src, {c.name: c.target_s for c in settings.channels()}, settings.tz, start, end)
    out.channels = channel_rows(channels.day_start, channels.book.intervals, channels.backlog_base,
                                [(c, i) for c in channels.targets for i in indexes])
    return out


def write_replayed(repo: HistoryRepository, replayed: Replayed, final_before: float) -> None:
    """Write a replay: intervals that closed before ``final_before`` as final, the later ones as live rows."""
    for rows, upsert in ((replayed.queues, repo.upsert_queue_intervals),
                         (replayed.channels, repo.upsert_channel_intervals)):
        upsert([r for r in rows if r.start_ts + INTERVAL_S <= final_before], final=True)
        upsert([r for r in rows if r.start_ts + INTERVAL_S > final_before])
    repo.upsert_operator_days(replayed.operators)


# -- the live keeper ------------------------------------------------------------------------------------------------
class HistoryKeeper:
    """Writes the live engine's intervals after each cycle and settles them from the sources in its own job."""

    def __init__(self, settings: Settings, repo: HistoryRepository, *, telephony: QueueLogSource | None = None,
                 ticketing: CrmSource | None = None, ledger: TicketLedger | None = None) -> None:
        self.s = settings
        self.repo = repo
        self.ledger = ledger  # the CRM's tickets, surveys and incidents for the reports (its own job)
        self.queues = [q.name for q in settings.queues()]
        self.targets = {c.name: c.target_s for c in settings.channels()}
        self.tel_src = telephony or QueueLogSource(settings.url("telephony"), settings.pbx_tz,
                                                   settings.poll_batch_rows, charset=settings.telephony_charset)
        self.crm_src = ticketing or CrmSource(settings.url("ticketing"), settings.poll_batch_rows)
        self._seen: dict[str, tuple[int, float]] = {}  # source -> (state object, its day) at the last cycle
        self._written: dict[tuple, object] = {}  # the last row written live per key: an unchanged one is not
        self._unwritten: tuple[list, list, list] = ([], [], [])  # rows of a write that failed, tried again
        self._operators_at = 0.0

    # -- after each cycle (under the engine's lock) -------------------------------------------------------------
    def after_cycle(self, engine, now: float) -> None:
        """Upsert the intervals the cycle changed (and the open one); flush a closed day first."""
        queues, operators = self._telephony_rows(engine, now)
        queues, channels = self._changed(queues), self._changed(self._channel_rows(engine, now))
        old_queues, old_channels, old_operators = self._unwritten
        rows = (_newest(old_queues + queues), _newest(old_channels + channels), _newest(old_operators + operators))
        try:
            self.repo.write(*rows)
            self._unwritten = ([], [], [])
        except Exception as exc:  # noqa: BLE001 - the app database being down must not stop the live screens
            self._unwritten = rows
            self._written.clear()
            log.error("interval history not written (tried again next cycle): %s", exc)

    def _changed(self, rows: list) -> list:
        """The rows that differ from what this keeper wrote last for their key (remembered for 2 days)."""
        out, written = [], self._written
        for row in rows:
            key = (type(row).__name__, row.scope, row.start_ts)
            if written.get(key) != row:
                written[key] = row
                out.append(row)
        if len(written) > 4 * 96 * (len(self.queues) + len(self.targets) + 8):
            oldest = max(start for _kind, _scope, start in written) - 2 * 86400
            self._written = {k: v for k, v in written.items() if k[2] >= oldest}
        return out

    def _telephony_rows(self, engine, now: float) -> tuple[list[IntervalCounts], list[OperatorDay]]:
        tel = engine.tel
        if tel is None or engine.tel_cursor is None or engine._catching_up:
            return [], []  # nothing read yet, or a half-read day: never written as history
        rows, operators = [], []
        closed = tel.book.closed_day
        if closed is not None:
            if self._seen.get("telephony") == (id(tel), closed[0]):  # a day this keeper saw live, not a rebuild's
                rows, operators = self._closed_telephony(tel, closed[0])
            tel.book.closed_day = tel.staff_book.closed_day = tel.agent_book.closed_day = None
        keys = tel.book.take_touched() | tel.staff_book.take_touched()
        if tel.day_start <= now < tel.next_day:
            index = int((now - tel.day_start) // INTERVAL_S)
            keys |= {(q, index) for q in self.queues}
        rows += queue_rows(tel.day_start, tel.book.intervals, tel.staff_book.intervals, keys)
        self._seen["telephony"] = (id(tel), tel.day_start)
        return rows, operators

    def _closed_telephony(self, tel: TelephonyState, start: float) -> tuple[list[IntervalCounts], list[OperatorDay]]:
        calls, staff = tel.book.closed_day[1], (tel.staff_book.closed_day or (start, {}))[1]
        scopes = set(self.queues) | set(calls) | set(staff)
        keys = [(q, i) for q in scopes for i in _index_range(start, start, tel.day_start)]
        totals = (tel.agent_book.closed_day or (start, {}))[1]
        return queue_rows(start, calls, staff, keys), operator_rows(totals, totals, local_day(start, self.s.tz))

    def _channel_rows(self, engine, now: float) -> list[ChannelInterval]:
        ch = engine.channels
        if ch is None or engine.crm_cursors is None:
            return []
        rows = []
        closed = ch.book.closed_day
        if closed is not None:
            if self._seen.get("ticketing") == (id(ch), closed[0]):
                keys = [(c, i) for c in ch.targets for i in _index_range(closed[0], closed[0], ch.day_start)]
                rows = channel_rows(closed[0], closed[1], ch.closed_backlog_base, keys)
            ch.book.closed_day = None
        keys = {k for k in ch.book.take_touched() if k[0] in ch.targets}
        if ch.day_start <= now < ch.next_day:
            keys |= {(c, int((now - ch.day_start) // INTERVAL_S)) for c in ch.targets}
        rows += channel_rows(ch.day_start, ch.book.intervals, ch.backlog_base, keys)
        self._seen["ticketing"] = (id(ch), ch.day_start)
        return rows

    # -- the settle job ------------------------------------------------------------------------------------------
    def job(self, engine, now: float | None = None) -> None:
        """The scheduler's job: today's operator days, then settle what is due."""
        now = time.time() if now is None else now
        try:
            if now - self._operators_at >= OPERATOR_FLUSH_S:
                self._operators_at = now
                self.repo.upsert_operator_days(self.live_operators(engine))
            self.settle(now)
        except Exception:  # noqa: BLE001 - tried again at the next run
            log.exception("history settle failed")

    def live_operators(self, engine) -> list[OperatorDay]:
        """Today's operator days of the operators whose counters moved since the last call."""
        with engine._lock:
            tel = engine.tel
            if tel is None or engine.tel_cursor is None or engine._catching_up:
                return []
            names = {name for name, _ in tel.agent_book.take_touched()}
            return operator_rows(tel.agent_book.today, names, local_day(tel.day_start, self.s.tz))

    def settle(self, now: float, max_replays: int = 1) -> int:
        """Rebuild from the sources and mark final the intervals closed more than the grace ago; at most
        ``max_replays`` ranges (each within one local day) per call. Returns the intervals made final."""
        cutoff = now - self.s.history_final_after_s
        cutoff -= cutoff % INTERVAL_S
        first = self.repo.coverage()[0]
        start = self.repo.final_until() or day_start(now if first is None else first, self.s.tz)
        settled = replays = 0
        while start < cutoff and replays < max_replays:
            end = min(cutoff, next_day_start(start, self.s.tz))
            count = round((end - start) / INTERVAL_S)
            if self.repo.final_starts(start, end) < count:
                whole = start == day_start(start, self.s.tz) and end == next_day_start(start, self.s.tz)
                crm = None if self.crm_src.check_available() else self.crm_src  # no CRM file: queues only
                write_replayed(self.repo, replay_range(self.s, self.tel_src, crm, start, end, whole), end)
                replays += 1
                settled += count
            self.repo.set_final_until(end)
            start = end
        return settled

    def dispose(self) -> None:
        for source in (self.tel_src, self.crm_src):
            source.dispose()
        if self.ledger is not None:
            self.ledger.dispose()


def _newest(rows: list) -> list:
    """One row per key (scope or name, start or day), the last one given."""
    return list({((r.scope, r.start_ts) if hasattr(r, "start_ts") else (r.name, r.day)): r for r in rows}.values())


# -- the command line -----------------------------------------------------------------------------------------------
def local_days(day_from: str, day_to: str) -> list[str]:
    """The local days from ``day_from`` to ``day_to`` inclusive (YYYY-MM-DD)."""
    days, day = [], day_from
    while day <= day_to:
        days.append(day)
        day = day_add(day, 1)
    return days


def rebuild_days(settings: Settings, repo: HistoryRepository, day_from: str, day_to: str, *, force: bool = False,
                 now: float | None = None, out: TextIO | None = None) -> dict[str, int]:
    """Back-fill or rebuild local days from the sources, day by day; a day already final is skipped unless
    ``force``. Intervals closed more than the grace before ``now`` are written final. Returns counts by outcome."""
    out = sys.stderr if out is None else out  # read at call time: a stream replaced since import is honoured
    now = time.time() if now is None else now
    final_before = now - settings.history_final_after_s
    tel_src = QueueLogSource(settings.url("telephony"), settings.pbx_tz, settings.poll_batch_rows,
                             charset=settings.telephony_charset)
    crm_src: CrmSource | None = CrmSource(settings.url("ticketing"), settings.poll_batch_rows)
    if crm_src.check_available():  # a PBX checked alone (README): its queues are rebuilt, without channels
        out.write(f"note: {crm_src.check_available()}: digital channels left out\n")
        crm_src = None
    ledger = None if crm_src is None else TicketLedger(settings, LedgerRepository(repo.engine),
                                                       CursorRepository(repo.engine))
    days, done = local_days(day_from, day_to), {"rebuilt": 0, "skipped": 0, "rows": 0}
    bar = ProgressBar(len(days), out)
    try:
        for day in days:
            start, end = day_bounds(day, settings.tz)
            if start >= now or (not force and repo.final_starts(start, end) >= round((end - start) / INTERVAL_S)):
                done["skipped"] += 1
                bar.step(day, "skipped")
                continue
            replayed = replay_range(settings, tel_src, crm_src, start, min(end, now), whole_day=end <= now)
            write_replayed(repo, replayed, final_before)
            if ledger is not None:
                ledger.copy_range(start, min(end, now))
            _advance_final_until(repo, start, min(end, final_before))
            done["rebuilt"] += 1
            done["rows"] += len(replayed.queues) + len(replayed.channels) + len(replayed.operators)
            bar.step(day, "rebuilt")
    finally:
        bar.close()
        for source in (tel_src, crm_src, ledger):
            if source is not None:
                source.dispose()
    return done


def _advance_final_until(repo: HistoryRepository, start: float, end: float) -> None:
    """Move the 'final until' mark over [start, end) when the range joins what is final already."""
    if end <= start:
        return
    mark = repo.final_until()
    if mark is None or start <= mark:
        repo.set_final_until(end - end % INTERVAL_S)


class ProgressBar:
    """A one-line progress bar on a terminal stream: days done of all, the last day, seconds per day."""

    def __init__(self, total: int, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.done, self.out, self.clock = total, 0, out, clock
        self.started = clock()

    def step(self, label: str, outcome: str) -> None:
        self.done += 1
        width = 30
        filled = width * self.done // max(self.total, 1)
        rate = (self.clock() - self.started) / self.done
        self.out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {label} {outcome:8} "
                       f"{rate:6.1f} s/day")
        self.out.flush()

    def close(self) -> None:
        if self.done:
            self.out.write("\n")
            self.out.flush()


def status_lines(repo: HistoryRepository, tz: str) -> list[str]:
    """``python app.py history status``: what the history holds."""
    first, last = repo.coverage()
    final = repo.final_until()

    def when(ts: float | None) -> str:
        return "—" if ts is None else f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(ts))} UTC ({local_day(ts, tz)})"

    lines = [f"coverage: {when(first)} .. {when(last)}", f"final until: {when(final)}"]
    lines += [f"{table}: {rows} rows" for table, rows in repo.row_counts().items()]
    return lines
