"""Interval history: 15-minute counts per queue in UTC, grouped into hours, days, weeks and months in a zone.

An event counts in the interval in which it happened, as the live counters do (offered at ENTERQUEUE, answered
at CONNECT, abandoned at ABANDON). Each interval keeps a histogram of answer waits and of abandon waits in whole
seconds (capped at ``WAIT_CAP_S``), so service level for any threshold T and any short-abandon limit can be
recomputed for the past. A period's service level is recomputed from the period's summed counts with the
formulas of :mod:`domain.metrics`, never averaged from interval percentages.

The same per channel (:class:`ChannelInterval`, first-response waits in coarse fixed buckets) and per operator and
local day (:class:`OperatorDay`). Agent-seconds: ``staffed_s`` is logged in (paused included), ``available_s``,
``busy_s`` (talk and wrap-up) and ``paused_s`` split it; occupancy = busy / (staffed - paused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from domain.clock import parse_iso
from domain.metrics import MetricParams, abandon_rate, aht, asa, occupancy, service_level

INTERVAL_S = 900
WAIT_CAP_S = 3600  # a wait of an hour or more is kept in the last bucket
ANSWER_PREFIX, ABANDON_PREFIX = "hw", "aw"  # counter fields of the wait histograms: hw17 = answered after 17 s
COUNT_FIELDS = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "lost", "transferred",
                "blocked", "handled", "hold_sum", "talk_sum")
AGENT_FIELDS = ("staffed_s", "available_s", "busy_s", "paused_s")
PAUSE_PREFIX = "pause:"  # counter fields of paused seconds by reason: "pause:Обед"
# First-response waits of digital tickets, in buckets by upper bound (seconds): a wait lands in the first bound it
# does not pass; -1 holds the longer ones. Responses within a target that is one of the bounds (every default
# target is) are counted exactly for any later target.
RESPONSE_BOUNDS = (10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800,
                   14400, 21600, 28800, 43200, 64800, 86400, 129600, 172800, 259200, 604800)
RESPONSE_PREFIX = "fr"  # counter fields of the first-response histogram: fr900 = answered within (600, 900] s
CHANNEL_FIELDS = ("created", "responded", "responded_in_t", "response_sum", "resolved", "resolved_by_due")
GRANULARITIES = ("interval", "hour", "day", "week", "month")


def wait_bucket(seconds: float) -> int:
    """The histogram bucket of a wait: whole seconds, capped."""
    return min(max(int(seconds), 0), WAIT_CAP_S)


def response_bucket(seconds: float) -> int:
    """The first-response histogram bucket of a wait: the smallest bound it does not pass, -1 past them all."""
    for bound in RESPONSE_BOUNDS:
        if seconds <= bound:
            return bound
    return -1


@dataclass
class IntervalCounts:
    """One queue's counts in one 15-minute interval starting at ``start_ts`` (UTC epoch, a multiple of 900)."""

    scope: str
    start_ts: int
    counts: dict[str, float] = field(default_factory=dict)      # COUNT_FIELDS
    answer_waits: dict[int, int] = field(default_factory=dict)  # seconds -> answered calls
    abandon_waits: dict[int, int] = field(default_factory=dict)  # seconds -> abandoned calls
    longest_wait_s: float = 0.0
    # Agent-seconds of the queue's members in the interval: staffed_s (logged in), available_s, busy_s (talk and
    # wrap-up), paused_s; and paused seconds by pause reason.
    agents: dict[str, float] = field(default_factory=dict)
    paused_by_reason: dict[str, float] = field(default_factory=dict)
    final: bool = False  # rebuilt from the sources after the late events' grace: no later write changes it

    @classmethod
    def from_counters(cls, scope: str, start_ts: int, fields: Mapping[str, float]) -> "IntervalCounts":
        """From counter buckets of the live books (histogram, agent and pause fields split out). ``answered_in_t``
        at the queue's own T is kept beside the counts; the longest wait is the longest one in the histograms."""
        out = cls(scope, start_ts)
        for name, value in fields.items():
            if not value:
                continue
            if name.startswith(ANSWER_PREFIX) and name[2:].isdigit():
                out.answer_waits[int(name[2:])] = int(value)
            elif name.startswith(ABANDON_PREFIX) and name[2:].isdigit():
                out.abandon_waits[int(name[2:])] = int(value)
            elif name in COUNT_FIELDS or name == "answered_in_t":
                out.counts[name] = value
            elif name in AGENT_FIELDS:
                out.agents[name] = value
            elif name.startswith(PAUSE_PREFIX):
                out.paused_by_reason[name[len(PAUSE_PREFIX):]] = value
        if out.agents:
            out.agents["staffed_s"] = sum(out.agents.get(k, 0.0) for k in ("available_s", "busy_s", "paused_s"))
        out.longest_wait_s = float(max((s for h in (out.answer_waits, out.abandon_waits) for s, n in h.items() if n),
                                       default=0))
        return out


