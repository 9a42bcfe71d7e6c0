"""The queue_log state machine: events in; live calls, operators and today's per-queue counters out.

Every call keeps only facts (entered, connected, ended, outcome...). Its contribution to the counters is a
pure function of those facts (:func:`call_items`), recomputed around each event, so duplicates, out-of-order
rows and a missing ENTERQUEUE all end in the same numbers. An operator's time in each state is booked per queue
and per 15-minute interval when the state ends (:func:`staffing_items`), and at least once a minute while it lasts.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Iterable

from domain import queue_log as ql
from domain.clock import day_start, next_day_start
from domain.counters import ROLLING_KEEP_MIN, CounterBook, Item, interval_pieces
from domain.history import ABANDON_PREFIX, ANSWER_PREFIX, PAUSE_PREFIX, wait_bucket
from domain.masking import mask_phone

# queue_log times and the PBX's durations are whole seconds, rounded apart: a duration may pass its rows' times
# by a second or two.
DURATION_SLACK_S = 5
# Operators' open states are booked at least this often (a share of them each tick), so the open interval's
# agent-seconds lag by at most a minute; booked up to this far behind the clock, where rows may still be coming.
ACCRUE_EVERY_S = 60.0
ACCRUE_LAG_S = 5.0


@dataclass(frozen=True)
class TelephonyConfig:
    """The metric definitions' parameters (domain/metrics.py)."""

    tz: str = "Europe/Moscow"
    sl_threshold_s: int = 20
    sl_thresholds: dict[str, int] = field(default_factory=dict)  # per queue
    sl_goal: float = 0.80   # of a queue without a configured line (the configured ones carry their own)
    sl_variant: str = "default"  # domain.metrics.SL_VARIANTS
    short_abandon_s: int = 5
    lost_after_s: int = 3600
    lost_talk_after_s: int = 4 * 3600
    wrapup_s: int = 15
    abandoned_keep: int = 300
    dedup_window: int = 20000
    max_duration_s: int = 4 * 3600  # a hold, talk or wait no row time can bound is believed up to this

    def threshold(self, queue: str) -> int:
        return self.sl_thresholds.get(queue, self.sl_threshold_s)


class Call:
    """What is known of one caller's visit to one queue."""

    __slots__ = ("callid", "queue", "caller", "entered_at", "entry_inferred", "connected_at", "hold_s", "agent",
                 "ended_at", "outcome", "wait_s", "talk_s")

    def __init__(self, callid: str, queue: str) -> None:
        self.callid = callid
        self.queue = queue
        self.caller = ""
        self.entered_at: float | None = None
        self.entry_inferred = False
        self.connected_at: float | None = None
        self.hold_s = 0
        self.agent = ""
        self.ended_at: float | None = None
        self.outcome: str | None = None  # completed | transferred | abandoned | timeout | lost
        self.wait_s = 0
        self.talk_s = 0

    @property
    def waiting(self) -> bool:
        return self.entered_at is not None and self.connected_at is None and self.outcome is None

    @property
    def talking(self) -> bool:
        return self.connected_at is not None and self.outcome is None


