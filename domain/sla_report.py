"""The SLA report as tables: what the /sla page shows, its CSV and XLSX exports hold and ``report sla`` prints.

Pure: :func:`build` takes what was read (:class:`SlaInputs`: interval history, channel history, operator days,
the CRM's FCR and survey counts, written appeals, open and escalated tickets, portal incidents, alerts) and
returns :class:`SlaReport`, a set of :class:`Table` whose rows hold raw numbers (fractions, seconds, counts,
epochs). Each column names its catalogue metric (label, definition and format come from :mod:`domain.metrics`) or
an interface text. The page formats them, the XLSX keeps them as numbers with number formats, so the totals on
screen and in a file are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Sequence

from domain import sla, tickets
from domain.clock import iso_epoch
from domain.history import INTERVAL_S, IntervalCounts, previous_period
from domain.lines import ChannelConfig, QueueConfig
from domain.metrics import (
    CHANNEL_REPORT,
    REPORT,
    MetricParams,
    aht,
    csat,
    csat_top,
    fcr,
    first_response_sl,
    occupancy,
    ratio,
    survey_resolved,
)
from domain.metrics import resolved_by_due as resolved_by_due_share
from domain.services import Incident

LINE_METRICS = ("service_level", "service_level_blocked", "asa_s", "aht_s", "abandon_rate", "offered", "received",
                "blocked", "answered", "fcr", "survey_resolved", "csat", "csat_top", "occupancy")
SERIES_METRICS = ("offered", "received", "answered", "answered_in_t", "abandoned", "service_level", "asa_s", "aht_s",
                  "abandon_rate", "occupancy", "logged_in")
QUALITY_METRICS = {"fcr": fcr, "survey_resolved": survey_resolved, "csat": csat, "csat_top": csat_top}
ALL = "*"  # the scope of a total row


@dataclass(frozen=True)
class Column:
    """One column: ``field`` in the rows; ``key`` a catalogue metric (``catalogue`` "report" or "channel") or an
    interface text; ``fmt`` count | pct | duration | ratio | score | text | a granularity or clock (a time) | scope
    | bool | target | code (a value of a fixed list, in words); ``delta``:
    the row also holds ``<field>_delta``, the change against the previous period."""

    field: str
    key: str
    fmt: str
    catalogue: str = ""
    delta: bool = False


def metric_col(key: str, catalogue: str = "report", delta: bool = False, fmt: str | None = None) -> Column:
    entries = REPORT if catalogue == "report" else CHANNEL_REPORT
    return Column(key, key, fmt or entries[key].fmt, catalogue, delta)


@dataclass
class Table:
    key: str
    title: str                       # interface text key
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None        # the total row (also in the exports), or None


@dataclass(frozen=True)
class Request:
    """What a report is asked for: the period [start, end), the rows' granularity, the what-if, the line of the
    heatmap and staffing, and the lines (None: every configured line)."""

    start: float
    end: float
    granularity: str = "day"
    whatif: sla.WhatIf = field(default_factory=sla.WhatIf)
    focus: str | None = None
    queues: tuple[str, ...] | None = None


LOOKBACK_S = sla.FORECAST_WEEKS * 7 * 86400  # the usual interval is looked up this far back


def history_span(req: Request) -> tuple[float, float]:
    """The interval history a report reads: the period, the one before it, and 4 weeks back for the usual."""
    prev_start, _ = previous_period(req.start, req.end)
    return min(prev_start, req.start - LOOKBACK_S), req.end


LineTotals = tuple[IntervalCounts, int]  # a line's period collapsed into one interval, and how many it held


@dataclass
class SlaInputs:
    """Everything one report is made of: the period's intervals collapsed for each line's parameters (see
    :func:`prepare` and :mod:`data_access.sla_history`), the period before as one total per line, channel and
    operator totals, and the ledger's FCR, survey, appeal, ticket and incident figures."""

    start: float
    end: float
    now: float
    tz: str
    granularity: str
    queues: Sequence[QueueConfig]
    channels: Sequence[ChannelConfig]
    wrapup_s: int
    whatif: sla.WhatIf = field(default_factory=sla.WhatIf)
    staffing: sla.StaffingRules = field(default_factory=sla.StaffingRules)
    appeal_rules: sla.AppealRules = field(default_factory=sla.AppealRules)
    intervals: list[IntervalCounts] = field(default_factory=list)     # the period's, collapsed
    previous: dict[str, LineTotals] = field(default_factory=dict)    # the period before, per line
    usual: Callable[[list[tuple[str, int]]], Mapping] | None = None  # (scope, start) -> the usual interval
    channel_now: dict[str, dict] = field(default_factory=dict)       # channel -> channel_totals()
    channel_before: dict[str, dict] = field(default_factory=dict)
    operators: dict[str, dict] = field(default_factory=dict)         # member -> operator_counts()
    quality: list[sla.QualityRow] | None = None                       # None: the CRM could not be read
    previous_quality: list[sla.QualityRow] | None = None
    appeals: list[sla.Appeal] | None = None
    open_tickets: list[tickets.TicketRecord] = field(default_factory=list)  # open now, every channel
    escalated: list[tickets.TicketRecord] = field(default_factory=list)     # escalated around the period
    incidents: list[Incident] = field(default_factory=list)          # portal incidents open during the period
    alerts: list[dict] = field(default_factory=list)                  # fired in the period
    directory: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # member -> (name, team)
    focus: str | None = None                                          # the line of the heatmap and staffing
    staffing_all: bool = False                                        # staffing of every line (the monthly report)


