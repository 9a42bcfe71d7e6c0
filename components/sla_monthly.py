"""The SLA report's workbook as the SLA page's "monthly report" button exports it, and as the scheduled reports mail
it: a summary sheet, then every table by day, then the definitions. One place for both."""

from __future__ import annotations

from typing import Callable

from components.exports import summary_sheet, xlsx_bytes
from domain.metrics import MetricParams
from domain.sla_report import SlaReport

MONTHLY_TABLES = ("lines", "missed", "series", "worst", "channels", "appeals", "at_risk", "overdue", "escalations",
                  "operators", "teams", "staffing")


def header_params(report: SlaReport) -> MetricParams:
    """The parameters the workbook's headers quote: the focus line's, else the first line's."""
    return report.params.get(report.inputs.focus or "", next(iter(report.params.values()), MetricParams()))


def monthly_workbook(report: SlaReport, lang: str, labeller: Callable[[str, str], str], who: str) -> bytes:
    """The workbook of ``report`` (built with every part and ``staffing_all``); ``who`` is named as its author."""
    tables = [report.table(k) for k in MONTHLY_TABLES if k in report.tables]
    return xlsx_bytes(tables, lang, header_params(report), report.inputs.tz, labeller,
                      summary=lambda wb: summary_sheet(wb, report, lang, labeller, who))
