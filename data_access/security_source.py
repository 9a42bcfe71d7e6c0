"""CRM reads of the security pipeline: new access and sign-in rows, and the facts the detectors look up.

Lookups are batched (one IN query per kind per poll) and cached for a few minutes, so the CRM's load depends on
the journal's growth, never on how many officers are looking. Every read is raw and converted row by row
(data_access.tolerant): a bad row is counted in :attr:`SecuritySource.bad` and left out or repaired, never fatal
to its neighbours.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, func, or_, select

from data_access import tolerant as tv
from data_access.base import SourceAdapter, describe_error
from data_access.schema import crm
from domain.clock import utc_naive
from domain.detectors.model import (
    RECORD_ACTIONS,
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
TICKET_AHEAD_S = 3600.0   # tickets opened up to this long after the judging time are read (it is data time)
CACHE_TTL_S = 300.0


def chunks(values: list, size: int = IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class SecuritySource(SourceAdapter):
    """Read-only access to the CRM's journals and reference data for the detectors."""

    name = "ticketing"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        # Journal and reference rows counted as bad, by reason (the compliance view); each row is counted once.
        self.bad: Counter[str] = Counter()
        self.bad_log = tv.BadRowLog("security")
        # Per journal, (cursor, last id read): the rows after the cursor up to that id were all counted as bad, so
        # the next read from that cursor starts after them (never twice counted, never stuck on a batch of them).
        self._bad_tail: dict[str, tuple[int, int]] = {}
        self.reference_log = _OnceLog("security")

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
    # Read raw and converted row by row like the journals. These tables are read again every cycle, so a bad row is
    # counted (and logged) the first time it is seen only. A row is left out when what identifies it or places it
    # in time cannot be read; a fact it can do without (an operator's dates, a citizen's birth date or employee
    # flag, a watch-list entry's end) is read as unknown and the row kept and counted.
    def _reference(self, conn, query, convert, table: str) -> list:
        return self.reference_log.convert(tv.read_rows(conn, query), convert, table, self.bad)

    def operators(self) -> list[OperatorInfo]:
        """Every operator of the CRM with their team (what the detectors judge and the review pages name); an
        operator whose team is missing is kept, without a team name."""
        o, t = crm.operators, crm.teams
        query = select(*(tv.raw(c) for c in o.c), tv.raw(t.c.code).label("team_code"),
                       tv.raw(t.c.name).label("team_name")).outerjoin(t, t.c.id == o.c.team_id)
        with self.engine.connect() as conn:
            return self._reference(conn, query, _operator, "operators")

    def watchlist(self) -> dict[int, list[WatchEntry]]:
        w = crm.watchlist
        out: dict[int, list[WatchEntry]] = {}
        query = select(*(tv.raw(w.c[n]) for n in ("id", "citizen_id", "category", "until")))
        with self.engine.connect() as conn:
            entries = self._reference(conn, query, _watch, "watchlist")
        for entry in entries:
            out.setdefault(entry.citizen_id, []).append(entry)
        return out

    def citizens(self, ids: list[int]) -> dict[int, tuple[CitizenInfo, tuple]]:
        """Per citizen id: the facts the detectors compare, and (surname, given name, patronymic, birth date) for the
        masked label. A citizen whose row cannot be read is absent."""
        c = crm.citizens
        columns = [tv.raw(c.c[n]) for n in ("id", "surname", "gender", "address", "is_employee", "given_name",
                                               "patronymic", "birth_date")]
        out = {}
        with self.engine.connect() as conn:
            for part in chunks(ids):
                for info, name in self._reference(conn, select(*columns).where(c.c.id.in_(part)), _citizen,
                                                  "citizens"):
                    out[info.id] = (info, name)
        return out

    @staticmethod
    def _handlers(conn, ids: list[int]) -> dict[int, frozenset[int]]:
        """Who worked on each ticket, from its status history (escalated tickets keep their first operator)."""
        h = crm.ticket_status_history
        out = {}
        for part in chunks(ids):
            found: dict[int, set[int]] = {}
            for ticket_id, operator_id in tv.read_rows(conn, select(h.c.ticket_id, h.c.operator_id).where(
                    h.c.ticket_id.in_(part), h.c.operator_id.is_not(None))):
                if type(ticket_id) is int and type(operator_id) is int:  # a bad row is counted where it is read
                    found.setdefault(ticket_id, set()).add(operator_id)
            out.update({k: frozenset(v) for k, v in found.items()})
        return out

    def _tickets(self, conn, queries: list) -> list[TicketLink]:
        """The tickets of ``queries`` (selects of :data:`_TICKET`) with the operators who worked on them."""
        fields = [f for query in queries for f in self._reference(conn, query, _ticket_fields, "tickets")]
        handlers = self._handlers(conn, [f[0] for f in fields])
        return [TicketLink(*f[:7], handlers.get(f[0], _NOBODY), *f[7:]) for f in fields]

    def tickets_of_citizens(self, ids: list[int], now: float,
                            closed_since: float | None = None) -> dict[int, list[TicketLink]]:
        """The citizens' tickets still open or closed since ``closed_since`` (default: TICKET_LOOKBACK_S before
        ``now``); the caller narrows it to what can explain its rows (a 30-day CRM holds ~11 tickets a citizen)."""
        tk = crm.tickets
        since = now - TICKET_LOOKBACK_S if closed_since is None else max(closed_since, now - TICKET_LOOKBACK_S)
        recent = or_(tk.c.resolved_at.is_(None), tk.c.resolved_at >= utc_naive(since))
        # Not the tickets opened after ``now``: none exist live, but a replay of past days (bench, `security
        # replay`) would otherwise read every later ticket of each citizen for nothing.
        # A time that is not one (SQLite) is still read, to be counted as a bad row.
        known = or_(tk.c.created_at <= utc_naive(now + TICKET_AHEAD_S), tk.c.created_at < _EARLIEST,
                    tk.c.created_at > _LATEST)
        out: dict[int, list[TicketLink]] = {i: [] for i in ids}
        with self.engine.connect() as conn:
            for part in chunks(ids):
                for t in self._tickets(conn, [_TICKET.where(tk.c.citizen_id.in_(part), known, recent)]):
                    out.setdefault(t.citizen_id, []).append(t)
        return out

    def tickets(self, *, ids: list[int] = (), call_ids: list[str] = ()) -> list[TicketLink]:
        tk = crm.tickets
        with self.engine.connect() as conn:
            return self._tickets(conn, [_TICKET.where(tk.c.id.in_(part)) for part in chunks(list(ids))]
                                 + [_TICKET.where(tk.c.call_id.in_(part)) for part in chunks(list(call_ids))])

    def calls_of_operator(self, operator_id: int, lo: float, hi: float) -> list[TicketLink]:
        tk = crm.tickets
        query = _TICKET.where(tk.c.assignee_id == operator_id, tk.c.call_id.is_not(None),
                              tk.c.created_at >= utc_naive(lo), tk.c.created_at <= utc_naive(hi))
        with self.engine.connect() as conn:
            return [TicketLink(*f[:7], _NOBODY, *f[7:]) for f in self._reference(conn, query, _ticket_fields,
                                                                                  "tickets")]

    def schedules(self, operator_ids: list[int], lo: float, hi: float) -> tuple[dict, dict]:
        """Shifts overlapping [lo, hi] and leaves overlapping the last 31 days before hi, per operator."""
        sh, lv = crm.shifts, crm.leaves
        shifts: dict[int, list[Shift]] = {i: [] for i in operator_ids}
        leaves: dict[int, list[Leave]] = {i: [] for i in operator_ids}
        shift_cols = [tv.raw(c) for c in (sh.c.id, sh.c.operator_id, sh.c.starts_at, sh.c.ends_at)]
        leave_cols = [tv.raw(c) for c in (lv.c.id, lv.c.operator_id, lv.c.starts_at, lv.c.ends_at, lv.c.kind)]
        with self.engine.connect() as conn:
            for part in chunks(operator_ids):
                for s in self._reference(conn, select(*shift_cols).where(
                        sh.c.operator_id.in_(part), sh.c.ends_at >= utc_naive(lo), sh.c.starts_at <= utc_naive(hi)),
                        _shift, "shifts"):
                    shifts.setdefault(s.operator_id, []).append(s)
                for leave in self._reference(conn, select(*leave_cols).where(
                        lv.c.operator_id.in_(part), lv.c.ends_at >= utc_naive(hi - 31 * 86400)), _leave, "leaves"):
                    leaves.setdefault(leave.operator_id, []).append(leave)
        return shifts, leaves

    def record_touched(self, citizen_id: int, lo: float, hi: float) -> bool:
        """Whether anyone viewed, edited, exported or printed the citizen's record in [lo, hi) (D14)."""
        a = crm.pd_access_log
        with self.engine.connect() as conn:
            return conn.execute(select(a.c.id).where(
                a.c.citizen_id == citizen_id, a.c.ts >= utc_naive(lo), a.c.ts < utc_naive(hi),
                func.lower(a.c.action).in_(sorted(RECORD_ACTIONS))).limit(1)).first() is not None

    def phone_calls(self, *, after_id: int = 0, since_ts: float | None = None,
                    limit: int = 20000) -> tuple[list[tuple[int, int, float]], int, bool]:
        """Answered calls as the CRM records them (phone tickets): (ticket id, assignee, created) after a ticket id
        or created since a time, by id (D21); the last ticket id read; whether ``limit`` rows were read (more may
        follow). A row whose assignee or time cannot be used is passed over (and counted)."""
        t = crm.tickets
        query = select(t.c.id, tv.raw(t.c.assignee_id), tv.raw(t.c.created_at), t.c.call_id.is_not(None)) \
            .where(t.c.id > after_id).order_by(t.c.id).limit(limit)
        if since_ts is not None:
            query = query.where(t.c.created_at >= utc_naive(since_ts))
        with self.engine.connect() as conn:
            rows = tv.read_rows(conn, query)
        calls = []
        for tid, assignee, created, is_call in rows:
            if not is_call or assignee is None:
                continue
            try:
                calls.append((tid, tv.integer(assignee, "assignee_id"), tv.utc_ts(created, "created_at")))
            except tv.BadValue as exc:
                self.reference_log.rejected(self.bad, f"tickets row {tid}", exc)
        return calls, (rows[-1][0] if rows else after_id), len(rows) >= limit

    def signin_ips(self, operator_id: int, lo: float, hi: float) -> set[str]:
        """The addresses of the operator's successful sign-ins in [lo, hi) (D16)."""
        s = crm.sign_in_events
        with self.engine.connect() as conn:
            rows = conn.execute(select(tv.raw(s.c.ip)).distinct().where(
                s.c.operator_id == operator_id, s.c.success.is_(True), s.c.ts >= utc_naive(lo),
                s.c.ts < utc_naive(hi))).scalars()
            return {ip.strip() for ip in rows if isinstance(ip, str) and ip.strip()}

    def recent_leaves(self, since: float) -> dict[int, list[Leave]]:
        """Every operator's leaves that end at or after ``since`` (late HR records are found by comparing them)."""
        lv = crm.leaves
        cols = [tv.raw(c) for c in (lv.c.id, lv.c.operator_id, lv.c.starts_at, lv.c.ends_at, lv.c.kind)]
        out: dict[int, list[Leave]] = {}
        with self.engine.connect() as conn:
            for leave in self._reference(conn, select(*cols).where(lv.c.ends_at >= utc_naive(since)), _leave,
                                         "leaves"):
                out.setdefault(leave.operator_id, []).append(leave)
        return out

    def last_signin_before(self, operator_id: int, ts: float) -> float | None:
        """The last successful sign-in before ``ts`` (a row whose time is not one is passed over, and counted when
        the journal itself is read)."""
        s = crm.sign_in_events
        with self.engine.connect() as conn:
            return _first_time(conn, select(tv.raw(s.c.ts)).where(
                and_(s.c.operator_id == operator_id, s.c.success.is_(True), s.c.ts < utc_naive(ts),
                     s.c.ts >= _EARLIEST)).order_by(s.c.ts.desc()))