@dataclass
class SlaReport:
    inputs: SlaInputs
    params: dict[str, MetricParams]
    tables: dict[str, Table]
    heatmap: sla.Heatmap | None
    intervals: int = 0              # queue intervals of the period in the history

    def table(self, key: str) -> Table:
        return self.tables[key]


# -- preparing the inputs -------------------------------------------------------------------------------------
def report_params(queues: Sequence[QueueConfig], whatif: sla.WhatIf, wrapup_s: int, rules: sla.StaffingRules,
                  appeal: sla.AppealRules) -> dict[str, MetricParams]:
    """Each line's parameters: its own goal, T unless the what-if sets one, the staffing and appeal rules."""
    return {q.name: replace(sla.line_params(q, whatif, wrapup_s), max_occupancy=rules.max_occupancy,
                            shrinkage=rules.shrinkage, register_days=appeal.register_days,
                            answer_days=appeal.answer_days, warn_days=appeal.warn_days,
                            register_warn_days=appeal.register_warn_days) for q in queues}


def params_of(inputs: SlaInputs) -> dict[str, MetricParams]:
    return report_params(inputs.queues, inputs.whatif, inputs.wrapup_s, inputs.staffing, inputs.appeal_rules)


def line_totals(items: Iterable[IntervalCounts]) -> dict[str, LineTotals]:
    """Collapsed intervals added up per line."""
    parts: dict[str, list[IntervalCounts]] = {}
    for i in items:
        parts.setdefault(i.scope, []).append(i)
    return {scope: (sla.merged(part, scope), len(part)) for scope, part in parts.items()}


def prepare(inputs: SlaInputs, rows: Sequence[IntervalCounts], channel_rows: Sequence[Any],
            days: Sequence[Any]) -> SlaInputs:
    """``inputs`` filled from plain history rows (as ``HistoryRepository`` reads them): the period's intervals
    collapsed, the period before added up per line, the usual intervals from the rows 4 weeks back, the channel and
    operator totals. :mod:`data_access.sla_history` computes the same in SQL."""
    params = params_of(inputs)
    prev_start, _ = previous_period(inputs.start, inputs.end)
    collapsed = sla.collapsed(rows, params)
    index = {(i.scope, i.start_ts): i for i in rows}
    targets = {c.name: c.target_s for c in inputs.channels}
    return replace(
        inputs, intervals=[i for i in collapsed if inputs.start <= i.start_ts < inputs.end],
        previous=line_totals(i for i in collapsed if prev_start <= i.start_ts < inputs.start),
        usual=lambda keys: {k: sla.usual(index, k[0], k[1], inputs.tz) for k in keys},
        channel_now=channel_totals([r for r in channel_rows if inputs.start <= r.start_ts < inputs.end], targets),
        channel_before=channel_totals([r for r in channel_rows if prev_start <= r.start_ts < inputs.start], targets),
        operators=operator_counts(days))


