"""CRM reads of the security pipeline: new access and sign-in rows, and the facts the detectors look up.

Lookups are batched (one IN query per kind per poll) and cached for a few minutes, so the CRM's load depends on
the journal's growth, never on how many officers are looking.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from data_access import tolerant as tv
from data_access.base import SourceAdapter, describe_error
from data_access.schema import crm
from domain.clock import from_utc_naive, utc_naive
from domain.detectors.model import (
    AccessEvent,
    CitizenInfo,
    Leave,
    OperatorInfo,
    Shift,
    SignIn,
    TicketLink,
    WatchEntry,
)

IN_CHUNK = 500
TICKET_LOOKBACK_S = 38 * 86400
CACHE_TTL_S = 300.0


def _ts(value: datetime | None) -> float | None:
    return from_utc_naive(value) if value is not None else None


def _ticket(r, handlers: dict[int, frozenset[int]] | None = None) -> TicketLink:
    return TicketLink(r.id, r.citizen_id, r.assignee_id, r.team_id, from_utc_naive(r.created_at), _ts(r.resolved_at),
                      r.call_id, (handlers or {}).get(r.id, frozenset()))


def chunks(values: list, size: int = IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class SecuritySource(SourceAdapter):
    """Read-only access to the CRM's journals and reference data for the detectors."""

    name = "ticketing"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.bad: Counter[str] = Counter()  # journal rows counted as bad, by reason (the compliance view)
        self.bad_log = tv.BadRowLog("security")
        # Per journal, (cursor, last id read): the rows after the cursor up to that id were all counted as bad, so
        # the next read from that cursor starts after them (never twice counted, never stuck on a batch of them).
        self._bad_tail: dict[str, tuple[int, int]] = {}

    def test_connection(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except Exception as exc:  # noqa: BLE001
            return describe_error(exc)
        return None

    # -- journal rows -----------------------------------------------------------------------------------------
    def _journal(self, table, convert, after_id: int | None, since_ts: float | None, limit: int) -> list:
        """Rows of an append-only journal by id, after a cursor and/or since a time, each read on its own: a bad
        one is counted in :attr:`bad` and left out."""
        tail = self._bad_tail.get(table.name)
        start = tail[1] if after_id is not None and tail and tail[0] == after_id else after_id
        query = select(*(tv.raw(c) for c in table.c)).order_by(table.c.id).limit(limit)
        if start is not None:
            query = query.where(table.c.id > start)
        if since_ts is not None:
            query = query.where(table.c.ts >= utc_naive(since_ts))
        with self.engine.connect() as conn:
            rows = tv.read_rows(conn, query)
        out = self.bad_log.convert(rows, convert, table.name, self.bad)
        if after_id is not None:
            kept = out[-1].id if out else after_id
            if rows and rows[-1].id > kept:
                self._bad_tail[table.name] = (kept, rows[-1].id)
            elif out:
                self._bad_tail.pop(table.name, None)
        return out

    def accesses(self, *, after_id: int | None = None, since_ts: float | None = None,
                 limit: int = 20000) -> list[AccessEvent]:
        return self._journal(crm.pd_access_log, _access, after_id, since_ts, limit)

    def signins(self, *, after_id: int | None = None, since_ts: float | None = None,
                limit: int = 20000) -> list[SignIn]:
        return self._journal(crm.sign_in_events, _signin, after_id, since_ts, limit)

    def max_ids(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            return (conn.execute(select(func.coalesce(func.max(crm.pd_access_log.c.id), 0))).scalar(),
                    conn.execute(select(func.coalesce(func.max(crm.sign_in_events.c.id), 0))).scalar())

    def journal_start(self) -> float | None:
        """The oldest row still kept in the access journal (retention is checked against it)."""
        ts = crm.pd_access_log.c.ts
        with self.engine.connect() as conn:
            return _first_time(conn, select(tv.raw(ts)).where(ts >= _EARLIEST).order_by(ts))

    # -- reference data -----------------------------------------------------------------------------------------
    def operators(self) -> tuple[dict[int, OperatorInfo], list[dict]]:
        """Every operator for the detectors, and their names and teams for the security pages."""
        o, t = crm.operators, crm.teams
        with self.engine.connect() as conn:
            rows = conn.execute(select(o, t.c.name.label("team_name")).join(t, t.c.id == o.c.team_id)).all()
        infos = {r.id: OperatorInfo(r.id, r.team_id, r.role, r.status, from_utc_naive(r.hired_at),
                                    _ts(r.terminated_at), r.surname, r.address, r.citizen_id) for r in rows}
        names = [{"id": r.id, "login": r.login, "full_name": r.full_name, "team_id": r.team_id,
                  "team_name": r.team_name, "role": r.role} for r in rows]
        return infos, names

    def watchlist(self) -> dict[int, list[WatchEntry]]:
        w = crm.watchlist
        out: dict[int, list[WatchEntry]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(w)):
                out.setdefault(r.citizen_id, []).append(WatchEntry(r.citizen_id, r.category, _ts(r.until)))
        return out

    def citizens(self, ids: list[int]) -> dict[int, CitizenInfo]:
        c = crm.citizens
        out = {}
        with self.engine.connect() as conn:
            for part in chunks(ids):
                for r in conn.execute(select(c.c.id, c.c.surname, c.c.gender, c.c.address, c.c.is_employee,
                                             c.c.given_name, c.c.patronymic, c.c.birth_date)
                                      .where(c.c.id.in_(part))):
                    out[r.id] = (CitizenInfo(r.id, r.surname, r.gender, r.address, bool(r.is_employee)),
                                 (r.surname, r.given_name, r.patronymic, r.birth_date))
        return out

    @staticmethod
    def _handlers(conn, rows) -> dict[int, frozenset[int]]:
        """Who worked on each ticket, from its status history (escalated tickets keep their first operator)."""
        h = crm.ticket_status_history
        ids, out = [r.id for r in rows], {}
        for part in chunks(ids):
            found: dict[int, set[int]] = {}
            for ticket_id, operator_id in tv.read_rows(conn, select(h.c.ticket_id, h.c.operator_id).where(
                    h.c.ticket_id.in_(part), h.c.operator_id.is_not(None))):
                if type(ticket_id) is int and type(operator_id) is int:  # a bad row is counted where it is read
                    found.setdefault(ticket_id, set()).add(operator_id)
            out.update({k: frozenset(v) for k, v in found.items()})
        return out

    def tickets_of_citizens(self, ids: list[int], now: float) -> dict[int, list[TicketLink]]:
        tk = crm.tickets
        since = utc_naive(now - TICKET_LOOKBACK_S)
        out: dict[int, list[TicketLink]] = {i: [] for i in ids}
        with self.engine.connect() as conn:
            for part in chunks(ids):
                rows = conn.execute(select(tk).where(tk.c.citizen_id.in_(part),
                                                     or_(tk.c.resolved_at.is_(None), tk.c.resolved_at >= since))
                                    ).all()
                handlers = self._handlers(conn, rows)
                for r in rows:
                    out[r.citizen_id].append(_ticket(r, handlers))
        return out

    def tickets(self, *, ids: list[int] = (), call_ids: list[str] = ()) -> list[TicketLink]:
        tk = crm.tickets
        rows = []
        with self.engine.connect() as conn:
            for part in chunks(list(ids)):
                rows += conn.execute(select(tk).where(tk.c.id.in_(part))).all()
            for part in chunks(list(call_ids)):
                rows += conn.execute(select(tk).where(tk.c.call_id.in_(part))).all()
            handlers = self._handlers(conn, rows)
        return [_ticket(r, handlers) for r in rows]

    def calls_of_operator(self, operator_id: int, lo: float, hi: float) -> list[TicketLink]:
        tk = crm.tickets
        with self.engine.connect() as conn:
            rows = conn.execute(select(tk).where(tk.c.assignee_id == operator_id, tk.c.call_id.is_not(None),
                                                 tk.c.created_at >= utc_naive(lo), tk.c.created_at <= utc_naive(hi)))
            return [_ticket(r) for r in rows]

    def schedules(self, operator_ids: list[int], lo: float, hi: float) -> tuple[dict, dict]:
        """Shifts overlapping [lo, hi] and leaves overlapping the last 31 days before hi, per operator."""
        sh, lv = crm.shifts, crm.leaves
        shifts: dict[int, list[Shift]] = {i: [] for i in operator_ids}
        leaves: dict[int, list[Leave]] = {i: [] for i in operator_ids}
        with self.engine.connect() as conn:
            for part in chunks(operator_ids):
                for r in conn.execute(select(sh).where(sh.c.operator_id.in_(part), sh.c.ends_at >= utc_naive(lo),
                                                       sh.c.starts_at <= utc_naive(hi))):
                    shifts[r.operator_id].append(Shift(r.operator_id, from_utc_naive(r.starts_at),
                                                       from_utc_naive(r.ends_at)))
                for r in conn.execute(select(lv).where(lv.c.operator_id.in_(part),
                                                       lv.c.ends_at >= utc_naive(hi - 31 * 86400))):
                    leaves[r.operator_id].append(Leave(r.operator_id, from_utc_naive(r.starts_at),
                                                       from_utc_naive(r.ends_at), r.kind))
        return shifts, leaves

    def last_signin_before(self, operator_id: int, ts: float) -> float | None:
        s = crm.sign_in_events
        with self.engine.connect() as conn:
            return _first_time(conn, select(tv.raw(s.c.ts)).where(
                and_(s.c.operator_id == operator_id, s.c.success.is_(True), s.c.ts < utc_naive(ts),
                     s.c.ts >= _EARLIEST)).order_by(s.c.ts.desc()))


_EARLIEST = utc_naive(tv.EARLIEST_TS)  # on SQLite it also leaves out numbers stored in a date column
FIRST_TIME_PROBE = 100


def _first_time(conn, query) -> float | None:
    """The first usable time of a journal's time column in ``query``'s order (a bad value is passed over)."""
    for (value,) in tv.read_rows(conn, query.limit(FIRST_TIME_PROBE)):
        try:
            return tv.utc_ts(value, "ts")
        except tv.BadValue:
            continue
    return None


def _access(r, notes) -> AccessEvent:
    return AccessEvent(r.id, tv.utc_ts(r.ts, "ts"), tv.integer(r.operator_id, "operator_id"),
                       tv.opt_integer(r.citizen_id, "citizen_id"), tv.text(r.action, 10, "action", notes),
                       tv.opt_integer(r.ticket_id, "ticket_id"), tv.opt_text(r.call_id, 80, "call_id", notes),
                       tv.text(r.ip, 45, "ip", notes))


def _signin(r, notes) -> SignIn:
    return SignIn(r.id, tv.utc_ts(r.ts, "ts"), tv.opt_integer(r.operator_id, "operator_id"),
                  tv.text(r.login, 80, "login", notes), tv.flag(r.success, "success"), tv.text(r.ip, 45, "ip", notes))


class DataTimeCache:
    """Values valid for ``ttl_s`` of *data* time (the poller's ``now``), not wall-clock time: replaying a week of
    journals in minutes must not keep facts from days ago."""

    def __init__(self, ttl_s: float = CACHE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._items: dict = {}

    def get(self, key, now: float, default=None):
        item = self._items.get(key)
        if item is None or abs(now - item[0]) > self.ttl_s:
            return default
        return item[1]

    def put(self, key, value, now: float) -> None:
        self._items[key] = (now, value)

    def missing(self, keys, now: float) -> list:
        return [k for k in keys if self.get(k, now) is None]

    def prune(self, now: float) -> None:
        self._items = {k: v for k, v in self._items.items() if abs(now - v[0]) <= self.ttl_s}
