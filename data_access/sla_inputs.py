"""Reads what one SLA report is made of: the app database's interval history (aggregated in SQL by
:mod:`data_access.sla_history`), operator days and alerts, and the CRM's FCR, survey and written-appeal figures
(through :class:`data_access.crm_reports.CrmReports`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Iterable, Mapping

from sqlalchemy import Engine

from data_access import sla_history
from data_access.alert_repo import AlertRepository
from data_access.crm_reports import CrmReports
from domain.clock import local_day
from domain.history import INTERVAL_S, previous_period
from domain.sla import FORECAST_WEEKS, AppealRules, StaffingRules
from domain.sla_report import PARTS, Request, SlaInputs, params_of
from settings import Settings

WEEK_S = 7 * 86400
READERS = 3


def rules_of(settings: Settings) -> tuple[StaffingRules, AppealRules]:
    return (StaffingRules(settings.staffing_max_occupancy, settings.staffing_shrinkage),
            AppealRules(settings.appeal_register_days, settings.appeal_answer_days, settings.appeal_warn_days,
                        settings.appeal_register_warn_days))


def base_inputs(req: Request, settings: Settings, now: float,
                directory: Mapping[str, tuple[str, str]] | None = None) -> SlaInputs:
    """The report's frame (period, lines, rules, what-if) before anything is read."""
    # Lines asked for by name may be queues the settings do not list (a PBX's own queue names): the defaults.
    queues = settings.queues() if req.queues is None else tuple(settings.queue(name) for name in req.queues)
    staffing, appeal = rules_of(settings)
    return SlaInputs(req.start, req.end, now, settings.tz, req.granularity, queues, settings.channels(),
                     settings.wrapup_s, req.whatif, staffing, appeal, focus=req.focus, directory=dict(directory or {}))


def read_inputs(req: Request, settings: Settings, engine: Engine, crm: CrmReports | None, now: float,
                directory: Mapping[str, tuple[str, str]] | None = None,
                parts: Iterable[str] = tuple(PARTS)) -> SlaInputs:
    """The inputs of ``req``'s report, for the report's ``parts`` (``crm`` None: no FCR, CSAT nor appeals)."""
    inputs = base_inputs(req, settings, now, directory)
    params = params_of(inputs)
    prev_start, _ = previous_period(req.start, req.end)
    targets = {c.name: c.target_s for c in inputs.channels}
    reads: dict[str, tuple] = {}
    if "queues" in parts:
        reads.update(intervals=(sla_history.collapsed_intervals, engine, req.start, req.end, params),
                     previous=(sla_history.collapsed_totals, engine, prev_start, req.start, params),
                     alerts=(AlertRepository(engine).fired_between, req.start, req.end))
    if "channels" in parts:
        reads.update(channel_now=(sla_history.channel_totals, engine, req.start, req.end, targets),
                     channel_before=(sla_history.channel_totals, engine, prev_start, req.start, targets))
    if "operators" in parts:
        reads["operators"] = (sla_history.operator_totals, engine, local_day(req.start, settings.tz),
                              local_day(req.end - 1, settings.tz))
    # The reads are independent and the database works on them without holding Python's lock: side by side.
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        futures = {name: pool.submit(*call) for name, call in reads.items()}
        inputs = replace(inputs, **{name: f.result() for name, f in futures.items()},
                         usual=lambda keys: sla_history.usual_intervals(engine, keys, settings.tz))
    return _with_crm(inputs, crm, prev_start, parts) if crm is not None else inputs


def _with_crm(inputs: SlaInputs, crm: CrmReports, prev_start: float, parts: Iterable[str]) -> SlaInputs:
    """FCR and survey counts (every part shows them), the period before's (the lines' changes), the appeals."""
    quality = crm.quality(inputs.start, inputs.end)
    inputs = replace(inputs, quality=quality.data if quality.ok else None)
    if "queues" in parts:
        before = crm.quality(prev_start, inputs.start)
        inputs = replace(inputs, previous_quality=before.data if before.ok else None)
    if "channels" in parts:
        appeals = crm.appeals(inputs.start, inputs.end)
        inputs = replace(inputs, appeals=appeals.data if appeals.ok else None)
    return inputs


def read_forecast_history(engine: Engine, scopes: list[str], now: float, hours: int = 4,
                          weeks: int = FORECAST_WEEKS) -> list:
    """The intervals the next ``hours`` hours' forecast is made of: the same hours 1..``weeks`` weeks back (an
    hour wider on each side, for a clock change in between)."""
    from data_access.history_repo import HistoryRepository

    repo = HistoryRepository(engine)
    first = now - now % INTERVAL_S
    out = []
    for k in range(1, weeks + 1):
        back = first - k * WEEK_S
        out += repo.queue_intervals(back - 3600, back + hours * 3600 + 3600, scopes)
    return out
