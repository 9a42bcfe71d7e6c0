"""Anomaly cases (operator x day) in the app database: evidence, cases, their history, allow-rules and incidents.

The repository stores and loads; what a step does to a case is decided by the case policy (domain.cases).
"""

from __future__ import annotations

import json

from sqlalchemy import DateTime, Engine, String, Table, delete, func, insert, select, update

from data_access.schema.appdb import allow_rules as R
from data_access.schema.appdb import case_events as V
from data_access.schema.appdb import case_hits as H
from data_access.schema.appdb import cases as C
from data_access.schema.appdb import incident_log as I
from domain import cases as policy
from domain.bands import BANDS, bands_from
from domain.clock import from_utc_naive, iso_utc, utc_naive
from domain.detectors.model import AllowRule, Hit

TEXT_LIMITS = {"closure_detail": 2000, "detail": 2000, "reason": 1000, "title": 500}  # Text columns, cut to fit


def _stored(table: Table, values: dict) -> dict:
    """Policy values as ``table`` stores them: epochs as naive UTC, text cut to its column."""
    out = {}
    for key, value in values.items():
        kind = table.c[key].type
        if isinstance(kind, DateTime) and isinstance(value, (int, float)):
            value = utc_naive(value)
        elif isinstance(value, str):
            value = value[:kind.length if isinstance(kind, String) and kind.length else TEXT_LIMITS.get(key)]
        out[key] = value
    return out


def _t(value) -> float | None:
    return from_utc_naive(value) if value is not None else None


TO_CONFIRM = "to_confirm"   # the list's filter of clearances awaiting a second officer


def _policy_case(r) -> policy.Case:
    return policy.Case(r.id, r.status, r.band, r.assignee, bool(r.legal_hold), from_utc_naive(r.created_at),
                       _t(r.assigned_at), _t(r.closed_at), r.closure, r.closed_by, r.confirmed_by)


def _hit_from_row(r, operator_id: int = 0, day: str = "") -> Hit:
    return Hit(r.detector, operator_id, day, from_utc_naive(r.ts), r.points, r.reason_ru, r.reason_en,
               tuple(json.loads(r.access_ids)), tuple(json.loads(r.citizen_ids)), tuple(json.loads(r.signin_ids)),
               scope=r.scope)


def _case(r) -> dict:
    return {"id": r.id, "operator_id": r.operator_id, "day": r.day, "score": r.score, "band": r.band,
            "status": r.status, "assignee": r.assignee, "created_at": iso_utc(_t(r.created_at)),
            "updated_at": iso_utc(_t(r.updated_at)), "assigned_at": iso_utc(_t(r.assigned_at)),
            "closed_at": iso_utc(_t(r.closed_at)), "closure": r.closure, "closure_detail": r.closure_detail,
            "legal_hold": bool(r.legal_hold), "incident_id": r.incident_id, "closed_by": r.closed_by,
            "confirmed_by": r.confirmed_by, "confirmed_at": iso_utc(_t(r.confirmed_at))}


