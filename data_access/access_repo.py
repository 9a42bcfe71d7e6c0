"""The dashboard's copy of the personal-data access journal: written by the poller, reviewed by security officers.

Only masked citizen labels are stored. Filters are validated before they reach SQL (bound parameters only);
a bad filter is an error value, never an exception or extra rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, and_, bindparam, case, delete, func, insert, select, update

from data_access.filters import (
    MAX_FILTER_TEXT,
    FilterError,
    filter_choice,
    filter_date,
    filter_int,
    filter_period,
)
from data_access.schema.appdb import access_events as E
from data_access.schema.appdb import access_links as L
from data_access.schema.appdb import operator_days as D
from data_access.schema.appdb import operator_names as N
from domain.cases import explained_rate
from domain.clock import from_utc_naive, iso_utc, utc_naive
from domain.detectors.model import ACTIONS
from domain.operators import operator_label

MAX_PAGE = 500
MAX_OFFSET = 10**9
__all__ = ["MAX_FILTER_TEXT", "AccessFilter", "AccessRepository", "FilterError"]


@dataclass(frozen=True)
class AccessFilter:
    """Validated filters of the access-log review."""

    since: float | None = None
    until: float | None = None
    operator_id: int | None = None
    citizen_id: int | None = None
    action: str | None = None
    explained: bool | None = None

    @classmethod
    def parse(cls, since: object = None, until: object = None, operator: object = None, citizen: object = None,
              action: object = None, explained: object = None, tz: str = "UTC") -> "AccessFilter":
        """Build from user input of any type (dates are days in ``tz``); raises FilterError with a message fit for
        the screen."""
        flag = filter_choice(explained, ("yes", "no"), "explained")
        start, end = filter_date(since, "since", tz=tz), filter_date(until, "until", end=True, tz=tz)
        filter_period(start, end)
        return cls(start, end, filter_int(operator, "operator"), filter_int(citizen, "citizen"),
                   filter_choice(action, ACTIONS, "action"), None if flag is None else flag == "yes")

    def conditions(self) -> list:
        out = []
        if self.since is not None:
            out.append(E.c.ts >= utc_naive(self.since))
        if self.until is not None:
            out.append(E.c.ts < utc_naive(self.until))
        if self.operator_id is not None:
            out.append(E.c.operator_id == self.operator_id)
        if self.citizen_id is not None:
            out.append(E.c.citizen_id == self.citizen_id)
        if self.action is not None:
            out.append(E.c.action == self.action)
        if self.explained is not None:
            out.append(E.c.explained.is_(self.explained))
        return out


def _group(verdicts: dict[int, tuple[bool, str]]) -> dict[tuple[bool, str], list[int]]:
    out: dict[tuple[bool, str], list[int]] = defaultdict(list)
    for access_id, verdict in verdicts.items():
        out[(bool(verdict[0]), str(verdict[1]))].append(access_id)
    return out


def _with_names():
    """Access copies with the operator's current login and name from the names copy (a row copied before the
    names arrived still gets them)."""
    return select(E, N.c.login.label("name_login"), N.c.full_name.label("name_full"), L.c.link, L.c.ref_id) \
        .outerjoin(N, N.c.id == E.c.operator_id).outerjoin(L, L.c.access_id == E.c.id)


def _row(r) -> dict:
    login = r.name_login or r.operator_login
    return {"id": r.id, "ts": iso_utc(from_utc_naive(r.ts)), "operator_id": r.operator_id, "operator": login,
            "operator_name": r.name_full or "", "operator_label": operator_label(r.name_full, login),
            "team_id": r.team_id, "citizen_id": r.citizen_id, "citizen": r.citizen_masked, "action": r.action,
            "ticket_id": r.ticket_id, "call_id": r.call_id, "ip": r.ip, "explained": bool(r.explained),
            "reason": r.reason, "link": r.link or "", "link_id": r.ref_id}


REFRESH_CHUNK = 300   # operator-days recounted per grouped query


def _pairs_in(table, pairs: list[tuple[int, str]]):
    """Rows whose operator is one of ``pairs``' and whose day is one of theirs (a superset of the pairs)."""
    return and_(table.c.operator_id.in_(sorted({o for o, _ in pairs})), table.c.day.in_(sorted({d for _, d in pairs})))


