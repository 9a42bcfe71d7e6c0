"""The manager's SLA report from the interval history: pure functions, no SQL, no Dash.

Everything here works on :class:`domain.history.IntervalCounts` and computes its figures with
:func:`domain.history.kpis` and the formulas of :mod:`domain.metrics` (one definition of every KPI). The page,
its exports and ``python app.py report sla`` all call these functions, so they show the same numbers.

What-if: the service-level variant, the threshold T and the short-abandon limit are parameters, and service level
is recomputed from each interval's wait histograms. To keep a month of intervals fast, each interval's histograms
are first *collapsed* for the chosen T and limit (:func:`collapse`): a wait only matters by which side of T and of
the limit it falls on, so two buckets hold everything the formulas need, and every later sum (per day, per line,
per period) adds two numbers instead of a hundred. The app database can collapse them in SQL
(:mod:`data_access.sla_history`) into the same :func:`wait_classes`.
"""

from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from domain import erlang
from domain.history import (
    AGENT_FIELDS,
    GRANULARITIES,
    INTERVAL_S,
    IntervalCounts,
    day_bounds,
    kpis,
    local_start,
    named_period,
    summed,
)
from domain.lines import QueueConfig
from domain.metrics import MetricParams, occupancy, ratio

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
@functools.lru_cache(maxsize=256)
def canonical(params: MetricParams) -> MetricParams:
    """The threshold and short-abandon limit under which :func:`collapsed_from`'s bucket keys 0 and 1 keep their
    meaning: (T, limit) = (1, 1) when T >= the limit (key 1: not short, within T), (0, 2) when T < the limit
    (key 1: short, after T)."""
    t, short = (1, 1) if params.threshold_s >= params.short_abandon_s else (0, 2)
    return replace(params, threshold_s=t, short_abandon_s=short)


def wait_classes(item: IntervalCounts, params: MetricParams) -> tuple[int, int, int]:
    """What ``params``' T and short-abandon limit tell apart in ``item``'s wait histograms: answered within T,
    short abandons within T, and the abandons on one side only of the two limits (short but after T when T is
    below the limit, not short but within T otherwise: only one of the two can happen)."""
    t, short = params.threshold_s, params.short_abandon_s
    answered_in_t = sum(n for s, n in item.answer_waits.items() if s <= t)
    short_in_t = mixed = 0
    for s, n in item.abandon_waits.items():
        if s < short and s <= t:
            short_in_t += n
        elif (s < short) != (s <= t):
            mixed += n
    return answered_in_t, short_in_t, mixed


def collapsed_from(item: IntervalCounts, answered_in_t: float, short_in_t: float, mixed: float) -> IntervalCounts:
    """``item`` with histograms of two keys, meaning under :func:`canonical` parameters: 0 (answered, or short
    abandon, within T) and 1 (the other abandons of :func:`wait_classes`). Waits past every limit are left out:
    no figure counts them from a histogram (the denominators come from the counts)."""
    answer = {0: int(answered_in_t)} if answered_in_t else {}
    abandon = {k: int(v) for k, v in ((0, short_in_t), (1, mixed)) if v}
    return IntervalCounts(item.scope, item.start_ts, item.counts, answer, abandon, item.longest_wait_s, item.agents,
                          item.paused_by_reason)


def collapse(item: IntervalCounts, params: MetricParams) -> IntervalCounts:
    """``item`` with its wait histograms reduced to what ``params``' T and short-abandon limit can tell apart.

    :func:`domain.history.kpis` over collapsed intervals with ``canonical(params)`` gives exactly the figures of
    the full histograms with ``params``.
    """
    return collapsed_from(item, *wait_classes(item, params))


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


def merged(items: Sequence[IntervalCounts], scope: str = "", start_ts: int = 0) -> IntervalCounts:
    """Several intervals added up into one (counts, histograms, agent-seconds; the longest wait of them all)."""
    counts, answer, abandon = summed(items)
    longest = max((i.longest_wait_s for i in items), default=0.0)
    return IntervalCounts(scope, start_ts, counts, answer, abandon, longest, agent_seconds(items))