# -- building -------------------------------------------------------------------------------------------------
# The report's parts: each is read and built on its own (the page draws them as three requests side by side).
PARTS = {"queues": ("lines", "series", "missed", "worst", "staffing"),
         "channels": ("channels", "appeals", "at_risk", "overdue", "escalations"), "operators": ("operators", "teams")}


def part_of(table: str) -> str:
    return next(part for part, tables in PARTS.items() if table in tables)


def build(inputs: SlaInputs, parts: Iterable[str] = tuple(PARTS)) -> SlaReport:
    """The report of ``inputs``' period: the tables of ``parts`` (all by default)."""
    params = params_of(inputs)
    tables: dict[str, Table] = {}
    heat, current = None, [i for i in inputs.intervals if i.scope in params]
    if "queues" in parts:
        heat = _queue_tables(inputs, params, current, tables)
    if "channels" in parts:
        tables.update(channels=channels_table(inputs), appeals=appeals_table(inputs), at_risk=at_risk_table(inputs),
                      overdue=overdue_table(inputs), escalations=escalations_table(inputs))
    if "operators" in parts:
        tables.update(operators=operators_table(inputs, inputs.operators), teams=teams_table(inputs, inputs.operators))
    return SlaReport(inputs, params, tables, heat, len(current))


def _queue_tables(inputs: SlaInputs, params: dict[str, MetricParams], current: list,
                  tables: dict[str, Table]) -> sla.Heatmap | None:
    """The lines' tables into ``tables``; the heatmap of the chosen line."""
    each = sla.per_interval(current, params, inputs.whatif.with_blocked)
    days = sla.by_bucket(current, "day", inputs.tz, params, inputs.whatif.with_blocked)
    focus = inputs.focus if inputs.focus in params else next(iter(params), None)
    tables.update(lines=lines_table(inputs, params, line_totals(current)),
                  series=series_table(inputs, params, current, each, days),
                  missed=missed_table(inputs, params, current, each, days),
                  worst=worst_table(inputs, params, current, each),
                  staffing=staffing_table(inputs, params, current, each, None if inputs.staffing_all else focus))
    return sla.heatmap(current, focus, inputs.tz, params[focus], inputs.whatif.with_blocked, each) if focus else None


# -- lines -------------------------------------------------------------------------------------------------------
def lines_table(inputs: SlaInputs, params: dict[str, MetricParams], now: dict[str, LineTotals]) -> Table:
    """Per line and for all lines: the period's figures with the change against the period before."""
    quality = _quality_by(inputs.quality, sla.line_of)
    before = _quality_by(inputs.previous_quality, sla.line_of)
    rows = []
    for q in inputs.queues:
        now_f = _line_figures([now.get(q.name)], params[q.name], quality.get(q.name), inputs)
        was_f = _line_figures([inputs.previous.get(q.name)], params[q.name], before.get(q.name), inputs)
        rows.append(_with_delta({"scope": q.name, **now_f}, was_f, LINE_METRICS))
    total = None
    common = sla.total_params(params)
    if common is not None:
        now_f = _line_figures(list(now.values()), common, _sum_quality(quality.values()), inputs)
        was_f = _line_figures(list(inputs.previous.values()), common, _sum_quality(before.values()), inputs)
        total = _with_delta({"scope": ALL, **now_f}, was_f, LINE_METRICS)
        if len({p.goal for p in params.values()}) > 1:
            total["met"] = total["goal"] = None
    columns = (Column("scope", "queue", "scope"), Column("goal", "goal", "pct"),
               *(metric_col(k, delta=True) for k in LINE_METRICS))
    return Table("lines", "sla_lines", columns, rows, total)