class CaseRepository:
    """Cases and their evidence. The poller records hits; security officers triage."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- storing what the policy decided ------------------------------------------------------------------------
    @staticmethod
    def _load(conn, case_id: int) -> policy.Case | None:
        row = conn.execute(select(C).where(C.c.id == case_id)).first()
        return _policy_case(row) if row is not None else None

    @staticmethod
    def _write_event(conn, case_id: int, event: policy.Event, now: float) -> None:
        conn.execute(insert(V).values(**_stored(V, {"case_id": case_id, "ts": now, "actor": event.actor,
                                                    "action": event.action, "detail": event.detail})))

    def _apply(self, conn, case_id: int, step: policy.Step, now: float) -> None:
        conn.execute(update(C).where(C.c.id == case_id).values(**_stored(C, step.values)))
        if step.event is not None:
            self._write_event(conn, case_id, step.event, now)

    def _step(self, case_id: int, decide, now: float) -> None:
        """Load the case, let ``decide(case)`` return the policy's step, store it: one transaction."""
        with self.engine.begin() as conn:
            self._apply(conn, case_id, decide(self._load(conn, case_id)), now)

    # -- from the poller ------------------------------------------------------------------------------------
    def record_hits(self, hits: list[Hit], now: float) -> set[int]:
        """Attach detector hits to their operator-day cases (created as needed) and rescore; returns case ids."""
        touched: set[int] = set()
        with self.engine.begin() as conn:
            for hit in hits:
                case_id = self._case_for(conn, hit.operator_id, hit.day, now)
                if self._known(conn, case_id, hit):
                    continue
                conn.execute(insert(H).values(**_stored(H, {
                    "case_id": case_id, "detector": hit.detector, "scope": hit.scope, "ts": hit.ts,
                    "points": hit.points, "reason_ru": hit.reason_ru, "reason_en": hit.reason_en,
                    "access_ids": json.dumps(list(hit.access_ids)), "citizen_ids": json.dumps(list(hit.citizen_ids)),
                    "signin_ids": json.dumps(list(hit.signin_ids))})))
                touched.add(case_id)
            for case_id in touched:
                hits_of_case = [_hit_from_row(r) for r in conn.execute(select(H).where(H.c.case_id == case_id))]
                self._apply(conn, case_id, policy.rescored(self._load(conn, case_id), hits_of_case, now), now)
        return touched

    def update_hits(self, hits: list[Hit], now: float) -> set[int]:
        """Store grown versions of recorded hits (more evidence, exact counts and spans) and rescore their cases."""
        touched: set[int] = set()
        with self.engine.begin() as conn:
            for hit in hits:
                case_id = conn.execute(select(C.c.id).where(C.c.operator_id == hit.operator_id,
                                                            C.c.day == hit.day)).scalar()
                if case_id is None:
                    continue
                done = conn.execute(update(H).where(H.c.case_id == case_id, H.c.detector == hit.detector,
                                                    H.c.scope == hit.scope[:120]).values(**_stored(H, {
                    "points": hit.points, "reason_ru": hit.reason_ru, "reason_en": hit.reason_en,
                    "access_ids": json.dumps(list(hit.access_ids)), "citizen_ids": json.dumps(list(hit.citizen_ids)),
                    "signin_ids": json.dumps(list(hit.signin_ids))})))
                if done.rowcount:
                    touched.add(case_id)
            for case_id in touched:
                hits_of_case = [_hit_from_row(r) for r in conn.execute(select(H).where(H.c.case_id == case_id))]
                self._apply(conn, case_id, policy.rescored(self._load(conn, case_id), hits_of_case, now), now)
        return touched

    def remove_hits(self, keys: list[tuple[str, int, str, str]], now: float, why: str | None = None) -> set[int]:
        """Remove hits (detector, operator, day, scope) a re-judgement no longer finds; their cases are rescored
        (``why``: the event's text, when more can be said than a count)."""
        touched: dict[int, int] = {}
        with self.engine.begin() as conn:
            for detector, operator_id, day, scope in keys:
                case_id = conn.execute(select(C.c.id).where(C.c.operator_id == operator_id, C.c.day == day)).scalar()
                if case_id is None:
                    continue
                done = conn.execute(delete(H).where(H.c.case_id == case_id, H.c.detector == detector,
                                                    H.c.scope == scope[:120]))
                touched[case_id] = touched.get(case_id, 0) + done.rowcount
            for case_id, removed in touched.items():
                hits_of_case = [_hit_from_row(r) for r in conn.execute(select(H).where(H.c.case_id == case_id))]
                step = policy.rejudged(self._load(conn, case_id), hits_of_case, removed, now, why)
                self._apply(conn, case_id, step, now)
        return set(touched)

    def risk_rows(self, since_day: str, second_officer: bool = True) -> list[tuple[int, str, str, str, int]]:
        """(operator, day, case band, detector, points) of every hit of cases of ``since_day`` and later, except
        the cases that count as cleared (domain.cases.counts_as_cleared): they add nothing to cumulative risk."""
        return self.risk_rows_split(since_day, second_officer)[0]

    def risk_rows_split(self, since_day: str, second_officer: bool = True) -> tuple[list[tuple], list[tuple]]:
        """The rows of ``risk_rows`` and, apart, those of the cases that count as cleared (closed as a false or
        benign positive and, with ``second_officer``, confirmed by a second officer): one read."""
        kept: list[tuple] = []
        cleared: list[tuple] = []
        with self.engine.connect() as conn:
            for r in conn.execute(select(C.c.operator_id, C.c.day, C.c.band, H.c.detector, H.c.points, C.c.status,
                                         C.c.closure, C.c.confirmed_by).join(C, C.c.id == H.c.case_id)
                                  .where(C.c.day >= since_day)):
                is_cleared = policy.counts_as_cleared(r.status, r.closure, r.confirmed_by, second_officer)
                (cleared if is_cleared else kept).append(tuple(r[:5]))
        return kept, cleared

    def open_hits_of(self, detectors: frozenset[str], since_day: str) -> list[tuple[str, int, str]]:
        """(detector, operator, day) of the hits of ``detectors`` in open cases of ``since_day`` and later."""
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(H.c.detector, C.c.operator_id, C.c.day).join(C, C.c.id == H.c.case_id)
                .where(C.c.day >= since_day, C.c.status.in_(policy.OPEN), H.c.detector.in_(sorted(detectors))))]

    def evidence_of_days(self, operator_id: int, days: list[str]) -> tuple[list[int], list[int]]:
        """(access ids, citizen ids) of every hit of the operator's cases of ``days``."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(H.c.access_ids, H.c.citizen_ids).join(C, C.c.id == H.c.case_id)
                                .where(C.c.operator_id == operator_id, C.c.day.in_(days))).all()
        ids = dict.fromkeys(i for a, _ in rows for i in json.loads(a))
        cids = dict.fromkeys(i for _, c in rows for i in json.loads(c))
        return list(ids), list(cids)

    def hits_between(self, day_from: str, day_to: str) -> list[Hit]:
        """The stored hits of the cases of local days ``day_from`` to ``day_to`` (inclusive)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(H, C.c.operator_id, C.c.day).join(C, C.c.id == H.c.case_id)
                                .where(C.c.day >= day_from, C.c.day <= day_to)).all()
        return [_hit_from_row(r, r.operator_id, r.day) for r in rows]

    def _case_for(self, conn, operator_id: int, day: str, now: float) -> int:
        found = conn.execute(select(C.c.id).where(C.c.operator_id == operator_id, C.c.day == day)).scalar()
        if found is not None:
            return found
        step = policy.opened(now)
        case_id = conn.execute(insert(C).values(operator_id=operator_id, day=day, **_stored(C, step.values))
                               ).inserted_primary_key[0]
        self._write_event(conn, case_id, step.event, now)
        return case_id

    @staticmethod
    def _known(conn, case_id: int, hit: Hit) -> bool:
        """A hit with the same detector and scope is already on the case (a replay after a restart)."""
        return conn.execute(select(H.c.id).where(H.c.case_id == case_id, H.c.detector == hit.detector,
                                                 H.c.scope == hit.scope[:120])).first() is not None

    def auto_assign(self, case_ids: set[int], reviewers: list[str], now: float) -> None:
        """Assign the new cases the policy picks to the officers it picks (domain.cases.assignments)."""
        if not reviewers or not case_ids:
            return
        with self.engine.begin() as conn:
            load = dict(conn.execute(select(C.c.assignee, func.count()).where(C.c.status.in_(policy.OPEN))
                                     .group_by(C.c.assignee)).all())
            found = [self._load(conn, case_id) for case_id in sorted(case_ids)]
            chosen = policy.assignments([c for c in found if c is not None], reviewers, load)
            for case in found:
                if case is not None and case.id in chosen:
                    step = policy.assigned(case, chosen[case.id], policy.SYSTEM, now)
                    self._apply(conn, case.id, step, now)

    # -- reading --------------------------------------------------------------------------------------------
    def get(self, case_id: int) -> dict | None:
        """A case with its hits (as detector hits) and its history."""
        with self.engine.connect() as conn:
            row = conn.execute(select(C).where(C.c.id == case_id)).first()
            if row is None:
                return None
            case = _case(row)
            case["hits"] = [_hit_from_row(h, row.operator_id, row.day)
                            for h in conn.execute(select(H).where(H.c.case_id == case_id).order_by(H.c.ts))]
            case["events"] = [{"ts": iso_utc(from_utc_naive(e.ts)), "actor": e.actor, "action": e.action,
                               "detail": e.detail}
                              for e in conn.execute(select(V).where(V.c.case_id == case_id).order_by(V.c.id))]
        return case

    def list(self, *, status: str | None = None, min_band: str | None = None, assignee: str | None = None,
             limit: int = 500, since_day: str | None = None) -> list[dict]:
        """Cases, highest score first; ``status`` 'open' means any open state, 'to_confirm' the clearances no second
        officer has confirmed yet; ``since_day``: of that day or later."""
        query = select(C)
        if since_day:
            query = query.where(C.c.day >= since_day)
        if status == "open":
            query = query.where(C.c.status.in_(policy.OPEN))
        elif status == TO_CONFIRM:
            query = query.where(C.c.status == policy.CLOSED, C.c.closure.in_(policy.CLEARED),
                                C.c.confirmed_by.is_(None))
        elif status:
            query = query.where(C.c.status == status)
        if min_band:
            query = query.where(C.c.band.in_(bands_from(min_band)))
        if assignee:
            query = query.where(C.c.assignee == assignee)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(C.c.score.desc(), C.c.id.desc()).limit(limit)).all()
            detectors: dict[int, set[str]] = {r.id: set() for r in rows}
            ids = list(detectors)
            for start in range(0, len(ids), 500):
                for case_id, det in conn.execute(select(H.c.case_id, H.c.detector)
                                                 .where(H.c.case_id.in_(ids[start:start + 500]))):
                    detectors[case_id].add(det)
        return [{**_case(r), "detectors": sorted(detectors[r.id])} for r in rows]

    def open_by_band(self) -> dict[str, int]:
        """Open cases per band (every band, 0 when none): counts only, for /metrics."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(C.c.band, func.count()).where(C.c.status.in_(policy.OPEN))
                                .group_by(C.c.band)).all()
        counts = {band: 0 for band in BANDS}
        counts.update({band: int(n) for band, n in rows if band in counts})
        return counts

    def hits_since_day(self, day: str) -> list[Hit]:
        """Hits of cases from ``day`` on, as detector hits (the engine restores them after a restart)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(H, C.c.operator_id, C.c.day).join(C, C.c.id == H.c.case_id)
                                .where(C.c.day >= day)).all()
        return [_hit_from_row(r, r.operator_id, r.day) for r in rows]

    def held_access_ids(self) -> set[int]:
        """Evidence that a legal hold keeps from the 30-day purge: every row its hits list (with
        ``held_operator_days``, every row of the held operator-days is kept too)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(H.c.access_ids).join(C, C.c.id == H.c.case_id)
                                .where(C.c.legal_hold.is_(True))).all()
        return {i for (ids,) in rows for i in json.loads(ids)}

    def held_operator_days(self) -> set[tuple[int, str]]:
        """(operator id, day) of the cases on legal hold: all their rows are the incident's evidence."""
        with self.engine.connect() as conn:
            return {(o, d) for o, d in conn.execute(select(C.c.operator_id, C.c.day)
                                                    .where(C.c.legal_hold.is_(True)))}

    def review_facts(self, hits_since: float) -> policy.ReviewFacts:
        """Every case, the hits since ``hits_since`` and which detectors each case holds (the overview's input)."""
        with self.engine.connect() as conn:
            cases = [_policy_case(r) for r in conn.execute(select(C))]
            recent = [(d, from_utc_naive(ts)) for d, ts in conn.execute(
                select(H.c.detector, H.c.ts).where(H.c.ts >= utc_naive(hits_since)))]
            pairs = {(case_id, d) for case_id, d in conn.execute(select(H.c.case_id, H.c.detector).distinct())}
        return policy.ReviewFacts(cases, recent, pairs)

    # -- triage ---------------------------------------------------------------------------------------------
    def assign(self, case_id: int, assignee: str, actor: str, now: float) -> None:
        self._step(case_id, lambda case: policy.assigned(case, assignee, actor, now), now)

    def start_review(self, case_id: int, actor: str, now: float) -> None:
        self._step(case_id, lambda case: policy.review_started(case, actor, now), now)

    def close(self, case_id: int, actor: str, closure: str, detail: str, now: float) -> None:
        """Close with a mandatory reason (domain.cases.CLOSURES) and an explanation."""
        self._step(case_id, lambda case: policy.closed(case, actor, closure, detail, now), now)

    def confirm_clearance(self, case_id: int, actor: str, now: float, seen_closed_at: float | None) -> None:
        """A second officer confirms the case's clearance they saw (domain.cases.clearance_confirmed)."""
        self._step(case_id, lambda case: policy.clearance_confirmed(case, actor, now, seen_closed_at), now)

    def set_hold(self, case_id: int, on: bool, actor: str, now: float) -> None:
        self._step(case_id, lambda case: policy.held(case, on, actor, now), now)

    def escalate(self, case_id: int, actor: str, title: str, leak_suspected: bool, now: float) -> int:
        """Open an incident-log entry for the case (24 h / 72 h clocks when a leak is suspected), hold evidence."""
        with self.engine.begin() as conn:
            entry = policy.incident(self._load(conn, case_id), actor, title, leak_suspected, now)
            incident_id = conn.execute(insert(I).values(**_stored(I, entry))).inserted_primary_key[0]
            self._apply(conn, case_id, policy.escalated(incident_id, actor, now), now)
        return incident_id

    def add_allow_rule(self, detector: str, *, operator_id: int | None, team_id: int | None, reason: str, actor: str,
                       days: int, now: float, case_id: int | None = None) -> int:
        """An expiring exception made from a benign explanation (domain.cases.allow_rule)."""
        rule, event = policy.allow_rule(detector, operator_id, team_id, reason, actor, days, now)
        with self.engine.begin() as conn:
            stored = _stored(R, {**rule, "case_id": case_id})
            rule_id = conn.execute(insert(R).values(**stored)).inserted_primary_key[0]
            if case_id is not None:
                self._write_event(conn, case_id, event, now)
        return rule_id

    def allow_rules(self, now: float) -> list[AllowRule]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(R).where(R.c.expires_at > utc_naive(now))).all()
        return [AllowRule(r.id, r.detector, r.operator_id, r.team_id, from_utc_naive(r.expires_at),
                          from_utc_naive(r.created_at)) for r in rows]
