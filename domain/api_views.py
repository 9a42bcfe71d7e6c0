"""What the read-only API publishes of the snapshot: its operational parts, without any personal data.

Pure: each function takes the snapshot (docs/snapshot.md) and returns JSON-ready data. Left out on purpose: the
waiting and abandoned callers' lists (masked numbers are still about a person), operators' names, ids and queue
member names (agents are counted by state and team), and error texts of the sources (they may name hosts).
"""

from __future__ import annotations

from typing import Mapping

from domain.telephony import AGENT_STATES

QUEUE_DROPPED = ("waiting_calls", "abandoned_calls")
SERVICE_FIELDS = ("code", "name_ru", "name_en", "line", "status", "since", "latency_ms", "last_check_at")
ALERT_FIELDS = ("id", "key", "rule", "scope", "severity", "fired_at", "state", "acked_at")
ALERT_PARAMS = ("value", "warn", "crit", "waiting", "logged_in", "lag_s", "since", "line", "days")


def meta(snap: Mapping) -> dict:
    return {"generated_at": snap.get("generated_at"), "version": snap.get("version"), "tz": snap.get("tz"),
            "day_start": snap.get("day_start"), "sl_variant": snap.get("sl_variant")}


def queue(q: Mapping) -> dict:
    return {k: v for k, v in q.items() if k not in QUEUE_DROPPED}


def queues(snap: Mapping) -> dict:
    return {name: queue(q) for name, q in (snap.get("queues") or {}).items()}


def channels(snap: Mapping) -> dict:
    return {name: dict(c) for name, c in (snap.get("channels") or {}).items()}


def services(snap: Mapping) -> list[dict]:
    return [{k: s.get(k) for k in SERVICE_FIELDS} for s in snap.get("services") or []]


def alerts(snap: Mapping) -> list[dict]:
    """Active alerts; of their numbers only the figures (never an error text), acknowledged without by whom."""
    out = []
    for a in snap.get("alerts") or []:
        view = {k: a.get(k) for k in ALERT_FIELDS}
        view["params"] = {k: v for k, v in (a.get("params") or {}).items()
                          if k in ALERT_PARAMS and (v is None or isinstance(v, (int, float, str)))}
        out.append(view)
    return out


def agents(snap: Mapping) -> dict:
    """Operators counted by state, over the hotline, per team and per queue: no operator is named."""
    total = {state: 0 for state in AGENT_STATES}
    teams: dict[str, dict[str, int]] = {}
    for a in snap.get("agents") or []:
        state = a.get("state") if a.get("state") in total else "offline"
        total[state] += 1
        team = teams.setdefault(str(a.get("team_name") or a.get("team") or ""), {s: 0 for s in AGENT_STATES})
        team[state] += 1
    by_queue = {name: dict(q.get("agents") or {}) for name, q in (snap.get("queues") or {}).items()}
    return {"by_state": total, "by_team": teams, "by_queue": by_queue}


def sources(snap: Mapping) -> dict:
    return {name: {"ok": s.get("ok"), "lag_s": s.get("lag_s"), "failing": bool(s.get("error")),
                   "last_success_at": s.get("last_success_at")} for name, s in (snap.get("sources") or {}).items()}


def status(snap: Mapping, now: float) -> dict:
    age = round(now - snap["generated_ts"], 1) if snap.get("generated_ts") else None
    return {**meta(snap), "age_s": age, "sources": sources(snap)}
