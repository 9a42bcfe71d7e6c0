"""Portal services' health from the CRM's service checks, and the open incidents."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from domain.clock import iso_utc

DEGRADED_LATENCY_MS = 2000
NO_CHECK_AFTER_S = 300


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    service: str
    ts: float
    ok: bool
    latency_ms: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    opened_at: float
    resolved_at: float | None
    service: str | None
    severity: str
    title: str
    status: str


class _Service:
    __slots__ = ("code", "name_ru", "name_en", "line", "checks", "fails_in_row", "status", "since", "last_error")

    def __init__(self, code: str, history: int) -> None:
        self.code, self.name_ru, self.name_en, self.line = code, code, code, None
        self.checks: deque[ServiceCheck] = deque(maxlen=history)
        self.fails_in_row = 0
        self.status, self.since, self.last_error = "unknown", None, None


class ServiceHealth:
    """Status (up, degraded, down, unknown) of each portal service with its recent latency."""

    def __init__(self, down_after_checks: int = 2, history: int = 60) -> None:
        self.down_after = down_after_checks
        self.history = history
        self.services: dict[str, _Service] = {}
        self.incidents: dict[int, Incident] = {}

    def _service(self, code: str) -> _Service:
        if code not in self.services:
            self.services[code] = _Service(code, self.history)
        return self.services[code]

    def describe(self, code: str, name_ru: str, name_en: str, line: str | None) -> None:
        s = self._service(code)
        s.name_ru, s.name_en, s.line = name_ru, name_en, line

    def add_checks(self, checks: list[ServiceCheck]) -> None:
        for check in sorted(checks, key=lambda c: c.ts):
            s = self._service(check.service)
            if s.checks and check.ts < s.checks[-1].ts:
                continue  # an older check than the newest known one changes nothing
            s.checks.append(check)
            s.fails_in_row = 0 if check.ok else s.fails_in_row + 1
            if not check.ok:
                s.last_error = check.error
            status = self._status_of(s, check)
            if status != s.status:
                s.status, s.since = status, check.ts

    def _status_of(self, s: _Service, check: ServiceCheck) -> str:
        if s.fails_in_row >= self.down_after:
            return "down"
        if not check.ok or (check.latency_ms or 0) > DEGRADED_LATENCY_MS:
            return "degraded"
        return "up"

    def add_incidents(self, incidents: list[Incident]) -> None:
        for incident in incidents:
            self.incidents[incident.id] = incident

    def view(self, now: float) -> list[dict]:
        out = []
        for s in sorted(self.services.values(), key=lambda s: s.code):
            last = s.checks[-1] if s.checks else None
            status = s.status if last and now - last.ts <= NO_CHECK_AFTER_S else "unknown"
            out.append({
                "code": s.code, "name_ru": s.name_ru, "name_en": s.name_en, "line": s.line,
                "status": status, "since": iso_utc(s.since),
                "latency_ms": last.latency_ms if last else None,
                "latency_history": [c.latency_ms if c.ok else None for c in s.checks],
                "last_check_at": iso_utc(last.ts) if last else None,
                "error": s.last_error if status in ("down", "degraded") else None,
            })
        return out

    def open_incidents(self) -> list[dict]:
        rows = [i for i in self.incidents.values() if i.status != "resolved" and i.resolved_at is None]
        return [{"id": i.id, "opened_at": iso_utc(i.opened_at), "service": i.service, "severity": i.severity,
                 "title": i.title} for i in sorted(rows, key=lambda i: i.opened_at, reverse=True)]

    def prune_incidents(self, before: float) -> None:
        """Forget incidents resolved before ``before``."""
        self.incidents = {k: i for k, i in self.incidents.items() if i.resolved_at is None or i.resolved_at >= before}
