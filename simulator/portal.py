"""Portal services: a health check per service every minute, outages that open incidents and flood a line."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from simulator import profile, rows
from simulator.population import Service
from simulator.timeconv import utc_naive
from simulator.world import World

CHECK_S = 60.0
CHECKS, INCIDENTS = "service_checks", "incidents"
FLOOD_DELAY_S = 120.0        # callers notice a failure after a couple of minutes ...
FLOOD_TAIL_S = 600.0         # ... and keep calling for a while after it is fixed
SERVICE_WEIGHTS = {"esia": 3, "payments": 3, "applications": 2, "cabinet": 1, "uploads": 1, "appointments": 1,
                   "signature": 1, "mobile_api": 1, "notifications": 0.5}
ERRORS = ("HTTP 503 Service Unavailable", "HTTP 502 Bad Gateway", "Timeout after 10000 ms",
          "Connection refused", "HTTP 500 Internal Server Error")
SEVERITY = {"esia": "critical", "payments": "major", "applications": "major", "cabinet": "major"}


@dataclass(slots=True)
class Outage:
    service: Service
    start: float
    end: float
    factor: float            # arrivals on the service's line are multiplied by this
    error: str


class Portal:
    """Service checks, planned outages and the incidents they open."""

    def __init__(self, world: World, next_incident_id: int) -> None:
        self.w = world
        self.next_id = next_incident_id
        self.outages: list[Outage] = []
        self.fails: dict[str, int] = {}
        self.open_incidents: dict[str, int] = {}

    def start(self) -> None:
        """Begin checking at the next whole minute."""
        w = self.w
        w.loop.at((w.now // CHECK_S + 1) * CHECK_S, self.check)

    def plan_day(self, day: date, not_before: float) -> None:
        """Two to four outages a day, mostly at busy hours, from minutes to an hour."""
        w = self.w
        rng = random.Random(f"{w.cfg.seed}:outages:{day.toordinal()}")
        hours = profile.Chooser(dict(enumerate(profile.HOURLY)))
        services = {s.code: s for s in w.pop.services}
        weights = profile.Chooser({c: SERVICE_WEIGHTS.get(c, 1) for c in services})
        for _ in range(rng.choice((2, 3, 3, 4))):
            start = w.local.at(day, hours.pick(rng.random()) + rng.random())
            length = min(max(rng.lognormvariate(6.9, 0.7), 240.0), 4200.0)
            outage = Outage(services[weights.pick(rng.random())], start, start + length, rng.uniform(2.0, 4.0),
                            rng.choice(ERRORS))
            if outage.end > not_before:
                self.outages.append(outage)

    def _active(self, code: str, ts: float) -> Outage | None:
        return next((o for o in self.outages if o.service.code == code and o.start <= ts < o.end), None)

    def floods(self, ts: float) -> list[tuple[str, float]]:
        """(line, extra arrivals as a multiple of its normal rate) for outages callers are reacting to now."""
        out: dict[str, float] = {}
        for o in self.outages:
            if o.start + FLOOD_DELAY_S <= ts < o.end + FLOOD_TAIL_S:
                out[o.service.line] = out.get(o.service.line, 0.0) + o.factor - 1
        return list(out.items())

    def check(self) -> None:
        """One round of checks; two failures in a row open an incident, the first success resolves it."""
        w, now = self.w, self.w.now
        for service in w.pop.services:
            outage = self._active(service.code, now)
            ok, latency, error = self._probe(service, outage, now)
            w.emit(CHECKS, rows.service_check(now, service.code, ok, latency, error))
            self.fails[service.code] = 0 if ok else self.fails.get(service.code, 0) + 1
            if not ok and self.fails[service.code] >= w.cfg.down_after_checks:
                self._open_incident(service, now)
            elif ok and service.code in self.open_incidents:
                self._resolve_incident(service.code, now)
        self.outages = [o for o in self.outages if o.end + FLOOD_TAIL_S > now]
        w.loop.at(now + CHECK_S, self.check)

    def _probe(self, service: Service, outage: Outage | None, now: float) -> tuple[bool, int | None, str | None]:
        rng = self.w.rng
        if outage is not None:
            timeout = outage.error.startswith("Timeout")
            return False, 10000 if timeout else int(rng.uniform(5, 60)), outage.error
        if rng.random() < 0.0015:
            return False, 10000, "Timeout after 10000 ms"          # a blip: one failed check, no incident
        soon = any(o.service.code == service.code and 0 <= o.start - now < 300 for o in self.outages)
        base = rng.lognormvariate(5.2, 0.35)
        return True, int(base * (rng.uniform(6, 15) if soon else 1)), None

    def _open_incident(self, service: Service, now: float) -> None:
        if service.code in self.open_incidents:
            return
        incident_id = self.next_id
        self.next_id += 1
        self.open_incidents[service.code] = incident_id
        self.w.emit(INCIDENTS, rows.incident(incident_id, now, service.code, SEVERITY.get(service.code, "minor"),
                                             f"Недоступен сервис «{service.name_ru}»"))

    def _resolve_incident(self, code: str, now: float) -> None:
        incident_id = self.open_incidents.pop(code)
        self.w.out.update(INCIDENTS, incident_id, {"resolved_at": utc_naive(now), "status": "resolved"})
