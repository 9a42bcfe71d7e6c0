"""What the detectors look up outside the current batch (a Protocol), and a plain in-memory implementation.

The lead's implementation reads the CRM and the dashboard's database; ``InMemoryContext`` serves tests and benches.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Protocol

from domain.clock import day_add
from domain.detectors.days import DayClock, valid_ts
from domain.detectors.model import (
    RECORD_ACTIONS,
    AccessEvent,
    AllowRule,
    CitizenInfo,
    Leave,
    OperatorInfo,
    Shift,
    SignIn,
    TicketLink,
    WatchEntry,
)


class DetectorContext(Protocol):
    """Lookups the engine makes; 'day' = local day in the engine's zone, times = UTC epochs."""

    def operator(self, operator_id: int) -> OperatorInfo | None:
        """The operator, or None when unknown."""

    def citizen(self, citizen_id: int) -> CitizenInfo | None:
        """The citizen, or None when unknown."""

    def ticket(self, ticket_id: int) -> TicketLink | None:
        """The ticket, or None when unknown."""

    def ticket_by_call(self, call_id: str) -> TicketLink | None:
        """The phone ticket opened by that call (tickets.call_id), or None."""

    def tickets_of_citizen(self, citizen_id: int) -> list[TicketLink]:
        """The citizen's tickets that may explain an access: at least those open or closed within 38 days."""

    def calls_of_operator(self, operator_id: int, lo: float, hi: float) -> list[TicketLink]:
        """Phone tickets (call_id not null) assigned to the operator with opened_at in [lo, hi]."""

    def shifts(self, operator_id: int, lo: float, hi: float) -> list[Shift]:
        """The operator's shifts overlapping [lo, hi]."""

    def leaves(self, operator_id: int) -> list[Leave]:
        """The operator's leaves (at least those overlapping the last 31 days)."""

    def watch(self, citizen_id: int, ts: float) -> WatchEntry | None:
        """The citizen's watch-list entry active at ``ts`` (until null or > ts), or None."""

    def peers(self, operator_id: int) -> list[int]:
        """Ids of the other operators of the same team and role (not the operator itself)."""

    def daily_distinct_citizens(self, operator_id: int, days_before: str, n: int = 28) -> list[int]:
        """Per past day in [days_before - n, days_before) with record-touching rows: distinct citizens touched."""

    def unexplained_days(self, operator_id: int, citizen_id: int, since_day: str) -> set[str]:
        """Days >= since_day on which an access of the operator to the citizen was judged (False, 'none')."""

    def daily_unexplained(self, operator_id: int, days_before: str, n: int = 28) -> list[int]:
        """Per past working day in [days_before - n, days_before): unexplained accesses (D11's baseline)."""

    def last_activity_before(self, operator_id: int, ts: float) -> float | None:
        """The latest access row or successful sign-in of the operator strictly before ``ts``, or None."""

    def access_times(self, operator_id: int, lo: float, hi: float) -> list[float]:
        """The ts of the operator's access rows in [lo, hi) (D07's hours of the week without a schedule)."""

    def known_ips(self, operator_id: int, lo: float, hi: float) -> set[str]:
        """The addresses of the operator's access rows and successful sign-ins in [lo, hi) (D16)."""

    def record_touched(self, citizen_id: int, lo: float, hi: float) -> bool:
        """Whether anyone viewed, edited, exported or printed the citizen's record in [lo, hi) (D14)."""

    def journal_start(self) -> float | None:
        """The ts of the oldest row still kept in pd_access_log / sign_in_events (after the purge), or None."""

    def allow_rules(self) -> list[AllowRule]:
        """Every allow-rule (expired ones may be included: the engine checks expiry)."""


def _overlaps(start: float, end: float | None, lo: float, hi: float) -> bool:
    return start <= hi and (end is None or end >= lo)


