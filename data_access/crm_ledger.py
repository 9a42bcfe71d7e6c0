"""Reads of the CRM for the managers' ledger (poller/ledger.py): changed tickets of every channel, new surveys and
incidents by id, and the same for a past range (``history rebuild``). Rows are coerced one by one
(data_access.tolerant); an unusable row is counted and left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, func, or_, select

from data_access import tolerant as tv
from data_access.base import FetchResult
from data_access.schema import crm
from data_access.ticketing import CrmSource
from domain.clock import utc_naive
from domain.services import Incident
from domain.tickets import CLOSED_STATUSES, SurveyRecord, TicketRecord

IN_CHUNK = 500


@dataclass
class LedgerCursors:
    """The last row id read from the ticket status history, the surveys and the incidents."""

    history: int = 0
    surveys: int = 0
    incidents: int = 0

    NAMES = ("ledger_history", "ledger_surveys", "ledger_incidents")

    def as_saved(self) -> dict[str, int]:
        return dict(zip(self.NAMES, (self.history, self.surveys, self.incidents), strict=True))

    @classmethod
    def from_saved(cls, saved: dict[str, int]) -> "LedgerCursors":
        return cls(*(saved[name] for name in cls.NAMES))


@dataclass
class LedgerBatch:
    tickets: list[TicketRecord] = field(default_factory=list)
    surveys: list[SurveyRecord] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.tickets) + len(self.surveys) + len(self.incidents)


class CrmLedgerSource(CrmSource):
    """The CRM as the ledger reads it."""

    def heads(self) -> FetchResult[LedgerCursors]:
        """The newest row ids now: where a fresh ledger starts following the change feed."""
        def work(conn) -> FetchResult:
            tables = (crm.ticket_status_history, crm.surveys, crm.incidents)
            ids = [conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar() for t in tables]
            return FetchResult(ok=True, data=LedgerCursors(*ids))
        return self._run(work)

    def changes(self, cursors: LedgerCursors, open_incidents: list[int]) -> FetchResult[tuple[LedgerBatch,
                                                                                             LedgerCursors]]:
        """Tickets named by status-history rows after the cursor, new surveys, new or still-open incidents."""
        def work(conn) -> FetchResult:
            h, s, inc, bad = crm.ticket_status_history, crm.surveys, crm.incidents, Counter()
            hist = tv.read_rows(conn, select(h.c.id, h.c.ticket_id).where(h.c.id > cursors.history)
                                .order_by(h.c.id).limit(self.batch_rows))
            ids = sorted({r.ticket_id for r in hist if isinstance(r.ticket_id, int)})
            batch = LedgerBatch(tickets=self._records(conn, ids, bad))
            raw = tv.read_rows(conn, _survey_select().where(s.c.id > cursors.surveys).order_by(s.c.id)
                               .limit(self.batch_rows))
            batch.surveys = self.bad_log.convert(raw, _survey, "surveys", bad)
            cond = inc.c.id > cursors.incidents
            if open_incidents:
                cond = or_(cond, inc.c.id.in_(open_incidents[:IN_CHUNK]))
            incidents = tv.read_rows(conn, _incident_select().where(cond))
            batch.incidents = self.bad_log.convert(incidents, _incident, "incidents", bad)
            new = replace(cursors, history=hist[-1].id if hist else cursors.history,
                          surveys=raw[-1].id if raw else cursors.surveys,
                          incidents=max([cursors.incidents] + [r.id for r in incidents]))
            return FetchResult(ok=True, data=(batch, new), rows=len(hist) + len(raw) + len(incidents), bad=bad)
        return self._run(work)

    def range_batch(self, start_ts: float, end_ts: float, after_id: int = 0) -> FetchResult[tuple[LedgerBatch, int]]:
        """Tickets created or resolved in [start, end), or still open, in id order from ``after_id``
        (``batch_rows`` at a time); with the first chunk, the range's surveys and incidents. data = (batch, last
        ticket id read; ``after_id`` when none is left)."""
        lo, hi = utc_naive(start_ts), utc_naive(end_ts)
        t = crm.tickets
        counts = or_(and_(t.c.created_at >= lo, t.c.created_at < hi),
                     and_(t.c.resolved_at >= lo, t.c.resolved_at < hi),
                     and_(t.c.created_at < hi, t.c.status.not_in(CLOSED_STATUSES)))
        query = _ticket_select().where(counts, t.c.id > after_id).order_by(t.c.id).limit(self.batch_rows)

        def work(conn) -> FetchResult:
            bad = Counter()
            raw = tv.read_rows(conn, query)
            batch = LedgerBatch(tickets=self.bad_log.convert(raw, _ticket, "tickets", bad))
            if after_id == 0:
                s, inc = crm.surveys, crm.incidents
                surveys = tv.read_rows(conn, _survey_select().where(s.c.ts >= lo, s.c.ts < hi))
                batch.surveys = self.bad_log.convert(surveys, _survey, "surveys", bad)
                incidents = tv.read_rows(conn, _incident_select().where(inc.c.opened_at < hi, or_(
                    inc.c.resolved_at.is_(None), inc.c.resolved_at >= lo)))
                batch.incidents = self.bad_log.convert(incidents, _incident, "incidents", bad)
            return FetchResult(ok=True, data=(batch, raw[-1].id if raw else after_id), rows=len(raw), bad=bad)
        return self._run(work)

    def _records(self, conn, ids: list[int], bad: Counter) -> list[TicketRecord]:
        out: list[TicketRecord] = []
        for start in range(0, len(ids), IN_CHUNK):
            query = _ticket_select().where(crm.tickets.c.id.in_(ids[start:start + IN_CHUNK]))
            out += self.bad_log.convert(tv.read_rows(conn, query), _ticket, "tickets", bad)
        return out


def _ticket_select():
    t, tm, o, h = crm.tickets, crm.teams, crm.operators, crm.ticket_status_history
    escalated = (select(func.min(h.c.ts)).where(h.c.ticket_id == t.c.id, h.c.status == "escalated")
                 .scalar_subquery().label("escalated_ts"))
    cols = [tv.raw(c) for c in (t.c.channel, t.c.line, t.c.status, t.c.escalated_to, t.c.first_contact_resolution,
                                t.c.created_at, t.c.first_response_at, t.c.resolved_at, t.c.due_at)]
    return (select(t.c.id, *cols, tv.raw(tm.c.name).label("team"), tv.raw(o.c.member_name).label("member"),
                   escalated)
            .select_from(t.outerjoin(tm, tm.c.id == t.c.team_id).outerjoin(o, o.c.id == t.c.assignee_id)))


def _survey_select():
    s = crm.surveys
    return select(s.c.id, *(tv.raw(c) for c in (s.c.ts, s.c.ticket_id, s.c.channel, s.c.line, s.c.csat,
                                                 s.c.resolved)))


def _incident_select():
    inc = crm.incidents
    return select(inc.c.id, *(tv.raw(c) for c in (inc.c.opened_at, inc.c.resolved_at, inc.c.service_code,
                                                   inc.c.severity, inc.c.title, inc.c.status)))


def _opt_flag(value: object, column: str) -> bool | None:
    return None if value is None else tv.flag(value, column)


def _ticket(row, notes) -> TicketRecord:
    return TicketRecord(
        tv.integer(row.id, "id"), tv.text(row.channel, 20, "channel", notes),
        tv.opt_text(row.line, 80, "line", notes) or "", tv.opt_text(row.team, 200, "team", notes) or "",
        tv.opt_text(row.member, 80, "member_name", notes) or "", tv.text(row.status, 20, "status", notes),
        tv.opt_text(row.escalated_to, 40, "escalated_to", notes) or "",
        _opt_flag(row.first_contact_resolution, "first_contact_resolution"), tv.utc_ts(row.created_at, "created_at"),
        tv.opt_utc_ts(row.first_response_at, "first_response_at"), tv.opt_utc_ts(row.resolved_at, "resolved_at"),
        tv.opt_utc_ts(row.due_at, "due_at"), tv.opt_utc_ts(row.escalated_ts, "escalated_ts"))


def _survey(row, notes) -> SurveyRecord:
    csat = tv.opt_integer(row.csat, "csat")
    if csat is not None and not 1 <= csat <= 5:
        raise tv.BadValue("out_of_range", "csat")
    return SurveyRecord(tv.integer(row.id, "id"), tv.utc_ts(row.ts, "ts"), tv.opt_integer(row.ticket_id, "ticket_id"),
                        tv.text(row.channel, 20, "channel", notes), tv.opt_text(row.line, 80, "line", notes) or "",
                        csat, _opt_flag(row.resolved, "resolved"))


def _incident(row, notes) -> Incident:
    status = tv.text(row.status, 20, "status", notes)
    return Incident(tv.integer(row.id, "id"), tv.utc_ts(row.opened_at, "opened_at"),
                    tv.opt_utc_ts(row.resolved_at, "resolved_at"),
                    tv.opt_text(row.service_code, 40, "service_code", notes),
                    tv.text(row.severity, 10, "severity", notes), tv.text(row.title, 300, "title", notes), status)