class AccessRepository:
    """Copies of access rows, per operator-day counts (baselines), and the review queries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, rows: list[dict]) -> None:
        """Store new access rows (keys as the access_events columns; ts as epoch); known ids are skipped."""
        if not rows:
            return
        values = [{**r, "ts": utc_naive(r["ts"])} for r in rows]
        with self.engine.begin() as conn:
            known = set()
            for start in range(0, len(values), 500):
                part = [v["id"] for v in values[start:start + 500]]
                known |= {i for (i,) in conn.execute(select(E.c.id).where(E.c.id.in_(part)))}
            fresh = [v for v in values if v["id"] not in known]
            if fresh:
                conn.execute(insert(E), fresh)
            self._refresh_days(conn, {(v["operator_id"], v["day"]) for v in fresh})

    def pending_ids(self, since: float) -> set[int]:
        """Ids of the copies since ``since`` still waiting for their verdict (a restart judges them again)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(E.c.id).where(E.c.ts >= utc_naive(since), E.c.reason == "pending"))
                       .scalars())

    def set_verdicts(self, verdicts: dict[int, tuple[bool, str]]) -> None:
        """Record final verdicts (explained, reason) that arrived after the rows were stored."""
        if not verdicts:
            return
        with self.engine.begin() as conn:
            for (explained, reason), ids in _group(verdicts).items():
                for start in range(0, len(ids), 500):
                    conn.execute(update(E).where(E.c.id.in_(ids[start:start + 500]))
                                 .values(explained=explained, reason=reason[:20]))
            keys = set()
            for start in range(0, len(verdicts), 500):
                part = list(verdicts)[start:start + 500]
                keys |= {(o, d) for o, d in conn.execute(select(E.c.operator_id, E.c.day).where(E.c.id.in_(part)))}
            self._refresh_days(conn, keys)

    def set_links(self, links: dict[int, tuple[str, int]]) -> None:
        """Record which link explained each access (the final verdict's ticket, or a D01 allow-rule)."""
        if not links:
            return
        ids = list(links)
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):
                conn.execute(delete(L).where(L.c.access_id.in_(ids[start:start + 500])))
            conn.execute(insert(L), [{"access_id": i, "link": kind[:12], "ref_id": ref}
                                     for i, (kind, ref) in links.items()])

    @staticmethod
    def _refresh_days(conn, keys: set[tuple]) -> None:
        """Recount the operator-days touched (counts only: they outlive the 30-day purge of the rows), a few
        hundred operator-days per grouped query."""
        ordered = sorted(keys)
        for start in range(0, len(ordered), REFRESH_CHUNK):
            part = ordered[start:start + REFRESH_CHUNK]
            # Two plain INs, not a row-value IN: SQLite uses the (operator, day) index only for the former (a
            # row-value IN scanned every copy, 40 % of a 30-day replay); pairs outside ``part`` are dropped below.
            wanted, in_part = set(part), _pairs_in(E, part)
            counts = {(r[0], r[1]): {"touches": r[2] or 0, "distinct_citizens": r[3] or 0,
                                     "unexplained": int(r[4] or 0), "last_ts": r[5], "team_id": r[6]}
                      for r in conn.execute(select(
                          E.c.operator_id, E.c.day, func.count(), func.count(func.distinct(E.c.citizen_id)),
                          func.sum(case((E.c.reason == "none", 1), else_=0)), func.max(E.c.ts), func.max(E.c.team_id))
                          .where(in_part, E.c.action != "search").group_by(E.c.operator_id, E.c.day))
                      if (r[0], r[1]) in wanted}
            empty = {"touches": 0, "distinct_citizens": 0, "unexplained": 0, "last_ts": None, "team_id": None}
            stored = {(r[0], r[1]) for r in conn.execute(select(D.c.operator_id, D.c.day)
                                                         .where(_pairs_in(D, part)))} & wanted
            fresh = [{"operator_id": o, "day": d, **counts.get((o, d), empty)} for o, d in part
                     if (o, d) not in stored]
            if fresh:
                conn.execute(insert(D), fresh)
            known = [{"k_op": o, "k_day": d, **{f"v_{c}": v for c, v in counts.get((o, d), empty).items()}}
                     for o, d in part if (o, d) in stored]
            if known:   # bound names differ from the columns': SQLAlchemy reserves those for SET
                conn.execute(update(D).where(D.c.operator_id == bindparam("k_op"), D.c.day == bindparam("k_day"))
                             .values({c: bindparam(f"v_{c}") for c in empty}), known)

    def page(self, flt: AccessFilter, offset: int = 0, limit: int = 100, newest_first: bool = True) -> list[dict]:
        """One block of the grid (at most MAX_PAGE rows), newest first."""
        return self._read(flt, max(1, min(int(limit), MAX_PAGE)), newest_first, min(max(int(offset), 0), MAX_OFFSET))

    def newest(self, flt: AccessFilter, limit: int) -> list[dict]:
        """The newest ``limit`` rows of the selection, newest first (exports and the timeline: no block cap)."""
        return self._read(flt, max(1, int(limit)), True, 0)

    def _read(self, flt: AccessFilter, limit: int, newest_first: bool, offset: int) -> list[dict]:
        order = E.c.ts.desc() if newest_first else E.c.ts.asc()
        query = _with_names().where(*flt.conditions()).order_by(order, E.c.id.desc()).offset(offset)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query.limit(limit))]

    def count(self, flt: AccessFilter) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(E).where(*flt.conditions())).scalar()

    def rows_by_ids(self, ids: list[int]) -> list[dict]:
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(_with_names().where(E.c.id.in_(ids[:5000])).order_by(E.c.ts))]

    def daily_counts(self, operator_id: int, before_day: str, n: int) -> list[int]:
        """Distinct citizens touched per past working day (newest first), for the volume baselines."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(D.c.distinct_citizens).where(D.c.operator_id == operator_id,
                                                                    D.c.day < before_day)
                                .order_by(D.c.day.desc()).limit(n)).all()
        return [r[0] for r in rows]

    def daily_unexplained(self, operator_id: int, before_day: str, n: int) -> list[int]:
        """Unexplained accesses per past working day (newest first), D11's baseline."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(D.c.unexplained).where(D.c.operator_id == operator_id, D.c.day < before_day)
                                .order_by(D.c.day.desc()).limit(n)).all()
        return [r[0] for r in rows]

    def unexplained_days(self, operator_id: int, citizen_id: int, since_day: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(func.distinct(E.c.day)).where(
                E.c.operator_id == operator_id, E.c.citizen_id == citizen_id, E.c.day >= since_day,
                E.c.reason == "none", E.c.action != "search")).all()
        return {r[0] for r in rows}

    def last_activity_before(self, operator_id: int, ts: float) -> float | None:
        with self.engine.connect() as conn:
            last = conn.execute(select(func.max(E.c.ts)).where(E.c.operator_id == operator_id,
                                                                 E.c.ts < utc_naive(ts))).scalar()
        return from_utc_naive(last) if last else None

    def access_times(self, operator_id: int, lo: float, hi: float) -> list[float]:
        """The ts of the operator's access copies in [lo, hi), in order (the copies are kept 30 days)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(E.c.ts).where(E.c.operator_id == operator_id, E.c.ts >= utc_naive(lo),
                                                     E.c.ts < utc_naive(hi)).order_by(E.c.ts)).scalars()
            return [from_utc_naive(t) for t in rows]

    def ips_of(self, operator_id: int, lo: float, hi: float) -> set[str]:
        """The addresses of the operator's access copies in [lo, hi) (D16)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(E.c.ip).distinct().where(
                E.c.operator_id == operator_id, E.c.ts >= utc_naive(lo), E.c.ts < utc_naive(hi))).scalars())

    def explained_rate_by_team(self, since_day: str) -> list[dict]:
        """Share of record-touching accesses explained by a call or ticket, per team and with its name, since a day.

        The team is the operator's team in the names copy, read now (an operator-day counted before the names
        arrived still gets it); the team noted with the counts stands in for an operator the CRM no longer has.
        """
        team = func.coalesce(N.c.team_id, D.c.team_id)
        with self.engine.connect() as conn:
            rows = conn.execute(select(team, func.sum(D.c.touches), func.sum(D.c.unexplained))
                                .select_from(D.outerjoin(N, N.c.id == D.c.operator_id))
                                .where(D.c.day >= since_day).group_by(team)).all()
            names = dict(conn.execute(select(N.c.team_id, func.max(N.c.team_name)).group_by(N.c.team_id)).all())
        return [{"team_id": t, "team_name": names.get(t), "touches": int(n or 0), "unexplained": int(u or 0),
                 "explained_rate": explained_rate(int(n or 0), int(u or 0))} for t, n, u in rows]

    def ids_of_days(self, keys: set[tuple[int, str]]) -> set[int]:
        """The ids of every copy of the given (operator id, local day)s."""
        out: set[int] = set()
        with self.engine.connect() as conn:
            for operator_id, day in keys:
                out |= {i for (i,) in conn.execute(select(E.c.id).where(E.c.operator_id == operator_id,
                                                                        E.c.day == day))}
        return out

    def purge(self, before: float, keep_ids: set[int]) -> int:
        """Delete copies older than ``before`` except those held as case evidence; returns rows deleted."""
        cutoff = utc_naive(before)
        with self.engine.begin() as conn:
            ids = [i for (i,) in conn.execute(select(E.c.id).where(E.c.ts < cutoff)) if i not in keep_ids]
            for start in range(0, len(ids), 500):
                conn.execute(delete(E).where(E.c.id.in_(ids[start:start + 500])))
                conn.execute(delete(L).where(L.c.access_id.in_(ids[start:start + 500])))
        # operator_days stays: counts only, no personal data, and the baselines need them.
        return len(ids)