def figures(items: Sequence[IntervalCounts], params: MetricParams, with_blocked: bool = False,
            span_s: float | None = None, blocked_too: bool = False) -> dict:
    """One period's figures of collapsed intervals (one line, or several lines on the same side of the limit).

    The KPIs of :func:`domain.history.kpis`, occupancy, the average operators logged in and available over
    ``span_s`` (default: the intervals' own length), the longest wait, ``met`` against the goal, and with
    ``blocked_too`` the service level counting blocked callers too.
    """
    base = canonical(params)
    out = kpis(items, base, with_blocked)
    if blocked_too:
        out["service_level_blocked"] = out["service_level"] if with_blocked else kpis(items, base, True)[
            "service_level"]
    agents = agent_seconds(items)
    span = span_s if span_s is not None else len({i.start_ts for i in items}) * INTERVAL_S
    out["occupancy"] = occupancy(agents["busy_s"], agents["staffed_s"] - agents["paused_s"])
    out["logged_in"] = ratio(agents["staffed_s"], span)
    out["available"] = ratio(agents["available_s"], span)
    out["longest_wait_s"] = max((i.longest_wait_s for i in items), default=0.0)
    out["goal"] = params.goal
    out["met"] = None if out["service_level"] is None else out["service_level"] >= params.goal
    return out


PerInterval = dict[tuple[str, int], dict]


def per_interval(items: Sequence[IntervalCounts], params: Mapping[str, MetricParams],
                 with_blocked: bool = False) -> PerInterval:
    """Every collapsed interval's figures (as :func:`figures` of the one interval), computed once for the tables
    that need them one by one."""
    out: PerInterval = {}
    bases = {scope: canonical(p) for scope, p in params.items()}
    for i in items:
        p = params[i.scope]
        f = kpis((i,), bases[i.scope], with_blocked)
        a = i.agents
        f["occupancy"] = occupancy(a.get("busy_s", 0.0), a.get("staffed_s", 0.0) - a.get("paused_s", 0.0))
        f["logged_in"] = a.get("staffed_s", 0.0) / INTERVAL_S
        f["available"] = a.get("available_s", 0.0) / INTERVAL_S
        f["longest_wait_s"] = i.longest_wait_s
        f["goal"] = p.goal
        f["met"] = None if f["service_level"] is None else f["service_level"] >= p.goal
        out[(i.scope, i.start_ts)] = f
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


def grouped(items: Iterable[IntervalCounts], granularity: str, tz: str) -> dict[tuple[str, float], list]:
    """:func:`domain.history.group`, with each distinct interval start placed once (the lines share them)."""
    starts: dict[int, float] = {}
    out: dict[tuple[str, float], list[IntervalCounts]] = {}
    for item in items:
        start = starts.get(item.start_ts)
        if start is None:
            start = starts[item.start_ts] = local_start(item.start_ts, granularity, tz)
        out.setdefault((item.scope, start), []).append(item)
    return out


def by_bucket(items: Sequence[IntervalCounts], granularity: str, tz: str, params: Mapping[str, MetricParams],
              with_blocked: bool = False, each: PerInterval | None = None) -> list[dict]:
    """Per line and local hour/day/week/month (or interval: ``each`` when given): the figures, oldest first."""
    if granularity == "interval":
        each = each if each is not None else per_interval(items, params, with_blocked)
        return [{"scope": s, "start_ts": ts, **each[(s, ts)]} for s, ts in sorted(each, key=lambda k: (k[1], k[0]))]
    rows = []
    for (scope, start), part in sorted(grouped(items, granularity, tz).items(), key=lambda kv: (kv[0][1], kv[0][0])):
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


