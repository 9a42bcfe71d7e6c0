"""Re-judging a period: the detectors run again over the CRM journals in time order, and the stored verdicts,
links and hits of those days are brought in line with what they find now.

Used by ``python app.py security replay --from DATE --to DATE`` (after a detector change: every operator, hits
that no longer fire are removed) and by the poller when a late HR record arrives (a termination or leave entered
after the access was judged: only the operators concerned, nothing removed). A fresh engine and a fresh CRM
context are used, so the live engine's state is never touched; the rows read start early enough for the windows
(bursts, settling) to see the period's first rows with their neighbours.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from data_access.security_source import SecuritySource
from domain.clock import day_add
from domain.detectors.catalog import BY_POLLER
from domain.detectors.days import DayClock
from domain.detectors.engine import LATENESS_S, DetectorEngine
from domain.detectors.model import AccessEvent, Hit, Result, SignIn

if TYPE_CHECKING:
    from poller.security import SecurityPipeline

log = logging.getLogger("hotline.security")
CHUNK = 20000


@dataclass
class Rejudged:
    """What a re-judgement read and changed."""

    day_from: str
    day_to: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    verdicts: int = 0
    cases: set[int] = field(default_factory=set)


@dataclass
class _Found:
    """The final hits (by key), verdicts and links of a re-run."""

    hits: dict[tuple, Hit] = field(default_factory=dict)
    verdicts: dict[int, tuple[bool, str]] = field(default_factory=dict)
    links: dict[int, tuple[str, int]] = field(default_factory=dict)
    rows: list[AccessEvent] = field(default_factory=list)

    def absorb(self, res: Result) -> None:
        for h in (*res.hits, *res.updates):
            self.hits[h.key] = h
        self.verdicts.update({i: v for i, v in res.explained.items() if v[1] != "pending"})
        self.links.update(res.links)


def rejudge(pipeline: SecurityPipeline, day_from: str, day_to: str, now: float,
            operators: set[int] | None = None, prune: bool = True) -> Rejudged:
    """Judge local days ``day_from``..``day_to`` again (``operators``: only theirs) and store the differences."""
    from poller.security import CrmDetectorContext, detector_config

    engine = DetectorEngine(detector_config(pipeline.s))
    clock = DayClock(pipeline.s.tz)
    lo = engine.replay_from(clock.start(day_from))
    hi = clock.start(day_add(day_to, 1))
    source = SecuritySource(pipeline.s.url("ticketing"))   # its own read state: the live cursors stay untouched
    ctx = CrmDetectorContext(source, pipeline.access, pipeline.cases)
    ctx.refresh_reference()
    pipeline._refresh(now)
    found, waiting = _Found(), deque()
    for accesses, signins, horizon in _chunks(source, lo, hi, operators):
        ctx.prefetch(accesses, _judging(accesses, waiting, horizon - engine.config.settle_s), horizon)
        found.absorb(engine.process(accesses, signins, ctx, horizon))
        found.rows += [a for a in accesses if day_from <= clock.day(a.ts) <= day_to]
    settled = min(hi + engine.config.settle_s + LATENESS_S, now)
    ctx.prefetch([], {c for _, c in waiting}, settled)
    found.absorb(engine.flush(ctx, settled))
    report = Rejudged(day_from, day_to, rows=len(found.rows))
    _store_rows(pipeline, found, report)
    _store_hits(pipeline, found, operators, prune, now, report)
    log.info("re-judged %s..%s: %d rows, %d hits added, %d updated, %d removed, %d verdicts", day_from, day_to,
             report.rows, report.added, report.updated, report.removed, report.verdicts)
    return report


def _chunks(source: SecuritySource, lo: float, hi: float,
            operators: set[int] | None) -> Iterator[tuple[list[AccessEvent], list[SignIn], float]]:
    """The journals' rows of [lo, hi) in chunks by id, each with the sign-ins up to its newest row."""
    signins = [s for s in source.signins(since_ts=lo, limit=10**7) if s.ts < hi]
    after, k = None, 0
    while True:
        chunk = source.accesses(after_id=after, since_ts=lo, limit=CHUNK)
        if not chunk:
            break
        after = chunk[-1].id
        rows = [a for a in chunk if a.ts < hi and (operators is None or a.operator_id in operators)]
        horizon = max([a.ts for a in chunk if a.ts < hi], default=lo)
        taken = [s for s in signins[k:] if s.ts <= horizon]
        k += len(taken)
        yield rows, [s for s in taken if operators is None or s.operator_id in operators], horizon
        if min(a.ts for a in chunk) >= hi:
            break
    rest = [s for s in signins[k:] if operators is None or s.operator_id in operators]
    if rest:
        yield [], rest, rest[-1].ts


def _judging(accesses: list[AccessEvent], waiting: deque, limit: float) -> set[int]:
    """The citizens of the rows that settle by ``limit`` (their tickets are read in one batch)."""
    waiting.extend((a.ts, a.citizen_id) for a in accesses if a.citizen_id is not None)
    out = set()
    while waiting and waiting[0][0] <= limit:
        out.add(waiting.popleft()[1])
    return out


def _store_rows(pipeline: SecurityPipeline, found: _Found, report: Rejudged) -> None:
    """Copies of rows the poller never stored, then the verdicts and links of the period's rows."""
    ids = {a.id for a in found.rows}
    pipeline.access.add([pipeline._copy(a, found.verdicts.get(a.id, (False, "pending"))) for a in found.rows])
    verdicts = {i: v for i, v in found.verdicts.items() if i in ids}
    pipeline.access.set_verdicts(verdicts)
    pipeline.access.set_links({i: v for i, v in found.links.items() if i in ids})
    report.verdicts = len(verdicts)


def _store_hits(pipeline: SecurityPipeline, found: _Found, operators: set[int] | None, prune: bool, now: float,
                report: Rejudged) -> None:
    """Add the hits found now, store grown ones over the stored, and (``prune``) remove those not found again."""
    def mine(h: Hit) -> bool:   # cumulative risk (R07, R30) and journal gaps (D21) are the poller's: left as they are
        return report.day_from <= h.day <= report.day_to and (operators is None or h.operator_id in operators) \
            and h.detector not in BY_POLLER

    stored = {h.key: h for h in pipeline.cases.hits_between(report.day_from, report.day_to) if mine(h)}
    new = {k: h for k, h in found.hits.items() if mine(h)}
    added = [h for k, h in new.items() if k not in stored]
    changed = [h for k, h in new.items() if k in stored and _differs(stored[k], h)]
    gone = [k for k in stored if k not in new] if prune else []
    report.cases |= pipeline.cases.record_hits(added, now) | pipeline.cases.update_hits(changed, now)
    report.cases |= pipeline.cases.remove_hits(gone, now)
    report.added, report.updated, report.removed = len(added), len(changed), len(gone)


def _differs(old: Hit, new: Hit) -> bool:
    return (old.access_ids, old.citizen_ids, old.signin_ids, old.reason_en, old.points) != \
        (new.access_ids, new.citizen_ids, new.signin_ids, new.reason_en, new.points)
