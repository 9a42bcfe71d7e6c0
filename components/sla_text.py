"""``python app.py report sla``: the SLA report's rows by period and its per-line totals as text, CSV or JSON.

The same tables as the page (:mod:`domain.sla_report`), formatted by the page's own rules, so the numbers can be
checked against a PBX's report line by line.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from components.exports import csv_value, headers
from components.i18n import t
from components.sla import Labeller, value_text
from domain.sla_report import SlaReport, Table

TOTAL = "total"


def _totals_as_rows(report: SlaReport) -> Table:
    """The lines table in the series' columns, its period cell saying "total" (the all-lines row last)."""
    series, lines = report.table("series"), report.table("lines")
    rows = [{**r, "start_ts": None, "period": TOTAL} for r in [*lines.rows, *([lines.total] if lines.total else [])]]
    return Table("totals", series.title, series.columns, rows)


def _text_cells(table: Table, report: SlaReport, lang: str, labeller: Labeller) -> list[list[str]]:
    tz = report.inputs.tz
    out = []
    for row in table.rows:
        cells = []
        for c in table.columns:
            if c.field == "start_ts" and row.get("period") == TOTAL:
                cells.append(t("total", lang))
            else:
                cells.append(value_text(row.get(c.field), c.fmt, lang, tz, labeller))
        out.append(cells)
    return out


def write_table(report: SlaReport, lang: str, labeller: Labeller, out: TextIO) -> None:
    """Aligned columns: the rows by period, a rule, then each line's total and all lines'."""
    series, totals = report.table("series"), _totals_as_rows(report)
    params = next(iter(report.params.values()))
    head = headers(series, lang, params)
    body, foot = _text_cells(series, report, lang, labeller), _text_cells(totals, report, lang, labeller)
    widths = [max(len(r[k]) for r in [head, *body, *foot]) for k in range(len(head))]
    line = lambda cells: "  ".join(c.rjust(w) if k > 1 else c.ljust(w)  # noqa: E731
                                   for k, (c, w) in enumerate(zip(cells, widths, strict=True)))
    print(line(head), file=out)
    for r in body:
        print(line(r), file=out)
    print("-" * (sum(widths) + 2 * (len(widths) - 1)), file=out)
    for r in foot:
        print(line(r), file=out)


def write_csv(report: SlaReport, lang: str, labeller: Labeller, out: TextIO) -> None:
    """CSV: the rows by period, then the totals (period "total"); shares as percent numbers, durations in s."""
    params = next(iter(report.params.values()))
    series = report.table("series")
    writer = csv.writer(out)
    writer.writerow(headers(series, lang, params, csv_file=True))
    for table in (series, _totals_as_rows(report)):
        for row in table.rows:
            writer.writerow([TOTAL if c.field == "start_ts" and row.get("period") == TOTAL else
                             csv_value(row.get(c.field), c, lang, report.inputs.tz, labeller) for c in table.columns])


def write_json(report: SlaReport, out: TextIO) -> None:
    """JSON with raw numbers (fractions, seconds, epochs): the parameters, the rows and the totals (every figure
    of each, with the totals' changes against the previous period as ``<figure>_delta``)."""
    keep = dict
    lines = report.table("lines")
    doc = {"start": report.inputs.start, "end": report.inputs.end, "tz": report.inputs.tz,
           "granularity": report.inputs.granularity,
           "params": {s: {"threshold_s": p.threshold_s, "goal": p.goal, "short_abandon_s": p.short_abandon_s,
                          "variant": p.variant} for s, p in report.params.items()},
           "rows": [keep(r) for r in report.table("series").rows],
           "totals": [keep(r) for r in [*lines.rows, *([lines.total] if lines.total else [])]]}
    json.dump(doc, out, ensure_ascii=False, indent=1, default=str)
    out.write("\n")

