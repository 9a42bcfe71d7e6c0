"""Scheduled SLA reports: on the first working day of the month (and of the week for weekly subscribers), at
HOTLINE_REPORT_SEND_TIME in HOTLINE_TZ, the SLA page's monthly workbook of the period before is mailed to each
subscriber through the notification outbox (same retries; one message per subscriber and period).

Run from the notification dispatcher's cycle (poller process, lease holder). The report is read from the app
database only (components/sla_monthly.py makes the workbook the SLA page exports); operators appear by their queue
member name, never by a name from the CRM's directory.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from sqlalchemy import Engine

from data_access.notify_repo import NotifyRepository, OutMessage
from data_access.subscriptions_repo import Subscription, SubscriptionRepository
from domain.report_schedule import Period, due_periods, parse_holidays
from settings import Settings

log = logging.getLogger("hotline.reports")
TEXT = {"subject": ("[Горячая линия] Отчёт SLA за {key}", "[Hotline] SLA report for {key}"),
        "body": ("Отчёт SLA за {since} — {until} ({tz}) во вложении: сводка, линии, пропущенные интервалы, каналы, "
                 "обращения, операторы, потребность в операторах и определения показателей.",
                 "The SLA report for {since} to {until} ({tz}) is attached: summary, lines, missed intervals, "
                 "channels, appeals, operators, staffing and the metrics' definitions.")}


def idem_key(period: Period, sub: Subscription) -> str:
    return f"report:{period.cadence}:{period.key}:{sub.id}"


class ScheduledReports:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.s = settings
        self.engine = engine
        self.outbox = NotifyRepository(engine)
        self.subscriptions = SubscriptionRepository(engine)

    def cycle(self, now: float | None = None) -> int:
        """Queue the reports due now to the subscribers who have not had them; the number queued."""
        now = time.time() if now is None else now
        try:
            holidays = parse_holidays(self.s.report_holidays)
        except ValueError as exc:
            log.error("HOTLINE_REPORT_HOLIDAYS: %s; scheduled reports are not sent", exc)
            return 0
        queued = 0
        for period in due_periods(now, self.s.tz, self.s.report_send_time, holidays):
            waiting = self.subscriptions.all(period.cadence)
            done = self.outbox.known([idem_key(period, s) for s in waiting])
            waiting = [s for s in waiting if idem_key(period, s) not in done]
            queued += self._send(period, waiting, now) if waiting else 0
        return queued

    def _send(self, period: Period, subscribers: list[Subscription], now: float) -> int:
        report = self.build(period, now)
        queued, files = 0, {}
        for sub in subscribers:
            if sub.lang not in files:
                files[sub.lang] = self.workbook(report, sub.lang)
            queued += self.outbox.enqueue(self.message(period, sub, files[sub.lang]), now)
        log.info("scheduled %s SLA report %s queued for %d subscriber(s)", period.cadence, period.key, queued)
        return queued

    def build(self, period: Period, now: float):
        """The report of the period as the SLA page's monthly report builds it (settings' variant, T and limits)."""
        from data_access.sla_inputs import read_inputs
        from domain.sla import WhatIf, period_bounds
        from domain.sla_report import PARTS, Request, build

        s = self.s
        start, end = period_bounds("custom", now, s.tz, period.since_day, period.until_day)
        req = Request(start, end, "day", WhatIf(s.sl_variant, None, s.short_abandon_s, False))
        inputs = read_inputs(req, s, self.engine, now=now, parts=tuple(PARTS))
        return build(replace(inputs, staffing_all=True), tuple(PARTS))

    def workbook(self, report, lang: str) -> bytes:
        from components.sla import labeller_of
        from components.sla_monthly import monthly_workbook

        labeller = labeller_of((*self.s.queues(), *self.s.channels()))
        return monthly_workbook(report, lang, labeller, "hotline-dashboard")

    def message(self, period: Period, sub: Subscription, content: bytes) -> OutMessage:
        pick = 1 if sub.lang == "en" else 0
        body = TEXT["body"][pick].format(since=period.since_day, until=period.until_day, tz=self.s.tz)
        if self.s.public_url:
            body += f"\n{self.s.public_url.rstrip('/')}/sla"
        return OutMessage(idem_key(period, sub), None, "email", sub.email, "report",
                          TEXT["subject"][pick].format(key=period.key), body,
                          {"cadence": period.cadence, "period": period.key, "login": sub.login},
                          f"sla-report-{period.key}.xlsx", content)
