"""The manager's SLA report from the interval history: pure functions, no SQL, no Dash.

Everything here works on :class:`domain.history.IntervalCounts` and computes its figures with
:func:`domain.history.kpis` and the formulas of :mod:`domain.metrics` (one definition of every KPI). The page,
its exports and ``python app.py report sla`` all call these functions, so they show the same numbers.

What-if: the service-level variant, the threshold T and the short-abandon limit are parameters, and service level
is recomputed from each interval's wait histograms. To keep a month of intervals fast, each interval's histograms
are first *collapsed* for the chosen T and limit (:func:`collapse`): a wait only matters by which side of T and of
the limit it falls on, so four buckets hold everything the formulas need, and every later sum (per day, per line,
per period) adds four numbers instead of a hundred.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from domain import erlang
from domain.history import INTERVAL_S, IntervalCounts, group, kpis
from domain.lines import QueueConfig
from domain.metrics import MetricParams, occupancy, ratio

AGENT_FIELDS = ("staffed_s", "available_s", "busy_s", "paused_s")
FAR = 10 ** 9  # a wait key beyond every threshold: "not within T", "not a short abandon"
WORST_MIN_CALLS = 5  # an interval with fewer calls is too small to rank among the worst
FORECAST_WEEKS = 4


@dataclass(frozen=True)
class WhatIf:
    """The page's what-if choices; the settings stay the default. ``threshold_s`` None: each line's own T."""

    variant: str = "default"
    threshold_s: int | None = None
    short_abandon_s: int = 5
    with_blocked: bool = False


@dataclass(frozen=True)
class StaffingRules:
    """Erlang C staffing: the occupancy cap and the shrinkage between operators on the phones and scheduled."""

    max_occupancy: float = 0.85
    shrinkage: float = 0.30


def line_params(line: QueueConfig, whatif: WhatIf, wrapup_s: int) -> MetricParams:
    """The parameters line ``line``'s figures are computed (and its definitions quoted) with."""
    threshold = line.sl_threshold_s if whatif.threshold_s is None else whatif.threshold_s
    return MetricParams(threshold_s=threshold, goal=line.sl_goal, short_abandon_s=whatif.short_abandon_s,
                        wrapup_s=wrapup_s, variant=whatif.variant)


# -- collapsing the histograms ---------------------------------------------------------------------------------
def canonical(params: MetricParams) -> MetricParams:
    """The threshold and short-abandon limit under which :func:`collapse`'s four bucket keys (0, 1, 2, FAR) keep
    their meaning: (T, limit) = (1, 1) when T >= the limit, (0, 2) when T < the limit."""
    t, short = (1, 1) if params.threshold_s >= params.short_abandon_s else (0, 2)
    return replace(params, threshold_s=t, short_abandon_s=short)


def collapse(item: IntervalCounts, params: MetricParams) -> IntervalCounts:
    """``item`` with its wait histograms reduced to what ``params``' T and short-abandon limit can tell apart.

    :func:`domain.history.kpis` over collapsed intervals with ``canonical(params)`` gives exactly the figures of
    the full histograms with ``params``.
    """
    t, short = params.threshold_s, params.short_abandon_s
    answer = {0: 0, FAR: 0}
    for s, n in item.answer_waits.items():
        answer[0 if s <= t else FAR] += n
    abandon = {0: 0, 1: 0, 2: 0, FAR: 0}
    low = t < short
    for s, n in item.abandon_waits.items():
        if s < short:
            abandon[0 if s <= t else 1] += n  # a short abandon, within T or not (the latter only when T < limit)
        elif s <= t:
            abandon[1] += n                   # not short, within T (only when T >= limit)
        else:
            abandon[2 if low else FAR] += n
    return IntervalCounts(item.scope, item.start_ts, item.counts, {k: v for k, v in answer.items() if v},
                          {k: v for k, v in abandon.items() if v}, item.longest_wait_s, item.agents,
                          item.paused_by_reason)


def collapsed(items: Iterable[IntervalCounts], params: Mapping[str, MetricParams]) -> list[IntervalCounts]:
    """Every interval collapsed with its own line's parameters (intervals of unknown lines are left out)."""
    return [collapse(i, params[i.scope]) for i in items if i.scope in params]


# -- figures ---------------------------------------------------------------------------------------------------
def agent_seconds(items: Iterable[IntervalCounts]) -> dict[str, float]:
    out = dict.fromkeys(AGENT_FIELDS, 0.0)
    for item in items:
        for k in AGENT_FIELDS:
            out[k] += item.agents.get(k, 0.0)
    return out


