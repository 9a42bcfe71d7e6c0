"""The notification dispatcher: runs in the poller process, by the lease holder only (poller/scheduler.py).

Each cycle: (1) plan: for every route, what it would announce now (active alerts, open cases, and for oversight
routes the reviewers' own acts outside their cases, D20) against what it announced last; a message due is written
to the outbox with the route's new state in one transaction; (2) deliver: every due message of the outbox is sent
by its channel, at least once, retried with back-off; after ``HOTLINE_NOTIFY_MAX_ATTEMPTS`` failed tries it is
given up (status dead, shown on the alerts page).

Nothing is kept in memory between cycles: a restarted or a new poller (after a fail-over) goes on from the
outbox and the routes' states, and a message's unique idempotency key refuses a second copy.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from sqlalchemy import Engine

from components.notify_text import alert_text, alertmanager_payload, body, case_text, reviewer_text, subject
from data_access.alert_repo import AlertRepository
from data_access.case_repo import CaseRepository
from data_access.notify_repo import Due, NotifyRepository, OutMessage
from data_access.operator_names import OperatorNames
from domain.clock import day_start, epoch_to_local_naive, iso_utc
from domain.notify import REVIEWER, GroupState, Item, Message, Route, backoff_s, plan
from poller.channels import DeliveryError, Sender, senders
from settings import Settings

log = logging.getLogger("hotline.notify")
CASE_FLOOR = "low"  # the lowest band any route may ask for (info cases are never announced)
DELIVERIES_PER_CYCLE = 50
PURGE_EVERY_S = 3600
REVIEWERS_EVERY_S = 60   # D20 findings are read again at most this often (the audit trail, today and yesterday)
KIND = {"security": "cases", "oversight": "reviewers"}   # the outbox's kind of a route's messages


@dataclass
class CycleReport:
    planned: int = 0
    sent: int = 0
    failed: int = 0


class Notifier:
    def __init__(self, settings: Settings, engine: Engine, channels: Mapping[str, Sender] | None = None,
                 snapshot: Callable[[], dict | None] = lambda: None, reports: bool = True) -> None:
        from poller.reports import ScheduledReports

        self.s = settings
        self.engine = engine
        self.repo = NotifyRepository(engine)
        self.channels = dict(channels) if channels is not None else senders(settings)
        self.snapshot = snapshot
        self.reports = ScheduledReports(settings, engine) if reports else None  # mailed through the same outbox
        self._purged_at = -1e18
        self._reviewers: tuple[float, list[Item]] = (-1e18, [])   # (data time, D20 items) last read

    def cycle(self, now: float | None = None) -> CycleReport:
        now = time.time() if now is None else now
        report = CycleReport()
        report.planned = self.plan(now)
        if self.reports is not None:
            try:
                report.planned += self.reports.cycle(now)
            except Exception:  # noqa: BLE001 - a report that cannot be built must not hold the alerts back
                log.exception("scheduled reports failed")
        report.sent, report.failed = self.deliver(now)
        if now - self._purged_at >= PURGE_EVERY_S:
            self._purged_at = now
            self.repo.purge(now - self.s.notify_keep_days * 86400)
        return report

    # -- planning -----------------------------------------------------------------------------------------------------
    def items(self, now: float | None = None, reviewers: bool = False) -> list[Item]:
        """Every active alert and open case (of band low and above) as an item a route may hear of; with
        ``reviewers``, the reviewers' findings (D20) of today and yesterday too."""
        snap, out = self.snapshot(), []
        for a in AlertRepository(self.engine).active():
            out.append(Item(a["key"], "alert", a["severity"], a["rule"], a["scope"], alert_text(a, snap, "ru"),
                            alert_text(a, snap, "en"), a["fired_at"], acked=a["state"] == "acknowledged"))
        cases = CaseRepository(self.engine).list(status="open", min_band=CASE_FLOOR)
        logins = {op_id: info.login for op_id, info in OperatorNames(self.engine).all().items()} if cases else {}
        for c in cases:
            login = logins.get(c["operator_id"], "")
            out.append(Item(f"case:{c['id']}", "case", c["band"], "case", c["band"], case_text(c, login, "ru"),
                            case_text(c, login, "en"), c["created_at"]))
        if reviewers:
            now = time.time() if now is None else now
            if now - self._reviewers[0] >= REVIEWERS_EVERY_S:   # up to 20,000 audit rows: not every cycle
                self._reviewers = now, self._reviewer_items(now)
            out += self._reviewers[1]
        return out

    def _reviewer_items(self, now: float) -> list[Item]:
        """D20 findings of today and yesterday (whole local days, so a finding keeps its key) as items, announced
        once: never repeated as unattended, never announced as resolved (domain.notify.plan)."""
        from data_access.reviewer_acts import ReviewerActs
        from domain.detectors.reviewers import finding_key, findings

        source = ReviewerActs(self.engine, self.s.tz)
        since = day_start(now, self.s.tz) - 86400
        return [Item(f"{REVIEWER}:{finding_key(f)}", REVIEWER, "medium", "D20", f.act.action,
                     reviewer_text(f, "ru"), reviewer_text(f, "en"), iso_utc(f.act.ts), acked=True)
                for f in findings(source.acts(since), source.cover)]

    def plan(self, now: float) -> int:
        routes = [r for r in self.repo.routes() if r.enabled]
        if not routes:
            return 0
        oversight = any(r.audience == "oversight" for r in routes)
        items, silences, states = self.items(now, oversight), self.repo.silences(now), self.repo.states()
        hhmm, planned = epoch_to_local_naive(now, self.s.tz).strftime("%H:%M"), 0
        for route in routes:
            before = states.get(route.id, GroupState())
            after, message = plan(route, before, items, silences, now, hhmm)
            if after == before and message is None:
                continue
            out = self.out_message(message, now) if message is not None else None
            if self.repo.commit_plan(route.id, before, after, out, now) and out is not None:
                planned += 1
        return planned

    def out_message(self, message: Message, now: float) -> OutMessage:
        route, lang = message.route, self.s.lang
        return OutMessage(message.idem_key, route.id, route.channel, route.target,
                          KIND.get(route.audience, "alerts"), subject(message, lang),
                          body(message, lang, self.s.public_url),
                          alertmanager_payload(message, lang, self.s.public_url, now))

    # -- delivery -----------------------------------------------------------------------------------------------------
    def deliver(self, now: float) -> tuple[int, int]:
        sent = failed = 0
        for due in self.repo.due(now, DELIVERIES_PER_CYCLE):
            if not self.repo.claim(due.id, due.attempts, now):
                continue
            if self._send(due, now):
                sent += 1
            else:
                failed += 1
        return sent, failed

    def _send(self, due: Due, now: float) -> bool:
        sender = self.channels.get(due.channel)
        try:
            if sender is None:
                raise DeliveryError(f"unknown channel {due.channel!r}")
            sender.send(due)
        except DeliveryError as exc:
            tries = due.attempts + 1
            again = now + backoff_s(tries, self.s.notify_backoff_s) if tries < self.s.notify_max_attempts else None
            log.warning("notification %s failed (try %d): %s", due.id, tries, exc)
            self.repo.failed(due.id, str(exc), again)
            return False
        except Exception as exc:  # noqa: BLE001 - a sender's bug must not stop the other messages
            log.exception("notification %s: unexpected error", due.id)
            self.repo.failed(due.id, f"{type(exc).__name__}", now + backoff_s(due.attempts + 1,
                                                                             self.s.notify_backoff_s))
            return False
        self.repo.delivered(due.id, time.time())
        return True


def route_test_message(route: Route, lang: str, now: float) -> OutMessage:
    """The "send test" of a route: a message through the same outbox and channel (key unique per click)."""
    from components.notify_text import text

    words = text("test", lang).format(route=route.name)
    payload = {"version": "4", "status": "firing", "receiver": route.name, "groupKey": f"test:{route.id}",
               "truncatedAlerts": 0, "groupLabels": {}, "commonLabels": {"source": "hotline-dashboard"},
               "commonAnnotations": {"summary": words}, "externalURL": "",
               "alerts": [{"status": "firing", "labels": {"alertname": "HotlineRouteTest", "severity": "info"},
                           "annotations": {"summary": words}, "startsAt": "", "endsAt": "0001-01-01T00:00:00Z",
                           "generatorURL": "", "fingerprint": f"test{route.id}"}]}
    return OutMessage(f"test:{route.id}:{now:.6f}", route.id, route.channel, route.target, "test",
                      text("test_subject", lang).format(route=route.name), words, payload)
