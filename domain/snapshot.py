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


def agents_view(tel: TelephonyState, operators: Mapping[str, OperatorInfo], now: float,
                wrapup_s: float) -> list[dict]:
    """One entry per operator known to the PBX or to the CRM's phone teams."""
    out = []
    for name in sorted(set(tel.agents) | set(operators)):
        agent, info = tel.agents.get(name), operators.get(name)
        c = tel.agent_book.today.get(name, {})
        handled = c.get("handled", 0)
        staffed, busy = agent.totals(now) if agent else (0.0, 0.0)
        since = agent.state_since(now) if agent else None
        out.append({
            "name": name,
            "operator": info.full_name if info else name,
            "operator_id": info.id if info else None,
            "team": info.team if info else "",
            "team_name": info.team_name if info else "",
            "queues": sorted(agent.queues) if agent else [],
            "state": agent.state(now) if agent else "offline",
            "since": iso_utc(since),
            "in_state_s": round(now - since) if since is not None else None,
            "pause_reason": agent.pause_reason if agent and agent.paused else "",
            "answered": int(c.get("answered", 0)),
            "aht_s": round((c.get("talk_sum", 0) + wrapup_s * handled) / handled, 1) if handled else None,
            "occupancy": round(busy / staffed, 4) if staffed >= 1 else None,
            "_staffed": staffed, "_busy": busy,
        })
    return out


def queue_view(tel: TelephonyState, name: str, agents: list[dict], now: float, variant: str,
               wrapup_s: float) -> dict:
    """Live numbers, today's KPIs, rolling windows, lists and intervals of one queue."""
    waiting = sorted(tel.waiting.get(name, {}).values(), key=lambda c: c.entered_at or now)
    members = [a for a in agents if name in a["queues"]]
    counts = {state: sum(1 for a in members if a["state"] == state) for state in AGENT_STATES}
    counts["logged_in"] = len(members) - counts.pop("offline")
    staffed = sum(a["_staffed"] for a in members)
    return {
        "waiting": len(waiting),
        "longest_wait_s": round(now - waiting[0].entered_at, 1) if waiting else 0.0,
        **call_kpis(tel.book.today.get(name, {}), variant, wrapup_s),
        "occupancy": round(sum(a["_busy"] for a in members) / staffed, 4) if staffed >= 1 else None,
        "agents": counts,
        "windows": {str(m): call_kpis(tel.book.window(name, now, m), variant, wrapup_s) for m in WINDOWS},
        "waiting_calls": [{"position": i + 1, "caller": c.caller, "entered_at": iso_utc(c.entered_at),
                           "wait_s": round(now - (c.entered_at or now), 1)} for i, c in enumerate(waiting)],
        "abandoned_calls": [{"at": iso_utc(c.ended_at), "caller": c.caller, "wait_s": c.wait_s,
                             "short": c.wait_s < tel.cfg.short_abandon_s}
                            for c in reversed(tel.abandoned.get(name, {}).values())],
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
                   operators: Mapping[str, OperatorInfo], variant: str, wrapup_s: float, tz: str) -> dict:
    """Assemble the snapshot (without ``alerts``; the poller adds them after evaluating the rules)."""
    agents = agents_view(tel, operators, now, wrapup_s)
    queue_names = list(queue_cfgs) + sorted(tel.queues - set(queue_cfgs))
    queues = {}
    for name in queue_names:
        q = queue_view(tel, name, agents, now, variant, wrapup_s)
        cfg = queue_cfgs.get(name)
        q["label_ru"], q["label_en"] = (cfg.label_ru, cfg.label_en) if cfg else (name, name)
        q["sl_threshold_s"] = tel.cfg.threshold(name)
        q["levels"] = queue_levels(q, cfg) if cfg else {}
        queues[name] = q
    for name, c in channels.items():
        cfg = channel_cfgs.get(name)
        c["label_ru"], c["label_en"] = (cfg.label_ru, cfg.label_en) if cfg else (name, name)
        c["levels"] = channel_levels(c, cfg) if cfg else {}
    for a in agents:
        del a["_staffed"], a["_busy"]
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": iso_utc(now),
        "generated_ts": round(now, 3),
        "tz": tz,
        "day_start": iso_utc(tel.day_start),
        "sl_variant": variant,
        "sources": sources,
        "queues": queues,
        "agents": agents,
        "channels": channels,
        "services": services,
        "incidents": incidents,
        "alerts": [],
        "input": {**dict(tel.stats), "unknown_verbs": dict(tel.unknown_verbs)},
    }
