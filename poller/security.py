"""The security pipeline: new access-journal and sign-in rows through the detectors, into cases.

It runs in the poller process as its own scheduled job (so the live screens' cycle stays short), reads the CRM
incrementally by id, keeps a masked copy of every access row in the app database, and purges copies older than
the retention period unless a case holds them.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from data_access.access_repo import AccessRepository
from data_access.case_repo import CaseRepository
from data_access.cursor_repo import CursorRepository
from data_access.operator_names import OperatorNames, crm_operators_signature
from data_access.security_source import DataTimeCache, SecuritySource
from data_access.users_repo import UserRepository
from domain.clock import day_add, local_day
from domain.detectors.catalog import CUMULATIVE, DEFAULT_POINTS
from domain.detectors.config import TEAM_COVERS, DetectorConfig
from domain.detectors.engine import DetectorEngine
from domain.detectors.hr import HrFacts, days_to_rejudge, hr_facts
from domain.detectors.model import AccessEvent, Hit, SignIn
from domain.detectors.risk import LOOK_BACK_DAYS, findings, refired, withdrawn
from domain.detectors.risk import reasons as risk_reasons
from domain.masking import mask_name
from domain.operators import OperatorInfo
from poller.checkpoint import CheckpointRejected
from poller.journal_gaps import GapWatch
from settings import Settings

log = logging.getLogger("hotline.security")
REFERENCE_REFRESH_S = 300.0  # a full re-read of the operators even when their signature has not changed
RETENTION_EVERY_S = 3600.0
STOP_WAIT_S = 5.0      # a graceful stop waits this long for a running cycle before giving up its last checkpoint
RISK_EVERY_S = 300.0   # cumulative risk (R07, R30) is judged this often (data time)
BATCH = 20000
CURSORS = ("access", "signin")
REVIEWER_ROLE = "security"


def detector_config(settings: Settings) -> DetectorConfig:
    """The detectors' thresholds with the HOTLINE_SECURITY_* settings applied."""
    points = {**DEFAULT_POINTS, "D17": settings.security_guess_success_points,
              "D19": settings.security_dormant_points}
    cover = settings.security_team_cover.strip().lower()
    if cover not in TEAM_COVERS:
        log.warning("HOTLINE_SECURITY_TEAM_COVER=%r is not one of %s: %s is used", cover, TEAM_COVERS, TEAM_COVERS[0])
        cover = TEAM_COVERS[0]
    return DetectorConfig(tz=settings.tz, points=points, night_day_off_points=settings.security_night_day_off_points,
                          night_from_h=settings.security_night_from_h, night_to_h=settings.security_night_to_h,
                          team_cover=cover, ticket_after_s=max(settings.security_ticket_grace_days, 0.0) * 86400,
                          corporate_ranges=_ranges(settings.security_corporate_ranges))


def _ranges(text: str) -> tuple[str, ...]:
    """The CIDR ranges of a comma-separated setting; one that does not parse is left out (and logged)."""
    out = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            log.warning("HOTLINE_SECURITY_CORPORATE_RANGES: %r is not an address range; left out", part)
    return tuple(out)


