"""The PBX: Asterisk queues with dynamic members, simulated event by event, written as queue_log rows.

Rows follow app_queue.c: ENTERQUEUE, RINGNOANSWER (ms), CONNECT, COMPLETECALLER/COMPLETEAGENT/BLINDTRANSFER,
ABANDON, EXITWITHTIMEOUT; ADDMEMBER/REMOVEMEMBER (callid MANAGER, AMI) and PAUSE/UNPAUSE (callid NONE).
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from typing import Protocol

from simulator import profile, rows
from simulator.population import Operator
from simulator.world import World

IDLE, RINGING, TALKING, WRAPUP, PAUSED, OFFLINE = range(6)
WAITING, GONE = "waiting", "gone"
QUEUE_TIMEOUT_S = 180         # the queue timeout hands the caller to the call-back IVR (EXITWITHTIMEOUT)
RING_TIMEOUT_S = 15
NO_ANSWER_P = 0.03
TRANSFER_P = 0.03
COMPLETE_CALLER_P = 0.55
ANONYMOUS_P = 0.03
OTHER_PHONE_P = 0.05
# Second-line extensions a call is blind-transferred to, by the department it is escalated to.
TRANSFER_EXT = {"technical": "2100", "legal": "2200", "tax": "2300", "medical": "2400"}


class CallSink(Protocol):
    """What the PBX tells the CRM about calls."""

    def call_connected(self, call: "Caller", op: Operator, ts: float, ends: float) -> None:
        """An operator answered ``call`` at ``ts``; it will last until ``ends``."""

    def call_ended(self, call: "Caller", op: Operator, ts: float, transferred_to: str | None) -> None:
        """The call ended (blind-transferred to a department's extension when ``transferred_to``)."""


class Caller:
    """One call in one queue."""

    __slots__ = ("callid", "queue", "category", "citizen", "entered", "origpos", "state", "deadline", "timeout",
                 "connected", "ticket")

    def __init__(self, callid: str, queue: "Queue", category: str, citizen: int, entered: float, pos: int) -> None:
        self.callid = callid
        self.queue = queue
        self.category = category
        self.citizen = citizen          # index into the population's citizens
        self.entered = entered
        self.origpos = pos
        self.state = WAITING
        self.deadline = math.inf
        self.timeout = False
        self.connected = 0.0
        self.ticket = None              # set by the CRM


class Member:
    """An operator as a member of one or more queues."""

    __slots__ = ("op", "name", "queues", "state", "token", "pending_pause", "leaving")

    def __init__(self, op: Operator, queues: list[tuple["Queue", int]]) -> None:
        self.op = op
        self.name = op.member_name or f"PJSIP/{op.login}"
        self.queues = queues
        self.state = OFFLINE
        self.token = 0                  # bumped on every state change: stale idle-heap entries are skipped
        self.pending_pause: tuple[str, float] | None = None
        self.leaving = False


class Queue:
    """Callers waiting in arrival order and idle members by penalty, longest idle first."""

    __slots__ = ("name", "waiting", "idle")

    def __init__(self, name: str) -> None:
        self.name = name
        self.waiting: OrderedDict[str, Caller] = OrderedDict()
        self.idle: tuple[list, list] = ([], [])


class Pbx:
    """All queues of the hotline's PBX."""

    def __init__(self, world: World, sink: CallSink) -> None:
        self.w = world
        self.sink = sink
        self.queues = {name: Queue(name) for name in profile.QUEUES}
        self.members: dict[int, Member] = {}
        self.uid_seq = world.rng.randint(1000, 9000)
        self.idle_seq = 0
        self.talk = {c: profile.lognormal_params(m, profile.TALK_SIGMA) for c, m in profile.TALK_MEAN_S.items()}

    # -- output ---------------------------------------------------------------------------------------------
    def _log(self, callid: str, queue: str, agent: str, event: str, *data: object) -> None:
        self.w.out.add(rows.QUEUE_LOG, rows.queue_log(self.w.pbx_time.naive(self.w.now), callid, queue, agent,
                                                      event, *data))

    def _uid(self, ts: float) -> str:
        """An Asterisk channel uniqueid: creation epoch and a running channel counter."""
        self.uid_seq += 1 + int(self.w.rng.random() * 3)
        return f"{int(ts)}.{self.uid_seq}"

    # -- callers --------------------------------------------------------------------------------------------
    def enter(self, queue_name: str, category: str, citizen: int) -> None:
        """A caller joins a queue (after an IVR of a few seconds)."""
        w, now = self.w, self.w.now
        queue = self.queues[queue_name]
        caller = Caller(self._uid(now - w.rng.uniform(3, 25)), queue, category, citizen, now,
                        len(queue.waiting) + 1)
        queue.waiting[caller.callid] = caller
        u = w.rng.random()
        number = ("anonymous" if u < ANONYMOUS_P else
                  f"+79{int(w.rng.random() * 10**9):09d}" if u < ANONYMOUS_P + OTHER_PHONE_P else
                  w.pop.phones[citizen])
        self._log(caller.callid, queue_name, "NONE", "ENTERQUEUE", "", number, caller.origpos)
        patience = self._patience()
        caller.timeout = patience >= QUEUE_TIMEOUT_S
        caller.deadline = now + min(patience, QUEUE_TIMEOUT_S)
        w.loop.at(caller.deadline, self._give_up, caller)
        self._dispatch(queue)

    def _patience(self) -> float:
        """Seconds a caller will wait: some hang up at once, a few never do, most within minutes."""
        u = self.w.rng.random()
        if u < 0.06:
            return self.w.rng.uniform(1, 5)
        if u < 0.09:
            return math.inf
        return self.w.rng.lognormvariate(4.75, 0.9)

    def _dispatch(self, queue: Queue) -> None:
        while queue.waiting:
            member = self._take_idle(queue)
            if member is None:
                return
            _, caller = queue.waiting.popitem(last=False)
            self._offer(caller, member)

    @staticmethod
    def _take_idle(queue: Queue) -> Member | None:
        for heap in queue.idle:
            while heap:
                _, _, member, token = heapq.heappop(heap)
                if member.state == IDLE and member.token == token:
                    return member
        return None

    def _offer(self, caller: Caller, member: Member) -> None:
        w = self.w
        member.state, member.token = RINGING, member.token + 1
        caller.state = RINGING
        if w.rng.random() < NO_ANSWER_P:
            w.loop.at(w.now + RING_TIMEOUT_S, self._no_answer, caller, member)
        else:
            w.loop.at(w.now + w.rng.uniform(1.0, 6.0), self._connect, caller, member, w.now)

    def _no_answer(self, caller: Caller, member: Member) -> None:
        self._log(caller.callid, caller.queue.name, member.name, "RINGNOANSWER",
                  RING_TIMEOUT_S * 1000 + int(self.w.rng.random() * 6))
        queue = caller.queue
        caller.state = WAITING
        queue.waiting[caller.callid] = caller
        queue.waiting.move_to_end(caller.callid, last=False)   # the caller keeps its place
        self._free(member)
        if caller.state == WAITING and self.w.now >= caller.deadline:
            self._give_up(caller)

    def _connect(self, caller: Caller, member: Member, ring_start: float) -> None:
        w, now = self.w, self.w.now
        caller.state, caller.connected = TALKING, now
        member.state = TALKING
        self._log(caller.callid, caller.queue.name, member.name, "CONNECT", int(now - caller.entered),
                  self._uid(ring_start), int(now - ring_start))
        mu, sigma = self.talk[caller.category]
        talk = min(max(w.rng.lognormvariate(mu, sigma), 20.0), 3600.0)
        self.sink.call_connected(caller, member.op, now, now + talk)
        w.loop.at(now + talk, self._hang_up, caller, member)

    def _hang_up(self, caller: Caller, member: Member) -> None:
        w, now = self.w, self.w.now
        hold, talk = int(caller.connected - caller.entered), int(now - caller.connected)
        dept = None
        u = w.rng.random()
        if u < TRANSFER_P:
            dept = w.rng.choice(list(TRANSFER_EXT))
            self._log(caller.callid, caller.queue.name, member.name, "BLINDTRANSFER", TRANSFER_EXT[dept],
                      "from-internal", hold, talk, caller.origpos)
        else:
            verb = "COMPLETECALLER" if u < TRANSFER_P + COMPLETE_CALLER_P else "COMPLETEAGENT"
            self._log(caller.callid, caller.queue.name, member.name, verb, hold, talk, caller.origpos)
        caller.state = GONE
        member.state, member.token = WRAPUP, member.token + 1
        self.sink.call_ended(caller, member.op, now, dept)
        w.loop.at(now + w.cfg.wrapup_s, self._free, member)

    def _give_up(self, caller: Caller) -> None:
        """The caller's patience or the queue timeout ran out while waiting (not while ringing)."""
        if caller.state != WAITING:
            return
        queue = caller.queue
        position = list(queue.waiting).index(caller.callid) + 1
        del queue.waiting[caller.callid]
        caller.state = GONE
        verb = "EXITWITHTIMEOUT" if caller.timeout else "ABANDON"
        self._log(caller.callid, queue.name, "NONE", verb, position, caller.origpos, int(self.w.now - caller.entered))

    # -- members --------------------------------------------------------------------------------------------
    def _member(self, op: Operator) -> Member:
        member = self.members.get(op.id)
        if member is None:
            member = self.members[op.id] = Member(op, [(self.queues[q], p) for q, p in op.queues
                                                        if q in self.queues])
        return member

    def _free(self, member: Member) -> None:
        """A member is done with a call (or a ring): leave, pause or wait for the next caller."""
        if member.leaving:
            self._remove(member)
        elif member.pending_pause is not None:
            self._pause_now(member, *member.pending_pause)
        else:
            self._make_idle(member)

    def _make_idle(self, member: Member) -> None:
        member.state, member.token = IDLE, member.token + 1
        for queue, penalty in member.queues:
            self.idle_seq += 1
            heapq.heappush(queue.idle[min(penalty, 1)], (self.w.now, self.idle_seq, member, member.token))
        for queue, _ in member.queues:
            if member.state != IDLE:
                break
            self._dispatch(queue)

    def join(self, op: Operator) -> None:
        """Shift start: the operator is added to its queues (AMI QueueAdd)."""
        member = self._member(op)
        if member.state != OFFLINE:
            return
        member.leaving, member.pending_pause = False, None
        for queue, _ in member.queues:
            self._log("MANAGER", queue.name, member.name, "ADDMEMBER", "")
        self._make_idle(member)

    def leave(self, op: Operator) -> None:
        """Shift end: removed now, or after the current call and wrap-up."""
        member = self.members.get(op.id)
        if member is None or member.state == OFFLINE:
            return
        if member.state in (IDLE, PAUSED):
            self._remove(member)
        else:
            member.leaving = True

    def _remove(self, member: Member) -> None:
        for queue, _ in member.queues:
            self._log("MANAGER", queue.name, member.name, "REMOVEMEMBER", "")
        member.state, member.token, member.leaving, member.pending_pause = OFFLINE, member.token + 1, False, None

    def pause(self, op: Operator, reason: str, seconds: float) -> None:
        """A break: paused now if idle, else as soon as the current call and wrap-up end."""
        member = self.members.get(op.id)
        if member is None or member.leaving or member.state in (OFFLINE, PAUSED):
            return
        if member.state == IDLE:
            self._pause_now(member, reason, seconds)
        else:
            member.pending_pause = (reason, seconds)

    def _pause_now(self, member: Member, reason: str, seconds: float) -> None:
        member.pending_pause = None
        member.state, member.token = PAUSED, member.token + 1
        for queue, _ in member.queues:
            self._log("NONE", queue.name, member.name, "PAUSE", reason)
        self.w.loop.at(self.w.now + seconds, self._unpause, member, member.token)

    def _unpause(self, member: Member, token: int) -> None:
        if member.state != PAUSED or member.token != token:
            return
        for queue, _ in member.queues:
            self._log("NONE", queue.name, member.name, "UNPAUSE", "")
        self._make_idle(member)

    def state_of(self, op_id: int) -> int:
        """The member state of an operator (OFFLINE when never a member)."""
        member = self.members.get(op_id)
        return member.state if member is not None else OFFLINE
