"""The live snapshot: one JSON-ready dict that every screen and the ``snapshot`` command read.

Keys are documented in docs/snapshot.md and stable. Nothing here is personal data: caller numbers are masked
before they enter the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from domain.clock import iso_utc
from domain.lines import Lines
from domain.metrics import MetricParams, aht, call_kpis, longest_wait, occupancy, service_level
from domain.operators import OperatorInfo
from domain.telephony import AGENT_STATES, TelephonyState
from domain.thresholds import channel_levels, queue_levels

SCHEMA_VERSION = 1
WINDOWS = (15, 30, 60)


class AgentViews:
    """The snapshot's ``agents`` list, rebuilt only for operators who changed since the last snapshot.

    With thousands of operators most of them are offline or idle between two cycles; only the time-based fields
    (state at ``now``, time in state, occupancy) are refreshed for everybody.
    """

    def __init__(self) -> None:
        self._base: dict[str, dict] = {}
        self._names: list[str] = []
        self._directory: Mapping[str, OperatorInfo] | None = None

    def build(self, tel: TelephonyState, operators: Mapping[str, OperatorInfo], now: float,
              wrapup_s: float) -> list[dict]:
        if operators is not self._directory or len(self._names) != len(set(tel.agents) | set(operators)):
            self._directory, self._base = operators, {}
            self._names = sorted(set(tel.agents) | set(operators))
        for name in tel.dirty_agents:
            self._base.pop(name, None)
        tel.dirty_agents.clear()
        out = []
        for name in self._names:
            base = self._base.get(name)
            if base is None:
                base = self._base[name] = _agent_base(tel, name, operators.get(name), wrapup_s)
            out.append(_agent_now(base, tel.agents.get(name), now))
        return out  # (view, staffed seconds, busy seconds) per operator


def _agent_base(tel: TelephonyState, name: str, info: OperatorInfo | None, wrapup_s: float) -> dict:
    """The fields that change only with events."""
    agent = tel.agents.get(name)
    c = tel.agent_book.today.get(name, {})
    return {"view": {
        "name": name,
        "operator": info.full_name if info else name,
        "operator_id": info.id if info else None,
        "team": info.team if info else "",
        "team_name": info.team_name if info else "",
        "queues": sorted(agent.queues) if agent else [],
        "pause_reason": agent.pause_reason if agent and agent.paused else "",
        "answered": int(c.get("answered", 0)),
        "aht_s": _r(aht(c, wrapup_s), 1),
    }}


def _agent_now(base: dict, agent, now: float) -> dict:
    """The base fields plus the ones that move with time (an offline operator's view does not move at all)."""
    if agent is None or (not agent.logged_in and agent.call is None):
        static = base.get("offline")
        if static is None:
            staffed, busy = (agent.staffed_s, agent.busy_s) if agent else (0.0, 0.0)
            view = {**base["view"], "state": "offline", "since": iso_utc(agent.since) if agent else None,
                    "since_ts": agent.since if agent else None, "occupancy": _r(occupancy(busy, staffed))}
            static = base["offline"] = (view, staffed, busy)
        return static
    since = agent.state_since(now)
    staffed, busy = agent.totals(now)
    return ({**base["view"], "state": agent.state(now), "since": iso_utc(since), "since_ts": since,
             "occupancy": _r(occupancy(busy, staffed))}, staffed, busy)


def member_stats(agents: list[tuple[dict, float, float]]) -> dict[str, dict]:
    """Per queue, in one pass over the operators: counts by state and today's staffed and busy seconds."""
    out: dict[str, dict] = {}
    for view, staffed, busy in agents:
        for queue in view["queues"]:
            stats = out.get(queue)
            if stats is None:
                stats = out[queue] = {**{state: 0 for state in AGENT_STATES}, "_staffed": 0.0, "_busy": 0.0}
            stats[view["state"]] += 1
            stats["_staffed"] += staffed
            stats["_busy"] += busy
    return out


def queue_params(tel: TelephonyState, name: str, goal: float) -> MetricParams:
    """The numbers queue ``name``'s definitions depend on (threshold T, goal, short-abandon limit, wrap-up)."""
    cfg = tel.cfg
    return MetricParams(threshold_s=cfg.threshold(name), goal=goal, short_abandon_s=cfg.short_abandon_s,
                        wrapup_s=cfg.wrapup_s, variant=cfg.sl_variant)


def queue_view(tel: TelephonyState, name: str, members: dict | None, now: float, params: MetricParams) -> dict:
    """Live numbers, today's KPIs, rolling windows, lists and intervals of one queue."""
    waiting = sorted(tel.waiting.get(name, {}).values(), key=lambda c: c.entered_at or now)
    stats = members or {**{state: 0 for state in AGENT_STATES}, "_staffed": 0.0, "_busy": 0.0}
    counts = {state: stats[state] for state in AGENT_STATES if state != "offline"}
    counts["logged_in"] = sum(counts.values())
    return {
        "waiting": len(waiting),
        "longest_wait_s": round(longest_wait(waiting[0].entered_at if waiting else None, now), 1),
        **call_kpis(tel.book.today.get(name, {}), params),
        "occupancy": _r(occupancy(stats["_busy"], stats["_staffed"])),
        "agents": counts,
        "windows": {str(m): call_kpis(tel.book.window(name, now, m), params) for m in WINDOWS},
        "waiting_calls": [{"position": i + 1, "caller": c.caller, "entered_at": iso_utc(c.entered_at),
                           "wait_s": round(now - (c.entered_at or now), 1)} for i, c in enumerate(waiting)],
        "abandoned_calls": [{"at": iso_utc(c.ended_at), "caller": c.caller, "wait_s": c.wait_s,
                             "short": c.wait_s < tel.cfg.short_abandon_s}
                            for c in sorted(tel.abandoned.get(name, {}).values(), key=lambda c: -(c.ended_at or 0))],
        "intervals": _intervals(tel, name, params.variant),
        "sl_threshold_s": params.threshold_s,
        "sl_goal": params.goal,
    }


def _intervals(tel: TelephonyState, name: str, variant: str) -> list[dict]:
    out = []
    for index, c in sorted(tel.book.intervals.get(name, {}).items()):
        out.append({"start": iso_utc(tel.day_start + index * 900), "offered": int(c.get("offered", 0)),
                    "answered": int(c.get("answered", 0)), "abandoned": int(c.get("abandoned", 0)),
                    "service_level": _r(service_level(c, variant))})
    return out


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class LiveInputs:
    """What the poller read besides the telephony state: channel views, services, incidents, sources, operators."""

    channels: dict = field(default_factory=dict)
    services: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    sources: dict = field(default_factory=dict)
    operators: Mapping[str, OperatorInfo] = field(default_factory=dict)


def build_snapshot(now: float, tel: TelephonyState, lines: Lines, live: LiveInputs,
                   agent_views: AgentViews | None = None) -> dict:
    """Assemble the snapshot (without ``alerts``; the poller adds them after evaluating the rules)."""
    cfg = tel.cfg
    agents = (agent_views or AgentViews()).build(tel, live.operators, now, cfg.wrapup_s)
    members = member_stats(agents)
    queues = {}
    for name in list(lines.queues) + sorted(tel.queues - set(lines.queues)):
        qcfg = lines.queues.get(name)
        goal = qcfg.sl_goal if qcfg else cfg.sl_goal
        q = queue_view(tel, name, members.get(name), now, queue_params(tel, name, goal))
        q["label_ru"], q["label_en"] = (qcfg.label_ru, qcfg.label_en) if qcfg else (name, name)
        q["levels"] = queue_levels(q, qcfg) if qcfg else {}
        queues[name] = q
    for name, c in live.channels.items():
        ccfg = lines.channels.get(name)
        c["label_ru"], c["label_en"] = (ccfg.label_ru, ccfg.label_en) if ccfg else (name, name)
        c["sl_goal"] = ccfg.sl_goal if ccfg else cfg.sl_goal
        c["levels"] = channel_levels(c, ccfg) if ccfg else {}
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": iso_utc(now),
        "generated_ts": round(now, 3),
        "tz": cfg.tz,
        "day_start": iso_utc(tel.day_start),
        "sl_variant": cfg.sl_variant,
        "short_abandon_s": cfg.short_abandon_s,
        "wrapup_s": cfg.wrapup_s,
        "sources": live.sources,
        "queues": queues,
        "agents": [view for view, _staffed, _busy in agents],
        "channels": live.channels,
        "services": live.services,
        "incidents": live.incidents,
        "alerts": [],
        "input": {**dict(tel.stats), "unknown_verbs": dict(tel.unknown_verbs)},
    }