def _line_figures(totals: list[LineTotals | None], params: MetricParams, quality: dict | None,
                  inputs: SlaInputs) -> dict:
    """The figures of lines' totals; the operators logged in are averaged over the period's intervals."""
    present = [t for t in totals if t is not None]
    span = max((n for _i, n in present), default=0) * INTERVAL_S
    out = sla.figures([i for i, _n in present], params, inputs.whatif.with_blocked, span, blocked_too=True)
    for key, formula in QUALITY_METRICS.items():
        out[key] = formula(quality) if quality else None
    return out


def _with_delta(row: dict, previous: dict, keys: Iterable[str]) -> dict:
    for k, v in sla.change(row, previous, keys).items():
        row[f"{k}_delta"] = v
    return row


def _quality_by(rows: list[sla.QualityRow] | None, key) -> dict:
    return sla.quality_counts(rows or [], key)


def _sum_quality(groups: Iterable[dict]) -> dict:
    out = dict.fromkeys(sla.QUALITY_FIELDS, 0.0)
    for g in groups:
        for k in sla.QUALITY_FIELDS:
            out[k] += g.get(k, 0)
    return out


# -- by period bucket, where we missed, the worst intervals ----------------------------------------------------------
def series_table(inputs: SlaInputs, params: dict[str, MetricParams], current: list, each: sla.PerInterval,
                 days: list[dict]) -> Table:
    """Per line and period bucket. By 15-minute interval the page asks for its chosen line only (``focus``):
    a month of every line would be 11,520 rows; the command line gives every line."""
    if inputs.granularity == "day":
        rows = days
    elif inputs.granularity == "interval" and inputs.focus in params:
        rows = [{"scope": s, "start_ts": ts, **f} for (s, ts), f in sorted(each.items(), key=lambda kv: kv[0][1])
                if s == inputs.focus]
    else:
        rows = sla.by_bucket(current, inputs.granularity, inputs.tz, params, inputs.whatif.with_blocked, each)
    columns = (Column("start_ts", "period", inputs.granularity), Column("scope", "queue", "scope"),
               *(metric_col(k) for k in SERIES_METRICS), Column("met", "met", "bool"))
    return Table("series", "sla_series", columns, rows)


def missed_table(inputs: SlaInputs, params: dict[str, MetricParams], current: list, each: sla.PerInterval,
                 days: list[dict]) -> Table:
    rows = sla.missed_counts(current, inputs.tz, params, inputs.whatif.with_blocked, each, days)
    columns = (Column("scope", "queue", "scope"),
               Column("days_missed", "days_missed", "count", "report"), Column("days", "days_measured", "count"),
               Column("days_missed_share", "share", "pct"),
               Column("intervals_missed", "intervals_missed", "count", "report"),
               Column("intervals", "intervals_measured", "count"),
               Column("intervals_missed_share", "share", "pct"))
    total = {"scope": ALL, **{k: sum(r[k] for r in rows) for k in ("days", "days_missed", "intervals",
                                                                  "intervals_missed")}}
    total["days_missed_share"] = ratio(total["days_missed"], total["days"])
    total["intervals_missed_share"] = ratio(total["intervals_missed"], total["intervals"])
    return Table("missed", "sla_missed", columns, rows, total)


def worst_table(inputs: SlaInputs, params: dict[str, MetricParams], current: list, each: sla.PerInterval) -> Table:
    """The worst intervals with what happened in them: the usual offered, operators logged in against needed,
    the portal incidents open and the alerts raised."""
    rows = []
    found = sla.worst(current, params, inputs.whatif.with_blocked, each=each)
    usual = inputs.usual([(i.scope, i.start_ts) for i, _f in found]) if inputs.usual and found else {}
    for item, f in found:
        p = params[item.scope]
        seen = usual.get((item.scope, item.start_ts))
        need = sla.needed(f["offered"], f["aht_s"], p, inputs.staffing)
        rows.append({"start_ts": item.start_ts, "scope": item.scope, "service_level": f["service_level"],
                     "offered": f["offered"], "usual_offered": seen.counts["offered"] if seen else None,
                     "shortfall": f["shortfall"], "aht_s": f["aht_s"], "longest_wait_s": item.longest_wait_s,
                     "logged_in": f["logged_in"], "available": f["available"],
                     "needed": need.agents if need else None, "incidents": _incidents_in(inputs.incidents, item),
                     "alerts": _alerts_in(inputs.alerts, item)})
    columns = (Column("start_ts", "time", "interval"), Column("scope", "queue", "scope"),
               metric_col("service_level"), metric_col("offered"), metric_col("usual_offered"),
               metric_col("shortfall"), metric_col("aht_s"), Column("longest_wait_s", "longest_wait", "duration"),
               metric_col("logged_in"), metric_col("available"), metric_col("needed"),
               Column("incidents", "incidents_open", "text"), Column("alerts", "alerts_raised", "text"))
    return Table("worst", "sla_worst", columns, rows)


