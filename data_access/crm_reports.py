"""The SLA report's reads of the CRM (read-only): FCR and survey counts per group, and the written appeals.

Two aggregate queries (tickets resolved and surveys answered in a period, grouped by channel, line, team and
operator) and one read of the written appeals (e-mail and app-form tickets that arrived in the period or are still
open). Results are kept for ``ttl_s`` per period, so managers opening the same month do not read the CRM again: its
load does not grow with the number of viewers.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Callable

from sqlalchemy import Engine, and_, case, func, or_, select

from data_access import tolerant as tv
from data_access.base import FetchResult, describe_error
from data_access.engines import make_engine, sqlite_path
from data_access.schema import crm
from domain.clock import utc_naive
from domain.sla import Appeal, QualityRow

APPEAL_CHANNELS = ("email", "app")
OPEN_STATUSES = ("new", "open", "escalated")
MAX_APPEALS = 200_000


class CrmReports:
    """FCR, CSAT and written appeals from the CRM, cached per period."""

    def __init__(self, url: str, ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.ttl_s = ttl_s
        self.clock = clock
        self._engine: Engine | None = None
        self._cache: dict[tuple, tuple[float, FetchResult]] = {}
        self._lock = threading.Lock()
        self.log = tv.BadRowLog("ticketing")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url, read_only=True)
        return self._engine

    def _cached(self, key: tuple, read: Callable[[], FetchResult]) -> FetchResult:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self.ttl_s:
                return hit[1]
        missing = sqlite_path(self.url)
        try:
            if missing is not None and not os.path.exists(missing):  # never create a source database
                result = FetchResult.failed(f"database file {missing} does not exist")
            else:
                result = read()
        except Exception as exc:  # noqa: BLE001 - errors are data: the page shows "—" and says why
            result = FetchResult.failed(describe_error(exc))
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self.ttl_s}
            self._cache[key] = (now, result)
        return result

    def quality(self, start_ts: float, end_ts: float) -> FetchResult[list[QualityRow]]:
        """Tickets resolved and surveys answered in [start, end), per channel, line, team and operator."""
        return self._cached(("quality", start_ts, end_ts), lambda: self._quality(start_ts, end_ts))

    def appeals(self, start_ts: float, end_ts: float) -> FetchResult[list[Appeal]]:
        """Written appeals that arrived in [start, end) and every one still open."""
        return self._cached(("appeals", start_ts, end_ts), lambda: self._appeals(start_ts, end_ts))

    def _quality(self, start_ts: float, end_ts: float) -> FetchResult[list[QualityRow]]:
        t, o, tm, s = crm.tickets, crm.operators, crm.teams, crm.surveys
        lo, hi = utc_naive(start_ts), utc_naive(end_ts)
        keys = (t.c.channel, t.c.line, tm.c.name, o.c.member_name)
        joined = t.outerjoin(o, o.c.id == t.c.assignee_id).outerjoin(tm, tm.c.id == t.c.team_id)
        resolved = (select(*keys, func.count().label("resolved"),
                           func.sum(case((t.c.first_contact_resolution.is_(True), 1), else_=0)).label("fcr"))
                    .select_from(joined).where(t.c.resolved_at >= lo, t.c.resolved_at < hi).group_by(*keys))
        skeys = (s.c.channel, func.coalesce(s.c.line, t.c.line), tm.c.name, o.c.member_name)
        surveyed = (select(*skeys, func.count().label("surveys"), func.sum(s.c.csat).label("csat_sum"),
                           func.sum(case((s.c.csat >= 4, 1), else_=0)).label("csat_top"),
                           func.count(s.c.resolved).label("survey_resolved_answers"),
                           func.sum(case((s.c.resolved.is_(True), 1), else_=0)).label("survey_resolved_yes"))
                    .select_from(s.outerjoin(joined, t.c.id == s.c.ticket_id))
                    .where(s.c.ts >= lo, s.c.ts < hi).group_by(*skeys))
        bad: Counter = Counter()
        with self.engine.connect() as conn:
            rows = [*tv.read_rows(conn, resolved), *tv.read_rows(conn, surveyed)]
        out = self.log.convert(rows, _quality_row, "tickets", bad)
        return FetchResult(ok=True, data=out, rows=len(out), bad=bad)

    def _appeals(self, start_ts: float, end_ts: float) -> FetchResult[list[Appeal]]:
        t = crm.tickets
        cols = (t.c.id, t.c.channel, tv.raw(t.c.created_at), tv.raw(t.c.first_response_at), tv.raw(t.c.resolved_at))
        arrived = and_(t.c.created_at >= utc_naive(start_ts), t.c.created_at < utc_naive(end_ts))
        query = (select(*cols).where(t.c.channel.in_(APPEAL_CHANNELS), or_(arrived, t.c.status.in_(OPEN_STATUSES)))
                 .order_by(t.c.id).limit(MAX_APPEALS))
        bad: Counter = Counter()
        with self.engine.connect() as conn:
            rows = tv.read_rows(conn, query)
        out = self.log.convert(rows, _appeal, "tickets", bad)
        return FetchResult(ok=True, data=out, rows=len(out), bad=bad)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _quality_row(row, notes: list) -> QualityRow:
    channel, line, team, member, *values = row
    names = ("resolved", "fcr") if len(values) == 2 else ("surveys", "csat_sum", "csat_top",
                                                           "survey_resolved_answers", "survey_resolved_yes")
    counts = {n: float(v or 0) for n, v in zip(names, values, strict=True)}
    return QualityRow(tv.text(channel, 20, "channel", notes), tv.text(line, 80, "line", notes),
                      tv.text(team, 200, "team", notes), tv.text(member, 80, "member_name", notes), counts)


def _appeal(row, notes: list) -> Appeal:
    return Appeal(tv.integer(row.id, "id"), tv.text(row.channel, 20, "channel", notes),
                  tv.utc_ts(row.created_at, "created_at"), tv.opt_utc_ts(row.first_response_at, "first_response_at"),
                  tv.opt_utc_ts(row.resolved_at, "resolved_at"))