def heatmap(items: Sequence[IntervalCounts], scope: str, tz: str, params: MetricParams, with_blocked: bool = False,
            each: PerInterval | None = None) -> Heatmap:
    """The heatmap of collapsed intervals of ``scope`` (their figures from ``each`` when given). On a day the
    clocks go back, the repeated local quarter hours fall in the same cell (their counts added, the service level
    recomputed from them)."""
    zone = ZoneInfo(tz)
    cells: dict[tuple[str, str], list[IntervalCounts]] = {}
    for item in items:
        if item.scope == scope:
            local = datetime.fromtimestamp(item.start_ts, zone)
            key = (f"{local.year:04d}-{local.month:02d}-{local.day:02d}", f"{local.hour:02d}:{local.minute:02d}")
            cells.setdefault(key, []).append(item)
    days = sorted({d for d, _s in cells})
    slots = sorted({s for _d, s in cells})
    out = Heatmap(scope, params.goal, days, slots)
    where = {d: j for j, d in enumerate(days)}
    row = {s: i for i, s in enumerate(slots)}
    out.z = [[None] * len(days) for _ in slots]
    out.calls = [[0] * len(days) for _ in slots]
    for (day, slot), part in cells.items():
        known = each.get((scope, part[0].start_ts)) if each is not None and len(part) == 1 else None
        k = known or kpis(part, canonical(params), with_blocked)
        out.z[row[slot]][where[day]] = k["service_level"]
        out.calls[row[slot]][where[day]] = k["offered"]
    return out


def missed_counts(items: Sequence[IntervalCounts], tz: str, params: Mapping[str, MetricParams],
                  with_blocked: bool = False, each: PerInterval | None = None,
                  days: list[dict] | None = None) -> list[dict]:
    """Per line: local days and intervals with a service level, how many missed the goal, and the shares
    (``days``: the rows of :func:`by_bucket` by day, when already made)."""
    each = each if each is not None else per_interval(items, params, with_blocked)
    days = days if days is not None else by_bucket(items, "day", tz, params, with_blocked)
    out = []
    for scope in sorted(params):
        p = params[scope]
        day_levels = [d["service_level"] for d in days if d["scope"] == scope]
        slot_levels = [f["service_level"] for (s, _ts), f in each.items() if s == scope]
        out.append({"scope": scope, "goal": p.goal, **_missed("days", day_levels, p.goal),
                    **_missed("intervals", slot_levels, p.goal)})
    return out


def _missed(name: str, levels: list[float | None], goal: float) -> dict:
    measured = [v for v in levels if v is not None]
    missed = sum(1 for v in measured if v < goal)
    return {name: len(measured), f"{name}_missed": missed, f"{name}_missed_share": ratio(missed, len(measured))}


def worst(items: Sequence[IntervalCounts], params: Mapping[str, MetricParams], with_blocked: bool = False,
          limit: int = 20, min_calls: int = WORST_MIN_CALLS,
          each: PerInterval | None = None) -> list[tuple[IntervalCounts, dict]]:
    """The intervals below goal that cost the most: ranked by offered calls x (goal - service level), the calls
    the interval fell short by; intervals with fewer than ``min_calls`` offered are left out."""
    each = each if each is not None else per_interval(items, params, with_blocked)
    found = []
    for item in items:
        f = each.get((item.scope, item.start_ts))
        if f is None or f["offered"] < min_calls or f["service_level"] is None or f["service_level"] >= f["goal"]:
            continue
        found.append(((f["goal"] - f["service_level"]) * f["offered"], item, f))
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
                  fallback_aht_s: float | None, each: PerInterval | None = None) -> list[dict]:
    """Per interval: operators Erlang C says were needed (the interval's offered calls and AHT; the period's AHT
    when the interval handled no call) against the operators logged in and available (average over it)."""
    rows = []
    for item in sorted(items, key=lambda i: i.start_ts):
        f = each[(item.scope, item.start_ts)] if each is not None else figures([item], params)
        s = needed(f["offered"], f["aht_s"] or fallback_aht_s, params, rules)
        rows.append({"scope": item.scope, "start_ts": item.start_ts, "offered": f["offered"], "aht_s": f["aht_s"],
                     "needed": s.agents if s else None, "scheduled": s.scheduled if s else None,
                     "logged_in": f["logged_in"], "available": f["available"],
                     "gap": None if s is None else s.agents - f["logged_in"]})
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


