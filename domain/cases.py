"""The case policy: one case per operator and local day, its triage and the review figures.

Pure: the repository loads cases and stores what these functions decide. Times are UTC epochs.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from domain.bands import BANDS, at_least
from domain.clock import day_add, day_start, local_day
from domain.detectors.model import Hit
from domain.detectors.scoring import case_score

NEW, ASSIGNED, IN_REVIEW, CLOSED = "new", "assigned", "in_review", "closed"
STATUSES = (NEW, ASSIGNED, IN_REVIEW, CLOSED)  # the one list of a case's states, in workflow order
OPEN = (NEW, ASSIGNED, IN_REVIEW)
CLOSURES = ("true_positive", "benign_positive", "false_positive", "duplicate")
VERDICTS = ("true_positive", "benign_positive", "false_positive")  # a duplicate says nothing about its detectors
# Closures that clear an operator-day: an officer found no misuse, so its hits add nothing to cumulative risk.
CLEARED = ("benign_positive", "false_positive")
# The only steps an officer takes (confirm: a second officer confirms a clearance).
TRIAGE_ACTIONS = ("assign_me", "review", "hold", "escalate", "close", "allow", "confirm")
ALLOW_SCOPES = ("operator", "team")
MAX_ALLOW_DAYS = 180
REVIEWED_FROM = "medium"  # cases of this band and above are assigned to an officer and counted as open work
AGE_BUCKETS = ("<24h", "24-72h", ">72h", ">25d")
OVERDUE = (">72h", ">25d")  # past the 72-hour investigation deadline
LEAK_NOTIFY_S = 86400.0  # a suspected leak is notified within 24 h (152-FZ art. 21)
LEAK_REPORT_S = 3 * 86400.0  # and its investigation reported within 72 h
SYSTEM = "system"  # the actor of the steps nobody clicked
HITS_DAYS = 14  # the overview's chart of hits per day


class TriageError(ValueError):
    """A triage step that is not allowed now; the message is shown to the officer."""


@dataclass(frozen=True, slots=True)
class Case:
    """What the policy reads of a stored case."""

    id: int
    status: str
    band: str = BANDS[0]
    assignee: str | None = None
    legal_hold: bool = False
    created_at: float = 0.0
    assigned_at: float | None = None
    closed_at: float | None = None
    closure: str | None = None
    closed_by: str | None = None
    confirmed_by: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a case's history."""

    actor: str
    action: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """What the policy decided: the case's new values (column -> value, times as epochs) and its history line."""

    values: dict[str, object]
    event: Event | None = None


# -- the case's life ------------------------------------------------------------------------------------------------
def opened(now: float) -> Step:
    """A new case, before its evidence is scored."""
    return Step({"score": 0, "band": BANDS[0], "status": NEW, "created_at": now, "updated_at": now},
                Event(SYSTEM, "created"))


def rescored(case: Case, hits: Iterable[Hit], now: float) -> Step:
    """New evidence: the case is scored again from all its hits, and a closed case opens again (its closure is
    cleared: the earlier verdict stays in the case's history, and no longer takes the day out of cumulative risk)."""
    score, band = case_score(hits)
    values: dict[str, object] = {"score": score, "band": band, "updated_at": now}
    if case.status != CLOSED:
        return Step(values)
    return Step({**values, "status": NEW, "closure": None, "closure_detail": None, "closed_at": None,
                 "closed_by": None, "confirmed_by": None, "confirmed_at": None},
                Event(SYSTEM, "reopened", "new evidence"))


def rejudged(case: Case, hits: Iterable[Hit], removed: int, now: float, why: str | None = None) -> Step:
    """Hits that no longer fire after a re-judgement were removed: scored again from the rest (a closed case stays
    closed; new or grown evidence comes through ``rescored``)."""
    score, band = case_score(hits)
    return Step({"score": score, "band": band, "updated_at": now},
                Event(SYSTEM, "rejudged", why or f"{removed} hit(s) no longer fire"))


def _existing(case: Case | None) -> Case:
    if case is None:
        raise TriageError("no such case")
    return case


def _open(case: Case | None, refusal: str = "the case is closed") -> Case:
    if _existing(case).status == CLOSED:
        raise TriageError(refusal)
    return case


def assigned(case: Case | None, assignee: str, actor: str, now: float) -> Step:
    """The case goes to ``assignee`` (a closed case is not assigned)."""
    _open(case)
    return Step({"status": ASSIGNED, "assignee": assignee, "assigned_at": now, "updated_at": now},
                Event(actor, "assigned", assignee))


