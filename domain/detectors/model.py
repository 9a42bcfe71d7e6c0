"""Rows the detectors read, the facts they look up, and the hits they emit (frozen, slotted; times are UTC epochs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.operators import OperatorInfo

SEARCH = "search"
ACTIONS = (SEARCH, "view", "edit", "export", "print")  # the journal's actions: the one list, in the pages' order
RECORD_ACTIONS = frozenset(ACTIONS) - {SEARCH}
OUTPUT_ACTIONS = frozenset({"export", "print"})
__all__ = ["ACTIONS", "OUTPUT_ACTIONS", "RECORD_ACTIONS", "SEARCH", "AccessEvent", "AllowRule", "CitizenInfo", "Hit",
           "Leave", "OperatorInfo", "Result", "Shift", "SignIn", "TicketLink", "WatchEntry"]


@dataclass(frozen=True, slots=True)
class AccessEvent:
    """One pd_access_log row: an operator searched, viewed, edited, exported or printed a citizen's record."""

    id: int
    ts: float
    operator_id: int
    citizen_id: int | None
    action: str
    ticket_id: int | None
    call_id: str | None
    ip: str


@dataclass(frozen=True, slots=True)
class SignIn:
    """One sign_in_events row; ``operator_id`` is None when the login matched nobody."""

    id: int
    ts: float
    operator_id: int | None
    login: str
    success: bool
    ip: str


@dataclass(frozen=True, slots=True)
class CitizenInfo:
    """The citizen facts relationship detectors compare with the operator's."""

    id: int
    surname: str
    gender: str | None
    address: str | None
    is_employee: bool


@dataclass(frozen=True, slots=True)
class Shift:
    """A planned shift [start, end]."""

    operator_id: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Leave:
    """An absence [start, end): ``kind`` is vacation, sick or other."""

    operator_id: int
    start: float
    end: float
    kind: str


@dataclass(frozen=True, slots=True)
class TicketLink:
    """A ticket's links: whose it is, who answers it, when it was open; phone tickets carry the call id."""

    ticket_id: int
    citizen_id: int | None
    assignee_id: int | None
    team_id: int | None
    opened_at: float
    closed_at: float | None
    call_id: str | None
    # Operators who worked on the ticket (its status history): the operator who took the call still has a
    # reason to open the record after the ticket was escalated to another team.
    handlers: frozenset[int] = frozenset()
    channel: str | None = None          # phone, chat, email... (None when unknown)
    line: str | None = None             # the queue of a phone ticket

    @property
    def work(self) -> str | None:
        """What answering this ticket is part of: the queue of a phone ticket, else its channel (None: unknown)."""
        if self.channel == "phone" and self.line:
            return f"line:{self.line}"
        return f"channel:{self.channel}" if self.channel else None


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """A watch-list entry (vip, public_figure, victim, other) active until ``until`` (None: no end)."""

    citizen_id: int
    category: str
    until: float | None


@dataclass(frozen=True, slots=True)
class AllowRule:
    """A reviewer's approved explanation: silences ``detector`` for an operator or a team from ``starts_at`` (when
    it was made: a rule never rewrites the past, not even in a replay) until ``expires_at``."""

    id: int
    detector: str
    operator_id: int | None
    team_id: int | None
    expires_at: float
    starts_at: float = float("-inf")


@dataclass(frozen=True, slots=True)
class Hit:
    """One detector firing on one operator's day, with its evidence and its reason in Russian and English.

    ``scope`` tells apart several hits of one detector on one operator-day ('' for operator-day detectors,
    'c<citizen id>' for citizen-level ones, 'a<access id>' / 's<sign-in id>' for the row that completed a burst).
    """

    detector: str
    operator_id: int
    day: str
    ts: float
    points: int
    reason_ru: str
    reason_en: str
    access_ids: tuple[int, ...]
    citizen_ids: tuple[int, ...]
    signin_ids: tuple[int, ...] = ()
    scope: str = ""

    @property
    def key(self) -> tuple[str, int, str, str]:
        """The identity of the evidence: a key fires at most once (store it unique to make inserts idempotent)."""
        return (self.detector, self.operator_id, self.day, self.scope)

    def reason(self, lang: str = "ru") -> str:
        """The reason in ``lang`` ('ru' or 'en'; anything else falls back to Russian)."""
        return self.reason_en if lang == "en" else self.reason_ru


@dataclass(slots=True)
class Result:
    """What one engine call found.

    ``explained``: access id -> (explained?, code); codes: call (the operator's own phone ticket), ticket (own
    ticket), team_ticket (an active ticket of the team, see ``DetectorConfig.team_cover``), search (explained),
    none (unexplained), pending (final verdict in a later call), no_citizen, unknown_action, invalid.
    ``updates``: grown versions of hits already returned (same key), to be stored over them.
    ``suppressed``: hits silenced by an allow-rule, with the rule's id (kept for the audit, not for cases).
    """

    explained: dict[int, tuple[bool, str]] = field(default_factory=dict)
    # access id -> (link, id) with the final verdict: which link explained the access - call, ticket or
    # team_ticket with the ticket's id - or, for an access no ticket explains, allow_rule with the id of the D01
    # allow-rule that accepts it (the access stays unexplained for the other detectors).
    links: dict[int, tuple[str, int]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    # Hits that fired earlier (same key) and have grown since: more evidence, the reason's exact count and span.
    # The latest version of each key in this call; store it over the earlier one.
    updates: list[Hit] = field(default_factory=list)
    suppressed: list[tuple[Hit, int]] = field(default_factory=list)
