"""The SLA report's tables as files: CSV, and XLSX with real numbers and number formats (openpyxl).

Both are written from the same :class:`domain.sla_report.Table` rows the page shows, total row included, so the
figures in a file are the page's. A share is a fraction with a percent format in XLSX and a percent number in
CSV; a duration is an Excel time ([h]:mm:ss) in XLSX and seconds in CSV; a time is local to ``HOTLINE_TZ``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from components.i18n import t
from components.sla import TEXT_KINDS, TIME_FORMATS, Labeller, header, local_text, value_text
from domain.metrics import MetricParams
from domain.sla_report import Column, Table

XLSX_FORMATS = {"count": "#,##0", "pct": "0.0%", "duration": "[h]:mm:ss", "ratio": "0.0", "score": "0.00",
                "interval": "yyyy-mm-dd hh:mm", "hour": "yyyy-mm-dd hh:mm", "day": "yyyy-mm-dd",
                "week": "yyyy-mm-dd", "month": "yyyy-mm", "clock": "hh:mm"}
DELTA_FORMATS = {"pct": '+0.0%;-0.0%;0.0%', "count": "+#,##0;-#,##0;0", "duration": "[h]:mm:ss",
                 "ratio": "+0.0;-0.0;0.0", "score": "+0.00;-0.00;0.00"}
MAX_SHEET_TITLE = 31


def _units(col: Column, lang: str, csv_file: bool, delta: bool = False) -> str:
    """The unit after a CSV column's title (XLSX cells carry their format instead)."""
    if not csv_file:
        return ""
    if col.fmt == "pct":
        return f", {t('pp', lang)}" if delta else ", %"
    return f", {t('seconds_short', lang)}" if col.fmt == "duration" else ""


def headers(table: Table, lang: str, params: MetricParams, csv_file: bool = False) -> list[str]:
    """Column titles (a change column is the figure's title with "Δ")."""
    out = []
    for c in table.columns:
        label = header(c, lang, params)[0]
        out.append(label + _units(c, lang, csv_file))
        if c.delta:
            out.append(f"{label} Δ{_units(c, lang, csv_file, delta=True)}")
    return out


def _rows(table: Table) -> list[dict]:
    return [*table.rows, *([table.total] if table.total else [])]


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """A text a spreadsheet would run as a formula (a team or incident title from the CRM starting with '=')
    kept as text: quoted with an apostrophe, as OWASP advises for CSV and XLSX exports."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_LEADS) else value


def csv_value(value, col: Column, lang: str, tz: str, labeller: Labeller):
    return inert(_csv_value(value, col, lang, tz, labeller))


def _csv_value(value, col: Column, lang: str, tz: str, labeller: Labeller):
    if value is None:
        return ""
    if col.fmt in TIME_FORMATS:
        return local_text(value, col.fmt, tz)
    if col.fmt in TEXT_KINDS:
        return value_text(value, col.fmt, lang, tz, labeller)
    if col.fmt == "pct":
        return round(value * 100, 2)
    if col.fmt in ("duration", "ratio", "score"):
        return round(value, 2)
    return value


def csv_bytes(table: Table, lang: str, params: MetricParams, tz: str, labeller: Labeller) -> bytes:
    """The table as UTF-8 CSV (with a BOM, so that Excel reads the Cyrillic headers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(table, lang, params, csv_file=True))
    for row in _rows(table):
        line = []
        for c in table.columns:
            line.append(csv_value(row.get(c.field), c, lang, tz, labeller))
            if c.delta:
                line.append(csv_value(row.get(f"{c.field}_delta"), c, lang, tz, labeller))
        writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# -- XLSX ----------------------------------------------------------------------------------------------------------
def _cell_value(value, col: Column, lang: str, tz: str, labeller: Labeller):
    if value is None:
        return None
    if col.fmt in TIME_FORMATS:
        return datetime.fromtimestamp(value, ZoneInfo(tz)).replace(tzinfo=None)
    if col.fmt in TEXT_KINDS:
        return value_text(value, col.fmt, lang, tz, labeller)
    if col.fmt == "duration":
        return value / 86400
    return value


