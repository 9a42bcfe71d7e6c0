"""Adapter for the CRM database: changed tickets, service checks and incidents, read incrementally by id.

Every row is read raw and coerced on its own (data_access.tolerant): a row that cannot be used is counted in the
result's ``bad`` and left out, and its neighbours are read as if it were not there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import func, or_, select, text

from data_access import tolerant as tv
from data_access.base import FetchResult, SourceAdapter, describe_error
from data_access.schema import crm
from domain.channels import TicketFacts
from domain.clock import utc_naive
from domain.services import Incident, ServiceCheck
from domain.snapshot import OperatorInfo

IN_CHUNK = 500
CLOSED = ("resolved", "closed")


@dataclass
class CrmCursors:
    """The last row id read from each append-only CRM table."""

    history: int = 0
    checks: int = 0
    incidents: int = 0


@dataclass
class CrmBatch:
    tickets: list[TicketFacts] = field(default_factory=list)
    checks: list[ServiceCheck] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)


@dataclass
class Directory:
    """Reference data that changes rarely: operators by queue member name, portal services."""

    operators: dict[str, OperatorInfo] = field(default_factory=dict)
    services: list[tuple[str, str, str, str | None]] = field(default_factory=list)


def _ts(value: object, column: str, until: float | None = None) -> float | None:
    """A nullable naive-UTC column as an epoch; a time after ``until`` did not happen yet (replays)."""
    ts = tv.opt_utc_ts(value, column)
    return None if ts is None or until is not None and ts > until else ts


class CrmSource(SourceAdapter):
    """Reads the hotline CRM. Tickets are re-read when a status-history row names them."""

    name = "ticketing"

    def __init__(self, url: str, batch_rows: int = 20000) -> None:
        super().__init__(url)
        self.batch_rows = batch_rows
        self.bad_log = tv.BadRowLog(self.name)

    def _rows(self, conn, query, convert, table: str, bad: Counter) -> list:
        """The rows of ``query`` (raw columns) converted one by one; bad ones counted in ``bad``."""
        return self.bad_log.convert(tv.read_rows(conn, query), convert, table, bad)

    def test_connection(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001
            return describe_error(exc)
        return None

    def _run(self, work) -> FetchResult:
        problem = self.check_available()
        if problem:
            return FetchResult.failed(problem)
        try:
            with self.engine.connect() as conn:
                return work(conn)
        except Exception as exc:  # noqa: BLE001 - errors are data
            return FetchResult.failed(describe_error(exc))

    def load_directory(self) -> FetchResult[Directory]:
        """Operators with a queue member name, and the portal services."""
        def work(conn) -> FetchResult[Directory]:
            o, t, ps, bad = crm.operators, crm.teams, crm.portal_services, Counter()
            query = (select(o.c.id, o.c.member_name, o.c.full_name, t.c.code.label("team"), t.c.name.label("tname"))
                     .join(t, t.c.id == o.c.team_id).where(o.c.member_name.is_not(None), o.c.status != "terminated"))
            operators = self._rows(conn, query, _operator, "operators", bad)
            services = self._rows(conn, select(ps.c.code, ps.c.name_ru, ps.c.name_en, ps.c.line), _service,
                                  "portal_services", bad)
            ops = {op.member_name: op for op in operators}
            return FetchResult(ok=True, data=Directory(ops, services), rows=len(operators), bad=bad)
        return self._run(work)

    def rebuild(self, since_ts: float, until_ts: float | None = None,
                checks_since_ts: float | None = None) -> FetchResult[tuple[CrmBatch, CrmCursors]]:
        """Today's digital tickets plus every still-unanswered one, recent checks, open and today's incidents."""
        def work(conn) -> FetchResult:
            cursors = CrmCursors(
                history=conn.execute(select(func.coalesce(func.max(crm.ticket_status_history.c.id), 0))).scalar(),
                checks=conn.execute(select(func.coalesce(func.max(crm.service_checks.c.id), 0))).scalar(),
                incidents=conn.execute(select(func.coalesce(func.max(crm.incidents.c.id), 0))).scalar())
            tk, bad = crm.tickets, Counter()
            since = utc_naive(since_ts)
            open_cond = (tk.c.first_response_at.is_(None)) & (tk.c.status.not_in(CLOSED))
            query = _ticket_select().where(or_(tk.c.created_at >= since, open_cond))
            if until_ts is not None:
                query = query.where(tk.c.created_at <= utc_naive(until_ts))
            batch = CrmBatch(tickets=self._rows(conn, query, _ticket_until(until_ts), "tickets", bad))
            ck = crm.service_checks
            check_q = _raw(ck).where(ck.c.ts >= utc_naive(checks_since_ts or since_ts)).order_by(ck.c.id)
            if until_ts is not None:
                check_q = check_q.where(ck.c.ts <= utc_naive(until_ts))
            batch.checks = self._rows(conn, check_q, _check, "service_checks", bad)
            inc = crm.incidents
            inc_q = _raw(inc).where(or_(inc.c.status != "resolved", inc.c.opened_at >= since))
            if until_ts is not None:
                inc_q = inc_q.where(inc.c.opened_at <= utc_naive(until_ts))
            batch.incidents = self._rows(conn, inc_q, _incident_until(until_ts), "incidents", bad)
            rows = len(batch.tickets) + len(batch.checks) + len(batch.incidents)
            return FetchResult(ok=True, data=(batch, cursors), rows=rows, bad=bad)
        return self._run(work)

    def fetch_new(self, cursors: CrmCursors, open_incidents: list[int]) -> FetchResult[tuple[CrmBatch, CrmCursors]]:
        """Tickets changed since the cursor, new service checks, new or still-open incidents."""
        def work(conn) -> FetchResult:
            h, bad = crm.ticket_status_history, Counter()
            raw_hist = tv.read_rows(conn, _raw(h, "id", "ticket_id", "ts").where(h.c.id > cursors.history)
                                    .order_by(h.c.id).limit(self.batch_rows))
            hist = self.bad_log.convert(raw_hist, _history, "ticket_status_history", bad)
            # The cursors move past every row read: used, or counted as bad.
            new = replace(cursors, history=raw_hist[-1].id if raw_hist else cursors.history)
            batch = CrmBatch(tickets=self._tickets(conn, sorted({ticket for ticket, _ts in hist}), bad))
            ck = crm.service_checks
            checks = tv.read_rows(conn, _raw(ck).where(ck.c.id > cursors.checks).order_by(ck.c.id)
                                  .limit(self.batch_rows))
            batch.checks = self.bad_log.convert(checks, _check, "service_checks", bad)
            new.checks = checks[-1].id if checks else cursors.checks
            inc = crm.incidents
            cond = inc.c.id > cursors.incidents
            if open_incidents:
                cond = or_(cond, inc.c.id.in_(open_incidents[:IN_CHUNK]))
            incidents = tv.read_rows(conn, _raw(inc).where(cond))
            batch.incidents = self.bad_log.convert(incidents, _incident_until(None), "incidents", bad)
            new.incidents = max([cursors.incidents] + [r.id for r in incidents])
            newest = max((ts for _ticket, ts in hist), default=None)
            return FetchResult(ok=True, data=(batch, new), rows=len(raw_hist) + len(checks), bad=bad,
                               newest_ts=newest)
        return self._run(work)

    def tickets_for_range(self, start_ts: float, end_ts: float, after_id: int = 0,
                          limit: int | None = None) -> FetchResult[tuple[list[TicketFacts], int]]:
        """Digital tickets that count in [start_ts, end_ts): created in it, answered or resolved in it, or still
        waiting at its start; in id order from ``after_id``, ``limit`` rows at a time. data = (tickets, last id read;
        ``after_id`` when none is left)."""
        tk = crm.tickets
        start = utc_naive(start_ts)
        waiting = tk.c.first_response_at.is_(None) & tk.c.resolved_at.is_(None) & tk.c.status.not_in(CLOSED)
        cond = (tk.c.created_at < utc_naive(end_ts)) & or_(
            tk.c.created_at >= start, tk.c.first_response_at >= start, tk.c.resolved_at >= start, waiting)
        query = _ticket_select().where(cond, tk.c.id > after_id).order_by(tk.c.id).limit(limit or self.batch_rows)

        def work(conn) -> FetchResult:
            bad = Counter()
            raw = tv.read_rows(conn, query)
            tickets = self.bad_log.convert(raw, _ticket_until(None), "tickets", bad)
            return FetchResult(ok=True, data=(tickets, raw[-1].id if raw else after_id), rows=len(raw), bad=bad)
        return self._run(work)

    def _tickets(self, conn, ids: list[int], bad: Counter) -> list[TicketFacts]:
        out: list[TicketFacts] = []
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            out += self._rows(conn, _ticket_select().where(crm.tickets.c.id.in_(chunk)), _ticket_until(None),
                              "tickets", bad)
        return out


def _raw(table, *names: str):
    """SELECT of ``table``'s columns (or those named) as the driver gives them: each row is coerced by hand."""
    return select(*(tv.raw(c) for c in table.c if not names or c.name in names))


