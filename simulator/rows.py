"""Row builders for every table the simulator writes: one place decides each table's columns."""

from __future__ import annotations

from datetime import datetime

from simulator.timeconv import utc_naive

QUEUE_LOG = "queue_log"
TELEPHONY_TABLES = frozenset({QUEUE_LOG})


def queue_log(time: datetime, callid: str, queue: str, agent: str, event: str, *data: object) -> dict:
    """A queue_log row; data fields are strings as Asterisk writes them, missing ones empty."""
    d = [str(x) for x in data] + [""] * (5 - len(data))
    return {"time": time, "callid": callid, "queuename": queue, "agent": agent, "event": event,
            "data1": d[0], "data2": d[1], "data3": d[2], "data4": d[3], "data5": d[4]}


def history(ts: float, ticket_id: int, status: str, operator_id: int | None) -> dict:
    """A ticket_status_history row."""
    return {"ts": utc_naive(ts), "ticket_id": ticket_id, "status": status, "operator_id": operator_id}


def access(ts: float, operator_id: int, citizen_id: int | None, action: str, ticket_id: int | None,
           call_id: str | None, ip: str) -> dict:
    """A pd_access_log row."""
    return {"ts": utc_naive(ts), "operator_id": operator_id, "citizen_id": citizen_id, "action": action,
            "ticket_id": ticket_id, "call_id": call_id, "ip": ip}


def sign_in(ts: float, operator_id: int | None, login: str, success: bool, ip: str) -> dict:
    """A sign_in_events row."""
    return {"ts": utc_naive(ts), "operator_id": operator_id, "login": login, "success": success, "ip": ip}


def shift(operator_id: int, starts: float, ends: float) -> dict:
    """A shifts row."""
    return {"operator_id": operator_id, "starts_at": utc_naive(starts), "ends_at": utc_naive(ends)}


def leave(operator_id: int, starts: float, ends: float, kind: str) -> dict:
    """A leaves row."""
    return {"operator_id": operator_id, "starts_at": utc_naive(starts), "ends_at": utc_naive(ends), "kind": kind}


def service_check(ts: float, code: str, ok: bool, latency_ms: int | None, error: str | None) -> dict:
    """A service_checks row."""
    return {"ts": utc_naive(ts), "service_code": code, "ok": ok, "latency_ms": latency_ms, "error": error}


def incident(incident_id: int, opened: float, code: str, severity: str, title: str) -> dict:
    """A new (open) incidents row."""
    return {"id": incident_id, "opened_at": utc_naive(opened), "resolved_at": None, "service_code": code,
            "severity": severity, "title": title, "status": "open"}


def survey(ts: float, ticket_id: int, call_id: str | None, channel: str, line: str | None, csat: int,
           resolved: bool) -> dict:
    """A surveys row."""
    return {"ts": utc_naive(ts), "ticket_id": ticket_id, "call_id": call_id, "channel": channel, "line": line,
            "csat": csat, "resolved": resolved}
