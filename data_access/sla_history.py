"""The SLA report's reads of the interval history, with the aggregation pushed into SQL (SQLite and PostgreSQL).

The wait histograms stay in the database: each interval's waits are classified there into what the chosen T and
short-abandon limit tell apart (:func:`domain.sla.wait_classes`, here with ``json_each`` / ``json_each_text``), so
a month of intervals comes back as plain numbers and the period before as one row per line. The result is the
same as collapsing the rows ``HistoryRepository`` reads (a test checks both ways on both databases).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from sqlalchemy import Engine, bindparam, text

from domain.history import IntervalCounts
from domain.metrics import MetricParams
from domain.sla import usual
from domain.sla_report import LineTotals

COUNTS = ("offered", "answered", "abandoned", "timed_out", "lost", "transferred", "blocked", "handled", "hold_sum",
          "talk_sum")
AGENTS = ("staffed_s", "available_s", "busy_s", "paused_s")
WORK = ("answered", "handled", "talk_s", "wrapup_s", "staffed_s", "busy_s", "paused_s")


def _each(engine: Engine, column: str) -> tuple[str, str, str]:
    """(FROM item, key as an integer, value as a number) over a JSON object column, in the engine's dialect."""
    if engine.dialect.name == "postgresql":
        return f"json_each_text({column}::json) j", "CAST(j.key AS INTEGER)", "CAST(j.value AS DOUBLE PRECISION)"
    return f"json_each({column}) j", "CAST(j.key AS INTEGER)", "j.value"


def _hist_sum(engine: Engine, column: str, condition: str) -> str:
    source, key, value = _each(engine, column)
    return f"(SELECT COALESCE(SUM({value}), 0) FROM {source} WHERE {condition.format(k=key)})"


def _classes(engine: Engine, mixed: bool) -> str:
    """The SQL of :func:`domain.sla.wait_classes` for a row ``q`` of history_queue, bound to :t and :s. ``mixed``
    False: the third class is left at 0, when no figure can use it (T at or above the limit and a variant other
    than SL2: a not-short abandon within T counts nowhere)."""
    third = _hist_sum(engine, "q.abandon_waits", "({k} < :s) <> ({k} <= :t)") if mixed else "0"
    return ", ".join((_hist_sum(engine, "q.answer_waits", "{k} <= :t") + " AS a_in",
                      _hist_sum(engine, "q.abandon_waits", "{k} < :s AND {k} <= :t") + " AS s_in",
                      third + " AS mixed"))


def _per_interval_sql(engine: Engine, mixed: bool) -> str:
    cols = ", ".join(f"q.{c}" for c in (*COUNTS, "longest_wait_s", *AGENTS))
    return (f"SELECT q.scope, q.start_ts, {cols}, {_classes(engine, mixed)} FROM history_queue q "
            "WHERE q.start_ts >= :a AND q.start_ts < :b AND q.scope IN :scopes")


def _mixed(p: MetricParams) -> bool:
    return p.variant == "asterisk2" or p.threshold_s < p.short_abandon_s


def _groups(params: Mapping[str, MetricParams]) -> dict[tuple[int, int, bool], list[str]]:
    """Lines grouped by their (T, short-abandon limit, third class needed): one query per group."""
    out: dict[tuple[int, int, bool], list[str]] = {}
    for scope, p in params.items():
        out.setdefault((p.threshold_s, p.short_abandon_s, _mixed(p)), []).append(scope)
    return out


NC, NA = len(COUNTS), len(AGENTS)


def _item(scope: str, start_ts: int, values: tuple) -> IntervalCounts:
    """A collapsed interval from COUNTS, longest wait, AGENTS and the three wait classes, in that order."""
    counts = {c: v for c, v in zip(COUNTS, values[:NC], strict=True) if v}
    agents = {c: float(v or 0) for c, v in zip(AGENTS, values[NC + 1:NC + 1 + NA], strict=True)}
    a_in, s_in, mixed = (v or 0 for v in values[NC + 1 + NA:])
    return IntervalCounts(scope, start_ts, counts, {0: int(a_in)} if a_in else {},
                          {k: int(v) for k, v in ((0, s_in), (1, mixed)) if v}, float(values[NC] or 0), agents)


def collapsed_intervals(engine: Engine, start: float, end: float,
                        params: Mapping[str, MetricParams]) -> list[IntervalCounts]:
    """The queue intervals starting in [start, end), collapsed for each line's T and limit, by start then line."""
    out: list[IntervalCounts] = []
    with engine.connect() as conn:
        for (t, s, mixed), scopes in _groups(params).items():
            query = text(_per_interval_sql(engine, mixed)).bindparams(bindparam("scopes", expanding=True))
            rows = conn.execute(query, {"a": int(start), "b": int(end), "t": t, "s": s, "scopes": scopes})
            out += [_item(r[0], int(r[1]), r[2:]) for r in rows]
    return sorted(out, key=lambda i: (i.start_ts, i.scope))


