"""The detector engine: runs every detector over each poll's new access-log and sign-in rows.

Rows are handled in (ts, sign-ins first, id) order and the engine keeps only what its windows need between calls,
so the hits are the same whether rows come in one batch or one by one. Record-touching rows are judged (D01, D04,
D05, D06, D15) once they are ``settle_s`` old, because a ticket opened a little after the access still explains it.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable

from domain.clock import day_add
from domain.detectors.allow import rule_for, silencing_rule
from domain.detectors.bursts import BulkOutput, SearchBurst
from domain.detectors.config import DetectorConfig
from domain.detectors.context import DetectorContext
from domain.detectors.days import DayClock, valid_ts
from domain.detectors.dormancy import Dormancy
from domain.detectors.env import CachedContext, Env
from domain.detectors.explain import Verdict, explain_link, unexplained_hit
from domain.detectors.model import (
    ACTIONS,
    OUTPUT_ACTIONS,
    SEARCH,
    AccessEvent,
    AllowRule,
    Hit,
    Result,
    SignIn,
)
from domain.detectors.newip import NewAddress
from domain.detectors.presence import absent, off_shift
from domain.detectors.pretext import ticket_mismatch
from domain.detectors.rare import RareRecord
from domain.detectors.relations import coworker, own_record, relative_or_neighbour
from domain.detectors.repeat import Repeat
from domain.detectors.signins import ConcurrentIps, FailedThenSuccess
from domain.detectors.spread import HOUR_S, Spread, SpreadRule
from domain.detectors.unexplained_volume import UnexplainedVolume
from domain.detectors.volume import Volume
from domain.detectors.watchlist import watched

# Windows keep rows this much longer than their span, so that slightly late rows still meet their neighbours.
LATENESS_S = 900.0


@dataclass
class _Call:
    """One ``process`` call: its environment, the allow-rules and what it found."""

    env: Env
    rules: list[AllowRule]
    result: Result = field(default_factory=Result)
    updates: dict[tuple[str, int, str, str], Hit] = field(default_factory=dict)   # the latest of each key


class DetectorEngine:
    """Runs the detectors incrementally; one instance per process, fed every poll cycle."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = cfg = config or DetectorConfig()
        self.clock = DayClock(cfg.tz)
        self.stats: Counter[str] = Counter()
        self._fired: dict[tuple[str, int, str, str], float] = {}
        self._live: dict[tuple[str, int, str, str], Hit] = {}   # fired, not silenced: its evidence may grow
        self._spans: dict[tuple[str, int, str, str], tuple[float, float]] = {}   # first and last row of a grown hit
        self._pending: list[tuple[float, int, int, AccessEvent, Verdict]] = []
        self._worked: dict[tuple[int, str], set[str]] = {}   # (operator, day) -> queues/channels answered
        self._seq = 0
        self._newest = float("-inf")
        self._pruned_day = ""
        self._volume = Volume()
        self._repeat = Repeat()
        self._unexplained = UnexplainedVolume()
        self._dormancy = Dormancy(cfg)
        self._output = BulkOutput(cfg)
        self._searches = SearchBurst(cfg)
        self._export_spread = Spread(SpreadRule("D12", cfg.export_hour_min, cfg.export_day_min,
                                                "выгружено или распечатано", "exported or printed"))
        self._search_spread = Spread(SpreadRule("D13", cfg.search_hour_min, cfg.search_day_min,
                                                "найдено поиском без звонка или обращения",
                                                "searched with no call or ticket linking them"))
        self._fails = FailedThenSuccess(cfg)
        self._ips = ConcurrentIps(cfg)
        self._new_ip = NewAddress()
        self._rare = RareRecord()

    # -- public -------------------------------------------------------------------------------------------------
    def process(self, accesses: Iterable[AccessEvent], signins: Iterable[SignIn], ctx: DetectorContext,
                now: float) -> Result:
        """Run the detectors over new rows; ``now`` releases settled rows and ages the windows out."""
        env = Env(self.config, self.clock, CachedContext(ctx), self._fired.__contains__, self.stats,
                  worked=self._worked, live=self._live)
        call = _Call(env, list(ctx.allow_rules()))
        rows = self._ordered(accesses, signins, call.result)
        if not valid_ts(now):
            self.stats["invalid_now"] += 1
            now = max([self._newest, *(r.ts for r in rows[-1:])])
        for row in self._not_future(rows, now, call.result):
            if isinstance(row, SignIn):
                self._on_signin(row, call)
            else:
                self._on_access(row, call)
        self._release(now, call)
        self._prune(now)
        call.result.updates = list(call.updates.values())
        return call.result

    def flush(self, ctx: DetectorContext, now: float) -> Result:
        """Judge the rows that have settled by ``now`` without new rows (same as ``process([], [], ctx, now)``)."""
        return self.process([], [], ctx, now)

    def restore(self, hits: Iterable[Hit]) -> None:
        """After a restart: mark the hits already stored as fired (and growing), before replaying their rows."""
        for h in hits:
            self._fired[h.key] = h.ts
            self._live[h.key] = h     # stored hits go on growing

    def replay_from(self, now: float) -> float:
        """After a restart at ``now``: the earliest row time to replay (local midnight, or earlier for the windows)."""
        cfg = self.config
        if not valid_ts(now):
            return now
        spans = max(cfg.export_window_s, cfg.search_window_s, cfg.fail_window_s, cfg.ip_window_s)
        return min(self.clock.start(self.clock.day(now)), now - spans - cfg.settle_s - LATENESS_S)

    @property
    def pending(self) -> int:
        """How many record-touching rows wait to be judged."""
        return len(self._pending)

    def state_size(self) -> dict[str, int]:
        """Sizes of the in-memory state, for monitoring."""
        return {"fired": len(self._fired), "pending": len(self._pending),
                "operator_days": sum(len(ops) for ops in self._volume.touched.values()),
                "repeat_pairs": len(self._repeat.days), "window_rows": self._output.bursts.size()
                + self._searches.bursts.size() + self._ips.bursts.size()
                + sum(len(w.items) for w in self._fails.fails.values())}

    # -- intake -------------------------------------------------------------------------------------------------
    def _ordered(self, accesses: Iterable[AccessEvent], signins: Iterable[SignIn],
                 result: Result) -> list[AccessEvent | SignIn]:
        rows: list[AccessEvent | SignIn] = []
        for a in accesses or ():
            clean = _clean_access(a)
            if clean is None:
                self.stats["invalid_access"] += 1
                if isinstance(getattr(a, "id", None), int):
                    result.explained[a.id] = (False, "invalid")
            else:
                rows.append(clean)
        for s in signins or ():
            clean = _clean_signin(s)
            if clean is None:
                self.stats["invalid_signin"] += 1
            else:
                rows.append(clean)
        rows.sort(key=lambda r: (r.ts, isinstance(r, AccessEvent), r.id))
        return rows

    def _not_future(self, rows: list[AccessEvent | SignIn], now: float, result: Result) -> list[AccessEvent | SignIn]:
        """The rows not dated after now + max_future_s; later ones would hold the windows in the future."""
        limit = now + self.config.max_future_s
        for r in rows:
            if r.ts > limit:
                self.stats["future_row"] += 1
                if isinstance(r, AccessEvent):
                    result.explained[r.id] = (False, "invalid")
        return [r for r in rows if r.ts <= limit]

    def _on_signin(self, s: SignIn, call: _Call) -> None:
        env = call.env
        self.stats["signins"] += 1
        self._newest = max(self._newest, s.ts)
        day = self.clock.day(s.ts)
        hits = [self._fails.on_signin(s, day, env)]
        if s.operator_id is not None:
            if s.success:
                self._dormancy.seen(s.operator_id, s.ts, env.ctx.operator(s.operator_id), env)
                hits.append(self._new_ip.on_event(s.operator_id, s.ts, s.ip, ("s", s.id), day, env))
            hits.append(self._ips.on_event(s.operator_id, s.ts, s.ip, ("s", s.id), day, env))
        self._emit(hits, call)

    def _on_access(self, a: AccessEvent, call: _Call) -> None:
        env, res = call.env, call.result
        self.stats["accesses"] += 1
        self._newest = max(self._newest, a.ts)
        day = self.clock.day(a.ts)
        op = env.ctx.operator(a.operator_id)
        if op is None:
            self.stats["unknown_operator"] += 1
        self._dormancy.seen(a.operator_id, a.ts, op, env)
        hits = [self._ips.on_event(a.operator_id, a.ts, a.ip, ("a", a.id), day, env),
                self._new_ip.on_event(a.operator_id, a.ts, a.ip, ("a", a.id), day, env)]
        if a.action not in ACTIONS:
            self.stats["unknown_action"] += 1
            res.explained[a.id] = (False, "unknown_action")
        else:
            hits += [off_shift(a, op, day, env), absent(a, op, day, env)]
            if a.action == SEARCH:
                res.explained[a.id] = (True, "search")
                if a.citizen_id is not None:
                    hits.append(self._searches.on_search(a, day, env))
                    self._defer(a, Verdict(True, "search"))
            elif a.citizen_id is None:
                self.stats["record_without_citizen"] += 1
                res.explained[a.id] = (False, "no_citizen")
            else:
                hits += self._touch(a, day, call)
        self._emit(hits, call)

    def _touch(self, a: AccessEvent, day: str, call: _Call) -> list[Hit | None]:
        """The immediate detectors of a record-touching access with a citizen; its judgement is deferred."""
        env = call.env
        op = env.ctx.operator(a.operator_id)
        hits = [self._dormancy.on_touch(a, day, env), ticket_mismatch(a, day, env), own_record(a, op, day, env)]
        hits += self._volume.on_touch(a, day, env)
        if a.action in OUTPUT_ACTIONS:
            hits.append(self._output.on_output(a, day, env))
            hits += self._export_spread.observe(a, day, env)
        verdict = explain_link(a, op, env)
        call.result.explained[a.id] = verdict[:2] if verdict.explained else (False, "pending")
        self._defer(a, verdict)
        return hits

    def _defer(self, a: AccessEvent, verdict: Verdict) -> None:
        """Queue the row to be judged once settled."""
        self._seq += 1
        heapq.heappush(self._pending, (a.ts, a.id, self._seq, a, verdict))

    # -- judgement of settled rows ------------------------------------------------------------------------------
    def _release(self, now: float, call: _Call) -> None:
        limit = now - self.config.settle_s
        while self._pending and self._pending[0][0] <= limit:
            _, _, _, a, verdict = heapq.heappop(self._pending)
            if a.action == SEARCH:
                self._judge_search(a, call)
            else:
                self._judge(a, verdict, call)

    def _judge_search(self, a: AccessEvent, call: _Call) -> None:
        """A settled search: counted towards D13's hour and day when no ticket links the operator to the citizen."""
        env = call.env
        if not explain_link(a, env.ctx.operator(a.operator_id), env).explained:
            self._emit(list(self._search_spread.observe(a, self.clock.day(a.ts), env)), call)

    def _judge(self, a: AccessEvent, verdict: Verdict, call: _Call) -> None:
        """D01 and the detectors that need it (D04, D05, D15), and D06, for a settled record-touching access."""
        env = call.env
        day = self.clock.day(a.ts)
        op = env.ctx.operator(a.operator_id)
        if not verdict.explained:
            verdict = explain_link(a, op, env)  # a ticket may have appeared since the row came in
        call.result.explained[a.id] = verdict[:2]
        self._link(a, op, verdict, call)
        unexplained = not verdict.explained
        # A watch-listed record needs a personal link: a ticket of the operator's team is not enough for it.
        hits = [watched(a, not verdict[0] or verdict[1] == "team_ticket", day, env)]
        if unexplained:
            self.stats["unexplained"] += 1
            rows = list(self._unexplained.record(a, day))
            hits += [unexplained_hit(a, day, env, rows), self._repeat.on_unexplained(a, day, env, rows),
                     self._unexplained.on_unexplained(a, day, env), self._rare.on_unexplained(a, day, env)]
            cit = env.ctx.citizen(a.citizen_id)
            if cit is None:
                self.stats["unknown_citizen"] += 1
            elif op is not None:
                hits += [relative_or_neighbour(a, op, cit, day, env), coworker(a, op, cit, day, env)]
        self._emit(hits, call)

    @staticmethod
    def _link(a: AccessEvent, op, verdict: Verdict, call: _Call) -> None:
        """Which link explained the access: the ticket, or the D01 allow-rule that accepts an unexplained one."""
        if verdict.ticket_id is not None:
            call.result.links[a.id] = (verdict.code, verdict.ticket_id)
        elif not verdict.explained and (rule := rule_for("D01", a.operator_id, a.ts, op, call.rules)) is not None:
            call.result.links[a.id] = ("allow_rule", rule.id)

    # -- output and housekeeping --------------------------------------------------------------------------------
    def _emit(self, hits: list[Hit | None], call: _Call) -> None:
        """Drop repeats of fired keys, then route each new hit to the result or, under an allow-rule, aside."""
        for h in hits:
            if h is None or not self.config.on(h.detector):
                continue
            if h.key in self._fired:
                self._grow(h, call)
                continue
            self._fired[h.key] = h.ts
            rule = silencing_rule(h, call.env.ctx.operator(h.operator_id), call.rules)
            if rule is None:
                call.result.hits.append(h)
                self._live[h.key] = h
                self.stats[f"hit_{h.detector}"] += 1
            else:
                call.result.suppressed.append((h, rule.id))
                self.stats["suppressed"] += 1

    def _grow(self, h: Hit, call: _Call) -> None:
        """A fired key seen again: an update when it is live and its evidence or reason changed, else a repeat.

        A detector that keeps the whole evidence returns it all (the new hit replaces the old one); a detector of
        single rows returns the new row, which is added to the old evidence (see ``grown_by_row``).
        """
        old = self._live.get(h.key)
        if old is not None and not (set(old.access_ids) <= set(h.access_ids)
                                    and set(old.signin_ids) <= set(h.signin_ids)):
            lo, hi = self._spans.get(h.key, (old.ts, old.ts))
            self._spans[h.key] = lo, hi = min(lo, h.ts), max(hi, h.ts)
            h = grown_by_row(old, h, self.clock.hhmm, (lo, hi), self.config.evidence_cap)
        if old is None or (old.access_ids, old.signin_ids, old.reason_en, old.points) == \
                (h.access_ids, h.signin_ids, h.reason_en, h.points):
            self.stats["repeat_hit"] += 1
            return
        grown = replace(h, ts=old.ts, points=max(old.points, h.points))
        self._live[h.key] = grown
        if grown.key in {x.key for x in call.result.hits}:   # fired in this very call: return the grown one
            call.result.hits = [grown if x.key == grown.key else x for x in call.result.hits]
        else:
            call.updates[grown.key] = grown
        self.stats["hit_update"] += 1

    def _prune(self, now: float) -> None:
        if not math.isfinite(now):
            return
        cfg = self.config
        self._output.bursts.prune(now - cfg.export_window_s - LATENESS_S)
        self._searches.bursts.prune(now - cfg.search_window_s - LATENESS_S)
        self._ips.bursts.prune(now - cfg.ip_window_s - LATENESS_S)
        self._fails.prune(now - cfg.fail_window_s - LATENESS_S)
        self._dormancy.prune(now - cfg.wake_window_s - LATENESS_S)
        yesterday = day_add(self.clock.day(now), -1)
        for spread in (self._export_spread, self._search_spread):
            spread.prune(now - HOUR_S - cfg.settle_s - LATENESS_S, yesterday)
        today = self.clock.day(now)
        if today != self._pruned_day:
            self._pruned_day = today
            yesterday = day_add(today, -1)
            self._fired = {k: ts for k, ts in self._fired.items() if k[2] >= yesterday}
            for key in [k for k in self._live if k[2] < yesterday]:
                del self._live[key]
                self._spans.pop(key, None)
            self._volume.prune(yesterday)
            self._worked = {k: v for k, v in self._worked.items() if k[1] >= yesterday}
            self._unexplained.prune(yesterday)
            self._new_ip.prune(yesterday)
            self._rare.prune(yesterday)
            self._repeat.prune(today, cfg.repeat_days)


