"""Notification routing: which alerts and cases a route hears of, when a message is due, what it says.

Pure: the dispatcher (poller/notify.py) reads the routes, their last announcements, the silences, the active
alerts and the open cases, asks :func:`plan` what each route should send, and stores the answer and the message in
one transaction. A message carries no personal data: alerts by their rule, line and numbers; cases by their number,
band and the operator's login only; reviewers' findings by the reviewer's login and the kind of act only.

Grouping (as Alertmanager does): a change of what a route would announce opens a window of ``group_wait_s``;
changes inside it wait, and one message at its end tells the whole state (firing items, and resolved ones when the
route wants them). While nothing changes and something is firing unacknowledged, the message is repeated every
``repeat_s``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from domain.bands import BANDS, at_least

CHANNELS = ("email", "telegram", "webhook")
# oversight: the data protection officer, who alone hears of the reviewers' own acts (D20) and of nothing else
AUDIENCES = ("operational", "security", "oversight")
REVIEWER = "reviewer"   # the kind (and key prefix) of a reviewer's finding
SEVERITIES = ("warning", "critical")
HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
NAME = re.compile(r"[\w .@:/()+-]{1,120}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")
CHAT_ID = re.compile(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}")
WEBHOOK = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[\w\-./%~+=&?:@]*)?")
LIST_ITEM = re.compile(r"[a-z0-9_:-]{1,80}")
MAX_GROUP_WAIT_S, MAX_REPEAT_S = 3600, 7 * 86400
BACKOFF_MAX_S = 3600


class RouteError(ValueError):
    """A route or silence an administrator asked for that cannot be kept; the message says why."""


@dataclass(frozen=True)
class Route:
    id: int
    name: str
    channel: str
    target: str
    audience: str = "operational"
    rules: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    min_severity: str = "warning"
    min_band: str = "high"
    quiet_from: str = ""
    quiet_to: str = ""
    group_wait_s: int = 60
    repeat_s: int = 14400
    send_resolved: bool = True
    enabled: bool = True


@dataclass(frozen=True)
class Item:
    """What a route may hear of: an active alert (keyed ``<rule>:<scope>``), an open case (``case:<number>``) or a
    reviewer's act outside their cases (D20, ``reviewer:<digest of reviewer, day, act and subject>``)."""

    key: str
    kind: str                 # alert | case | reviewer
    level: str                # warning | critical for an alert; the band for a case
    rule: str = ""
    scope: str = ""
    text_ru: str = ""
    text_en: str = ""
    since: str | None = None  # ISO time it started
    acked: bool = False       # an acknowledged alert is not repeated (somebody is on it)


@dataclass(frozen=True)
class Silence:
    id: int
    matcher: str              # an item key ("queue_waiting:technical", "case:12"), "<rule>:*", "case:*" or "*"
    route_id: int | None
    expires_at: float


@dataclass
class GroupState:
    """What a route last announced (item key -> level), since when a change waits, when it last sent."""

    announced: dict[str, str] = field(default_factory=dict)
    pending_since: float | None = None
    last_sent_at: float | None = None
    seq: int = 0


@dataclass(frozen=True)
class Message:
    """One message of a route: the items firing now, the ones resolved since the last, its idempotency key."""

    route: Route
    firing: tuple[Item, ...]
    resolved: tuple[str, ...]
    idem_key: str
    repeat: bool = False


# -- which items a route hears of ----------------------------------------------------------------------------------
def quiet(route: Route, local_hhmm: str) -> bool:
    """Whether ``local_hhmm`` (HOTLINE_TZ) is in the route's quiet hours (they may run over midnight)."""
    if not route.quiet_from or not route.quiet_to or route.quiet_from == route.quiet_to:
        return False
    if route.quiet_from < route.quiet_to:
        return route.quiet_from <= local_hhmm < route.quiet_to
    return local_hhmm >= route.quiet_from or local_hhmm < route.quiet_to


