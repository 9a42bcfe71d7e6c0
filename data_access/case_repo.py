"""Anomaly cases (operator x day) in the app database: evidence, score, triage workflow, allow-rules, metrics."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict

from sqlalchemy import Engine, func, insert, select, update

from data_access.schema.appdb import allow_rules as R
from data_access.schema.appdb import case_events as V
from data_access.schema.appdb import case_hits as H
from data_access.schema.appdb import cases as C
from data_access.schema.appdb import incident_log as I
from domain.clock import from_utc_naive, iso_utc, utc_naive

CLOSURES = ("true_positive", "benign_positive", "false_positive", "duplicate")
TRIAGE_ACTIONS = ("assign_me", "review", "hold", "escalate", "close", "allow")  # the only steps an officer takes
ALLOW_SCOPES = ("operator", "team")
OPEN = ("new", "assigned", "in_review")
BAND_ORDER = ("info", "low", "medium", "high", "critical")
MAX_ALLOW_DAYS = 180


class TriageError(ValueError):
    """A triage step that is not allowed now; the message is shown to the officer."""


def _hit_from_row(r, operator_id: int = 0, day: str = ""):
    from domain.detectors.model import Hit

    return Hit(r.detector, operator_id, day, from_utc_naive(r.ts), r.points, r.reason_ru, r.reason_en,
               tuple(json.loads(r.access_ids)), tuple(json.loads(r.citizen_ids)), tuple(json.loads(r.signin_ids)),
               scope=r.scope)


def _case(r) -> dict:
    t = lambda v: iso_utc(from_utc_naive(v)) if v else None  # noqa: E731
    return {"id": r.id, "operator_id": r.operator_id, "day": r.day, "score": r.score, "band": r.band,
            "status": r.status, "assignee": r.assignee, "created_at": t(r.created_at), "updated_at": t(r.updated_at),
            "assigned_at": t(r.assigned_at), "closed_at": t(r.closed_at), "closure": r.closure,
            "closure_detail": r.closure_detail, "legal_hold": bool(r.legal_hold), "incident_id": r.incident_id}


class CaseRepository:
    """Cases and their evidence. The poller records hits; security officers triage."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- from the poller ------------------------------------------------------------------------------------
    def record_hits(self, hits: list, now: float) -> set[int]:
        """Attach detector hits to their operator-day cases (created as needed) and rescore; returns case ids."""
        from domain.detectors.scoring import case_score

        touched: set[int] = set()
        at = utc_naive(now)
        with self.engine.begin() as conn:
            for hit in hits:
                case_id = self._case_for(conn, hit.operator_id, hit.day, at)
                if self._known(conn, case_id, hit):
                    continue
                conn.execute(insert(H).values(case_id=case_id, detector=hit.detector, scope=hit.scope[:120],
                                              ts=utc_naive(hit.ts),
                                              points=hit.points, reason_ru=hit.reason_ru, reason_en=hit.reason_en,
                                              access_ids=json.dumps(list(hit.access_ids)),
                                              citizen_ids=json.dumps(list(hit.citizen_ids)),
                                              signin_ids=json.dumps(list(hit.signin_ids))))
                touched.add(case_id)
            for case_id in touched:
                rows = conn.execute(select(H).where(H.c.case_id == case_id)).all()
                score, band = case_score([_hit_from_row(r) for r in rows])
                status = conn.execute(select(C.c.status).where(C.c.id == case_id)).scalar()
                values = {"score": score, "band": band, "updated_at": at}
                if status == "closed":
                    values["status"] = "new"  # new evidence reopens a closed case
                    conn.execute(insert(V).values(case_id=case_id, ts=at, actor="system", action="reopened",
                                                  detail="new evidence"))
                conn.execute(update(C).where(C.c.id == case_id).values(**values))
        return touched

    @staticmethod
    def _case_for(conn, operator_id: int, day: str, at) -> int:
        found = conn.execute(select(C.c.id).where(C.c.operator_id == operator_id, C.c.day == day)).scalar()
        if found is not None:
            return found
        case_id = conn.execute(insert(C).values(operator_id=operator_id, day=day, score=0, band="info", status="new",
                                                created_at=at, updated_at=at)).inserted_primary_key[0]
        conn.execute(insert(V).values(case_id=case_id, ts=at, actor="system", action="created", detail=""))
        return case_id

    @staticmethod
    def _known(conn, case_id: int, hit) -> bool:
        """A hit with the same detector and scope is already on the case (a replay after a restart)."""
        return conn.execute(select(H.c.id).where(H.c.case_id == case_id, H.c.detector == hit.detector,
                                                 H.c.scope == hit.scope[:120])).first() is not None

    def auto_assign(self, case_ids: set[int], reviewers: list[str], now: float, min_band: str = "medium") -> None:
        """Assign new cases of ``min_band`` and above to the reviewer with the fewest open cases."""
        if not reviewers or not case_ids:
            return
        at = utc_naive(now)
        with self.engine.begin() as conn:
            load = Counter({r: 0 for r in reviewers})
            for assignee, n in conn.execute(select(C.c.assignee, func.count()).where(C.c.status.in_(OPEN))
                                            .group_by(C.c.assignee)):
                if assignee in load:
                    load[assignee] = n
            for case_id in sorted(case_ids):
                row = conn.execute(select(C.c.status, C.c.band).where(C.c.id == case_id)).first()
                if row is None or row.status != "new" or BAND_ORDER.index(row.band) < BAND_ORDER.index(min_band):
                    continue
                who = min(sorted(load), key=lambda r: load[r])
                load[who] += 1
                conn.execute(update(C).where(C.c.id == case_id).values(status="assigned", assignee=who,
                                                                      assigned_at=at, updated_at=at))
                conn.execute(insert(V).values(case_id=case_id, ts=at, actor="system", action="assigned", detail=who))

    # -- reading --------------------------------------------------------------------------------------------
    def get(self, case_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(C).where(C.c.id == case_id)).first()
            if row is None:
                return None
            case = _case(row)
            case["hits"] = [{"detector": h.detector, "ts": iso_utc(from_utc_naive(h.ts)), "points": h.points,
                             "reason_ru": h.reason_ru, "reason_en": h.reason_en,
                             "access_ids": json.loads(h.access_ids), "citizen_ids": json.loads(h.citizen_ids),
                             "signin_ids": json.loads(h.signin_ids)}
                            for h in conn.execute(select(H).where(H.c.case_id == case_id).order_by(H.c.ts))]
            case["events"] = [{"ts": iso_utc(from_utc_naive(e.ts)), "actor": e.actor, "action": e.action,
                               "detail": e.detail}
                              for e in conn.execute(select(V).where(V.c.case_id == case_id).order_by(V.c.id))]
        return case

    def list(self, *, status: str | None = None, min_band: str | None = None, assignee: str | None = None,
             limit: int = 500) -> list[dict]:
        query = select(C)
        if status == "open":
            query = query.where(C.c.status.in_(OPEN))
        elif status:
            query = query.where(C.c.status == status)
        if min_band in BAND_ORDER:
            query = query.where(C.c.band.in_(BAND_ORDER[BAND_ORDER.index(min_band):]))
        if assignee:
            query = query.where(C.c.assignee == assignee)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(C.c.score.desc(), C.c.id.desc()).limit(limit)).all()
            detectors = defaultdict(set)
            ids = [r.id for r in rows]
            for start in range(0, len(ids), 500):
                for case_id, det in conn.execute(select(H.c.case_id, H.c.detector)
                                                 .where(H.c.case_id.in_(ids[start:start + 500]))):
                    detectors[case_id].add(det)
        return [{**_case(r), "detectors": sorted(detectors[r.id])} for r in rows]

    def hits_since_day(self, day: str) -> list:
        """Hits of cases from ``day`` on, as detector hits (the engine restores them after a restart)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(H, C.c.operator_id, C.c.day).join(C, C.c.id == H.c.case_id)
                                .where(C.c.day >= day)).all()
        return [_hit_from_row(r, r.operator_id, r.day) for r in rows]

    def held_access_ids(self) -> set[int]:
        """Evidence that a legal hold keeps from the 30-day purge."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(H.c.access_ids).join(C, C.c.id == H.c.case_id)
                                .where(C.c.legal_hold.is_(True))).all()
        return {i for (ids,) in rows for i in json.loads(ids)}

    # -- triage ---------------------------------------------------------------------------------------------
    def _event(self, conn, case_id: int, actor: str, action: str, detail: str, at) -> None:
        conn.execute(insert(V).values(case_id=case_id, ts=at, actor=actor, action=action, detail=detail[:2000]))

    def _status(self, conn, case_id: int) -> str:
        status = conn.execute(select(C.c.status).where(C.c.id == case_id)).scalar()
        if status is None:
            raise TriageError("no such case")
        return status

    def assign(self, case_id: int, assignee: str, actor: str, now: float) -> None:
        at = utc_naive(now)
        with self.engine.begin() as conn:
            if self._status(conn, case_id) == "closed":
                raise TriageError("the case is closed")
            conn.execute(update(C).where(C.c.id == case_id).values(status="assigned", assignee=assignee[:80],
                                                                  assigned_at=at, updated_at=at))
            self._event(conn, case_id, actor, "assigned", assignee, at)

    def start_review(self, case_id: int, actor: str, now: float) -> None:
        at = utc_naive(now)
        with self.engine.begin() as conn:
            if self._status(conn, case_id) == "closed":
                raise TriageError("the case is closed")
            values = {"status": "in_review", "updated_at": at}
            if conn.execute(select(C.c.assignee).where(C.c.id == case_id)).scalar() is None:
                values.update(assignee=actor, assigned_at=at)
            conn.execute(update(C).where(C.c.id == case_id).values(**values))
            self._event(conn, case_id, actor, "review", "", at)

    def close(self, case_id: int, actor: str, closure: str, detail: str, now: float) -> None:
        """Close with a mandatory reason (true_positive, benign_positive, false_positive, duplicate)."""
        if closure not in CLOSURES:
            raise TriageError("a closure reason is required")
        if not detail or not detail.strip():
            raise TriageError("describe the reason for closing")
        at = utc_naive(now)
        with self.engine.begin() as conn:
            if self._status(conn, case_id) == "closed":
                raise TriageError("the case is already closed")
            conn.execute(update(C).where(C.c.id == case_id).values(status="closed", closure=closure,
                                                                  closure_detail=detail[:2000], closed_at=at,
                                                                  updated_at=at))
            self._event(conn, case_id, actor, "closed", f"{closure}: {detail}", at)

    def set_hold(self, case_id: int, on: bool, actor: str, now: float) -> None:
        at = utc_naive(now)
        with self.engine.begin() as conn:
            self._status(conn, case_id)
            conn.execute(update(C).where(C.c.id == case_id).values(legal_hold=on, updated_at=at))
            self._event(conn, case_id, actor, "hold" if on else "hold_released", "", at)

    def escalate(self, case_id: int, actor: str, title: str, leak_suspected: bool, now: float) -> int:
        """Open an incident-log entry for the case (24 h / 72 h clocks when a leak is suspected), hold evidence."""
        at = utc_naive(now)
        with self.engine.begin() as conn:
            self._status(conn, case_id)
            incident_id = conn.execute(insert(I).values(
                created_at=at, created_by=actor, title=title[:500] or f"case {case_id}", leak_suspected=leak_suspected,
                notify_by=utc_naive(now + 86400) if leak_suspected else None,
                report_by=utc_naive(now + 3 * 86400) if leak_suspected else None)).inserted_primary_key[0]
            conn.execute(update(C).where(C.c.id == case_id).values(incident_id=incident_id, legal_hold=True,
                                                                  updated_at=at))
            self._event(conn, case_id, actor, "escalated", f"incident {incident_id}", at)
        return incident_id

    def add_allow_rule(self, detector: str, *, operator_id: int | None, team_id: int | None, reason: str, actor: str,
                       days: int, now: float, case_id: int | None = None) -> int:
        """An expiring exception made from a benign explanation (at most 180 days)."""
        if not reason.strip():
            raise TriageError("an allow-rule needs a reason")
        if operator_id is None and team_id is None:
            raise TriageError("an allow-rule needs an operator or a team")
        days = max(1, min(int(days), MAX_ALLOW_DAYS))
        with self.engine.begin() as conn:
            rule_id = conn.execute(insert(R).values(detector=detector[:4], operator_id=operator_id, team_id=team_id,
                                                    reason=reason[:1000], created_by=actor, created_at=utc_naive(now),
                                                    expires_at=utc_naive(now + days * 86400), case_id=case_id)
                                   ).inserted_primary_key[0]
            if case_id is not None:
                self._event(conn, case_id, actor, "allow_rule", f"{detector} for {days} days", utc_naive(now))
        return rule_id

    def allow_rules(self, now: float) -> list:
        from domain.detectors.model import AllowRule

        with self.engine.connect() as conn:
            rows = conn.execute(select(R).where(R.c.expires_at > utc_naive(now))).all()
        return [AllowRule(r.id, r.detector, r.operator_id, r.team_id, from_utc_naive(r.expires_at)) for r in rows]

    # -- metrics --------------------------------------------------------------------------------------------
    def metrics(self, now: float, days: int = 14) -> dict:
        """The security overview: open cases by band and age, hits per day per detector, precision, MTTA/MTTR."""
        with self.engine.connect() as conn:
            cases = conn.execute(select(C)).all()
            hits = conn.execute(select(H.c.case_id, H.c.detector, H.c.ts)
                                .where(H.c.ts >= utc_naive(now - days * 86400))).all()
            all_hits = conn.execute(select(H.c.case_id, H.c.detector)).all()
        return {"open_by_band_age": _open_by_band_age(cases, now), "hits_per_day": _hits_per_day(hits),
                "precision": _precision(cases, all_hits), "timing": _timing(cases)}