# -- FCR and CSAT (from the CRM) ------------------------------------------------------------------------------------
QUALITY_FIELDS = ("resolved", "fcr", "surveys", "csat_sum", "csat_top", "survey_resolved_answers",
                  "survey_resolved_yes")


@dataclass(frozen=True)
class QualityRow:
    """FCR and survey counts of one group of tickets: ``channel`` (``phone`` with its ``line``), team, operator."""

    channel: str
    line: str
    team: str
    member: str          # the operator's queue member name ('' when the ticket had no assignee)
    counts: Mapping[str, float]


def quality_counts(rows: Iterable[QualityRow], key) -> dict[object, dict[str, float]]:
    """The quality counts added up per ``key(row)`` (rows whose key is None are left out)."""
    out: dict[object, dict[str, float]] = {}
    for row in rows:
        k = key(row)
        if k is None:
            continue
        into = out.setdefault(k, dict.fromkeys(QUALITY_FIELDS, 0.0))
        for name in QUALITY_FIELDS:
            into[name] += row.counts.get(name, 0)
    return out


def line_of(row: QualityRow) -> str | None:
    """The telephony line a quality row belongs to (phone tickets), else None."""
    return row.line or None if row.channel == "phone" else None


def channel_of(row: QualityRow) -> str | None:
    return None if row.channel == "phone" else row.channel


# -- written appeals against 59-FZ ----------------------------------------------------------------------------------
DAY_S = 86400


@dataclass(frozen=True)
class AppealRules:
    """59-FZ's clock: registered within ``register_days`` of arrival, answered within ``answer_days`` of
    registration; an open appeal is at risk ``register_warn_days`` before its registration deadline and
    ``warn_days`` before its answer deadline."""

    register_days: int = 3
    answer_days: int = 30
    warn_days: int = 5
    register_warn_days: int = 1


@dataclass(frozen=True)
class Appeal:
    """A written appeal (an e-mail or app-form ticket): arrived, registered (first response), answered (resolved)."""

    ticket_id: int
    channel: str
    created_ts: float
    registered_ts: float | None
    answered_ts: float | None


def appeal_clock(a: Appeal, now: float, rules: AppealRules) -> dict:
    """Deadlines and verdicts of one appeal at ``now``: registration due, answer due (from the registration, or
    from the registration deadline while it is not registered), in time or not (None while still undecided),
    days left to the next deadline of an open appeal, and whether it is at risk or overdue."""
    register_due = a.created_ts + rules.register_days * DAY_S
    answer_due = (a.registered_ts if a.registered_ts is not None else register_due) + rules.answer_days * DAY_S
    registered_ok = _in_time(a.registered_ts, register_due, now)
    answered_ok = _in_time(a.answered_ts, answer_due, now)
    open_ = a.answered_ts is None
    next_due, warn = (register_due, rules.register_warn_days) if a.registered_ts is None else (answer_due,
                                                                                                rules.warn_days)
    days_left = (next_due - now) / DAY_S if open_ else None
    return {"register_due": register_due, "answer_due": answer_due, "registered_in_time": registered_ok,
            "answered_in_time": answered_ok, "open": open_, "days_left": days_left,
            "overdue": open_ and days_left < 0,
            "at_risk": open_ and days_left <= warn}


def _in_time(done: float | None, due: float, now: float) -> bool | None:
    if done is not None:
        return done <= due
    return False if now > due else None