def _incidents_in(incidents: list[Incident], item: IntervalCounts) -> str:
    """The titles of the portal incidents open at some time of the interval."""
    end = item.start_ts + INTERVAL_S
    return "; ".join(dict.fromkeys(i.title for i in incidents if i.opened_at < end and (
        i.resolved_at is None or i.resolved_at >= item.start_ts)))


HOTLINE_WIDE_RULES = ("service_down", "source_stale")  # alerts about every line: a portal service, a data source


def _alerts_in(alerts: list[dict], item: IntervalCounts) -> str:
    """The rules of the alerts fired in the interval about its line or the whole hotline."""
    found = set()
    for a in alerts:
        ts = iso_epoch(a.get("fired_at"))
        if ts is not None and item.start_ts <= ts < item.start_ts + INTERVAL_S and (
                a.get("scope") == item.scope or a.get("rule") in HOTLINE_WIDE_RULES):
            found.add(a["rule"])
    return ", ".join(sorted(found))


def staffing_table(inputs: SlaInputs, params: dict[str, MetricParams], current: list, each: sla.PerInterval,
                   focus: str | None) -> Table:
    """Per interval of line ``focus`` (every line, with a column naming it, when None): operators needed,
    scheduled, logged in, available."""
    line = () if focus else (Column("scope", "queue", "scope"),)
    columns = (Column("start_ts", "time", "interval"), *line, metric_col("offered"),
               metric_col("aht_s"), metric_col("needed"), metric_col("scheduled"), metric_col("logged_in"),
               metric_col("available"), metric_col("gap"))
    rows = []
    for line in [focus] if focus else list(params):
        items = [i for i in current if i.scope == line]
        period = sla.figures([sla.merged(items)], params[line]) if items else {"aht_s": None}
        rows += sla.staffing_rows(items, params[line], inputs.staffing, period["aht_s"], each)
    return Table("staffing", "sla_staffing", columns, rows)


# -- digital channels and written appeals ------------------------------------------------------------------------
CHANNEL_COUNTS = ("created", "responded", "responded_in_t", "resolved", "resolved_by_due")


def channel_totals(rows: Iterable[Any], targets: Mapping[str, int]) -> dict[str, dict]:
    """Per channel (:class:`domain.history.ChannelInterval` rows added up): created, first responses and those
    within the channel's target (from the response histogram; as written for an interval without one), resolved,
    resolved by due, and the backlog at the end of the last interval."""
    out: dict[str, dict] = {}
    last: dict[str, Any] = {}
    for r in rows:
        if r.scope not in targets:
            continue
        c = out.setdefault(r.scope, dict.fromkeys(CHANNEL_COUNTS, 0))
        for k in ("created", "responded", "resolved", "resolved_by_due"):
            c[k] += getattr(r, k)
        c["responded_in_t"] += r.responded_within(targets[r.scope]) if r.response_waits else r.responded_in_t
        if r.scope not in last or r.start_ts > last[r.scope].start_ts:
            last[r.scope] = r
    for scope, c in out.items():
        c["backlog_end"] = last[scope].backlog
    return out


def channel_figures(c: Mapping | None) -> dict:
    """One channel's figures from its totals: first-response SL, resolution by due."""
    c = c or {}
    return {**{k: c.get(k) for k in ("created", "responded", "resolved", "backlog_end")},
            "service_level": first_response_sl(c.get("responded_in_t", 0), c.get("responded", 0), 0),
            "resolved_by_due": resolved_by_due_share(c)}