def figures(items: Sequence[IntervalCounts], params: MetricParams, with_blocked: bool = False) -> dict:
    """One period's figures of collapsed intervals (one line, or several lines on the same side of the limit).

    The KPIs of :func:`domain.history.kpis`, service level both without and with blocked callers, occupancy,
    the average operators logged in and available, the longest wait, and ``met`` against the goal.
    """
    base = canonical(params)
    out = kpis(items, base, with_blocked)
    out["service_level_blocked"] = out["service_level"] if with_blocked else kpis(items, base, True)["service_level"]
    agents = agent_seconds(items)
    span = len({i.start_ts for i in items}) * INTERVAL_S
    out["occupancy"] = occupancy(agents["busy_s"], agents["staffed_s"] - agents["paused_s"])
    out["logged_in"] = ratio(agents["staffed_s"], span)
    out["available"] = ratio(agents["available_s"], span)
    out["longest_wait_s"] = max((i.longest_wait_s for i in items), default=0.0)
    out["goal"] = params.goal
    out["met"] = None if out["service_level"] is None else out["service_level"] >= params.goal
    return out


def total_params(params: Mapping[str, MetricParams]) -> MetricParams | None:
    """Parameters for the figures of several lines together: None when their collapsed buckets do not mean the
    same (some lines with T below the short-abandon limit, others not: their service levels cannot be summed)."""
    values = list(params.values())
    if not values or len({canonical(p).threshold_s for p in values}) > 1:
        return None
    first = values[0]
    return replace(first, goal=max(p.goal for p in values))


def change(current: Mapping, previous: Mapping, keys: Iterable[str]) -> dict[str, float | None]:
    """``current - previous`` for each key (None when either is missing)."""
    out = {}
    for k in keys:
        a, b = current.get(k), previous.get(k)
        out[k] = None if a is None or b is None else a - b
    return out


def by_bucket(items: Sequence[IntervalCounts], granularity: str, tz: str, params: Mapping[str, MetricParams],
              with_blocked: bool = False) -> list[dict]:
    """Per line and local hour/day/week/month (or interval): the figures, oldest first."""
    rows = []
    for (scope, start), part in sorted(group(items, granularity, tz).items()):
        rows.append({"scope": scope, "start_ts": start, **figures(part, params[scope], with_blocked)})
    return rows


# -- where and when we missed ------------------------------------------------------------------------------------
def local_slot(ts: float, tz: str) -> tuple[str, str]:
    """(local date YYYY-MM-DD, local time HH:MM) of an interval's start."""
    local = datetime.fromtimestamp(ts, ZoneInfo(tz))
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


@dataclass
class Heatmap:
    """Service level of one line by local time of day (rows) x local date (columns); None where nobody called."""

    scope: str
    goal: float
    days: list[str] = field(default_factory=list)
    slots: list[str] = field(default_factory=list)
    z: list[list[float | None]] = field(default_factory=list)   # z[slot][day]
    calls: list[list[int]] = field(default_factory=list)        # offered, same shape


def heatmap(items: Sequence[IntervalCounts], scope: str, tz: str, params: MetricParams,
            with_blocked: bool = False) -> Heatmap:
    """The heatmap of collapsed intervals of ``scope``. On a day the clocks go back, the repeated local quarter
    hours fall in the same cell (their counts added, the service level recomputed from them)."""
    cells: dict[tuple[str, str], list[IntervalCounts]] = {}
    for item in items:
        if item.scope == scope:
            cells.setdefault(local_slot(item.start_ts, tz), []).append(item)
    days = sorted({d for d, _s in cells})
    slots = sorted({s for _d, s in cells})
    out = Heatmap(scope, params.goal, days, slots)
    where = {d: j for j, d in enumerate(days)}
    out.z = [[None] * len(days) for _ in slots]
    out.calls = [[0] * len(days) for _ in slots]
    for i, slot in enumerate(slots):
        for day in days:
            part = cells.get((day, slot))
            if part:
                k = kpis(part, canonical(params), with_blocked)
                out.z[i][where[day]] = k["service_level"]
                out.calls[i][where[day]] = k["offered"]
    return out


def missed_counts(items: Sequence[IntervalCounts], tz: str, params: Mapping[str, MetricParams],
                  with_blocked: bool = False) -> list[dict]:
    """Per line: local days and intervals with a service level, how many missed the goal, and the shares."""
    out = []
    days = {k: v for k, v in group(items, "day", tz).items()}
    for scope in sorted(params):
        p = params[scope]
        day_levels = [figures(v, p, with_blocked)["service_level"] for (s, _d), v in days.items() if s == scope]
        slot_levels = [kpis([i], canonical(p), with_blocked)["service_level"] for i in items if i.scope == scope]
        out.append({"scope": scope, "goal": p.goal, **_missed("days", day_levels, p.goal),
                    **_missed("intervals", slot_levels, p.goal)})
    return out


def _missed(name: str, levels: list[float | None], goal: float) -> dict:
    measured = [v for v in levels if v is not None]
    missed = sum(1 for v in measured if v < goal)
    return {name: len(measured), f"{name}_missed": missed, f"{name}_missed_share": ratio(missed, len(measured))}