def appeal_summary(appeals: Iterable[Appeal], start: float, end: float, now: float,
                   rules: AppealRules) -> dict[str, dict]:
    """Per channel, the appeals that arrived in [start, end): how many, the shares registered and answered in
    time (of those decided), and the open appeals at risk or overdue now (whenever they arrived)."""
    out: dict[str, dict] = {}
    for a in appeals:
        c = appeal_clock(a, now, rules)
        s = out.setdefault(a.channel, {"arrived": 0, "registered_ok": 0, "registered_decided": 0, "answered_ok": 0,
                                       "answered_decided": 0, "open": 0, "at_risk": 0, "overdue": 0})
        if start <= a.created_ts < end:
            s["arrived"] += 1
            for name in ("registered", "answered"):
                verdict = c[f"{name}_in_time"]
                s[f"{name}_decided"] += verdict is not None
                s[f"{name}_ok"] += bool(verdict)
        s["open"] += c["open"]
        s["at_risk"] += c["at_risk"]
        s["overdue"] += c["overdue"]
    for s in out.values():
        s["registered_in_time"] = ratio(s["registered_ok"], s["registered_decided"])
        s["answered_in_time"] = ratio(s["answered_ok"], s["answered_decided"])
    return out


def appeals_at_risk(appeals: Iterable[Appeal], now: float, rules: AppealRules) -> list[dict]:
    """The open appeals at risk or overdue, the nearest deadline first."""
    rows = []
    for a in appeals:
        c = appeal_clock(a, now, rules)
        if c["at_risk"]:
            rows.append({"ticket_id": a.ticket_id, "channel": a.channel, "created_ts": a.created_ts,
                         "registered_ts": a.registered_ts, "due_ts": c["register_due"] if a.registered_ts is None
                         else c["answer_due"], "days_left": c["days_left"], "overdue": c["overdue"],
                         "stage": "register" if a.registered_ts is None else "answer"})
    return sorted(rows, key=lambda r: r["days_left"])


# -- periods ------------------------------------------------------------------------------------------------------
PERIODS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month", "custom")
MAX_PERIOD_DAYS = 366
MAX_DAYS_BY = {"interval": 31, "hour": 92}  # finer rows than these would be more than a person reads


class PeriodError(ValueError):
    """A period that cannot be reported: the message says why (shown on the page, printed by the CLI)."""


def default_period(first_held: float | None, now: float, tz: str) -> str:
    """The period the page opens on: last month when the history holds it, else this month, else today
    (a new installation's manager sees the intervals that exist, not an empty month)."""
    if first_held is not None:
        for name in ("last_month", "this_month"):
            start, _end = named_period(name, now, tz)
            if first_held <= start + 86400:
                return name
    return "today"


def period_bounds(name: str, now: float, tz: str, since_day: str | None = None,
                  until_day: str | None = None) -> tuple[float, float]:
    """[start, end) of a named period in ``tz``, or of the local days ``since_day`` to ``until_day`` (inclusive)
    for ``custom``. A period still running ends at the end of the current interval, so that it is compared with
    a previous period of the same length (this month so far against as many days before it)."""
    if name == "custom":
        if not since_day or not until_day:
            raise PeriodError("custom: both dates are needed")
        start, end = day_bounds(since_day, tz)[0], day_bounds(until_day, tz)[1]
        if end <= start:
            raise PeriodError("custom: the period ends before it starts")
        if end - start > MAX_PERIOD_DAYS * DAY_S + 3600:
            raise PeriodError(f"custom: at most {MAX_PERIOD_DAYS} days")
    elif name in PERIODS:
        start, end = named_period(name, now, tz)
    else:
        raise PeriodError(f"period: one of {', '.join(PERIODS)}")
    return start, min(end, max(now - now % INTERVAL_S + INTERVAL_S, start + INTERVAL_S))


def check_granularity(granularity: str, start: float, end: float) -> None:
    """Refuse rows finer than a person reads (15-minute rows over a year)."""
    if granularity not in GRANULARITIES:
        raise PeriodError(f"by: one of {', '.join(GRANULARITIES)}")
    days = MAX_DAYS_BY.get(granularity)
    if days is not None and end - start > days * DAY_S + 3600:
        raise PeriodError(f"by {granularity}: periods of at most {days} days")