def collapsed_totals(engine: Engine, start: float, end: float,
                     params: Mapping[str, MetricParams]) -> dict[str, LineTotals]:
    """Per line, the queue intervals of [start, end) added up (collapsed) and how many there were."""
    sums = [f"SUM(x.{c})" for c in COUNTS] + ["MAX(x.longest_wait_s)"] + [
        f"SUM(x.{c})" for c in (*AGENTS, "a_in", "s_in", "mixed")]
    out: dict[str, LineTotals] = {}
    with engine.connect() as conn:
        for (t, s, mixed), scopes in _groups(params).items():
            query = text(f"SELECT x.scope, COUNT(*), {', '.join(sums)} FROM ({_per_interval_sql(engine, mixed)}) x "
                         "GROUP BY x.scope").bindparams(bindparam("scopes", expanding=True))
            for r in conn.execute(query, {"a": int(start), "b": int(end), "t": t, "s": s, "scopes": scopes}):
                out[r[0]] = (_item(r[0], int(start), r[2:]), int(r[1]))
    return out


def usual_intervals(engine: Engine, keys: Iterable[tuple[str, int]], tz: str) -> dict[tuple[str, int], IntervalCounts]:
    """For each (line, interval start): the usual interval (:func:`domain.sla.usual`) from the 4 weeks before."""
    from domain.sla import weeks_before

    keys = list(keys)
    wanted = {(s, int(w)) for s, ts in keys for w in weeks_before(ts, tz)}
    if not wanted:
        return {}
    query = text("SELECT scope, start_ts, offered, answered, handled, talk_sum, hold_sum FROM history_queue "
                 "WHERE scope IN :scopes AND start_ts IN :starts").bindparams(
        bindparam("scopes", expanding=True), bindparam("starts", expanding=True))
    with engine.connect() as conn:
        rows = conn.execute(query, {"scopes": sorted({s for s, _t in wanted}),
                                    "starts": sorted({t for _s, t in wanted})}).all()
    index = {(r.scope, int(r.start_ts)): IntervalCounts(r.scope, int(r.start_ts), dict(r._mapping)) for r in rows
             if (r.scope, int(r.start_ts)) in wanted}
    return {k: usual(index, k[0], k[1], tz) for k in keys}


def channel_totals(engine: Engine, start: float, end: float, targets: Mapping[str, int]) -> dict[str, dict]:
    """Per channel, as :func:`domain.sla_report.channel_totals` over [start, end): created, responded and within
    the channel's target, resolved, by due, and the backlog at the end of its last interval."""
    if not targets:
        return {}
    source, key, value = _each(engine, "c.response_waits")
    target = "CASE c.scope " + " ".join(f"WHEN :s{k} THEN :t{k}" for k in range(len(targets))) + " END"
    bound = {**{f"s{k}": s for k, s in enumerate(targets)}, **{f"t{k}": t for k, t in enumerate(targets.values())},
             "a": int(start), "b": int(end), "scopes": list(targets)}
    where = "c.start_ts >= :a AND c.start_ts < :b AND c.scope IN :scopes"
    names = ("created", "responded", "resolved", "resolved_by_due")
    plain = text(f"SELECT c.scope, {', '.join(f'SUM(c.{k})' for k in names)}, SUM(CASE WHEN c.response_waits = "
                 f"'{{}}' THEN c.responded_in_t ELSE 0 END), MAX(c.start_ts) FROM history_channel c WHERE {where} "
                 "GROUP BY c.scope").bindparams(bindparam("scopes", expanding=True))
    within = text(f"SELECT c.scope, SUM({value}) FROM history_channel c, {source} WHERE {where} AND {key} >= 0 AND "
                  f"{key} <= {target} GROUP BY c.scope").bindparams(bindparam("scopes", expanding=True))
    last = text("SELECT backlog FROM history_channel WHERE scope = :scope AND start_ts = :ts")
    out: dict[str, dict] = {}
    with engine.connect() as conn:
        for scope, *sums, written, last_ts in conn.execute(plain, bound):
            out[scope] = {**dict(zip(names, map(int, sums), strict=True)), "responded_in_t": int(written or 0),
                          "backlog_end": conn.execute(last, {"scope": scope, "ts": last_ts}).scalar()}
        for scope, n in conn.execute(within, bound):
            out[scope]["responded_in_t"] += int(n or 0)
    return out


def operator_totals(engine: Engine, day_from: str, day_to: str) -> dict[str, dict]:
    """Per operator, as :func:`domain.sla_report.operator_counts` over the local days (inclusive)."""
    sums = ", ".join(f"SUM({k}) AS {k}" for k in WORK)
    source, _key, value = _each(engine, "o.paused_by_reason")
    totals = text(f"SELECT name, {sums} FROM history_operator_day WHERE day >= :a AND day <= :b GROUP BY name")
    pauses = text(f"SELECT o.name, j.key AS reason, SUM({value}) AS seconds FROM history_operator_day o, {source} "
                  "WHERE o.day >= :a AND o.day <= :b GROUP BY o.name, j.key")
    with engine.connect() as conn:
        out = {r.name: {**{k: float(r._mapping[k] or 0) for k in WORK}, "pause": {}}
               for r in conn.execute(totals, {"a": day_from, "b": day_to})}
        for r in conn.execute(pauses, {"a": day_from, "b": day_to}):
            out[r.name]["pause"][r.reason] = float(r.seconds)
    return out
