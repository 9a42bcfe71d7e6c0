"""AG Grid tables (virtualised: thousands of rows stay fast) with the app's look and localised headers."""

from __future__ import annotations

import dash_ag_grid as dag

from components.i18n import t
from domain.telephony import AGENT_STATES

STATE_CLASSES = {f"st-{s}": f"params.data && params.data.state == '{s}'"
                 for s in AGENT_STATES}


def col(field: str, header_key: str, lang: str, **extra) -> dict:
    """A column definition whose header is the text of ``header_key`` in ``lang``."""
    return {"field": field, "headerName": t(header_key, lang), **extra}


def state_col(lang: str) -> dict:
    return col("state_label", "state", lang, cellClassRules={k: v for k, v in STATE_CLASSES.items()},
               cellClass="state-cell", width=150)


def grid(grid_id: str, columns: list[dict], rows: list[dict], lang: str, height: str = "320px",
         row_id: str | None = None, **options) -> dag.AgGrid:
    """A read-only grid; ``row_id`` names the field that identifies a row across updates."""
    grid_options = {"theme": {"function": "themeBalham"}, "animateRows": False, "suppressCellFocus": True,
                    "localeText": {"noRowsToShow": t("no_rows", lang)}, **options}
    if row_id:
        grid_options["getRowId"] = {"function": f"params.data.{row_id}"}
    return dag.AgGrid(id=grid_id, columnDefs=columns, rowData=rows, dashGridOptions=grid_options,
                      defaultColDef={"sortable": True, "resizable": True, "filter": False, "minWidth": 80},
                      columnSize="responsiveSizeToFit", style={"height": height, "width": "100%"})
