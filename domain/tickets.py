"""What the managers' reports know of the CRM's tickets, surveys and escalations, and the figures made of them.

The poller keeps these in the app database (poller/ledger.py): a ticket's channel, line, team, assignee's queue
member name, status, department and times; never the citizen, never a text a citizen wrote.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable

from domain.sla import Appeal

OPEN_STATUSES = ("new", "open", "escalated")
CLOSED_STATUSES = ("resolved", "closed")
APPEAL_CHANNELS = ("email", "app")   # written appeals: 59-FZ's clock applies


@dataclass(frozen=True)
class TicketRecord:
    """One CRM ticket as the reports need it; times are UTC epochs."""

    id: int
    channel: str
    line: str                     # the queue of a phone ticket, '' otherwise
    team: str                     # the team's display name, '' when none
    member: str                   # the assignee's queue member name, '' when none
    status: str
    escalated_to: str             # the specialised department, '' when never escalated
    fcr: bool | None              # first-contact resolution as the CRM recorded it
    created_ts: float
    first_response_ts: float | None = None
    resolved_ts: float | None = None
    due_ts: float | None = None
    escalated_ts: float | None = None

    @property
    def open(self) -> bool:
        return self.status not in CLOSED_STATUSES


@dataclass(frozen=True)
class SurveyRecord:
    """One post-contact survey answer."""

    id: int
    ts: float
    ticket_id: int | None
    channel: str
    line: str
    csat: int | None              # 1-5; None when the citizen skipped the question
    resolved: bool | None         # the citizen's own answer about first-contact resolution


def appeal_of(t: TicketRecord) -> Appeal:
    """A written appeal's clock reads the ticket's first response as its registration."""
    return Appeal(t.id, t.channel, t.created_ts, t.first_response_ts, t.resolved_ts)


def overdue_summary(tickets: Iterable[TicketRecord], now: float) -> list[dict]:
    """Per channel (phone tickets per line), the tickets open now: how many, how many past their due time, and
    the oldest due time passed (hours overdue), the most overdue first."""
    groups: dict[str, dict] = {}
    for t in tickets:
        if not t.open:
            continue
        scope = t.line if t.channel == "phone" and t.line else t.channel  # a phone ticket: its line
        g = groups.setdefault(scope, {"scope": scope, "open": 0, "overdue": 0, "oldest_due_ts": None})
        g["open"] += 1
        if t.due_ts is not None and t.due_ts < now:
            g["overdue"] += 1
            g["oldest_due_ts"] = min(g["oldest_due_ts"] or t.due_ts, t.due_ts)
    for g in groups.values():
        g["overdue_share"] = g["overdue"] / g["open"] if g["open"] else None
        g["hours_overdue"] = None if g["oldest_due_ts"] is None else (now - g["oldest_due_ts"]) / 3600
    return sorted(groups.values(), key=lambda g: (-(g["hours_overdue"] or 0), -g["overdue"], g["scope"]))


def escalation_summary(tickets: Iterable[TicketRecord], start: float, end: float) -> list[dict]:
    """Per department, the tickets escalated to it in [start, end) (by the escalation's time, the ticket's
    creation when the CRM kept none): how many, resolved and still open now, the median hours from escalation to
    resolution of the resolved ones."""
    groups: dict[str, dict] = {}
    hours: dict[str, list[float]] = {}
    for t in tickets:
        at = t.escalated_ts if t.escalated_ts is not None else t.created_ts
        if not t.escalated_to or not start <= at < end:
            continue
        g = groups.setdefault(t.escalated_to, {"department": t.escalated_to, "escalated": 0, "resolved": 0,
                                               "open": 0})
        g["escalated"] += 1
        g["open" if t.open else "resolved"] += 1
        if t.resolved_ts is not None and t.resolved_ts >= at:
            hours.setdefault(t.escalated_to, []).append((t.resolved_ts - at) / 3600)
    for name, g in groups.items():
        spans = hours.get(name)
        g["median_hours"] = statistics.median(spans) if spans else None
    return sorted(groups.values(), key=lambda g: (-g["escalated"], g["department"]))
