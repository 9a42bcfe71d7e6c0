"""Interval history: 15-minute counts per queue in UTC, grouped into hours, days, weeks and months in a zone.

An event counts in the interval in which it happened, as the live counters do (offered at ENTERQUEUE, answered
at CONNECT, abandoned at ABANDON). Each interval keeps a histogram of answer waits and of abandon waits in whole
seconds (capped at ``WAIT_CAP_S``), so service level for any threshold T and any short-abandon limit can be
recomputed for the past. A period's service level is recomputed from the period's summed counts with the
formulas of :mod:`domain.metrics`, never averaged from interval percentages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from domain.metrics import MetricParams, abandon_rate, aht, asa, service_level

INTERVAL_S = 900
WAIT_CAP_S = 3600  # a wait of an hour or more is kept in the last bucket
ANSWER_PREFIX, ABANDON_PREFIX = "hw", "aw"  # counter fields of the wait histograms: hw17 = answered after 17 s
COUNT_FIELDS = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "lost", "transferred",
                "blocked", "handled", "hold_sum", "talk_sum")
GRANULARITIES = ("interval", "hour", "day", "week", "month")


def wait_bucket(seconds: float) -> int:
    """The histogram bucket of a wait: whole seconds, capped."""
    return min(max(int(seconds), 0), WAIT_CAP_S)


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

    @classmethod
    def from_counters(cls, scope: str, start_ts: int, fields: Mapping[str, float]) -> "IntervalCounts":
        """From a counter bucket of the live book (its histogram fields split out)."""
        out = cls(scope, start_ts)
        for name, value in fields.items():
            if not value:
                continue
            if name.startswith(ANSWER_PREFIX) and name[2:].isdigit():
                out.answer_waits[int(name[2:])] = int(value)
            elif name.startswith(ABANDON_PREFIX) and name[2:].isdigit():
                out.abandon_waits[int(name[2:])] = int(value)
            elif name in COUNT_FIELDS:
                out.counts[name] = value
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
    counts, answer, abandon = summed(intervals)
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
    start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(tz))
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
