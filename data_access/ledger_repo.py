"""The managers' ledger in the app database: tickets, surveys and portal incidents copied from the CRM by the
poller (poller/ledger.py), FCR and survey counts per local day, and the SLA report's reads of them.

Writes are upserts by the CRM's own ids (a ticket read twice, by two pollers or a rebuild, is one row); a day's
quality counts are replaced whole, made again from the ledger.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Engine, and_, case, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.schema.appdb import history_quality as HQ
from data_access.schema.appdb import ledger_incidents as LI
from data_access.schema.appdb import ledger_surveys as LS
from data_access.schema.appdb import ledger_tickets as LT
from domain.history import day_bounds
from domain.services import Incident
from domain.sla import QUALITY_FIELDS, Appeal, QualityRow
from domain.tickets import APPEAL_CHANNELS, CLOSED_STATUSES, TicketRecord, appeal_of

WRITE_CHUNK = 500
MAX_ROWS = 200_000   # a report's list reads stop here (the page says how many it shows)


def _int(ts: float | None) -> int | None:
    return None if ts is None else int(ts)


class LedgerRepository:
    """Reads and writes the ledger tables and ``history_quality``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- writes ------------------------------------------------------------------------------------------------
    def _upsert(self, table, rows: list[dict], key: str = "id") -> int:
        if not rows:
            return 0
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=[key], set_={
            c.name: stmt.excluded[c.name] for c in table.c if c.name != key})
        rows = list({r[key]: r for r in rows}.values())  # one row per id: the last one read
        with self.engine.begin() as conn:
            for start in range(0, len(rows), WRITE_CHUNK):
                conn.execute(stmt, rows[start:start + WRITE_CHUNK])
        return len(rows)

    def upsert_tickets(self, tickets: Iterable[TicketRecord]) -> int:
        return self._upsert(LT, [{**t.__dict__, **{k: _int(getattr(t, k)) for k in (
            "created_ts", "first_response_ts", "resolved_ts", "due_ts", "escalated_ts")}} for t in tickets])

    def upsert_surveys(self, surveys: Iterable) -> int:
        return self._upsert(LS, [{**s.__dict__, "ts": int(s.ts)} for s in surveys])

    def upsert_incidents(self, incidents: Iterable[Incident]) -> int:
        return self._upsert(LI, [{"id": i.id, "opened_ts": int(i.opened_at), "resolved_ts": _int(i.resolved_at),
                                  "service_code": i.service, "severity": i.severity, "title": i.title}
                                 for i in incidents])

    def rebuild_quality_day(self, day: str, tz: str) -> int:
        """Make ``day``'s FCR and survey counts again from the ledger (tickets resolved and surveys answered in
        it); returns the groups written."""
        start, end = (int(x) for x in day_bounds(day, tz))
        keys = ("channel", "line", "team", "member")
        groups: dict[tuple, dict[str, int]] = {}
        with self.engine.begin() as conn:
            for row in conn.execute(_resolved_sql(start, end)).mappings():
                groups.setdefault(tuple(row[k] for k in keys), {}).update(resolved=row["resolved"], fcr=row["fcr"])
            for row in conn.execute(_surveyed_sql(start, end)).mappings():
                groups.setdefault(tuple(row[k] for k in keys), {}).update(
                    {f: row[f] or 0 for f in QUALITY_FIELDS[2:]})
            conn.execute(delete(HQ).where(HQ.c.day == day))
            values = [{"day": day, **dict(zip(keys, key, strict=True)), **{f: int(c.get(f) or 0)
                                                                          for f in QUALITY_FIELDS}}
                      for key, c in groups.items()]
            for start_at in range(0, len(values), WRITE_CHUNK):
                conn.execute(insert(HQ), values[start_at:start_at + WRITE_CHUNK])
        return len(groups)

    def prune(self, before_ts: float) -> int:
        """Forget ordinary tickets resolved before ``before_ts`` and surveys answered before it (their days'
        counts stay); written appeals and escalated tickets are kept for the reports' periods."""
        keep = or_(LT.c.channel.in_(APPEAL_CHANNELS), LT.c.escalated_to != "")
        with self.engine.begin() as conn:
            gone = conn.execute(delete(LT).where(LT.c.resolved_ts < int(before_ts), ~keep)).rowcount
            gone += conn.execute(delete(LS).where(LS.c.ts < int(before_ts))).rowcount
        return gone

    # -- the report's reads --------------------------------------------------------------------------------------
    def quality(self, day_from: str, day_to: str) -> list[QualityRow]:
        """FCR and survey counts of the local days ``day_from`` to ``day_to`` per channel, line, team, operator."""
        keys = (HQ.c.channel, HQ.c.line, HQ.c.team, HQ.c.member)
        query = (select(*keys, *(func.sum(HQ.c[f]).label(f) for f in QUALITY_FIELDS))
                 .where(HQ.c.day >= day_from, HQ.c.day <= day_to).group_by(*keys))
        with self.engine.connect() as conn:
            return [QualityRow(r.channel, r.line, r.team, r.member, {f: float(r._mapping[f] or 0)
                                                                     for f in QUALITY_FIELDS})
                    for r in conn.execute(query)]

    def appeals(self, start_ts: float, end_ts: float) -> list[Appeal]:
        """Written appeals that arrived in [start, end) and every one still open."""
        arrived = and_(LT.c.created_ts >= int(start_ts), LT.c.created_ts < int(end_ts))
        query = (select(LT).where(LT.c.channel.in_(APPEAL_CHANNELS), or_(arrived, LT.c.status.not_in(
            CLOSED_STATUSES))).order_by(LT.c.id).limit(MAX_ROWS))
        return [appeal_of(t) for t in self._tickets(query)]

    def open_tickets(self) -> list[TicketRecord]:
        """The tickets open now (every channel)."""
        return self._tickets(select(LT).where(LT.c.status.not_in(CLOSED_STATUSES)).limit(MAX_ROWS))

    def escalated(self, start_ts: float, end_ts: float) -> list[TicketRecord]:
        """Tickets escalated to a department that were created before ``end_ts`` and escalated, resolved or open
        around [start, end) (the domain picks those escalated in it)."""
        query = select(LT).where(LT.c.escalated_to > "", LT.c.created_ts < int(end_ts), or_(
            LT.c.escalated_ts >= int(start_ts), and_(LT.c.escalated_ts.is_(None), LT.c.created_ts >= int(start_ts))))
        return self._tickets(query.limit(MAX_ROWS))

    def incidents(self, start_ts: float, end_ts: float) -> list[Incident]:
        """Portal incidents open at some time in [start, end)."""
        query = select(LI).where(LI.c.opened_ts < int(end_ts), or_(LI.c.resolved_ts.is_(None),
                                                                    LI.c.resolved_ts >= int(start_ts)))
        with self.engine.connect() as conn:
            return [Incident(r.id, float(r.opened_ts), None if r.resolved_ts is None else float(r.resolved_ts),
                             r.service_code, r.severity, r.title, "open" if r.resolved_ts is None else "resolved")
                    for r in conn.execute(query.order_by(LI.c.opened_ts))]

    def open_incident_ids(self) -> list[int]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(LI.c.id).where(LI.c.resolved_ts.is_(None))).scalars())

    def _tickets(self, query) -> list[TicketRecord]:
        with self.engine.connect() as conn:
            return [TicketRecord(**{k: (float(v) if k.endswith("_ts") and v is not None else v)
                                    for k, v in r._mapping.items()}) for r in conn.execute(query)]

    def row_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in (LT, LS, LI, HQ)}