def hears(route: Route, item: Item, local_hhmm: str) -> bool:
    """Whether ``route`` announces ``item`` now. Cases reach security routes only, reviewers' findings (D20)
    oversight routes only, which hear of nothing else; in quiet hours only critical alerts and critical cases do."""
    if not route.enabled:
        return False
    if (route.audience == "oversight") != (item.kind == REVIEWER):
        return False
    if item.kind == REVIEWER:
        return not quiet(route, local_hhmm)
    if item.kind == "case":
        if route.audience != "security" or item.level not in BANDS or not at_least(item.level, route.min_band):
            return False
        return not quiet(route, local_hhmm) or item.level == "critical"
    if route.rules and item.rule not in route.rules:
        return False
    if route.scopes and item.scope not in route.scopes:
        return False
    if item.level not in SEVERITIES or SEVERITIES.index(item.level) < SEVERITIES.index(route.min_severity):
        return False
    return not quiet(route, local_hhmm) or item.level == "critical"


def silenced(item: Item, route: Route, silences: Iterable[Silence], now: float) -> bool:
    """Whether a live silence (of this route or of every route) matches the item: its key, ``<rule>:*`` (an alert
    rule on every scope), ``case:*`` (every case) or ``*``. A reviewer's finding is silenced only by its own key or
    ``reviewer:*`` (which only an administrator may set): ``*`` set by a reviewer must not hide their own acts."""
    for s in silences:
        if s.expires_at <= now or (s.route_id is not None and s.route_id != route.id):
            continue
        if item.kind == REVIEWER and s.matcher == "*":
            continue
        if s.matcher in ("*", item.key) or (s.matcher.endswith(":*") and item.key.startswith(s.matcher[:-1])):
            return True
    return False


def audible(route: Route, items: Iterable[Item], silences: list[Silence], now: float, local_hhmm: str) -> dict:
    """The items the route would announce now, by key."""
    return {i.key: i for i in items if hears(route, i, local_hhmm) and not silenced(i, route, silences, now)}


# -- when a message is due ------------------------------------------------------------------------------------------
def _digest(levels: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(levels.items())).encode()).hexdigest()[:16]


def plan(route: Route, state: GroupState, items: Iterable[Item], silences: list[Silence], now: float,
         local_hhmm: str) -> tuple[GroupState, Message | None]:
    """The route's next state and the message due now, if any (see the module's text for the rules)."""
    items = list(items)
    current = audible(route, items, silences, now, local_hhmm)
    levels = {k: i.level for k, i in current.items()}
    active = {i.key for i in items}
    # An item still active but not audible now (silenced, quiet hours, below the route's floor) is forgotten
    # quietly, never announced as resolved.
    # A reviewer's finding (D20) is an act that happened, not a state that ends: it is never announced as resolved.
    resolved = tuple(sorted(k for k in state.announced if k not in levels and k not in active
                            and not k.startswith(f"{REVIEWER}:")))
    if levels == state.announced:
        return _maybe_repeat(route, state, current, now)
    if not levels.keys() - state.announced.keys() and all(levels[k] == state.announced[k] for k in levels) \
            and (not resolved or not route.send_resolved):
        # only resolutions (or silenced items) nobody wants to hear of: forget them quietly
        return replace(state, announced=levels, pending_since=None), None
    pending = state.pending_since if state.pending_since is not None else now
    if now - pending < route.group_wait_s:
        return replace(state, pending_since=pending), None
    seq = state.seq + 1
    message = Message(route, tuple(current[k] for k in sorted(current)), resolved if route.send_resolved else (),
                      f"route:{route.id}:{seq}:{_digest(levels)}")
    return GroupState(levels, None, now, seq), message