def channels_table(inputs: SlaInputs) -> Table:
    quality = _quality_by(inputs.quality, sla.channel_of)
    rows = []
    for c in inputs.channels:
        q = quality.get(c.name)
        row = {"scope": c.name, "goal": c.sl_goal, "target_s": c.target_s, **channel_figures(inputs.channel_now.get(
            c.name)), "fcr": fcr(q) if q else None, "csat": csat(q) if q else None}
        row["met"] = None if row["service_level"] is None else row["service_level"] >= c.sl_goal
        rows.append(_with_delta(row, channel_figures(inputs.channel_before.get(c.name)),
                                ("service_level", "created", "resolved_by_due")))
    columns = (Column("scope", "channel", "scope"), Column("target_s", "target", "target"),
               Column("goal", "goal", "pct"), metric_col("service_level", "channel", delta=True),
               metric_col("created", "channel", delta=True), metric_col("responded", "channel"),
               metric_col("backlog_end", "channel"), metric_col("resolved", "channel"),
               metric_col("resolved_by_due", "channel", delta=True), metric_col("fcr"), metric_col("csat"))
    return Table("channels", "sla_channels", columns, rows)


def appeals_table(inputs: SlaInputs) -> Table:
    summary = sla.appeal_summary(inputs.appeals or [], inputs.start, inputs.end, inputs.now, inputs.appeal_rules)
    rows = [{"scope": name, **summary[name]} for name in sorted(summary)]
    columns = (Column("scope", "channel", "scope"), Column("arrived", "arrived", "count"),
               metric_col("registered_in_time", "channel"), metric_col("answered_in_time", "channel"),
               Column("open", "open_now", "count"), metric_col("at_risk", "channel"),
               Column("overdue", "overdue_appeals", "count"))
    return Table("appeals", "sla_appeals", columns, rows)


def at_risk_table(inputs: SlaInputs) -> Table:
    rows = sla.appeals_at_risk(inputs.appeals or [], inputs.now, inputs.appeal_rules)
    columns = (Column("ticket_id", "ticket", "text"), Column("scope", "channel", "scope"),
               Column("created_ts", "arrived_at", "interval"), Column("stage", "stage", "code"),
               Column("due_ts", "deadline", "interval"), Column("days_left", "days_left", "ratio"))
    return Table("at_risk", "sla_at_risk", columns, [{**r, "scope": r["channel"]} for r in rows])


def overdue_table(inputs: SlaInputs) -> Table:
    """The tickets open now per channel (phone tickets per line), how many are past their due time."""
    columns = (Column("scope", "channel", "scope"), Column("open", "open_now", "count"),
               Column("overdue", "overdue_tickets", "count"), Column("overdue_share", "overdue_share", "pct"),
               Column("hours_overdue", "hours_overdue", "ratio"))
    return Table("overdue", "sla_overdue", columns, tickets.overdue_summary(inputs.open_tickets, inputs.now))


def escalations_table(inputs: SlaInputs) -> Table:
    """Tickets escalated in the period per specialised department."""
    columns = (Column("department", "department", "code"), Column("escalated", "escalated", "count"),
               Column("resolved", "resolved_since", "count"), Column("open", "open_now", "count"),
               Column("median_hours", "median_hours_to_resolve", "ratio"))
    return Table("escalations", "sla_escalations", columns,
                 tickets.escalation_summary(inputs.escalated, inputs.start, inputs.end))


# -- operators and teams ---------------------------------------------------------------------------------------
WORK_FIELDS = ("answered", "handled", "talk_s", "wrapup_s", "staffed_s", "busy_s", "paused_s")


def operator_counts(days: Iterable[Any]) -> dict[str, dict]:
    """Per queue member (:class:`domain.history.OperatorDay` added up over the days): answered and handled calls,
    talk, wrap-up, logged-in, busy and paused seconds, and pause seconds by reason."""
    out: dict[str, dict] = {}
    for d in days:
        o = out.setdefault(d.name, {**dict.fromkeys(WORK_FIELDS, 0.0), "pause": {}})
        for k in WORK_FIELDS:
            o[k] += getattr(d, k)
        for reason, seconds in d.paused_by_reason.items():
            o["pause"][reason] = o["pause"].get(reason, 0.0) + seconds
    return out