@dataclass
class ChannelInterval:
    """One digital channel's tickets in one 15-minute interval starting at ``start_ts`` (UTC, a multiple of 900).

    Created at ``created_at``, responded at the first response, resolved at ``resolved_at`` (by due when not after
    ``due_at``); ``backlog``: tickets created and neither answered nor closed at the interval's end.
    """

    scope: str
    start_ts: int
    created: int = 0
    responded: int = 0
    responded_in_t: int = 0      # within the channel's target when written
    response_sum: float = 0.0    # seconds from creation to first response, summed
    backlog: int = 0
    resolved: int = 0
    resolved_by_due: int = 0
    response_waits: dict[int, int] = field(default_factory=dict)  # RESPONSE_BOUNDS bound (or -1) -> responses
    final: bool = False

    def responded_within(self, target_s: int) -> int:
        """First responses within ``target_s`` (exact when the target is one of RESPONSE_BOUNDS)."""
        return sum(n for bound, n in self.response_waits.items() if 0 <= bound <= target_s)

    @classmethod
    def from_counters(cls, scope: str, start_ts: int, fields: Mapping[str, float], backlog: int) -> "ChannelInterval":
        """From a counter bucket of a channel book and the backlog at the interval's end."""
        out = cls(scope, start_ts, backlog=backlog)
        for name, value in fields.items():
            if name in CHANNEL_FIELDS:
                setattr(out, name, value if name == "response_sum" else int(round(value)))
            elif name.startswith(RESPONSE_PREFIX) and value:
                out.response_waits[int(name[len(RESPONSE_PREFIX):])] = int(value)
        return out


@dataclass
class OperatorDay:
    """One operator (queue member name) on one local day (YYYY-MM-DD): calls and seconds in each state."""

    name: str
    day: str
    answered: int = 0
    handled: int = 0             # calls completed or transferred (their talk is in talk_s)
    talk_s: float = 0.0          # talk of the calls handled that day
    wrapup_s: float = 0.0
    staffed_s: float = 0.0       # logged in, paused included
    busy_s: float = 0.0          # on a call or in wrap-up
    paused_s: float = 0.0
    paused_by_reason: dict[str, float] = field(default_factory=dict)

    @property
    def occupancy(self) -> float | None:
        """(talk + wrap-up) / logged-in time not paused."""
        return occupancy(self.busy_s, self.staffed_s - self.paused_s)

    @classmethod
    def from_counters(cls, name: str, day: str, fields: Mapping[str, float]) -> "OperatorDay":
        """From an operator's day totals in the live books (``talk_sum`` is its handled calls' talk; on_call_s,
        wrapup_s, available_s and paused_s its seconds in each state)."""
        on_call, wrapup, paused = (fields.get(k, 0.0) for k in ("on_call_s", "wrapup_s", "paused_s"))
        out = cls(name, day, answered=int(fields.get("answered", 0)), handled=int(fields.get("handled", 0)),
                  talk_s=fields.get("talk_sum", 0.0), wrapup_s=wrapup,
                  staffed_s=on_call + wrapup + fields.get("available_s", 0.0) + paused, busy_s=on_call + wrapup,
                  paused_s=paused)
        out.paused_by_reason = {k[len(PAUSE_PREFIX):]: v for k, v in fields.items()
                                if k.startswith(PAUSE_PREFIX) and v}
        return out


def _within(hist: Mapping[int, int], limit: float, strict: bool = False) -> int:
    return sum(n for s, n in hist.items() if (s < limit if strict else s <= limit))


def summed(intervals: Iterable[IntervalCounts]) -> tuple[dict[str, float], dict[int, int], dict[int, int]]:
    """The counts and the two histograms of several intervals added up."""
    counts: dict[str, float] = {}
    answer: dict[int, int] = {}
    abandon: dict[int, int] = {}
    for item in intervals:
        for k, v in item.counts.items():
            counts[k] = counts.get(k, 0) + v
        for s, n in item.answer_waits.items():
            answer[s] = answer.get(s, 0) + n
        for s, n in item.abandon_waits.items():
            abandon[s] = abandon.get(s, 0) + n
    return counts, answer, abandon