_EARLIEST = utc_naive(tv.EARLIEST_TS)  # on SQLite it also leaves out numbers stored in a date column
_LATEST = utc_naive(tv.LATEST_TS - 1)
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


class _OnceLog(tv.BadRowLog):
    """A :class:`~data_access.tolerant.BadRowLog` that counts and logs each row once: reference rows are read
    again every cycle, and a citizen's bad surname must not be counted at every lookup."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self._seen: set[str] = set()

    def note(self, bad: Counter, reason: str, where: str, detail: str = "", count: int = 1) -> None:
        if where not in self._seen:
            self._seen.add(where)
            super().note(bad, reason, where, detail, count)


def _or_none(coerce, value: object, column: str, notes: list[tuple[str, str]]):
    """``coerce(value, column)``; a value it refuses is a fact the row can do without: None, and the row noted."""
    try:
        return coerce(value, column)
    except tv.BadValue as exc:
        notes.append((exc.reason, column))
        return None


def _birth_date(value: object, notes: list[tuple[str, str]]) -> date | None:
    """A citizen's birth date: a date from PostgreSQL, ISO text from SQLite (it only dates the masked label)."""
    if value is None or type(value) is date:
        return value
    if type(value) is str:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    notes.append(("bad_time", "birth_date"))
    return None