def call_items(call: Call, cfg: TelephonyConfig) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """The call's contribution to the queue counters and to its operator's counters."""
    q, out, agent_out, agent = call.queue, [], [], call.agent
    if call.entered_at is not None:
        out.append((q, int(call.entered_at // 60), "offered", 1))
    if call.connected_at is not None:
        m = int(call.connected_at // 60)
        out += ((q, m, "answered", 1), (q, m, "hold_sum", call.hold_s),
                (q, m, f"{ANSWER_PREFIX}{wait_bucket(call.hold_s)}", 1))
        if call.hold_s <= cfg.threshold(q):
            out.append((q, m, "answered_in_t", 1))
        if agent:
            agent_out.append((agent, m, "answered", 1))
    outcome = call.outcome
    if outcome is not None and call.ended_at is not None:
        m = int(call.ended_at // 60)
        if outcome == "completed" or outcome == "transferred":
            out += ((q, m, "handled", 1), (q, m, "talk_sum", call.talk_s))
            if outcome == "transferred":
                out.append((q, m, "transferred", 1))
            if agent:
                agent_out += ((agent, m, "handled", 1), (agent, m, "talk_sum", call.talk_s))
        elif outcome == "abandoned":
            out += ((q, m, "abandoned", 1), (q, m, f"{ABANDON_PREFIX}{wait_bucket(call.wait_s)}", 1))
            if call.wait_s < cfg.short_abandon_s:
                out.append((q, m, "short_abandoned", 1))
            if call.wait_s <= cfg.threshold(q):
                out.append((q, m, "abandoned_in_t", 1))
        else:  # timeout | lost
            out.append((q, m, "timed_out" if outcome == "timeout" else "lost", 1))
    return tuple(out), tuple(agent_out)


AGENT_STATES = ("available", "on_call", "wrap_up", "paused", "offline")


class Agent:
    """A queue member (operator) as the PBX sees it, with today's staffed and busy seconds."""

    __slots__ = ("name", "queues", "logged_in", "paused", "pause_reason", "call", "wrap_until", "since",
                 "last_ts", "staffed_s", "busy_s", "acc_at", "dynamic", "on_accrue")

    def __init__(self, name: str, ts: float, on_accrue: "Callable[[Agent, float, float], None] | None" = None) -> None:
        self.name = name
        self.queues: set[str] = set()
        self.logged_in = False
        self.paused = False
        self.pause_reason = ""
        self.call: tuple[str, str] | None = None
        self.wrap_until = 0.0
        self.since = ts
        self.last_ts = ts
        self.staffed_s = 0.0
        self.busy_s = 0.0
        self.acc_at = ts
        self.dynamic = False  # membership comes from ADDMEMBER/REMOVEMEMBER, not inferred from calls
        self.on_accrue = on_accrue  # told of each span of time closed by accrue (the per-interval staffing)

    def state(self, now: float) -> str:
        if self.call is not None:
            return "on_call"
        if not self.logged_in:
            return "offline"
        if self.paused:
            return "paused"
        return "wrap_up" if now < self.wrap_until else "available"

    def state_since(self, now: float) -> float:
        """When the current state began (wrap-up ends by itself, without an event)."""
        if self.state(now) == "available" and self.since < self.wrap_until <= now:
            return self.wrap_until
        return self.since

    def _delta(self, ts: float) -> tuple[float, float]:
        """Staffed (logged in, not paused) and busy (talk, wrap-up) seconds since the last accrual."""
        t0 = self.acc_at
        if ts <= t0:
            return 0.0, 0.0
        if self.call is not None:
            return ts - t0, ts - t0
        if self.logged_in and not self.paused:
            return ts - t0, max(min(ts, self.wrap_until) - t0, 0.0)
        return 0.0, 0.0

    def segments(self, t0: float, t1: float) -> tuple[tuple[float, float, str], ...]:
        """[t0, t1) in the current state as (start, end, kind): ``talk``, ``wrapup``, ``available`` or ``paused``;
        nothing while logged out. The same states as :meth:`_delta` (whose staffed = talk + wrapup + available)."""
        if t1 <= t0:
            return ()
        if self.call is not None:
            return ((t0, t1, "talk"),)
        if not self.logged_in:
            return ()
        if self.paused:
            return ((t0, t1, "paused"),)
        wrap = self.wrap_until
        if wrap <= t0:
            return ((t0, t1, "available"),)
        if wrap >= t1:
            return ((t0, t1, "wrapup"),)
        return ((t0, wrap, "wrapup"), (wrap, t1, "available"))

    def accrue(self, ts: float) -> None:
        """Add the time since the last accrual to today's staffed and busy seconds."""
        if ts > self.acc_at and self.on_accrue is not None and (self.logged_in or self.call is not None):
            self.on_accrue(self, self.acc_at, ts)
        staffed, busy = self._delta(ts)
        self.staffed_s += staffed
        self.busy_s += busy
        self.acc_at = max(self.acc_at, ts)

    def totals(self, now: float) -> tuple[float, float]:
        """Today's staffed and busy seconds up to ``now``."""
        staffed, busy = self._delta(now)
        return self.staffed_s + staffed, self.busy_s + busy

    def change(self, ts: float, **facts: object) -> None:
        """Set state facts at ``ts``, closing the time spent in the previous state."""
        before = self.state(ts)
        self.accrue(ts)
        for name, value in facts.items():
            setattr(self, name, value)
        if self.state(ts) != before:
            self.since = ts
        self.last_ts = max(self.last_ts, ts)


# The counter one second in each state adds to, for the queue and for the operator (staffed, the sum of them all,
# and busy are derived when read: one item per piece of time keeps a start-up rebuild fast).
_QUEUE_FIELD = {"talk": "busy_s", "wrapup": "busy_s", "available": "available_s", "paused": "paused_s"}
_OWN_FIELD = {"talk": "on_call_s", "wrapup": "wrapup_s", "available": "available_s", "paused": "paused_s"}


def staffing_items(agent: Agent, t0: float, t1: float) -> tuple[list[Item], list[Item]]:
    """The operator's seconds in [t0, t1) (in its current state) for each of its queues and for itself, cut at the
    15-minute borders: available_s, busy_s (talk and wrap-up) and paused_s with ``pause:<reason>`` per queue;
    on_call_s, wrapup_s, available_s, paused_s and ``pause:<reason>`` for the operator."""
    queue_items: list[Item] = []
    own: list[Item] = []
    name, queues = agent.name, agent.queues
    reason = PAUSE_PREFIX + agent.pause_reason
    for start, end, kind in agent.segments(t0, t1):
        field, own_field, paused = _QUEUE_FIELD[kind], _OWN_FIELD[kind], kind == "paused"
        for piece, seconds in interval_pieces(start, end):
            minute = int(piece // 60)
            own.append((name, minute, own_field, seconds))
            queue_items += [(queue, minute, field, seconds) for queue in queues]
            if paused:
                own.append((name, minute, reason, seconds))
                queue_items += [(queue, minute, reason, seconds) for queue in queues]
    return queue_items, own


class TelephonyState:
    """Live calls and operators of every queue, and today's counters, from queue_log events."""

    def __init__(self, cfg: TelephonyConfig, now: float) -> None:
        self.cfg = cfg
        self.day_start = day_start(now, cfg.tz)
        self.next_day = next_day_start(now, cfg.tz)
        self.book = CounterBook(self.day_start, day_end=self.next_day, interval_only=(ANSWER_PREFIX, ABANDON_PREFIX))
        self.agent_book = CounterBook(self.day_start, detailed=False, day_end=self.next_day)
        # Agent-seconds per queue and interval (staffing_items); no rolling windows.
        self.staff_book = CounterBook(self.day_start, day_end=self.next_day, rolling=False)
        self._accrue_order: list[str] = []
        self._accrue_next = 0
        self._accrued_at: float | None = None
        self.calls: dict[tuple[str, str], Call] = {}
        self.waiting: dict[str, dict[tuple[str, str], Call]] = {}
        self.abandoned: dict[str, OrderedDict[tuple[str, str], Call]] = {}
        self.agents: dict[str, Agent] = {}
        self.dirty_agents: set[str] = set()  # changed since the snapshot last looked (its cache)
        self.queues: set[str] = set()
        self.stats: Counter[str] = Counter()
        self.unknown_verbs: Counter[str] = Counter()
        self._recent: deque[tuple] = deque()
        self._recent_set: set[tuple] = set()
        self._pending: dict | None = None
        self.latest_ts = 0.0
        # Rows dated after this are refused. The day itself changes only by the reader's clock (set_clock, tick),
        # never by a row's date.
        self.horizon: float | None = None
        self.last_rejected: tuple[str, str] | None = None  # (which row, exception type): no values, no PII

    # -- events -------------------------------------------------------------------------------------------
    def apply_all(self, events: Iterable[ql.QueueLogEvent]) -> None:
        """Apply a batch. Calls are booked once per batch, from their facts before and after it: a start-up
        rebuild of a whole day then costs one counter update per call, not one per event."""
        self._pending = {}
        count = 0
        try:
            for event in events:
                count += 1
                try:
                    self._apply_one(event)
                except Exception as exc:  # noqa: BLE001 - one row's surprise must not lose its neighbours
                    self._reject(f"queue_log row {getattr(event, 'row_id', None)}", exc)
        finally:
            self.stats["events"] += count
            pending, self._pending = self._pending, None
            for key, (old, was_waiting, old_outcome) in pending.items():
                call = self.calls.get(key)
                try:
                    if call is not None:
                        self._settle(call, old, was_waiting, old_outcome)
                except Exception as exc:  # noqa: BLE001
                    self._reject("a call's counters", exc)

    def _reject(self, what: str, exc: Exception) -> None:
        self.stats["rejected_row"] += 1
        self.last_rejected = (what, type(exc).__name__)

    def apply(self, ev: ql.QueueLogEvent) -> None:
        """Apply one event (a batch of one)."""
        self.apply_all((ev,))

    def _apply_one(self, ev: ql.QueueLogEvent) -> None:
        """Apply one event of a batch. Never raises on odd input: it is counted in :attr:`stats` instead."""
        ts = ev.ts
        if self.horizon is not None and ts > self.horizon:
            self.stats["future_rows"] += 1
            return
        if self._seen(ev):
            self.stats["duplicates"] += 1
            return
        if ts < self.latest_ts:
            self.stats["out_of_order"] += 1
        else:
            self.latest_ts = ts
        verb = ev.verb
        if verb in ql.CALL_VERBS:
            self._apply_call(ev)
        elif verb in ql.AGENT_VERBS:
            self._apply_agent(ev)
        elif ql.is_blocked(verb):
            self._block(ev)
        elif verb in ql.SYSTEM_VERBS or verb in ql.CUSTOM_VERBS:
            self.stats["ignored"] += 1
        else:
            self.stats["unknown_verb"] += 1
            if len(self.unknown_verbs) < 50 or verb in self.unknown_verbs:
                self.unknown_verbs[verb[:32]] += 1

    def _seen(self, ev: ql.QueueLogEvent) -> bool:
        key = ev[:6]  # the event without its row id
        recent = self._recent_set
        if key in recent:
            return True
        self._recent.append(key)
        recent.add(key)
        if len(recent) > self.cfg.dedup_window:
            recent.discard(self._recent.popleft())
        return False

    def _apply_call(self, ev: ql.QueueLogEvent) -> None:
        if ev.queue in ql.NO_AGENT or not ev.callid or ev.callid in ql.NO_AGENT:
            self.stats["ignored"] += 1
            return
        if ev.queue not in self.queues:
            self.queues.add(ev.queue)
            self.waiting.setdefault(ev.queue, {})
        if ev.agent not in ql.NO_AGENT:
            self._learn_member(ev.agent, ev.queue, ev.ts)
        if ev.verb in ql.RING_VERBS or ev.verb in ql.CALL_OTHER_VERBS:
            return
        key = (ev.callid, ev.queue)
        call = self.calls.get(key)
        if key not in self._pending:  # what the call contributed before this batch, booked when it ends
            self._pending[key] = ((call_items(call, self.cfg), call.waiting, call.outcome) if call is not None
                                  else (((), ()), False, None))
        if call is None:
            call = self.calls[key] = Call(ev.callid, ev.queue)
        _CALL_HANDLERS[ev.verb](self, call, ev)

    def _block(self, ev: ql.QueueLogEvent) -> None:
        """FULL, JOINEMPTY, JOINUNAVAIL, CLOSED, DIVERT_*: a caller turned away before joining the queue."""
        if ev.queue in ql.NO_AGENT:
            self.stats["ignored"] += 1
            return
        if ev.queue not in self.queues:
            self.queues.add(ev.queue)
            self.waiting.setdefault(ev.queue, {})
        self.book.add(((ev.queue, int(ev.ts // 60), "blocked", 1),))

    def _settle(self, call: Call, old: tuple, was_waiting: bool, old_outcome: str | None) -> None:
        """Book the change of a call: counters, waiting list, abandoned list."""
        new = call_items(call, self.cfg)
        self.book.replace(old[0], new[0])
        if old[1] != new[1]:
            self.agent_book.replace(old[1], new[1])
            self.dirty_agents.update(item[0] for item in old[1] + new[1])
        key = (call.callid, call.queue)
        if call.waiting != was_waiting:
            waiting = self.waiting.setdefault(call.queue, {})
            if call.waiting:
                waiting[key] = call
            else:
                waiting.pop(key, None)
        if (call.outcome == "abandoned") != (old_outcome == "abandoned"):
            listed = self.abandoned.setdefault(call.queue, OrderedDict())
            if call.outcome == "abandoned" and (call.ended_at or 0) >= self.day_start:
                listed[key] = call
                while len(listed) > self.cfg.abandoned_keep:
                    listed.popitem(last=False)
            else:
                listed.pop(key, None)

    def _enter(self, call: Call, ev: ql.QueueLogEvent) -> None:
        caller = mask_phone(ev.field(2))
        if call.entered_at is None or call.entry_inferred:
            call.entered_at, call.entry_inferred = ev.ts, False
        call.caller = caller

    def _seconds(self, value: int | None, start: float | None, end: float) -> int:
        """A hold, talk or wait the PBX wrote if it is believable, else what the call's row times say (0 without
        a start). Believable: not negative, and at most ``end - start`` (plus slack), or ``max_duration_s`` when
        the start was not seen. An unbelievable value is counted and never reaches ASA, AHT or service level."""
        elapsed = None if start is None else end - start
        if value is not None:
            limit = self.cfg.max_duration_s if elapsed is None else max(elapsed, 0.0) + DURATION_SLACK_S
            if 0 <= value <= limit:
                return value
            self.stats["absurd_duration"] += 1
        return 0 if elapsed is None else max(int(elapsed), 0)

    def _connect(self, call: Call, ev: ql.QueueLogEvent) -> None:
        hold = self._seconds(ev.int_field(1), call.entered_at, ev.ts)
        if call.connected_at is None or call.outcome in ("abandoned", "timeout", "lost"):
            if call.outcome in ("abandoned", "timeout", "lost"):
                call.outcome, call.ended_at = None, None
            call.connected_at, call.hold_s, call.agent = ev.ts, hold, ev.agent
        self._infer_entry(call, ev.ts - hold)
        if call.outcome is None:
            self._agent_on_call(ev.agent, (call.callid, call.queue), ev.ts)

    def _complete(self, call: Call, ev: ql.QueueLogEvent) -> None:
        if ev.verb in ql.TRANSFER_VERBS:
            hold, talk, outcome = _transfer_times(ev) + ("transferred",)
        else:
            hold, talk, outcome = ev.int_field(1), ev.int_field(2), "completed"
        talk = self._seconds(talk, call.connected_at, ev.ts)
        if call.connected_at is None:
            hold = self._seconds(hold, call.entered_at, ev.ts - talk)
            call.connected_at, call.hold_s, call.agent = ev.ts - talk, hold, ev.agent
            self._infer_entry(call, call.connected_at - call.hold_s)
        call.ended_at, call.outcome, call.talk_s = ev.ts, outcome, talk
        self._agent_done(call.agent or ev.agent, (call.callid, call.queue), ev.ts)

    def _leave(self, call: Call, ev: ql.QueueLogEvent) -> None:
        """ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY, WITHDRAW: the caller left without an operator."""
        if call.connected_at is not None:
            self.stats["exit_after_connect"] += 1
            return
        wait = self._seconds(ev.int_field(4 if ev.verb == "EXITWITHKEY" else 3), call.entered_at, ev.ts)
        call.ended_at, call.wait_s = ev.ts, wait
        call.outcome = "abandoned" if ev.verb == ql.ABANDON else "timeout"
        self._infer_entry(call, ev.ts - wait)

    @staticmethod
    def _infer_entry(call: Call, entered: float) -> None:
        if call.entered_at is None:
            call.entered_at, call.entry_inferred = entered, True

    # -- operators ----------------------------------------------------------------------------------------
    def _agent(self, name: str, ts: float) -> Agent:
        self.dirty_agents.add(name)
        agent = self.agents.get(name)
        if agent is None:
            agent = self.agents[name] = Agent(name, ts, self._book_staffing)
        return agent

    def _book_staffing(self, agent: Agent, t0: float, t1: float) -> None:
        queue_items, own = staffing_items(agent, t0, t1)
        self.staff_book.add(queue_items)
        self.agent_book.add(own)

    def _learn_member(self, name: str, queue: str, ts: float) -> None:
        """A static member (never added or removed by events) that is rung or connected is logged in."""
        agent = self._agent(name, ts)
        if agent.dynamic:
            return  # a COMPLETE after REMOVEMEMBER must not bring the membership back
        if queue not in agent.queues:
            agent.accrue(ts)  # the time before belongs to the queues it had
        agent.queues.add(queue)
        if not agent.logged_in and ts >= agent.last_ts:
            agent.change(ts, logged_in=True)

    def _agent_on_call(self, name: str, key: tuple[str, str], ts: float) -> None:
        agent = self._agent(name, ts)
        if ts >= agent.last_ts or agent.call is None:
            agent.change(ts, call=key, logged_in=True)

    def _agent_done(self, name: str, key: tuple[str, str], ts: float) -> None:
        self.dirty_agents.add(name)
        agent = self.agents.get(name)
        if agent is not None and agent.call == key:
            agent.change(ts, call=None, wrap_until=ts + self.cfg.wrapup_s)

    def _apply_agent(self, ev: ql.QueueLogEvent) -> None:
        if ev.agent in ql.NO_AGENT:
            self.stats["ignored"] += 1
            return
        agent = self._agent(ev.agent, ev.ts)
        if ev.ts < agent.last_ts:
            self.stats["agent_out_of_order"] += 1
            return
        verb, queue = ev.verb, ev.queue
        if verb in ("ADDMEMBER", "REMOVEMEMBER"):
            agent.dynamic = True
            agent.accrue(ev.ts)  # the time before belongs to the queues it had
        if verb == "ADDMEMBER":
            if queue not in ql.NO_AGENT:
                agent.queues.add(queue)
                self.queues.add(queue)
            agent.change(ev.ts, logged_in=True, paused=ev.field(1) == "PAUSED" or agent.paused)
        elif verb == "REMOVEMEMBER":
            agent.queues.discard(queue)
            agent.change(ev.ts, logged_in=bool(agent.queues))
        elif verb in ("AGENTLOGIN", "AGENTCALLBACKLOGIN"):
            agent.change(ev.ts, logged_in=True)
        elif verb in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF"):
            agent.change(ev.ts, logged_in=False, paused=False, pause_reason="")
        elif verb in ("PAUSE", "PAUSEALL"):
            agent.change(ev.ts, paused=True, pause_reason=ev.field(1)[:60])
        elif verb in ("UNPAUSE", "UNPAUSEALL"):
            agent.change(ev.ts, paused=False, pause_reason="")
        else:
            agent.last_ts = ev.ts  # PENALTY, RINGINUSE: no state change

    # -- time -------------------------------------------------------------------------------------------------
    def set_clock(self, now: float, future_tolerance_s: float) -> None:
        """The reader's 'now': the day rolls at its local midnight (before the rows read at ``now`` are applied,
        so a new day's first rows count in it), rows dated later than now + tolerance are refused, and minute
        buckets older than the rolling windows are not kept (a rebuild of a whole day then skips them)."""
        if now >= self.next_day:
            self.roll_day(now)
        self.horizon = now + future_tolerance_s
        self.book.rolling_floor = max(self.book.rolling_floor, int(now // 60) - ROLLING_KEEP_MIN - 1)

    def tick(self, now: float) -> None:
        """Advance to ``now``: roll the day at local midnight, flag lost calls, book a share of the operators'
        open states, forget old minute buckets."""
        if now >= self.next_day:
            self.roll_day(now)
        self.flag_lost(now)
        self._accrue_some(now - ACCRUE_LAG_S)
        self.book.trim_minutes(now)

    def accrue_agents(self, ts: float) -> None:
        """Book every operator's time up to ``ts`` (the end of a replayed range)."""
        for agent in self.agents.values():
            agent.accrue(ts)

    def _accrue_some(self, ts: float) -> None:
        """Book the open states of the share of operators due (all of them once per ACCRUE_EVERY_S)."""
        last, self._accrued_at = self._accrued_at, ts
        if last is None or ts <= last:
            return
        names = self._accrue_order
        if len(names) != len(self.agents):
            names = self._accrue_order = list(self.agents)
        if not names:
            return
        count = min(len(names), math.ceil(len(names) * (ts - last) / ACCRUE_EVERY_S))
        start, agents = self._accrue_next, self.agents
        for i in range(start, start + count):
            agents[names[i % len(names)]].accrue(ts)
        self._accrue_next = (start + count) % len(names)

    def flag_lost(self, now: float) -> None:
        """Calls waiting longer than ``lost_after_s`` (or talking longer than ``lost_talk_after_s``) without an
        exit event are taken out and counted as lost at ``now``."""
        stale = [c for w in self.waiting.values() for c in w.values()
                 if c.entered_at is not None and now - c.entered_at > self.cfg.lost_after_s]
        stale += [self.calls[a.call] for a in self.agents.values()
                  if a.call is not None and a.call in self.calls
                  and now - (self.calls[a.call].connected_at or now) > self.cfg.lost_talk_after_s]
        for call in stale:
            old, was_waiting = call_items(call, self.cfg), call.waiting
            if call.talking:
                self._agent_done(call.agent, (call.callid, call.queue), now)
            call.outcome, call.ended_at = "lost", now
            self.stats["lost_calls"] += 1
            self._settle(call, old, was_waiting, None)

    def roll_day(self, ts: float) -> None:
        """Start the local day containing ``ts`` (the reader's clock): counters restart from what was dated ahead
        of it, finished calls of the old day are dropped."""
        new_start = day_start(ts, self.cfg.tz)
        for agent in self.agents.values():
            agent.accrue(new_start)
            agent.staffed_s = agent.busy_s = 0.0
        self.dirty_agents.update(self.agents)
        self.day_start, self.next_day = new_start, next_day_start(ts, self.cfg.tz)
        self.book.roll_day(new_start, self.next_day)
        self.agent_book.roll_day(new_start, self.next_day)
        self.staff_book.roll_day(new_start, self.next_day)
        self.abandoned = {q: OrderedDict((k, c) for k, c in calls.items() if (c.ended_at or 0) >= new_start)
                          for q, calls in self.abandoned.items()}
        keep_after = new_start - 3600  # late rows for calls that ended just before midnight still find them
        self.calls = {k: c for k, c in self.calls.items() if c.ended_at is None or c.ended_at >= keep_after}
        self.stats["day_rolls"] += 1


def _transfer_times(ev: ql.QueueLogEvent) -> tuple[int | None, int | None]:
    """Hold and talk seconds of TRANSFER, BLINDTRANSFER and ATTENDEDTRANSFER (docs/queue_log.md)."""
    if ev.verb == "ATTENDEDTRANSFER":
        if ev.field(1) == "LINK":
            return ev.int_field(4), _int(ev.field(5).split("|")[0])
        return ev.int_field(3), ev.int_field(4)
    return ev.int_field(3), ev.int_field(4)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


_CALL_HANDLERS = {
    ql.ENTER: TelephonyState._enter,
    ql.CONNECT: TelephonyState._connect,
    ql.ABANDON: TelephonyState._leave,
    **{verb: TelephonyState._complete for verb in ql.COMPLETE_VERBS | ql.TRANSFER_VERBS},
    **{verb: TelephonyState._leave for verb in ql.EXIT_VERBS},
}
