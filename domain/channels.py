"""Digital channels (chat, messengers, e-mail, app form) from CRM tickets: waiting, first-response service level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from domain.clock import day_start, next_day_start
from domain.counters import CounterBook, Item
from domain.history import RESPONSE_PREFIX, response_bucket
from domain.metrics import first_response_sl, ratio


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the channel metrics need of one ticket; times are UTC epochs."""

    id: int
    channel: str
    created_at: float
    first_response_at: float | None
    closed: bool  # resolved or closed without a first response (spam, duplicate)
    resolved_at: float | None = None
    due_at: float | None = None


def left_at(t: TicketFacts) -> float | None:
    """When the ticket stopped waiting for a first response: answered, or closed without one (None: waits)."""
    if t.first_response_at is not None:
        return t.first_response_at
    if t.resolved_at is not None:
        return t.resolved_at
    return t.created_at if t.closed else None


def ticket_items(t: TicketFacts, target_s: int) -> tuple[Item, ...]:
    """The ticket's contribution to its channel's counters: created, its first response (and its wait's bucket),
    resolved (by due), and ``left`` when it stopped waiting (the backlog is created - left)."""
    ch = t.channel
    items = [(ch, int(t.created_at // 60), "created", 1)]
    if t.first_response_at is not None:
        m = int(t.first_response_at // 60)
        response = max(t.first_response_at - t.created_at, 0.0)
        items += [(ch, m, "responded", 1), (ch, m, "response_sum", response),
                  (ch, m, f"{RESPONSE_PREFIX}{response_bucket(response)}", 1)]
        if response <= target_s:
            items.append((ch, m, "responded_in_t", 1))
    if t.resolved_at is not None:
        m = int(t.resolved_at // 60)
        items.append((ch, m, "resolved", 1))
        if t.due_at is not None and t.resolved_at <= t.due_at:
            items.append((ch, m, "resolved_by_due", 1))
    left = left_at(t)
    if left is not None:
        items.append((ch, int(left // 60), "left", 1))
    return tuple(items)


def waited_at(t: TicketFacts, ts: float) -> bool:
    """Whether the ticket was waiting for a first response at ``ts``."""
    left = left_at(t)
    return t.created_at < ts and (left is None or left >= ts)


def backlog_at_end(base: int, intervals: dict[int, dict[str, float]], index: int) -> int:
    """Tickets waiting at the end of interval ``index``: those waiting at the day's start (``base``) plus the day's
    created minus left up to that interval."""
    moved = sum(b.get("created", 0) - b.get("left", 0) for i, b in intervals.items() if i <= index)
    return int(round(base + moved))


class ChannelState:
    """Waiting tickets and today's first-response counters per digital channel."""

    def __init__(self, targets: Mapping[str, int], tz: str, now: float) -> None:
        self.targets = dict(targets)
        self.tz = tz
        self.day_start = day_start(now, tz)
        self.next_day = next_day_start(now, tz)
        self.book = CounterBook(self.day_start, day_end=self.next_day, interval_only=(RESPONSE_PREFIX,))
        self.tickets: dict[int, TicketFacts] = {}
        self.waiting: dict[str, dict[int, float]] = {name: {} for name in self.targets}
        self.backlog_base: dict[str, int] = dict.fromkeys(self.targets, 0)  # waiting at the day's start
        self.closed_backlog_base: dict[str, int] = {}  # the same for the day the last roll closed

    def apply(self, tickets: Iterable[TicketFacts]) -> None:
        """Take new or changed tickets; a ticket seen again replaces what was known of it."""
        for t in tickets:
            if t.channel not in self.targets:
                continue  # phone tickets and unknown channels
            target = self.targets[t.channel]
            old = self.tickets.get(t.id)
            self.book.replace(ticket_items(old, target) if old else (), ticket_items(t, target))
            self.tickets[t.id] = t
            if t.created_at < self.day_start:
                self.backlog_base[t.channel] = (self.backlog_base.get(t.channel, 0) + waited_at(t, self.day_start)
                                                - (old is not None and waited_at(old, self.day_start)))
            waiting = self.waiting.setdefault(t.channel, {})
            if t.first_response_at is None and not t.closed:
                waiting[t.id] = t.created_at
            else:
                waiting.pop(t.id, None)

    def tick(self, now: float) -> None:
        if now < self.next_day:
            return
        self.day_start, self.next_day = day_start(now, self.tz), next_day_start(now, self.tz)
        self.book.roll_day(self.day_start, self.next_day)
        self.closed_backlog_base, self.backlog_base = self.backlog_base, dict.fromkeys(self.targets, 0)
        for t in self.tickets.values():
            if t.channel in self.targets and waited_at(t, self.day_start):
                self.backlog_base[t.channel] += 1
        self.tickets = {i: t for i, t in self.tickets.items()
                        if t.first_response_at is None or t.created_at >= self.day_start}

    def view(self, now: float) -> dict[str, dict]:
        """Per channel: waiting, oldest wait, today's counts and first-response service level."""
        out = {}
        for name, target in self.targets.items():
            waits = [now - created for created in self.waiting.get(name, {}).values()]
            breached = sum(1 for w in waits if w > target)
            c = self.book.today.get(name, {})
            responded = c.get("responded", 0)
            sl = first_response_sl(c.get("responded_in_t", 0), responded, breached)
            mean_response = ratio(c.get("response_sum", 0), responded)
            out[name] = {
                "waiting": len(waits),
                "waiting_breached": breached,
                "oldest_wait_s": round(max(waits), 1) if waits else 0.0,
                "created": int(c.get("created", 0)),
                "responded": int(responded),
                "service_level": None if sl is None else round(sl, 4),
                "avg_first_response_s": None if mean_response is None else round(mean_response, 1),
                "target_s": target,
            }
        return out