def _resolved_sql(start: int, end: int):
    keys = (LT.c.channel, LT.c.line, LT.c.team, LT.c.member)
    return (select(*keys, func.count().label("resolved"),
                   func.sum(case((LT.c.fcr.is_(True), 1), else_=0)).label("fcr"))
            .where(LT.c.resolved_ts >= start, LT.c.resolved_ts < end).group_by(*keys))


def _surveyed_sql(start: int, end: int):
    """Surveys of the day grouped like tickets: by the survey's channel and line (the ticket's line when the
    survey has none) and its ticket's team and operator ('' when the ticket is not in the ledger)."""
    line = func.coalesce(func.nullif(LS.c.line, ""), LT.c.line, "")
    keys = (LS.c.channel.label("channel"), line.label("line"), func.coalesce(LT.c.team, "").label("team"),
            func.coalesce(LT.c.member, "").label("member"))
    return (select(*keys, func.count().label("surveys"), func.sum(LS.c.csat).label("csat_sum"),
                   func.sum(case((LS.c.csat >= 4, 1), else_=0)).label("csat_top"),
                   func.count(LS.c.resolved).label("survey_resolved_answers"),
                   func.sum(case((LS.c.resolved.is_(True), 1), else_=0)).label("survey_resolved_yes"))
            .select_from(LS.outerjoin(LT, LT.c.id == LS.c.ticket_id))
            .where(LS.c.ts >= start, LS.c.ts < end).group_by(*keys))
