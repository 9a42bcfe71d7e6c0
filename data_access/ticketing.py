"""Adapter for the CRM database: changed tickets, service checks and incidents, read incrementally by id."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, or_, select, text

from data_access.base import FetchResult, SourceAdapter, describe_error
from data_access.schema import crm
from domain.channels import TicketFacts
from domain.clock import from_utc_naive, utc_naive
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


def _ts(value: datetime | None, until: float | None = None) -> float | None:
    """A naive-UTC column as an epoch; a time after ``until`` did not happen yet (replays)."""
    if value is None:
        return None
    ts = from_utc_naive(value)
    return None if until is not None and ts > until else ts


class CrmSource(SourceAdapter):
    """Reads the hotline CRM. Tickets are re-read when a status-history row names them."""

    name = "ticketing"

    def __init__(self, url: str, batch_rows: int = 20000) -> None:
        super().__init__(url)
        self.batch_rows = batch_rows

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
            o, t = crm.operators, crm.teams
            rows = conn.execute(select(o.c.id, o.c.member_name, o.c.full_name, t.c.code, t.c.name)
                                .join(t, t.c.id == o.c.team_id)
                                .where(o.c.member_name.is_not(None), o.c.status != "terminated")).all()
            services = conn.execute(select(crm.portal_services.c.code, crm.portal_services.c.name_ru,
                                           crm.portal_services.c.name_en, crm.portal_services.c.line)).all()
            ops = {r[1]: OperatorInfo(r[0], r[1], r[2], r[3], r[4]) for r in rows}
            return FetchResult(ok=True, data=Directory(ops, [tuple(s) for s in services]), rows=len(rows))
        return self._run(work)

    def rebuild(self, since_ts: float, until_ts: float | None = None,
                checks_since_ts: float | None = None) -> FetchResult[tuple[CrmBatch, CrmCursors]]:
        """Today's digital tickets plus every still-unanswered one, recent checks, open and today's incidents."""
        def work(conn) -> FetchResult:
            cursors = CrmCursors(
                history=conn.execute(select(func.coalesce(func.max(crm.ticket_status_history.c.id), 0))).scalar(),
                checks=conn.execute(select(func.coalesce(func.max(crm.service_checks.c.id), 0))).scalar(),
                incidents=conn.execute(select(func.coalesce(func.max(crm.incidents.c.id), 0))).scalar())
            tk = crm.tickets
            since = utc_naive(since_ts)
            open_cond = (tk.c.first_response_at.is_(None)) & (tk.c.status.not_in(CLOSED))
            query = _ticket_select().where(or_(tk.c.created_at >= since, open_cond))
            if until_ts is not None:
                query = query.where(tk.c.created_at <= utc_naive(until_ts))
            batch = CrmBatch(tickets=[_ticket(r, until_ts) for r in conn.execute(query)])
            ck = crm.service_checks
            check_q = select(ck).where(ck.c.ts >= utc_naive(checks_since_ts or since_ts)).order_by(ck.c.id)
            if until_ts is not None:
                check_q = check_q.where(ck.c.ts <= utc_naive(until_ts))
            batch.checks = [_check(r) for r in conn.execute(check_q)]
            inc = crm.incidents
            inc_q = select(inc).where(or_(inc.c.status != "resolved", inc.c.opened_at >= since))
            if until_ts is not None:
                inc_q = inc_q.where(inc.c.opened_at <= utc_naive(until_ts))
            batch.incidents = [_incident(r, until_ts) for r in conn.execute(inc_q)]
            rows = len(batch.tickets) + len(batch.checks) + len(batch.incidents)
            return FetchResult(ok=True, data=(batch, cursors), rows=rows)
        return self._run(work)

    def fetch_new(self, cursors: CrmCursors, open_incidents: list[int]) -> FetchResult[tuple[CrmBatch, CrmCursors]]:
        """Tickets changed since the cursor, new service checks, new or still-open incidents."""
        def work(conn) -> FetchResult:
            h = crm.ticket_status_history
            hist = conn.execute(select(h.c.id, h.c.ticket_id, h.c.ts).where(h.c.id > cursors.history)
                                .order_by(h.c.id).limit(self.batch_rows)).all()
            new = replace(cursors, history=hist[-1][0] if hist else cursors.history)
            batch = CrmBatch(tickets=self._tickets(conn, sorted({r[1] for r in hist})))
            ck = crm.service_checks
            checks = conn.execute(select(ck).where(ck.c.id > cursors.checks).order_by(ck.c.id)
                                  .limit(self.batch_rows)).all()
            batch.checks = [_check(r) for r in checks]
            new.checks = checks[-1].id if checks else cursors.checks
            inc = crm.incidents
            cond = inc.c.id > cursors.incidents
            if open_incidents:
                cond = or_(cond, inc.c.id.in_(open_incidents[:IN_CHUNK]))
            batch.incidents = [_incident(r) for r in conn.execute(select(inc).where(cond))]
            new.incidents = max([cursors.incidents] + [i.id for i in batch.incidents])
            newest = max((from_utc_naive(r[2]) for r in hist), default=None)
            return FetchResult(ok=True, data=(batch, new), rows=len(hist) + len(checks), newest_ts=newest)
        return self._run(work)

    @staticmethod
    def _tickets(conn, ids: list[int]) -> list[TicketFacts]:
        out: list[TicketFacts] = []
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            out += [_ticket(r) for r in conn.execute(_ticket_select().where(crm.tickets.c.id.in_(chunk)))]
        return out


def _ticket_select():
    tk = crm.tickets
    return select(tk.c.id, tk.c.channel, tk.c.created_at, tk.c.first_response_at, tk.c.status,
                  tk.c.resolved_at).where(tk.c.channel != "phone")


def _ticket(row, until: float | None = None) -> TicketFacts:
    resolved = _ts(row.resolved_at, until)
    closed = row.status in CLOSED if until is None else resolved is not None
    return TicketFacts(row.id, row.channel, from_utc_naive(row.created_at), _ts(row.first_response_at, until), closed)


def _check(row) -> ServiceCheck:
    return ServiceCheck(row.service_code, from_utc_naive(row.ts), bool(row.ok), row.latency_ms, row.error)


def _incident(row, until: float | None = None) -> Incident:
    resolved = _ts(row.resolved_at, until)
    status = row.status if until is None else ("resolved" if resolved is not None else "open")
    return Incident(row.id, from_utc_naive(row.opened_at), resolved, row.service_code, row.severity, row.title,
                    status)