def _age_bucket(age_h: float) -> str:
    return "<24h" if age_h < 24 else "24-72h" if age_h < 72 else ">25d" if age_h > 25 * 24 else ">72h"


def _open_by_band_age(cases, now: float) -> dict:
    table: dict[str, Counter] = {band: Counter() for band in BAND_ORDER}
    for c in cases:
        if c.status in OPEN:
            table[c.band][_age_bucket((now - from_utc_naive(c.created_at)) / 3600)] += 1
    return {band: dict(counter) for band, counter in table.items()}


def _hits_per_day(hits) -> dict:
    out: dict[str, Counter] = defaultdict(Counter)
    for _case_id, detector, ts in hits:
        out[ts.strftime("%Y-%m-%d")][detector] += 1
    return {day: dict(c) for day, c in sorted(out.items())}


def _precision(cases, hits) -> dict:
    """Per detector: true positives / (true + benign + false positives) over closed cases containing it."""
    closure = {c.id: c.closure for c in cases if c.status == "closed"}
    counts: dict[str, Counter] = defaultdict(Counter)
    for case_id, detector in set(hits):
        if closure.get(case_id) in ("true_positive", "benign_positive", "false_positive"):
            counts[detector][closure[case_id]] += 1
    return {d: {"closed": sum(c.values()), "precision": round(c["true_positive"] / sum(c.values()), 3)}
            for d, c in sorted(counts.items())}


def _timing(cases) -> dict:
    def median_h(pairs):
        values = [(b - a).total_seconds() / 3600 for a, b in pairs if a and b]
        return round(statistics.median(values), 1) if values else None

    return {"time_to_assign_h": median_h([(c.created_at, c.assigned_at) for c in cases]),
            "time_to_close_h": median_h([(c.created_at, c.closed_at) for c in cases])}