def worst(items: Sequence[IntervalCounts], params: Mapping[str, MetricParams], with_blocked: bool = False,
          limit: int = 20, min_calls: int = WORST_MIN_CALLS) -> list[tuple[IntervalCounts, dict]]:
    """The intervals below goal that cost the most: ranked by offered calls x (goal - service level), the calls
    the interval fell short by; intervals with fewer than ``min_calls`` offered are left out."""
    found = []
    for item in items:
        p = params.get(item.scope)
        if p is None or item.counts.get("offered", 0) < min_calls:
            continue
        f = figures([item], p, with_blocked)
        if f["service_level"] is not None and f["service_level"] < p.goal:
            found.append(((p.goal - f["service_level"]) * f["offered"], item, f))
    found.sort(key=lambda x: (-x[0], x[1].start_ts, x[1].scope))
    return [(item, {**f, "shortfall": round(score, 1)}) for score, item, f in found[:limit]]


# -- the usual, and staffing -------------------------------------------------------------------------------------
def weeks_before(ts: float, tz: str, weeks: int = FORECAST_WEEKS) -> list[float]:
    """The starts of the same local weekday and time of day 1..``weeks`` weeks before ``ts`` (DST-correct)."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(ts, zone).replace(tzinfo=None)
    return [(local - timedelta(days=7 * k)).replace(tzinfo=zone).timestamp() for k in range(1, weeks + 1)]


def usual(index: Mapping[tuple[str, float], IntervalCounts], scope: str, ts: float, tz: str,
          weeks: int = FORECAST_WEEKS) -> IntervalCounts | None:
    """The usual interval for ``scope`` at ``ts``: the median offered calls and the median talk, hold and handled
    counts of the same weekday and interval over the ``weeks`` weeks before (intervals not in ``index`` are
    not counted); None without any."""
    seen = [index[(scope, t)] for t in weeks_before(ts, tz, weeks) if (scope, t) in index]
    if not seen:
        return None
    counts = {k: statistics.median(i.counts.get(k, 0) for i in seen)
              for k in ("offered", "answered", "handled", "talk_sum", "hold_sum")}
    return IntervalCounts(scope, int(ts), counts)


def needed(offered: float, aht_s: float | None, params: MetricParams, rules: StaffingRules) -> erlang.Staffing | None:
    """Erlang C operators for ``offered`` calls in one interval at the line's goal and T (None without an AHT)."""
    if aht_s is None or aht_s <= 0:
        return None if offered else erlang.staffing(0, INTERVAL_S, 1, params.goal, params.threshold_s)
    return erlang.staffing(offered, INTERVAL_S, aht_s, params.goal, params.threshold_s, rules.max_occupancy,
                           rules.shrinkage)


def staffing_rows(items: Sequence[IntervalCounts], params: MetricParams, rules: StaffingRules,
                  fallback_aht_s: float | None) -> list[dict]:
    """Per interval: operators Erlang C says were needed (the interval's offered calls and AHT; the period's AHT
    when the interval handled no call) against the operators logged in and available (average over it)."""
    rows = []
    for item in sorted(items, key=lambda i: i.start_ts):
        f = kpis([item], params)
        s = needed(f["offered"], f["aht_s"] or fallback_aht_s, params, rules)
        logged = item.agents.get("staffed_s", 0.0) / INTERVAL_S
        rows.append({"scope": item.scope, "start_ts": item.start_ts, "offered": f["offered"], "aht_s": f["aht_s"],
                     "needed": s.agents if s else None, "scheduled": s.scheduled if s else None,
                     "logged_in": logged, "available": item.agents.get("available_s", 0.0) / INTERVAL_S,
                     "gap": None if s is None else s.agents - logged})
    return rows


def forecast(index: Mapping[tuple[str, float], IntervalCounts], scope: str, now: float, tz: str,
             params: MetricParams, rules: StaffingRules, hours: int = 4) -> list[dict]:
    """The next ``hours`` hours of ``scope`` from the current interval: offered calls and AHT forecast as the
    median of the same weekday and interval of the last four weeks, and the operators they need."""
    first = now - now % INTERVAL_S
    rows = []
    for k in range(hours * 3600 // INTERVAL_S):
        ts = first + k * INTERVAL_S
        seen = usual(index, scope, ts, tz)
        offered = seen.counts["offered"] if seen else None
        aht_s = kpis([seen], params)["aht_s"] if seen else None
        s = needed(offered, aht_s, params, rules) if offered is not None else None
        rows.append({"scope": scope, "start_ts": ts, "offered": offered, "aht_s": aht_s,
                     "needed": s.agents if s else None, "scheduled": s.scheduled if s else None})
    return rows


def peak(rows: Sequence[dict], logged_in_now: int) -> dict | None:
    """The forecast interval needing the most operators, and how many more than are logged in now."""
    known = [r for r in rows if r["needed"] is not None]
    if not known:
        return None
    top = max(known, key=lambda r: (r["needed"], -r["start_ts"]))
    return {**top, "logged_in_now": logged_in_now, "more": max(top["needed"] - logged_in_now, 0)}
