"""The live snapshot: one JSON-ready dict that every screen and the ``snapshot`` command read.

Keys are documented in docs/snapshot.md and stable. Nothing here is personal data: caller numbers are masked
before they enter the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from domain.clock import iso_utc
from domain.kpis import call_kpis, service_level
from domain.telephony import AGENT_STATES, TelephonyState
from domain.thresholds import channel_levels, queue_levels

SCHEMA_VERSION = 1
WINDOWS = (15, 30, 60)


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    """The CRM's record of the operator behind a queue member name (no citizen data)."""

    id: int
    member_name: str
    full_name: str
    team: str
    team_name: str


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
    handled = c.get("handled", 0)
    return {"view": {
        "name": name,
        "operator": info.full_name if info else name,
        "operator_id": info.id if info else None,
        "team": info.team if info else "",
        "team_name": info.team_name if info else "",
        "queues": sorted(agent.queues) if agent else [],
        "pause_reason": agent.pause_reason if agent and agent.paused else "",
        "answered": int(c.get("answered", 0)),
        "aht_s": round((c.get("talk_sum", 0) + wrapup_s * handled) / handled, 1) if handled else None,
    }}


def _agent_now(base: dict, agent, now: float) -> dict:
    """The base fields plus the ones that move with time (an offline operator's view does not move at all)."""
    if agent is None or (not agent.logged_in and agent.call is None):
        static = base.get("offline")
        if static is None:
            staffed, busy = (agent.staffed_s, agent.busy_s) if agent else (0.0, 0.0)
            view = {**base["view"], "state": "offline", "since": iso_utc(agent.since) if agent else None,
                    "since_ts": agent.since if agent else None,
                    "occupancy": round(busy / staffed, 4) if staffed >= 1 else None}
            static = base["offline"] = (view, staffed, busy)
        return static
    since = agent.state_since(now)
    staffed, busy = agent.totals(now)
    return ({**base["view"], "state": agent.state(now), "since": iso_utc(since), "since_ts": since,
             "occupancy": round(busy / staffed, 4) if staffed >= 1 else None}, staffed, busy)


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


def queue_view(tel: TelephonyState, name: str, members: dict | None, now: float, variant: str,
               wrapup_s: float) -> dict:
    """Live numbers, today's KPIs, rolling windows, lists and intervals of one queue."""
    waiting = sorted(tel.waiting.get(name, {}).values(), key=lambda c: c.entered_at or now)
    stats = members or {**{state: 0 for state in AGENT_STATES}, "_staffed": 0.0, "_busy": 0.0}
    counts = {state: stats[state] for state in AGENT_STATES if state != "offline"}
    counts["logged_in"] = sum(counts.values())
    staffed = stats["_staffed"]
    return {
        "waiting": len(waiting),
        "longest_wait_s": round(now - waiting[0].entered_at, 1) if waiting else 0.0,
        **call_kpis(tel.book.today.get(name, {}), variant, wrapup_s),
        "occupancy": round(stats["_busy"] / staffed, 4) if staffed >= 1 else None,
        "agents": counts,
        "windows": {str(m): call_kpis(tel.book.window(name, now, m), variant, wrapup_s) for m in WINDOWS},
        "waiting_calls": [{"position": i + 1, "caller": c.caller, "entered_at": iso_utc(c.entered_at),
                           "wait_s": round(now - (c.entered_at or now), 1)} for i, c in enumerate(waiting)],
        "abandoned_calls": [{"at": iso_utc(c.ended_at), "caller": c.caller, "wait_s": c.wait_s,
                             "short": c.wait_s < tel.cfg.short_abandon_s}
                            for c in sorted(tel.abandoned.get(name, {}).values(), key=lambda c: -(c.ended_at or 0))],
        "intervals": _intervals(tel, name, variant),
    }


def _intervals(tel: TelephonyState, name: str, variant: str) -> list[dict]:
    out = []
    for index, c in sorted(tel.book.intervals.get(name, {}).items()):
        out.append({"start": iso_utc(tel.day_start + index * 900), "offered": int(c.get("offered", 0)),
                    "answered": int(c.get("answered", 0)), "abandoned": int(c.get("abandoned", 0)),
                    "service_level": _r(service_level(c, variant))})
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def build_snapshot(now: float, tel: TelephonyState, *, queue_cfgs: Mapping, channel_cfgs: Mapping,
                   channels: dict, services: list[dict], incidents: list[dict], sources: dict,
                   operators: Mapping[str, OperatorInfo], variant: str, wrapup_s: float, tz: str,
                   agent_views: AgentViews | None = None) -> dict:
    """Assemble the snapshot (without ``alerts``; the poller adds them after evaluating the rules)."""
    agents = (agent_views or AgentViews()).build(tel, operators, now, wrapup_s)
    members = member_stats(agents)
    queue_names = list(queue_cfgs) + sorted(tel.queues - set(queue_cfgs))
    queues = {}
    for name in queue_names:
        q = queue_view(tel, name, members.get(name), now, variant, wrapup_s)
        cfg = queue_cfgs.get(name)
        q["label_ru"], q["label_en"] = (cfg.label_ru, cfg.label_en) if cfg else (name, name)
        q["sl_threshold_s"] = tel.cfg.threshold(name)
        q["levels"] = queue_levels(q, cfg) if cfg else {}
        queues[name] = q
    for name, c in channels.items():
        cfg = channel_cfgs.get(name)
        c["label_ru"], c["label_en"] = (cfg.label_ru, cfg.label_en) if cfg else (name, name)
        c["levels"] = channel_levels(c, cfg) if cfg else {}
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": iso_utc(now),
        "generated_ts": round(now, 3),
        "tz": tz,
        "day_start": iso_utc(tel.day_start),
        "sl_variant": variant,
        "sources": sources,
        "queues": queues,
        "agents": [view for view, _staffed, _busy in agents],
        "channels": channels,
        "services": services,
        "incidents": incidents,
        "alerts": [],
        "input": {**dict(tel.stats), "unknown_verbs": dict(tel.unknown_verbs)},
    }