def _operator(r, notes) -> OperatorInfo:
    return OperatorInfo(
        tv.integer(r.id, "id"), member_name=tv.text(r.member_name, 80, "member_name", notes),
        full_name=tv.text(r.full_name, 200, "full_name", notes), team=tv.text(r.team_code, 40, "team code", notes),
        team_name=tv.text(r.team_name, 200, "team name", notes), team_id=tv.integer(r.team_id, "team_id"),
        login=tv.text(r.login, 80, "login", notes), role=tv.text(r.role, 20, "role", notes),
        status=tv.text(r.status, 20, "status", notes), hired_at=_or_none(tv.utc_ts, r.hired_at, "hired_at", notes),
        terminated_at=_or_none(tv.opt_utc_ts, r.terminated_at, "terminated_at", notes),
        surname=tv.text(r.surname, 100, "surname", notes), address=tv.opt_text(r.address, 300, "address", notes),
        citizen_id=tv.opt_integer(r.citizen_id, "citizen_id"))


def _watch(r, notes) -> WatchEntry:
    # An end that is not a time keeps the entry active: a watched record is never unwatched by a bad value.
    return WatchEntry(tv.integer(r.citizen_id, "citizen_id"), tv.text(r.category, 30, "category", notes),
                      _or_none(tv.opt_utc_ts, r.until, "until", notes))