class CrmDetectorContext:
    """The detectors' lookups, answered from batched CRM reads and the app database.

    Tickets are read afresh every cycle for the citizens of the new rows and of the rows about to be judged
    (a ticket created a minute ago must explain an access); citizens and schedules are cached for a while of
    data time.
    """

    def __init__(self, source: SecuritySource, access: AccessRepository, cases: CaseRepository) -> None:
        self.source, self.access, self.cases = source, access, cases
        self.operators: dict = {}
        self._groups: dict[tuple, list[int]] = {}
        self.watchlist: dict = {}
        self.rules: list = []
        self.citizen_cache, self.masks = DataTimeCache(3600), DataTimeCache(86400)
        self.schedule_cache = DataTimeCache(300)
        self.tickets_now: dict[int, list] = {}
        self.ticket_ids: dict[int, object] = {}
        self.call_ids: dict[str, object] = {}
        self.now = 0.0

    # -- loading ---------------------------------------------------------------------------------------------
    def refresh_reference(self) -> list[OperatorInfo]:
        """Read the CRM's operators and watch-list again; returns the operators."""
        operators = self.source.operators()
        self.operators = {o.id: o for o in operators}
        self._groups = {}     # (team, role) -> operator ids, for peers()
        for o in operators:
            self._groups.setdefault((o.team_id, o.role), []).append(o.id)
        self.watchlist = self.source.watchlist()
        return operators

    def prefetch(self, accesses: list[AccessEvent], judging: set[int], now: float,
                 closed_since: float | None = None) -> None:
        """One batched read per kind of fact for the rows about to be processed or judged; ``closed_since``: the
        oldest close time of a ticket that can still explain one of those rows (None: the widest look-back)."""
        self.now = now
        self.rules = self.cases.allow_rules(now)
        citizens = sorted({a.citizen_id for a in accesses if a.citizen_id is not None} | judging)
        self._load_citizens(self.citizen_cache.missing(citizens, now))
        self.tickets_now = self.source.tickets_of_citizens(citizens, now, closed_since)
        # The rows' own tickets are mostly among their citizens' (just read): only the others are asked for.
        self.ticket_ids = {t.ticket_id: t for ts in self.tickets_now.values() for t in ts}
        self.call_ids = {t.call_id: t for t in self.ticket_ids.values() if t.call_id}
        self._load_tickets(sorted({a.ticket_id for a in accesses if a.ticket_id} - set(self.ticket_ids)),
                           sorted({a.call_id for a in accesses if a.call_id} - set(self.call_ids)))
        ops = [o for o in sorted({a.operator_id for a in accesses}) if self.schedule_cache.get(o, now) is None]
        if ops:
            self._load_schedules(ops, now - 9 * 86400, now + 9 * 86400)
        self.citizen_cache.prune(now)
        self.schedule_cache.prune(now)

    def _load_tickets(self, ticket_ids: list[int], call_ids: list[str]) -> None:
        for t in self.source.tickets(ids=ticket_ids, call_ids=call_ids):
            self.ticket_ids[t.ticket_id] = t
            if t.call_id:
                self.call_ids[t.call_id] = t

    def _load_schedules(self, ops: list[int], lo: float, hi: float) -> None:
        shifts, leaves = self.source.schedules(ops, lo, hi)
        for op in ops:
            self.schedule_cache.put(op, (lo, hi, shifts.get(op, []), leaves.get(op, [])), self.now)

    def _schedule(self, operator_id: int, lo: float, hi: float) -> tuple:
        cached = self.schedule_cache.get(operator_id, self.now)
        if cached is None or cached[0] > lo or cached[1] < hi:
            self._load_schedules([operator_id], lo - 86400, hi + 86400)
            cached = self.schedule_cache.get(operator_id, self.now)
        return cached

    def _load_citizens(self, ids: list[int]) -> None:
        for cid, (info, name) in self.source.citizens(ids).items():
            self.citizen_cache.put(cid, info, self.now)
            surname, given, patronymic, birth = name
            label = mask_name(surname, given or "", patronymic or "") + (f", {birth.year}" if birth else "")
            self.masks.put(cid, label, self.now)

    def mask(self, citizen_id: int | None) -> str:
        if citizen_id is None:
            return ""
        if self.masks.get(citizen_id, self.now) is None:
            self._load_citizens([citizen_id])
        return self.masks.get(citizen_id, self.now, f"#{citizen_id}")

    # -- DetectorContext -------------------------------------------------------------------------------------
    def operator(self, operator_id):
        return self.operators.get(operator_id)

    def citizen(self, citizen_id):
        if self.citizen_cache.get(citizen_id, self.now) is None:
            self._load_citizens([citizen_id])
        return self.citizen_cache.get(citizen_id, self.now)

    def ticket(self, ticket_id):
        if ticket_id not in self.ticket_ids:
            self._load_tickets([ticket_id], [])
            self.ticket_ids.setdefault(ticket_id, None)
        return self.ticket_ids[ticket_id]

    def ticket_by_call(self, call_id):
        if call_id not in self.call_ids:
            self._load_tickets([], [call_id])
            self.call_ids.setdefault(call_id, None)
        return self.call_ids[call_id]

    def tickets_of_citizen(self, citizen_id):
        if citizen_id not in self.tickets_now:
            self.tickets_now.update(self.source.tickets_of_citizens([citizen_id], self.now))
        return self.tickets_now[citizen_id]

    def calls_of_operator(self, operator_id, lo, hi):
        return self.source.calls_of_operator(operator_id, lo, hi)

    def shifts(self, operator_id, lo, hi):
        return [s for s in self._schedule(operator_id, lo, hi)[2] if s.start <= hi and s.end >= lo]

    def leaves(self, operator_id):
        # Any cached schedule holds the leaves of the last 31 days before its end: the shifts' window is no matter.
        if self.schedule_cache.get(operator_id, self.now) is None:
            self._load_schedules([operator_id], self.now - 9 * 86400, self.now + 9 * 86400)
        return self.schedule_cache.get(operator_id, self.now)[3]

    def watch(self, citizen_id, ts):
        for entry in self.watchlist.get(citizen_id, []):
            if entry.until is None or entry.until > ts:
                return entry
        return None

    def peers(self, operator_id):
        me = self.operators.get(operator_id)
        if me is None:
            return []
        return [i for i in self._groups.get((me.team_id, me.role), ()) if i != operator_id]

    def daily_distinct_citizens(self, operator_id, days_before, n=28):
        return self.access.daily_counts(operator_id, days_before, n)

    def unexplained_days(self, operator_id, citizen_id, since_day):
        return self.access.unexplained_days(operator_id, citizen_id, since_day)

    def daily_unexplained(self, operator_id, days_before, n=28):
        return self.access.daily_unexplained(operator_id, days_before, n)

    def last_activity_before(self, operator_id, ts):
        times = [t for t in (self.access.last_activity_before(operator_id, ts),
                             self.source.last_signin_before(operator_id, ts)) if t is not None]
        return max(times) if times else None

    def access_times(self, operator_id, lo, hi):
        return self.access.access_times(operator_id, lo, hi)

    def known_ips(self, operator_id, lo, hi):
        return self.access.ips_of(operator_id, lo, hi) | self.source.signin_ips(operator_id, lo, hi)

    def record_touched(self, citizen_id, lo, hi):
        return self.source.record_touched(citizen_id, lo, hi)

    def journal_start(self):
        return self.source.journal_start()

    def allow_rules(self):
        return self.rules