def _ticket_select():
    tk = crm.tickets
    return _raw(tk, "id", "channel", "created_at", "first_response_at", "status", "resolved_at", "due_at") \
        .where(tk.c.channel != "phone")


def _history(row, _notes) -> tuple[int, float]:
    return tv.integer(row.ticket_id, "ticket_id"), tv.utc_ts(row.ts, "ts")


def _ticket_until(until: float | None):
    def convert(row, notes) -> TicketFacts:
        resolved = _ts(row.resolved_at, "resolved_at", until)
        status = tv.text(row.status, 20, "status", notes)
        closed = status in CLOSED if until is None else resolved is not None
        return TicketFacts(row.id, tv.text(row.channel, 20, "channel", notes), tv.utc_ts(row.created_at, "created_at"),
                           _ts(row.first_response_at, "first_response_at", until), closed, resolved,
                           _ts(row.due_at, "due_at"))
    return convert


def _check(row, notes) -> ServiceCheck:
    return ServiceCheck(tv.text(row.service_code, 40, "service_code", notes), tv.utc_ts(row.ts, "ts"),
                        tv.flag(row.ok, "ok"), tv.opt_integer(row.latency_ms, "latency_ms"),
                        tv.opt_text(row.error, 300, "error", notes))


def _incident_until(until: float | None):
    def convert(row, notes) -> Incident:
        resolved = _ts(row.resolved_at, "resolved_at", until)
        status = tv.text(row.status, 20, "status", notes)
        status = status if until is None else ("resolved" if resolved is not None else "open")
        return Incident(row.id, tv.utc_ts(row.opened_at, "opened_at"), resolved,
                        tv.opt_text(row.service_code, 40, "service_code", notes),
                        tv.text(row.severity, 10, "severity", notes), tv.text(row.title, 300, "title", notes), status)
    return convert


def _operator(row, notes) -> OperatorInfo:
    return OperatorInfo(row.id, tv.text(row.member_name, 80, "member_name", notes),
                        tv.text(row.full_name, 200, "full_name", notes), tv.text(row.team, 40, "team", notes),
                        tv.text(row.tname, 200, "team name", notes))


def _service(row, notes) -> tuple[str, str, str, str | None]:
    return (tv.text(row.code, 40, "code", notes), tv.text(row.name_ru, 200, "name_ru", notes),
            tv.text(row.name_en, 200, "name_en", notes), tv.opt_text(row.line, 80, "line", notes))