def _citizen(r, notes) -> tuple[CitizenInfo, tuple]:
    surname = tv.text(r.surname, 100, "surname", notes)
    info = CitizenInfo(tv.integer(r.id, "id"), surname, tv.opt_text(r.gender, 1, "gender", notes),
                       tv.opt_text(r.address, 300, "address", notes),
                       bool(_or_none(tv.flag, r.is_employee, "is_employee", notes)))
    return info, (surname, tv.text(r.given_name, 100, "given_name", notes),
                  tv.opt_text(r.patronymic, 100, "patronymic", notes), _birth_date(r.birth_date, notes))


def _ticket_fields(r, notes) -> tuple:
    """A ticket's TicketLink fields but its handlers (which go between the call id and the channel)."""
    return (tv.integer(r.id, "id"), tv.opt_integer(r.citizen_id, "citizen_id"),
            tv.opt_integer(r.assignee_id, "assignee_id"), tv.opt_integer(r.team_id, "team_id"),
            tv.utc_ts(r.created_at, "created_at"), tv.opt_utc_ts(r.resolved_at, "resolved_at"),
            tv.opt_text(r.call_id, 80, "call_id", notes), tv.opt_text(r.channel, 20, "channel", notes),
            tv.opt_text(r.line, 80, "line", notes))


def _shift(r, notes) -> Shift:
    return Shift(tv.integer(r.operator_id, "operator_id"), tv.utc_ts(r.starts_at, "starts_at"),
                 tv.utc_ts(r.ends_at, "ends_at"))


def _leave(r, notes) -> Leave:
    return Leave(tv.integer(r.operator_id, "operator_id"), tv.utc_ts(r.starts_at, "starts_at"),
                 tv.utc_ts(r.ends_at, "ends_at"), tv.text(r.kind, 20, "kind", notes))


_TICKET = select(*(tv.raw(crm.tickets.c[n]) for n in ("id", "citizen_id", "assignee_id", "team_id", "created_at",
                                                      "resolved_at", "call_id", "channel", "line")))
_NOBODY: frozenset[int] = frozenset()


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