@dataclass
class SecurityStatus:
    last_success_at: float | None = None
    error: str | None = None
    journal_oldest_at: float | None = None
    checkpoint_taken_at: float | None = None   # when the checkpoint the detectors resumed from was taken
    rows: int = 0
    purged: int = 0
    stats: dict = field(default_factory=dict)


class SecurityPipeline:
    """Detectors over the journals, incrementally; one instance per deployment (in the poller)."""

    def __init__(self, settings: Settings, app_engine, source: SecuritySource | None = None,
                 checkpoints=None, lease=None) -> None:
        self.s = settings
        self.checkpoints = checkpoints  # SecurityCheckpointer (poller/security_checkpoint.py) or None
        self.lease = lease              # the poller's lease: a poller that lost it writes no checkpoint
        self.app_engine = app_engine
        self.source = source or SecuritySource(settings.url("ticketing"))
        self.access = AccessRepository(app_engine)
        self.cases = CaseRepository(app_engine)
        self.names = OperatorNames(app_engine)
        self.users = UserRepository(app_engine)
        self.saved_cursors = CursorRepository(app_engine)
        self.ctx = CrmDetectorContext(self.source, self.access, self.cases)
        self.engine = DetectorEngine(detector_config(settings))
        self.gaps = GapWatch(self.source, self.engine.config)
        self.cursors: dict[str, int] | None = None
        self.status = SecurityStatus()
        self._reference_at = self._retention_at = -1e18
        self._signature: tuple | None = None
        self._logins: dict[int, str] = {}
        self._awaiting: deque[tuple[float, int]] = deque()  # (ts, citizen) of rows not judged yet
        self._hr: dict[int, HrFacts] | None = None            # terminations and leaves as last read
        self._hr_at = -1e18
        self._risk_at = -1e18
        self._risk_told: dict[tuple, tuple[int, str]] = {}    # risk hit key -> (points, reason) last stored
        self._risk_withdrawn: set[tuple[str, int, str]] = set()  # (detector, operator, day) withdrawn R07/R30 hits
        self._lock = threading.Lock()
        self._running = False   # inside _run: a failure there leaves the state ahead of what was stored

    def cycle(self, now: float | None = None) -> SecurityStatus:
        """Read new journal rows, run the detectors, store verdicts, hits and cases. Errors are kept as data."""
        now = time.time() if now is None else now
        with self._lock:
            try:
                problem = self.source.check_available()
                if problem:
                    raise RuntimeError(problem)
                self._refresh(now)
                if self.cursors is None:
                    self._start(now)
                else:
                    self._step(now)
                self._late_hr(now)
                self._retention(now)
                self.status.last_success_at, self.status.error = now, None
                self._checkpoint(now)
            except Exception as exc:  # noqa: BLE001 - a bad row or a lost source must not stop the poller
                log.exception("security cycle failed")
                self.status.error = f"{type(exc).__name__}: {exc}"[:300]
                if self._running:   # the state may be ahead of what was stored: never save it; the next
                    self.cursors, self._running = None, False   # cycle starts from the last good checkpoint
        return self.status

    def _refresh(self, now: float) -> None:
        """Copy the CRM's operators (the detectors' facts, the pages' names) on the first cycle, whenever their
        signature changes (one aggregate query a cycle), and every REFERENCE_REFRESH_S for edits it cannot see."""
        signature = crm_operators_signature(self.source.engine)
        if signature == self._signature and now - self._reference_at < REFERENCE_REFRESH_S:
            return
        operators = self.ctx.refresh_reference()
        self.names.replace_all(operators)
        self._logins = {o.id: o.login for o in operators}
        self._signature, self._reference_at = signature, now

    def _start(self, now: float) -> None:
        """After a (re)start: restore stored hits, replay the rows the windows need, then go on by id.

        With a saved cursor, rows up to it are replayed (their hits are already stored) and everything after it
        is processed as new, however old: from today's checkpoint when there is a usable one, else from the
        windows' start. Without one (first start), today's rows are processed as new.
        """
        since = self.engine.replay_from(now)
        saved = self.saved_cursors.load(CURSORS)
        start = self._resume(now, saved)   # the cursors of the checkpoint taken up, or None
        if start is None:
            self.status.checkpoint_taken_at = None
            if self.engine.stats:   # a poller active before (a takeover, a failed cycle): its state is old
                self.engine, self._awaiting = DetectorEngine(self.engine.config), deque()
        self.engine.restore(self.cases.hits_since_day(local_day(since, self.s.tz)))
        top = self.source.max_ids()  # read before the rows: nothing written in between can be skipped
        limit = saved or {"access": 2**63 - 1, "signin": 2**63 - 1}
        signins = [x for x in self.source.signins(after_id=(start or {}).get("signin"), since_ts=since, limit=10**7)
                   if x.id <= limit["signin"]]
        if start is None:
            self.gaps.start(since)
        pending = None if saved is None else self.access.pending_ids(since)
        last_a, fed = self._replay(since, limit["access"], signins, now, pending, after=(start or {}).get("access"))
        self._run([], signins[fed:], now, horizon=now if saved is None else None, stored_pending=pending)
        self.cursors = saved or {"access": max(top[0], last_a), "signin": max([top[1]] + [x.id for x in signins])}
        self.saved_cursors.save(self.cursors)

    def _resume(self, now: float, saved: dict[str, int] | None) -> dict[str, int] | None:
        """Take up today's checkpoint of this pipeline's state; its cursors, or None (then the day is replayed)."""
        if self.checkpoints is None:
            return None
        try:
            loaded = self.checkpoints.load(now, saved)
        except CheckpointRejected as exc:
            log.info("replaying today's journal: the detectors' checkpoint was not used: %s", exc)
            return None
        except Exception as exc:  # noqa: BLE001 - the replay needs no checkpoint
            log.error("replaying today's journal: the detectors' checkpoint could not be read: %s", exc)
            return None
        state = loaded.state
        self.engine, self._awaiting, self._hr = state["engine"], state["awaiting"], state["hr"]
        self._risk_told, self._risk_withdrawn = state["risk_told"], state["risk_withdrawn"]
        self.gaps.gaps, self.gaps.ticket_cursor, self.gaps.journal_gaps = state["gaps"]
        self.status.checkpoint_taken_at = loaded.taken_at
        log.info("detectors resumed from the checkpoint taken %.0f s ago (journal cursors %s)",
                 now - loaded.taken_at, state["cursors"])
        return dict(state["cursors"])

    def stop(self, now: float | None = None) -> None:
        """A graceful stop (SIGTERM): after the running cycle, the last checkpoint (the next poller resumes here)."""
        if not self._lock.acquire(timeout=STOP_WAIT_S):   # a long catch-up: the lease must go now
            log.warning("detectors busy at the stop: no last checkpoint (the last periodic one will be used)")
            return
        try:
            if self.status.error is None:
                self._checkpoint(time.time() if now is None else now, force=True)
        finally:
            self._lock.release()

    def _checkpoint(self, now: float, force: bool = False) -> None:
        """Every HOTLINE_SECURITY_CHECKPOINT_S, after a complete cycle: the state a restart resumes from."""
        if self.checkpoints is None or self.cursors is None or not (force or self.checkpoints.due(now)):
            return
        state = {"engine": self.engine, "cursors": dict(self.cursors), "awaiting": self._awaiting, "hr": self._hr,
                 "gaps": (self.gaps.gaps, self.gaps.ticket_cursor, self.gaps.journal_gaps),
                 "risk_told": self._risk_told, "risk_withdrawn": self._risk_withdrawn}
        try:
            self.checkpoints.save(state, now, self.lease)
        except Exception as exc:  # noqa: BLE001 - a lost lease or app database: the next one tries again
            log.error("detectors' checkpoint not written: %s", exc)

    def _replay(self, since: float, upto_id: int, signins: list[SignIn], now: float,
                stored_pending: set[int] | None, after: int | None = None) -> tuple[int, int]:
        """The journal since ``since`` after access id ``after`` up to ``upto_id`` in chunks of BATCH rows, each
        with the sign-ins up to its last row (so a restart holds one chunk in memory, not the day); the last
        access id fed and how many of ``signins`` were."""
        last_a, fed = after or 0, 0
        while True:
            chunk = [a for a in self.source.accesses(after_id=after, since_ts=since, limit=BATCH) if a.id <= upto_id]
            if not chunk:
                return last_a, fed
            horizon = chunk[-1].ts
            start = fed
            while fed < len(signins) and signins[fed].ts <= horizon:
                fed += 1
            self._run(chunk, signins[start:fed], now, horizon=None, stored_pending=stored_pending)
            after = last_a = chunk[-1].id

    def _step(self, now: float) -> None:
        accesses = self.source.accesses(after_id=self.cursors["access"], limit=BATCH)
        signins = self.source.signins(after_id=self.cursors["signin"], limit=BATCH)
        # Journal gaps are judged up to the newest row read, or up to now once the journal is read to its end.
        self._run(accesses, signins, now, horizon=now if len(accesses) < BATCH else accesses[-1].ts)
        if accesses:
            self.cursors["access"] = accesses[-1].id
        if signins:
            self.cursors["signin"] = signins[-1].id
        self.saved_cursors.save(self.cursors)

    def _run(self, accesses: list[AccessEvent], signins: list[SignIn], now: float,
             horizon: float | None = None, stored_pending: set[int] | None = None) -> None:
        """Process rows read at ``now``; the journal has been read up to ``horizon`` (None: the rows' own end).

        ``stored_pending`` (a restart's replay of rows already copied): only these copies, stored before their
        verdict, are written again; the others hold their final verdict and link already."""
        self._running = True
        if any(a.operator_id not in self.ctx.operators for a in accesses):
            self._refresh(now)  # an operator added since this cycle began: named before the rows are copied
        judging, oldest = self._judging(accesses, now)
        # A ticket closed before the oldest of these rows minus the grace explains none of them (a day's margin).
        closed_since = None if oldest is None else oldest - self.engine.config.ticket_after_s - 86400
        self.ctx.prefetch(accesses, judging, now, closed_since)
        result = self.engine.process(accesses, signins, self.ctx, now)
        verdicts = {i: v for i, v in result.explained.items() if v[1] != "pending"}
        links = result.links
        if stored_pending is None:
            self.access.add([self._copy(a, result.explained.get(a.id, (False, "pending"))) for a in accesses])
        else:
            verdicts = {i: v for i, v in verdicts.items() if i in stored_pending}
            links = {i: v for i, v in links.items() if i in stored_pending}
        self.access.set_verdicts(verdicts)
        self.access.set_links(links)
        touched = self.cases.record_hits(result.hits, now) | self.cases.update_hits(result.updates, now)
        touched |= self._cumulative(now)
        self.gaps.observe(accesses)
        until = horizon if horizon is not None else max([a.ts for a in accesses[-1:]] or [now])
        touched |= self.cases.record_hits(self.gaps.judge(min(until, now), now), now)
        self.cases.auto_assign(touched, self.users.active_logins(REVIEWER_ROLE), now)
        self.status.rows += len(accesses) + len(signins)
        self.status.stats = dict(self.engine.stats)
        self._running = False

    def _cumulative(self, now: float) -> set[int]:
        """Every RISK_EVERY_S: the cumulative risk of today and yesterday (domain.detectors.risk) for the operators
        with hits on those days; a window that fires is a hit of that day's case (grown when the sum grows). Hits
        that rest on days since cleared are withdrawn, and recorded again when such a day counts again."""
        if now - self._risk_at < RISK_EVERY_S:
            return set()
        self._risk_at = now
        today = local_day(now, self.s.tz)
        since = day_add(today, -LOOK_BACK_DAYS)
        rows, cleared = self.cases.risk_rows_split(day_add(since, -LOOK_BACK_DAYS),
                                                   self.s.security_clearance_second_officer)
        hits: dict[tuple, Hit] = {}
        self._risk_withdrawn = {k for k in self._risk_withdrawn if k[2] >= since}
        for op, day, found in refired(sorted(self._risk_withdrawn), rows, self.ctx.peers):
            self._risk_withdrawn.discard((found.window.detector, op, day))
            hits[(found.window.detector, op, day)] = self._risk_hit(op, day, found, now)
        for day in (day_add(today, -1), today):
            active = {op for op, d, _, det, _ in rows if d == day and det not in CUMULATIVE}
            for op, found in findings(day, rows, active, self.ctx.peers):
                hits[(found.window.detector, op, day)] = self._risk_hit(op, day, found, now)
        fresh = [h for h in hits.values() if self._risk_told.get(h.key) != (h.points, h.reason_en)]
        self._risk_told.update({h.key: (h.points, h.reason_en) for h in fresh})
        self._risk_told = {k: v for k, v in self._risk_told.items() if k[2] >= day_add(today, -1)}
        return (self.cases.record_hits(fresh, now) | self.cases.update_hits(fresh, now)
                | self._withdraw_cleared(since, rows, cleared, now))

    def _risk_hit(self, op: int, day: str, found, now: float) -> Hit:
        """A cumulative finding as the hit of the operator-day's case, with the evidence of its contributing days."""
        ids, cids = self.cases.evidence_of_days(op, [d for d, _ in found.days])
        return Hit(found.window.detector, op, day, now, found.points, *risk_reasons(found), tuple(ids), tuple(cids))

    def _withdraw_cleared(self, since: str, rows: list, cleared: list, now: float) -> set[int]:
        """Withdraw the open cases' R07/R30 hits that fire only because of days since cleared
        (domain.detectors.risk.withdrawn); each case's history says which days."""
        stored = self.cases.open_hits_of(CUMULATIVE, since)
        by_case: dict[tuple[int, str], list[tuple[str, list[str]]]] = {}
        for detector, op, day, days in withdrawn(stored, rows, cleared, self.ctx.peers) if stored else ():
            by_case.setdefault((op, day), []).append((detector, days))
        touched: set[int] = set()
        for (op, day), gone in by_case.items():
            for detector, _ in gone:
                self._risk_told.pop((detector, op, day, ""), None)
                self._risk_withdrawn.add((detector, op, day))
            days = sorted({d for _, ds in gone for d in ds})
            why = f"{', '.join(d for d, _ in gone)} withdrawn: rested on cleared day(s) {', '.join(days)}"
            touched |= self.cases.remove_hits([(detector, op, day, "") for detector, _ in gone], now, why)
        return touched

    def _late_hr(self, now: float) -> None:
        """Every REFERENCE_REFRESH_S: a termination or leave entered (or changed) since the last look re-judges the
        days it covers for the operators concerned (poller.rejudge; hits are added or grown, none removed)."""
        if now - self._hr_at < REFERENCE_REFRESH_S:
            return
        self._hr_at = now
        terminated = {o.id: o.terminated_at for o in self.ctx.operators.values()}
        facts = hr_facts(terminated, self.source.recent_leaves(now - 31 * 86400))
        before, self._hr = self._hr, facts
        if before is None:
            return
        oldest = local_day(now - self.s.journal_retention_days * 86400, self.s.tz)
        changes = days_to_rejudge(before, facts, now, self.s.tz, oldest)
        if changes:
            from poller.rejudge import rejudge

            log.info("late HR records for %d operator(s): re-judging from %s", len(changes),
                     min(d for d, _ in changes.values()))
            rejudge(self, min(d for d, _ in changes.values()), max(t for _, t in changes.values()), now,
                    operators=set(changes), prune=False)

    def _judging(self, accesses: list[AccessEvent], now: float) -> tuple[set[int], float | None]:
        """Citizens of the rows the engine will judge in this call (their tickets are read in one batch), and the
        oldest time among those rows and the new ones (None when there is none)."""
        times = [a.ts for a in accesses]
        for a in accesses:
            if a.citizen_id is not None:   # searches too: D13's hour and day judge them once settled
                self._awaiting.append((a.ts, a.citizen_id))
        limit = now - self.engine.config.settle_s
        judging = set()
        while self._awaiting and self._awaiting[0][0] <= limit:
            ts, citizen = self._awaiting.popleft()
            judging.add(citizen)
            times.append(ts)
        return judging, min(times, default=None)

    def _copy(self, a: AccessEvent, verdict: tuple[bool, str]) -> dict:
        op = self.ctx.operator(a.operator_id)
        return {"id": a.id, "ts": a.ts, "day": local_day(a.ts, self.s.tz), "operator_id": a.operator_id,
                "operator_login": self._login(a.operator_id), "team_id": op.team_id if op else None,
                "citizen_id": a.citizen_id, "citizen_masked": self.ctx.mask(a.citizen_id), "action": a.action[:10],
                "ticket_id": a.ticket_id, "call_id": a.call_id, "ip": a.ip[:45], "explained": bool(verdict[0]),
                "reason": verdict[1][:20]}

    def _login(self, operator_id: int) -> str:
        return self._logins.get(operator_id, f"#{operator_id}")

    def _retention(self, now: float) -> None:
        """Note how old the source journal's oldest row is, and purge old copies (legal holds excepted).

        The oldest row is looked for every cycle until the journal has one (a fresh demo starts with an empty
        CRM: the overview said "oldest row: —" for an hour), then hourly with the purge."""
        due = now - self._retention_at >= RETENTION_EVERY_S
        if due or self.status.journal_oldest_at is None:
            self.status.journal_oldest_at = self.source.journal_start()
        if not due:
            return
        self._retention_at = now
        cutoff = now - self.s.journal_retention_days * 86400
        self.status.purged += self.access.purge(cutoff, self.held_evidence())

    def held_evidence(self) -> set[int]:
        """The access copies a legal hold keeps: every row its cases' hits list and every row of their days."""
        return self.cases.held_access_ids() | self.access.ids_of_days(self.cases.held_operator_days())
