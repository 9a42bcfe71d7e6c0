"""The CRM side of every contact: tickets and their history, personal-data access, follow-ups and surveys.

Every change to a ticket goes through :meth:`Crm.change`, which also writes the ticket_status_history row the
dashboard's poller follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator import rows
from simulator.population import Operator
from simulator.timeconv import utc_naive
from simulator.world import World

if TYPE_CHECKING:
    from simulator.pbx import Caller
    from simulator.roster import Roster
    from simulator.workforce import Workforce

TICKETS, HISTORY, ACCESS, SURVEYS = "tickets", "ticket_status_history", "pd_access_log", "surveys"
FCR_P = 0.70
ESCALATE_P = 0.20                   # the rest (10 %) waits for the operator's call back
VIA_BACKOFFICE_P = 0.15             # escalations the back office works on before closing
SURVEY_P = 0.20
DEPARTMENTS = ("technical", "legal", "tax", "medical")
DEPARTMENT_WEIGHTS = (50, 20, 15, 15)
DEPARTMENT_DAYS = {"technical": (0.1, 1.0), "legal": (1.0, 3.0), "tax": (1.0, 3.0), "medical": (0.5, 2.0)}
CSAT_WEIGHTS = {"good": (2, 3, 8, 27, 60), "ok": (4, 6, 14, 30, 46), "bad": (18, 17, 25, 22, 18)}


class Ticket:
    """What the simulation remembers of a ticket."""

    __slots__ = ("id", "channel", "line", "category", "status", "citizen_id", "assignee_id", "team_id", "call_id",
                 "created")

    def __init__(self, ticket_id: int, channel: str, line: str | None, category: str, status: str, citizen_id: int,
                 assignee_id: int | None, team_id: int | None, call_id: str | None, created: float) -> None:
        self.id, self.channel, self.line, self.category = ticket_id, channel, line, category
        self.status, self.citizen_id, self.assignee_id, self.team_id = status, citizen_id, assignee_id, team_id
        self.call_id, self.created = call_id, created


class Crm:
    """Tickets, access journal and surveys."""

    def __init__(self, world: World, roster: "Roster", workforce: "Workforce", next_ticket_id: int) -> None:
        self.w = world
        self.roster = roster
        self.workforce = workforce
        self.next_id = next_ticket_id
        self.backoffice_team = next((t.id for t in world.pop.teams if t.kind == "backoffice"), None)
        self.last_ticket: dict[int, Ticket] = {}           # operator -> the last ticket they handled
        self.last_access: dict[int, float] = {}            # operator -> time of their last record access
        self.touched: dict[int, set[int]] = {}             # operator -> citizens touched today
        self.touched_yesterday: dict[int, int] = {}

    # -- tickets ---------------------------------------------------------------------------------------------
    def open(self, channel: str, line: str | None, category: str, citizen_id: int, op: Operator | None,
             team_id: int | None, call_id: str | None, due: float) -> Ticket:
        """A new ticket: answered at once when an operator is given (a call), else waiting ('new')."""
        now = self.w.now
        ticket = Ticket(self.next_id, channel, line, category, "open" if op else "new", citizen_id,
                        op.id if op else None, team_id, call_id, now)
        self.next_id += 1
        self.w.emit(TICKETS, {
            "id": ticket.id, "channel": channel, "line": line, "category": category, "status": ticket.status,
            "created_at": utc_naive(now), "first_response_at": utc_naive(now) if op else None, "resolved_at": None,
            "due_at": utc_naive(due), "citizen_id": citizen_id, "assignee_id": ticket.assignee_id,
            "team_id": team_id, "escalated_to": None, "first_contact_resolution": None, "call_id": call_id})
        self.w.emit(HISTORY, rows.history(now, ticket.id, "created", ticket.assignee_id))
        if op is not None:
            self.w.emit(HISTORY, rows.history(now, ticket.id, "first_response", op.id))
            self.last_ticket[op.id] = ticket
        return ticket

    def change(self, ticket: Ticket, event: str, op_id: int | None, **values: object) -> None:
        """Update the ticket row in place and record the change in its history."""
        for name in ("status", "assignee_id", "team_id"):
            if name in values:
                setattr(ticket, name, values[name])
        self.w.out.update(TICKETS, ticket.id, values)
        self.w.emit(HISTORY, rows.history(self.w.now, ticket.id, event, op_id))

    def first_response(self, ticket: Ticket, op: Operator) -> None:
        """A digital ticket gets its first answer and its owner."""
        self.change(ticket, "first_response", op.id, status="open", first_response_at=utc_naive(self.w.now),
                    assignee_id=op.id, team_id=op.team_id)
        self.last_ticket[op.id] = ticket

    def resolve(self, ticket: Ticket, op: Operator | None, first_contact: bool) -> None:
        """Resolved by an operator, or by a department / automatic closure when ``op`` is None."""
        values: dict[str, object] = {"status": "resolved", "resolved_at": utc_naive(self.w.now),
                                     "first_contact_resolution": first_contact}
        if op is not None and op.id != ticket.assignee_id:
            values.update(assignee_id=op.id, team_id=op.team_id)
        self.change(ticket, "resolved", op.id if op else None, **values)

    # -- how a contact ends ----------------------------------------------------------------------------------
    def conclude(self, ticket: Ticket, op: Operator, dept: str | None = None) -> bool:
        """Resolve on first contact, escalate, or promise a call back; True when resolved now."""
        u = self.w.rng.random()
        if dept is None and u < FCR_P:
            self.resolve(ticket, op, True)
            return True
        if dept is not None or u < FCR_P + ESCALATE_P:
            self._escalate(ticket, op, dept or self.w.rng.choices(DEPARTMENTS, DEPARTMENT_WEIGHTS)[0])
        else:
            self._promise_call_back(ticket, op)
        return False

    def _escalate(self, ticket: Ticket, op: Operator, dept: str) -> None:
        w = self.w
        values: dict[str, object] = {"status": "escalated", "escalated_to": dept, "first_contact_resolution": False}
        via_backoffice = self.backoffice_team is not None and w.rng.random() < VIA_BACKOFFICE_P
        if via_backoffice:
            values["team_id"] = self.backoffice_team
        self.change(ticket, "escalated", op.id, **values)
        if via_backoffice:
            w.loop.at(w.now + w.rng.uniform(3600, 20 * 3600), self._backoffice_pick, ticket)
        else:
            low, high = DEPARTMENT_DAYS[dept]
            w.loop.at(w.now + w.rng.uniform(low, high) * 86400, self.resolve, ticket, None, False)

    def _backoffice_pick(self, ticket: Ticket) -> None:
        w = self.w
        op = self.workforce.pick("backoffice")
        if op is None:
            w.loop.at(w.now + 1800, self._backoffice_pick, ticket)
            return
        self.touch(w.now, op, ticket.citizen_id, "view", ticket, None)
        if w.rng.random() < 0.3:
            self.touch(w.now + w.rng.uniform(60, 300), op, ticket.citizen_id, "edit", ticket, None)
        w.loop.at(w.now + w.rng.uniform(300, 900), self.resolve, ticket, op, False)

    def _promise_call_back(self, ticket: Ticket, op: Operator) -> None:
        """The operator calls the citizen back on a later shift (and opens the record again then)."""
        w = self.w
        win = self.roster.next_window(op, w.now + 3600)
        if win is None or win[1] - 1800 <= max(win[0], w.now + 3600):
            w.loop.at(w.now + 3 * 86400, self.resolve, ticket, None, False)
            return
        start = max(win[0], w.now + 3600)
        w.loop.at(w.rng.uniform(start, win[1] - 1800), self._call_back, ticket, op)

    def _call_back(self, ticket: Ticket, op: Operator) -> None:
        w = self.w
        self.touch(w.now, op, ticket.citizen_id, "search", ticket, None)
        self.touch(w.now + w.rng.uniform(2, 10), op, ticket.citizen_id, "view", ticket, None)
        w.loop.at(w.now + w.rng.uniform(120, 600), self.resolve, ticket, op, False)

    # -- calls -----------------------------------------------------------------------------------------------
    def call_connected(self, call: "Caller", op: Operator, ts: float, ends: float) -> None:
        """An answered call opens a phone ticket; the operator finds and opens the caller's record."""
        w = self.w
        citizen_id = w.pop.citizen_ids[call.citizen]
        ticket = self.open("phone", call.queue.name, call.category, citizen_id, op, op.team_id, call.callid,
                           ts + 86400)
        call.ticket = ticket
        latest = ends + w.cfg.wrapup_s
        s = ts + w.rng.uniform(5, 30)
        if w.rng.random() < 0.03:
            self.touch(s, op, None, "search", ticket, call.callid)   # a typo: the search found nobody
            s += w.rng.uniform(5, 15)
        s = min(s, latest)
        self.touch(s, op, citizen_id, "search", ticket, call.callid)
        view = min(s + w.rng.uniform(2, 10), latest)
        self.touch(view, op, citizen_id, "view", ticket, call.callid)
        if w.rng.random() < 0.3:
            self.touch(w.rng.uniform(view, latest), op, citizen_id, "edit", ticket, call.callid)
        if w.rng.random() < 0.02:
            self.touch(w.rng.uniform(view, latest), op, citizen_id, "print", ticket, call.callid)

    def call_ended(self, call: "Caller", op: Operator, ts: float, transferred_to: str | None) -> None:
        """The call's ticket is resolved, escalated or left for a call back; sometimes a survey follows."""
        ticket = call.ticket
        resolved = self.conclude(ticket, op, transferred_to)
        self.maybe_survey(ticket, resolved, int(call.connected - call.entered), call.callid)

    def maybe_survey(self, ticket: Ticket, resolved: bool, waited_s: float, call_id: str | None) -> None:
        """A post-contact survey for about one contact in five."""
        w = self.w
        if w.rng.random() >= SURVEY_P:
            return
        mood = "bad" if not resolved else ("good" if waited_s <= 60 else "ok")
        csat = w.rng.choices((1, 2, 3, 4, 5), CSAT_WEIGHTS[mood])[0]
        answer = resolved if w.rng.random() < 0.9 else not resolved
        delay = w.rng.uniform(20, 90) if ticket.channel == "phone" else w.rng.uniform(60, 1800)
        w.emit_at(w.now + delay, SURVEYS, rows.survey(w.now + delay, ticket.id, call_id, ticket.channel,
                                                      ticket.line, csat, answer))

    # -- the access journal ----------------------------------------------------------------------------------
    def touch(self, ts: float, op: Operator, citizen_id: int | None, action: str, ticket: Ticket | None,
              call_id: str | None, ip: str | None = None) -> None:
        """An access-journal row at ``ts`` (not before now), from the operator's workstation unless ``ip``."""
        ts = max(ts, self.w.now)
        self.w.emit_at(ts, ACCESS, rows.access(ts, op.id, citizen_id, action, ticket.id if ticket else None,
                                               call_id, ip or op.ip))
        if citizen_id is not None:
            self.touched.setdefault(op.id, set()).add(citizen_id)
        if ip is None:
            self.last_access[op.id] = max(ts, self.last_access.get(op.id, 0.0))

    def new_day(self) -> None:
        """Keep yesterday's per-operator volume (the anomaly injector scales spikes to it)."""
        self.touched_yesterday = {op: len(c) for op, c in self.touched.items()}
        self.touched = {}