def review_started(case: Case | None, actor: str, now: float) -> Step:
    """``actor`` starts reviewing; an unassigned case becomes theirs."""
    values: dict[str, object] = {"status": IN_REVIEW, "updated_at": now}
    if _open(case).assignee is None:
        values.update(assignee=actor, assigned_at=now)
    return Step(values, Event(actor, "review"))


def closed(case: Case | None, actor: str, closure: str, detail: str, now: float) -> Step:
    """Closed with a mandatory reason (one of CLOSURES) and an explanation."""
    if closure not in CLOSURES:
        raise TriageError("a closure reason is required")
    if not detail or not detail.strip():
        raise TriageError("describe the reason for closing")
    _open(case, "the case is already closed")
    return Step({"status": CLOSED, "closure": closure, "closure_detail": detail, "closed_at": now, "updated_at": now,
                 "closed_by": actor, "confirmed_by": None, "confirmed_at": None},
                Event(actor, "closed", f"{closure}: {detail}"))


def clearance_confirmed(case: Case | None, actor: str, now: float, seen_closed_at: float | None) -> Step:
    """A second officer confirms a clearance (a case closed as false or benign positive): only then, when the
    four-eyes setting is on, does the day leave cumulative risk. The officer who closed it cannot confirm it, and
    the confirmation is of the closure the officer saw (closed at ``seen_closed_at``, to the second)."""
    case = _existing(case)
    if case.status != CLOSED or case.closure not in CLEARED:
        raise TriageError("only a case closed as a false or benign positive needs a confirmation")
    if seen_closed_at is None or case.closed_at is None or abs(case.closed_at - seen_closed_at) >= 1:
        raise TriageError("the case was closed again since it was opened: look at it again")
    if case.confirmed_by is not None:
        raise TriageError(f"already confirmed by {case.confirmed_by}")
    if case.closed_by is None:     # nobody can be told apart from an unknown closer
        raise TriageError("who closed the case is not on record: its clearance cannot be confirmed")
    if case.closed_by == actor:
        raise TriageError("the officer who closed the case cannot confirm it: a second officer does")
    return Step({"confirmed_by": actor, "confirmed_at": now, "updated_at": now},
                Event(actor, "confirmed", case.closure))


def counts_as_cleared(status: str, closure: str | None, confirmed_by: str | None, second_officer: bool) -> bool:
    """Whether a case takes its day out of cumulative risk: closed as cleared and, with the four-eyes setting,
    confirmed by a second officer."""
    return status == CLOSED and closure in CLEARED and (confirmed_by is not None or not second_officer)


def held(case: Case | None, on: bool, actor: str, now: float) -> Step:
    """The case's evidence is put on legal hold (kept past the retention period) or released."""
    _existing(case)
    return Step({"legal_hold": on, "updated_at": now}, Event(actor, "hold" if on else "hold_released"))


def incident(case: Case | None, actor: str, title: str, leak_suspected: bool, now: float) -> dict[str, object]:
    """The incident-log entry an escalation opens; a suspected leak gets its 24 h and 72 h deadlines."""
    case = _existing(case)
    return {"created_at": now, "created_by": actor, "title": title or f"case {case.id}",
            "leak_suspected": leak_suspected, "notify_by": now + LEAK_NOTIFY_S if leak_suspected else None,
            "report_by": now + LEAK_REPORT_S if leak_suspected else None}


def escalated(incident_id: int, actor: str, now: float) -> Step:
    """The case points to its incident and its evidence is held."""
    return Step({"incident_id": incident_id, "legal_hold": True, "updated_at": now},
                Event(actor, "escalated", f"incident {incident_id}"))


def allowable(detector: str | None, case_detectors: Iterable[str]) -> str:
    """An allow-rule silences one of the case's own detectors."""
    if detector not in set(case_detectors):
        raise TriageError("choose a detector of this case")
    return detector


def allow_rule(detector: str, operator_id: int | None, team_id: int | None, reason: str, actor: str, days: int,
               now: float) -> tuple[dict[str, object], Event]:
    """An expiring exception made from a benign explanation (1 to MAX_ALLOW_DAYS days), and its history line."""
    if not reason.strip():
        raise TriageError("an allow-rule needs a reason")
    if operator_id is None and team_id is None:
        raise TriageError("an allow-rule needs an operator or a team")
    days = max(1, min(int(days), MAX_ALLOW_DAYS))
    rule = {"detector": detector, "operator_id": operator_id, "team_id": team_id, "reason": reason,
            "created_by": actor, "created_at": now, "expires_at": now + days * 86400}
    return rule, Event(actor, "allow_rule", f"{detector} for {days} days")


