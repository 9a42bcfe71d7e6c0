"""Which buttons a callback call was triggered by.

Dash merges the inputs that change together into one call (a poll tick and a click landing at once, plotly/dash
#1385), and ``ctx.triggered_id`` names only the first of them: a callback that redraws on a tick and acts on a
click must look for the click among all the triggered inputs, or the click is lost.
"""

from __future__ import annotations

from dash import ctx as dash_ctx


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def clicked() -> list[str | dict]:
    """The ids (a string, or a pattern-matching dict) of every button clicked in this call, in Dash's order."""
    ids_of = dash_ctx.triggered_prop_ids
    return [ids_of[item["prop_id"]] for item in dash_ctx.triggered
            if str(item.get("prop_id", "")).endswith(".n_clicks") and item["prop_id"] in ids_of
            and _positive(item.get("value"))]