@dataclass
class InMemoryContext:
    """A ``DetectorContext`` over plain dicts: fill it with ``add`` (it keeps the indexes); in benches, ``feed``."""

    operators: dict[int, OperatorInfo] = field(default_factory=dict)
    citizens: dict[int, CitizenInfo] = field(default_factory=dict)
    tickets: dict[int, TicketLink] = field(default_factory=dict)
    shift_rows: dict[int, list[Shift]] = field(default_factory=lambda: defaultdict(list))
    leave_rows: dict[int, list[Leave]] = field(default_factory=lambda: defaultdict(list))
    watchlist: dict[int, list[WatchEntry]] = field(default_factory=lambda: defaultdict(list))
    rules: list[AllowRule] = field(default_factory=list)
    daily_counts: dict[tuple[int, str], int] = field(default_factory=dict)
    unexplained: dict[tuple[int, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    unexplained_counts: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    activity: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    journal_since: float | None = None
    _by_citizen: dict[int, list[TicketLink]] = field(default_factory=lambda: defaultdict(list), repr=False)
    _by_call: dict[str, TicketLink] = field(default_factory=dict, repr=False)
    _calls_of: dict[int, list[TicketLink]] = field(default_factory=lambda: defaultdict(list), repr=False)
    _daily_sets: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set), repr=False)
    ips: dict[int, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    touches: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))   # citizen -> record touches

    def add(self, *items: object) -> InMemoryContext:
        """Store operators, citizens, tickets, shifts, leaves, watch entries and allow-rules; returns self."""
        for item in items:
            if isinstance(item, OperatorInfo):
                self.operators[item.id] = item
            elif isinstance(item, CitizenInfo):
                self.citizens[item.id] = item
            elif isinstance(item, TicketLink):
                self._add_ticket(item)
            elif isinstance(item, (Shift, Leave)):
                (self.shift_rows if isinstance(item, Shift) else self.leave_rows)[item.operator_id].append(item)
            elif isinstance(item, WatchEntry):
                self.watchlist[item.citizen_id].append(item)
            elif isinstance(item, AllowRule):
                self.rules.append(item)
            else:
                raise TypeError(f"cannot store {type(item).__name__}")
        return self

    def _add_ticket(self, t: TicketLink) -> None:
        old = self.tickets.get(t.ticket_id)
        if old is not None:  # an updated ticket replaces its old version in every index
            self._by_citizen[old.citizen_id].remove(old)
            if old.call_id is not None:
                self._calls_of[old.assignee_id].remove(old)
        self.tickets[t.ticket_id] = t
        self._by_citizen[t.citizen_id].append(t)
        if t.call_id is not None:
            self._by_call[t.call_id] = t
            self._calls_of[t.assignee_id].append(t)

    def add_activity(self, operator_id: int, *times: float) -> None:
        """Record past events of the operator (for dormancy)."""
        for ts in times:
            bisect.insort(self.activity[operator_id], ts)

    def feed(self, accesses: Iterable[AccessEvent], signins: Iterable[SignIn],
             explained: Mapping[int, tuple[bool, str]], tz: str) -> None:
        """Absorb processed rows and verdicts as the app database would (activity, daily counts, unexplained days)."""
        clock = DayClock(tz)
        for a in accesses:
            if not valid_ts(a.ts):
                continue
            self.add_activity(a.operator_id, a.ts)
            self.ips[a.operator_id].append((a.ts, a.ip))
            if a.action in RECORD_ACTIONS and a.citizen_id is not None:
                bisect.insort(self.touches[a.citizen_id], a.ts)
                day = clock.day(a.ts)
                cell = self._daily_sets[(a.operator_id, day)]
                cell.add(a.citizen_id)
                self.daily_counts[(a.operator_id, day)] = len(cell)
                if explained.get(a.id) == (False, "none"):
                    self.unexplained[(a.operator_id, a.citizen_id)].add(day)
                    self.unexplained_counts[(a.operator_id, day)] += 1
        for s in signins:
            if s.success and s.operator_id is not None and valid_ts(s.ts):
                self.add_activity(s.operator_id, s.ts)
                self.ips[s.operator_id].append((s.ts, s.ip))

    # -- DetectorContext ----------------------------------------------------------------------------------------
    def operator(self, operator_id: int) -> OperatorInfo | None:
        """The operator, or None."""
        return self.operators.get(operator_id)

    def citizen(self, citizen_id: int) -> CitizenInfo | None:
        """The citizen, or None."""
        return self.citizens.get(citizen_id)

    def ticket(self, ticket_id: int) -> TicketLink | None:
        """The ticket, or None."""
        return self.tickets.get(ticket_id)

    def ticket_by_call(self, call_id: str) -> TicketLink | None:
        """The ticket with that call id, or None."""
        return self._by_call.get(call_id)

    def tickets_of_citizen(self, citizen_id: int) -> list[TicketLink]:
        """All tickets of the citizen."""
        return list(self._by_citizen.get(citizen_id, ()))

    def calls_of_operator(self, operator_id: int, lo: float, hi: float) -> list[TicketLink]:
        """Phone tickets assigned to the operator opened within [lo, hi]."""
        return [t for t in self._calls_of.get(operator_id, ()) if lo <= t.opened_at <= hi]

    def shifts(self, operator_id: int, lo: float, hi: float) -> list[Shift]:
        """Shifts overlapping [lo, hi]."""
        return [s for s in self.shift_rows.get(operator_id, ()) if _overlaps(s.start, s.end, lo, hi)]

    def leaves(self, operator_id: int) -> list[Leave]:
        """All leaves of the operator."""
        return list(self.leave_rows.get(operator_id, ()))

    def watch(self, citizen_id: int, ts: float) -> WatchEntry | None:
        """The entry active at ``ts``, or None."""
        return next((w for w in self.watchlist.get(citizen_id, ()) if w.until is None or w.until > ts), None)

    def peers(self, operator_id: int) -> list[int]:
        """Other operators of the same team and role."""
        me = self.operators.get(operator_id)
        if me is None:
            return []
        return [o.id for o in self.operators.values()
                if o.id != me.id and o.team_id == me.team_id and o.role == me.role]

    def daily_distinct_citizens(self, operator_id: int, days_before: str, n: int = 28) -> list[int]:
        """Counts of the past ``n`` days that have one (missing days are days off)."""
        days = (day_add(days_before, -k) for k in range(1, n + 1))
        return [self.daily_counts[(operator_id, d)] for d in days if (operator_id, d) in self.daily_counts]

    def daily_unexplained(self, operator_id: int, days_before: str, n: int = 28) -> list[int]:
        """Unexplained accesses of the past ``n`` working days (days with counts)."""
        days = (day_add(days_before, -k) for k in range(1, n + 1))
        return [self.unexplained_counts.get((operator_id, d), 0) for d in days
                if (operator_id, d) in self.daily_counts]

    def unexplained_days(self, operator_id: int, citizen_id: int, since_day: str) -> set[str]:
        """Stored unexplained days on or after ``since_day``."""
        return {d for d in self.unexplained.get((operator_id, citizen_id), ()) if d >= since_day}

    def last_activity_before(self, operator_id: int, ts: float) -> float | None:
        """The latest recorded activity strictly before ``ts``."""
        times = self.activity.get(operator_id, [])
        i = bisect.bisect_left(times, ts)
        return times[i - 1] if i else None

    def access_times(self, operator_id: int, lo: float, hi: float) -> list[float]:
        """Recorded activity in [lo, hi) (what ``feed`` and ``add_activity`` stored)."""
        times = self.activity.get(operator_id, [])
        return times[bisect.bisect_left(times, lo):bisect.bisect_left(times, hi)]

    def known_ips(self, operator_id: int, lo: float, hi: float) -> set[str]:
        """Addresses recorded by ``feed`` (or put in ``ips``) in [lo, hi)."""
        return {ip for ts, ip in self.ips.get(operator_id, ()) if lo <= ts < hi}

    def record_touched(self, citizen_id: int, lo: float, hi: float) -> bool:
        """Whether ``feed`` saw a record touch of the citizen in [lo, hi)."""
        times = self.touches.get(citizen_id, [])
        return bisect.bisect_left(times, lo) < bisect.bisect_left(times, hi)

    def journal_start(self) -> float | None:
        """``journal_since``, else the oldest recorded activity."""
        if self.journal_since is not None:
            return self.journal_since
        return min((times[0] for times in self.activity.values() if times), default=None)

    def allow_rules(self) -> list[AllowRule]:
        """All rules."""
        return list(self.rules)