def recomputed(counts: Mapping[str, float], answer: Mapping[int, int], abandon: Mapping[int, int],
               threshold_s: int, short_abandon_s: int) -> dict[str, float]:
    """Counts with answered/abandoned within T and short abandons recomputed for ``threshold_s`` and the limit."""
    out = dict(counts)
    out["answered_in_t"] = _within(answer, threshold_s)
    out["abandoned_in_t"] = _within(abandon, threshold_s)
    out["short_abandoned"] = _within(abandon, short_abandon_s, strict=True)
    return out


def kpis(intervals: Iterable[IntervalCounts], params: MetricParams, with_blocked: bool = False) -> dict:
    """The period's figures, recomputed from its summed counts (``with_blocked``: callers turned away count as
    offered and as not answered within T)."""
    items = intervals if isinstance(intervals, (list, tuple)) else list(intervals)
    if len(items) == 1:  # one interval (the heatmap's, the worst list's): its own counts, nothing to add up
        counts, answer, abandon = items[0].counts, items[0].answer_waits, items[0].abandon_waits
    else:
        counts, answer, abandon = summed(items)
    c = recomputed(counts, answer, abandon, params.threshold_s, params.short_abandon_s)
    blocked = c.get("blocked", 0)
    if with_blocked:
        c["offered"] = c.get("offered", 0) + blocked
        c["abandoned"] = c.get("abandoned", 0) + blocked
    return {"offered": int(counts.get("offered", 0)), "received": int(counts.get("offered", 0) + blocked),
            "blocked": int(blocked), "answered": int(c.get("answered", 0)),
            "abandoned": int(counts.get("abandoned", 0)), "short_abandoned": int(c["short_abandoned"]),
            "answered_in_t": int(c["answered_in_t"]),
            "service_level": service_level(c, params.variant), "asa_s": asa(c),
            "aht_s": aht(c, params.wrapup_s), "abandon_rate": abandon_rate(c)}


# -- periods in a zone -----------------------------------------------------------------------------------------
def local_start(ts: float, granularity: str, tz: str) -> float:
    """The start (UTC epoch) of the local hour, day, ISO week or month holding ``ts`` (or of its interval)."""
    if granularity == "interval":
        return ts - ts % INTERVAL_S
    local = datetime.fromtimestamp(ts, ZoneInfo(tz))
    if granularity == "hour":
        # An hour is 4 intervals from its local start; zones with 30- and 45-minute offsets keep their own hours.
        return local.replace(minute=0, second=0, microsecond=0).timestamp()
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    elif granularity == "month":
        day = day.replace(day=1)
    return day.replace(tzinfo=ZoneInfo(tz)).timestamp()


def group(intervals: Iterable[IntervalCounts], granularity: str, tz: str) -> dict[tuple[str, float], list]:
    """Intervals grouped by (scope, local start of their hour/day/week/month)."""
    out: dict[tuple[str, float], list[IntervalCounts]] = {}
    for item in intervals:
        out.setdefault((item.scope, local_start(item.start_ts, granularity, tz)), []).append(item)
    return out


def day_bounds(day: str, tz: str) -> tuple[float, float]:
    """UTC epochs of local midnight of ``day`` (YYYY-MM-DD) and of the next day (a DST day is 23 or 25 hours)."""
    start = parse_iso(day, tz)
    return start.timestamp(), (start + timedelta(days=1)).replace(tzinfo=ZoneInfo(tz)).timestamp()


def named_period(name: str, now: float, tz: str) -> tuple[float, float]:
    """[start, end) of today, yesterday, this_week, last_week, this_month or last_month in ``tz``."""
    zone = ZoneInfo(tz)
    today = datetime.fromtimestamp(now, zone).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    prev_first = (first - timedelta(days=1)).replace(day=1)
    spans = {"today": (today, today + timedelta(days=1)), "yesterday": (today - timedelta(days=1), today),
             "this_week": (monday, monday + timedelta(days=7)), "last_week": (monday - timedelta(days=7), monday),
             "this_month": (first, (first + timedelta(days=32)).replace(day=1)), "last_month": (prev_first, first)}
    lo, hi = spans[name]
    return lo.replace(tzinfo=zone).timestamp(), hi.replace(tzinfo=zone).timestamp()


def previous_period(start: float, end: float) -> tuple[float, float]:
    """The period of the same length just before [start, end)."""
    return start - (end - start), start