def _maybe_repeat(route: Route, state: GroupState, current: dict, now: float) -> tuple[GroupState, Message | None]:
    state = replace(state, pending_since=None)
    unattended = [i for i in current.values() if not i.acked]
    if not unattended or state.last_sent_at is None or now - state.last_sent_at < route.repeat_s:
        return state, None
    seq = state.seq + 1
    message = Message(route, tuple(current[k] for k in sorted(current)), (),
                      f"route:{route.id}:{seq}:{_digest(state.announced)}:repeat", repeat=True)
    return replace(state, last_sent_at=now, seq=seq), message


def backoff_s(attempts: int, base_s: float) -> float:
    """Seconds before the next try after ``attempts`` failed ones: base, 2 x base, 4 x base ... at most an hour."""
    return min(BACKOFF_MAX_S, base_s * 2 ** max(0, attempts - 1))


# -- checking what administrators enter ----------------------------------------------------------------------------
def _list(value: object, name: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None or not all(isinstance(i, str) and LIST_ITEM.fullmatch(i.strip()) for i in items):
        raise RouteError(f"{name}: names such as queue_waiting or technical, comma-separated")
    return tuple(sorted({i.strip() for i in items}))


def _int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RouteError(f"{name}: whole seconds from {low} to {high}")
    try:
        number = int(value)
    except ValueError as exc:
        raise RouteError(f"{name}: whole seconds from {low} to {high}") from exc
    if not low <= number <= high:
        raise RouteError(f"{name}: whole seconds from {low} to {high}")
    return number


def _choice(value: object, name: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise RouteError(f"{name}: one of {', '.join(options)}")
    return value


def _target(channel: str, value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if channel == "email":
        addresses = [a.strip() for a in text.split(",") if a.strip()]
        if not addresses or len(addresses) > 20 or not all(EMAIL.fullmatch(a) for a in addresses):
            raise RouteError("target: e-mail addresses, comma-separated")
        return ",".join(addresses)
    if channel == "telegram" and not CHAT_ID.fullmatch(text):
        raise RouteError("target: a Telegram chat id (-100123...) or @channel name")
    if channel == "webhook" and (len(text) > 500 or not WEBHOOK.fullmatch(text)):
        raise RouteError("target: an http(s) URL")
    return text


def route_values(v: Mapping) -> dict:
    """The columns of a route from what an administrator entered; RouteError names the first wrong field."""
    name = v.get("name").strip() if isinstance(v.get("name"), str) else ""
    if not NAME.fullmatch(name):
        raise RouteError("name: 1-120 letters, digits, spaces and . @ : / ( ) + -")
    channel = _choice(v.get("channel"), "channel", CHANNELS)
    quiet_from, quiet_to = (v.get(k) or "" for k in ("quiet_from", "quiet_to"))
    for hhmm in (quiet_from, quiet_to):
        if hhmm and not (isinstance(hhmm, str) and HHMM.fullmatch(hhmm)):
            raise RouteError("quiet hours: HH:MM")
    return {"name": name, "channel": channel, "target": _target(channel, v.get("target")),
            "audience": _choice(v.get("audience") or "operational", "audience", AUDIENCES),
            "rules": ",".join(_list(v.get("rules"), "rules")), "scopes": ",".join(_list(v.get("scopes"), "scopes")),
            "min_severity": _choice(v.get("min_severity") or "warning", "severity", SEVERITIES),
            "min_band": _choice(v.get("min_band") or "high", "band", BANDS),
            "quiet_from": quiet_from, "quiet_to": quiet_to,
            "group_wait_s": _int(v.get("group_wait_s", 60), "grouping window", 0, MAX_GROUP_WAIT_S),
            "repeat_s": _int(v.get("repeat_s", 14400), "repeat interval", 60, MAX_REPEAT_S),
            "send_resolved": bool(v.get("send_resolved", True)), "enabled": bool(v.get("enabled", True))}


def silence_matcher(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if text != "*" and not re.fullmatch(r"[a-z0-9_]{1,40}(:[\w.-]{1,80}|:\*)?|case:(\d{1,12}|\*)", text):
        raise RouteError("silence: an alert key (queue_waiting:technical), rule:* , case:<number>, case:* or *")
    return text
