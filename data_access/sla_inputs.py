"""Reads what one SLA report is made of, all from the app database: the interval history (aggregated in SQL by
:mod:`data_access.sla_history`), operator days and alerts, and the ledger the poller copies from the CRM (FCR and
survey counts, written appeals, open and escalated tickets, portal incidents: :mod:`data_access.ledger_repo`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Iterable, Mapping

from sqlalchemy import Engine

from data_access import sla_history
from data_access.alert_repo import AlertRepository
from data_access.ledger_repo import LedgerRepository
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


def read_inputs(req: Request, settings: Settings, engine: Engine, now: float,
                directory: Mapping[str, tuple[str, str]] | None = None,
                parts: Iterable[str] = tuple(PARTS)) -> SlaInputs:
    """The inputs of ``req``'s report, for the report's ``parts``."""
    inputs = base_inputs(req, settings, now, directory)
    reads = _reads(req, settings, engine, inputs, parts)
    # The reads are independent and the database works on them without holding Python's lock: side by side.
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        futures = {name: pool.submit(*call) for name, call in reads.items()}
        return replace(inputs, **{name: f.result() for name, f in futures.items()},
                       usual=lambda keys: sla_history.usual_intervals(engine, keys, settings.tz))


def _reads(req: Request, settings: Settings, engine: Engine, inputs: SlaInputs, parts: Iterable[str]) -> dict:
    """name -> (function, *arguments) of each read the ``parts`` need."""
    params = params_of(inputs)
    prev_start, _ = previous_period(req.start, req.end)
    targets = {c.name: c.target_s for c in inputs.channels}
    ledger = LedgerRepository(engine)
    first, last = local_day(req.start, settings.tz), local_day(req.end - 1, settings.tz)
    reads: dict[str, tuple] = {"quality": (ledger.quality, first, last)}  # every part shows FCR and CSAT
    if "queues" in parts:
        reads.update(intervals=(sla_history.collapsed_intervals, engine, req.start, req.end, params),
                     previous=(sla_history.collapsed_totals, engine, prev_start, req.start, params),
                     alerts=(AlertRepository(engine).fired_between, req.start, req.end),
                     incidents=(ledger.incidents, req.start, req.end),
                     previous_quality=(ledger.quality, local_day(prev_start, settings.tz),
                                       local_day(req.start - 1, settings.tz)))
    if "channels" in parts:
        reads.update(channel_now=(sla_history.channel_totals, engine, req.start, req.end, targets),
                     channel_before=(sla_history.channel_totals, engine, prev_start, req.start, targets),
                     appeals=(ledger.appeals, req.start, req.end), open_tickets=(ledger.open_tickets,),
                     escalated=(ledger.escalated, req.start, req.end))
    if "operators" in parts:
        reads["operators"] = (sla_history.operator_totals, engine, first, last)
    return reads


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