def write_table(ws, table: Table, lang: str, params: MetricParams, tz: str, labeller: Labeller,
                first_row: int = 1) -> int:
    """``table`` into worksheet ``ws`` from ``first_row`` (headers bold, numbers formatted); the next free row."""
    from openpyxl.styles import Font

    for k, text in enumerate(headers(table, lang, params), start=1):
        ws.cell(first_row, k, text).font = Font(bold=True)
    r = first_row
    for r, row in enumerate(_rows(table), start=first_row + 1):
        k = 1
        for c in table.columns:
            k = _put(ws, r, k, _cell_value(row.get(c.field), c, lang, tz, labeller), XLSX_FORMATS.get(c.fmt))
            if c.delta:
                k = _put(ws, r, k, _cell_value(row.get(f"{c.field}_delta"), c, lang, tz, labeller),
                         DELTA_FORMATS.get(c.fmt))
        if table.total is row:
            for cell in ws[r]:
                cell.font = Font(bold=True)
    return r + 2


def _put(ws, r: int, k: int, value, number_format: str | None) -> int:
    cell = ws.cell(r, k, inert(value))
    if number_format and value is not None and not isinstance(value, str):
        cell.number_format = number_format
    return k + 1


def _widths(ws) -> None:
    from openpyxl.utils import get_column_letter

    for k, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(k)].width = min(max(10, longest + 2), 48)


def sheet(wb, title: str):
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:MAX_SHEET_TITLE] or "Sheet"
    return wb.create_sheet(clean)


def definitions(wb, tables: Iterable[Table], lang: str, params: MetricParams) -> None:
    """A sheet of every column's definition, as the page's tooltips give them."""
    from openpyxl.styles import Alignment, Font

    ws = sheet(wb, t("definitions", lang))
    ws.append([t("column", lang), t("definition", lang)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    seen = set()
    for table in tables:
        for c in table.columns:
            label, help_text = header(c, lang, params)
            if label not in seen and help_text != label:
                seen.add(label)
                ws.append([label, help_text])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 120
    for row in ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


def xlsx_bytes(tables: Sequence[Table], lang: str, params: MetricParams, tz: str, labeller: Labeller,
               summary=None) -> bytes:
    """A workbook with one sheet per table (after ``summary(wb)``'s sheet, when given) and the definitions."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    if summary is not None:
        summary(wb)
    for table in tables:
        ws = sheet(wb, t(table.title, lang))
        write_table(ws, table, lang, params, tz, labeller)
        ws.freeze_panes = "A2"
        _widths(ws)
    definitions(wb, tables, lang, params)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_sheet(wb, report, lang: str, labeller: Labeller, who: str) -> None:
    """The monthly report's first sheet: what it covers and how it was computed, then the lines' figures against
    their goals and the previous month, the days and intervals missed, the channels and the written appeals."""
    import time

    from openpyxl.styles import Alignment, Font

    from domain.metrics import REPORT

    i, tz = report.inputs, report.inputs.tz
    params = next(iter(report.params.values()), MetricParams())
    ws = wb.create_sheet(t("summary", lang))
    ws.append([t("monthly_title", lang).format(month=local_text(i.start, "%Y-%m", tz))])
    ws["A1"].font = Font(bold=True, size=14)
    prev = i.start - (i.end - i.start)
    facts = [(t("period", lang), f"{local_text(i.start, 'day', tz)} — {local_text(i.end - 1, 'day', tz)} ({tz})"),
             (t("vs_previous", lang), f"{local_text(prev, 'day', tz)} — {local_text(i.start - 1, 'day', tz)}"),
             (t("generated", lang), f"{local_text(time.time(), 'interval', tz)}, {who}"),
             (REPORT["service_level"].label(lang), REPORT["service_level"].help(lang, params))]
    facts += [(labeller(q.name, lang), t("line_goal", lang).format(t=report.params[q.name].threshold_s,
                                                                    goal=f"{q.sl_goal * 100:.0f}"))
              for q in i.queues]
    for name, text in facts:
        ws.append([name, text])
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    row = ws.max_row + 2
    for key in ("lines", "missed", "channels", "appeals"):
        table = report.table(key)
        ws.cell(row, 1, t(table.title, lang)).font = Font(bold=True, size=12)
        row = write_table(ws, table, lang, params, tz, labeller, row + 1)
    _widths(ws)
    ws.column_dimensions["B"].width = 60