def assignments(cases: Iterable[Case], reviewers: Iterable[str], open_load: Mapping[str, int]) -> dict[int, str]:
    """Round-robin: each new case of band REVIEWED_FROM and above, by id, to the officer with the fewest open cases
    (ties by login)."""
    load = Counter({r: open_load.get(r, 0) for r in reviewers})
    out: dict[int, str] = {}
    for case in sorted(cases, key=lambda c: c.id):
        if not load or case.status != NEW or not at_least(case.band, REVIEWED_FROM):
            continue
        who = min(sorted(load), key=load.__getitem__)
        load[who] += 1
        out[case.id] = who
    return out


# -- the review figures ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """What the overview is computed from: every case, the recent hits (detector, ts), and the (case id, detector)
    pairs of all hits."""

    cases: list[Case] = field(default_factory=list)
    recent_hits: list[tuple[str, float]] = field(default_factory=list)
    case_detectors: set[tuple[int, str]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Overview:
    """The security overview's figures."""

    open_by_band_age: dict[str, dict[str, int]]
    hits_per_day: dict[str, dict[str, int]]
    precision: dict[str, dict[str, float]]
    time_to_assign_h: float | None
    time_to_close_h: float | None

    @property
    def open_reviewed(self) -> int:
        """Open cases of band REVIEWED_FROM and above."""
        return sum(sum(ages.values()) for band, ages in self.open_by_band_age.items() if at_least(band, REVIEWED_FROM))

    @property
    def overdue(self) -> int:
        """Open cases of any band past the 72-hour deadline."""
        return sum(ages.get(bucket, 0) for ages in self.open_by_band_age.values() for bucket in OVERDUE)


def overview(facts: ReviewFacts, now: float, tz: str) -> Overview:
    """The overview's figures as of ``now``; days are local days in ``tz``."""
    return Overview(open_by_band_age(facts.cases, now), hits_per_day(facts.recent_hits, now, tz),
                    precision(facts.cases, facts.case_detectors),
                    median_hours((c.created_at, c.assigned_at) for c in facts.cases),
                    median_hours((c.created_at, c.closed_at) for c in facts.cases))


def hits_since(now: float, tz: str, days: int = HITS_DAYS) -> float:
    """The start of the overview's chart: local midnight ``days - 1`` days before today."""
    return day_start(now - (days - 1) * 86400, tz)


def age_hours(created_at: float, now: float) -> float:
    """A case's age in hours."""
    return (now - created_at) / 3600


def age_bucket(age_h: float) -> str:
    """<24h, 24-72h, >72h (past the deadline) or >25d (the evidence nears the 30-day purge)."""
    return "<24h" if age_h < 24 else "24-72h" if age_h < 72 else ">25d" if age_h > 25 * 24 else ">72h"


def open_by_band_age(cases: Iterable[Case], now: float) -> dict[str, dict[str, int]]:
    """Open cases counted per band (every band present) and age bucket."""
    table: dict[str, Counter] = {band: Counter() for band in BANDS}
    for c in cases:
        if c.status in OPEN:
            table[c.band][age_bucket(age_hours(c.created_at, now))] += 1
    return {band: dict(counter) for band, counter in table.items()}


def hits_per_day(hits: Iterable[tuple[str, float]], now: float, tz: str, days: int = HITS_DAYS) -> dict[str, dict]:
    """Hits per local day and detector over the last ``days`` days up to today, every day present (oldest first)."""
    today = local_day(now, tz)
    out: dict[str, Counter] = {day_add(today, -n): Counter() for n in range(days - 1, -1, -1)}
    for detector, ts in hits:
        day = local_day(ts, tz)
        if day in out:
            out[day][detector] += 1
    return {day: dict(counter) for day, counter in out.items()}


def precision(cases: Iterable[Case], case_detectors: Iterable[tuple[int, str]]) -> dict[str, dict[str, float]]:
    """Per detector: true positives / cases closed with a verdict (true, benign or false positive) containing it."""
    verdict = {c.id: c.closure for c in cases if c.status == CLOSED and c.closure in VERDICTS}
    counts: dict[str, Counter] = defaultdict(Counter)
    for case_id, detector in set(case_detectors):
        if case_id in verdict:
            counts[detector][verdict[case_id]] += 1
    return {d: {"closed": sum(c.values()), "precision": round(c["true_positive"] / sum(c.values()), 3)}
            for d, c in sorted(counts.items())}


def median_hours(spans: Iterable[tuple[float | None, float | None]]) -> float | None:
    """The median of (start, end) spans in hours, one decimal; spans with a missing end are left out."""
    values = [(end - start) / 3600 for start, end in spans if start is not None and end is not None]
    return round(statistics.median(values), 1) if values else None


def explained_rate(touches: int, unexplained: int) -> float | None:
    """The share of record accesses explained by a call or ticket; None without accesses."""
    return 1 - unexplained / touches if touches else None