_ROWS = re.compile(r" \[(\d+ (строк|rows)): [^\]]*\]$")


def grown_by_row(old: Hit, new: Hit, hhmm, span: tuple[float, float], cap: int) -> Hit:
    """``old`` with the row(s) of ``new`` added: the first reason, then '[N rows: HH:MM-HH:MM (M min)]' with the
    first and last row's times (``span``) and ``hhmm`` the local clock."""
    ids = tuple(dict.fromkeys((*old.access_ids, *new.access_ids)))[:cap]
    cids = tuple(dict.fromkeys((*old.citizen_ids, *new.citizen_ids)))[:cap]
    sids = tuple(dict.fromkeys((*old.signin_ids, *new.signin_ids)))[:cap]
    first_ru, first_en = _ROWS.sub("", old.reason_ru), _ROWS.sub("", old.reason_en)
    lo, hi = span
    text = f"{hhmm(lo)}-{hhmm(hi)} ({round((hi - lo) / 60)}"
    return replace(old, access_ids=ids, citizen_ids=cids, signin_ids=sids, points=max(old.points, new.points),
                   reason_ru=f"{first_ru} [{len(ids) + len(sids)} строк: {text} мин)]",
                   reason_en=f"{first_en} [{len(ids) + len(sids)} rows: {text} min)]")


def _int(value: object) -> int | None:
    # Ids beyond 64 bits are garbage (and would break a BIGINT lookup in the context).
    ok = isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    return value if ok else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _clean_access(a: object) -> AccessEvent | None:
    """The row with its fields normalised, or None when it cannot be used (no id, operator or valid time)."""
    if not isinstance(a, AccessEvent) or _int(a.id) is None or _int(a.operator_id) is None or not valid_ts(a.ts):
        return None
    return AccessEvent(a.id, float(a.ts), a.operator_id, _int(a.citizen_id), _text(a.action).lower(),
                       _int(a.ticket_id), _text(a.call_id) or None, _text(a.ip))


def _clean_signin(s: object) -> SignIn | None:
    """The sign-in normalised, or None when it has no id or valid time."""
    if not isinstance(s, SignIn) or _int(s.id) is None or not valid_ts(s.ts):
        return None
    return SignIn(s.id, float(s.ts), _int(s.operator_id), _text(s.login), s.success is True, _text(s.ip))