def _operator_figures(o: dict, quality: dict | None) -> dict:
    """AHT = (talk + wrap-up) / handled calls; occupancy = busy / (logged in − paused)."""
    handled = {"talk_sum": o["talk_s"] + o["wrapup_s"], "handled": o["handled"]}
    return {"answered": int(o["answered"]), "aht_s": aht(handled, 0),
            "occupancy": occupancy(o["busy_s"], o["staffed_s"] - o["paused_s"]), "pause_s": o["paused_s"],
            **{f"pause:{r}": s for r, s in o["pause"].items()},
            "fcr": fcr(quality) if quality else None, "csat": csat(quality) if quality else None}


def operators_table(inputs: SlaInputs, counts: dict[str, dict]) -> Table:
    quality = _quality_by(inputs.quality, lambda r: r.member or None)
    rows = []
    for member, o in sorted(counts.items()):
        name, team = inputs.directory.get(member, (member, ""))
        rows.append({"member": member, "operator": name, "team": team, **_operator_figures(o, quality.get(member))})
    columns = (Column("operator", "operator", "text"), Column("team", "team", "team"), *_work_columns(counts))
    return Table("operators", "sla_operators", columns, rows)


def _work_columns(counts: dict[str, dict]) -> tuple[Column, ...]:
    reasons = sorted({r for o in counts.values() for r in o["pause"]})
    return (metric_col("answered"), metric_col("aht_s"), metric_col("occupancy"), metric_col("pause_s"),
            *(Column(f"pause:{r}", f"pause:{r}", "duration") for r in reasons), metric_col("fcr"), metric_col("csat"))


def teams_table(inputs: SlaInputs, counts: dict[str, dict]) -> Table:
    """The operators' counts added up per team (the team from the directory)."""
    quality = _quality_by(inputs.quality, lambda r: r.team or None)
    groups: dict[str, dict] = {}
    for member, o in counts.items():
        team = inputs.directory.get(member, (member, ""))[1]
        g = groups.setdefault(team, {"n": 0, **dict.fromkeys(WORK_FIELDS, 0.0), "pause": {}})
        g["n"] += 1
        for k in WORK_FIELDS:
            g[k] += o[k]
        for reason, seconds in o["pause"].items():
            g["pause"][reason] = g["pause"].get(reason, 0.0) + seconds
    rows = [{"team": team, "operators": g["n"], **_operator_figures(g, quality.get(team))}
            for team, g in sorted(groups.items())]
    columns = (Column("team", "team", "team"), Column("operators", "operators_total", "count"),
               *_work_columns(counts))
    return Table("teams", "sla_teams", columns, rows)


# -- the live forecast ---------------------------------------------------------------------------------------------
def forecast_table(history: Iterable[IntervalCounts], queues: Sequence[QueueConfig], now: float, tz: str,
                   params: Mapping[str, MetricParams], rules: sla.StaffingRules,
                   logged_in_now: Mapping[str, int], hours: int = 4) -> Table:
    """Per line, the next ``hours`` hours' peak: its forecast offered calls and AHT (medians of the same weekday and
    interval of the last four weeks), the operators Erlang C needs then, and how many more than are logged in now."""
    index = {(i.scope, i.start_ts): i for i in history}
    rows = []
    for q in queues:
        top = sla.peak(sla.forecast(index, q.name, now, tz, params[q.name], rules, hours),
                       logged_in_now.get(q.name, 0))
        if top:
            rows.append({**top, "scope": q.name})
    columns = (Column("scope", "queue", "scope"), Column("start_ts", "peak_at", "clock"),
               metric_col("offered", fmt="ratio"), metric_col("needed"),
               Column("logged_in_now", "logged_in_now", "count"), Column("more", "more_needed", "count"))
    return Table("forecast", "sla_forecast", columns, sorted(rows, key=lambda r: -r["more"]))
