"""Request bodies that run one callback of the app as the browser would, with any values (hostile ones too)."""

from __future__ import annotations

import copy
import json

from tests.web.conftest import callback_bodies

GRID_PATTERN = '{"key":["MATCH"],"type":"acc-grid"}'
TRIAGE_PATTERN = '{"action":["ALL"],"type":"case-action"}'
ACK_PATTERN = '{"id":["ALL"],"type":"ack"}'


def body(app, output_part: str, values: dict | None = None, changed: str | None = None) -> dict:
    """The body of the callback whose output spec contains ``output_part``; inputs and states take ``values``
    by component id (None when missing); ``changed`` is the triggering "id.property" (default: the first input)."""
    values = values or {}
    found = copy.deepcopy(next(b for _outputs, b in callback_bodies(app) if output_part in b["output"]))
    for item in found["inputs"] + found["state"]:
        item["value"] = values.get(item["id"])
    first = found["inputs"][0]
    found["changedPropIds"] = [changed or f"{first['id']}.{first['property']}"]
    return found


def _stringify(component_id: dict) -> str:
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def triage_body(app, action: object, values: dict | None = None) -> dict:
    """A click on the triage button ``{"type": "case-action", "action": action}`` (any action, even unknown)."""
    found = body(app, "case-message", values)
    button = {"type": "case-action", "action": action}
    found["inputs"][0] = [{"id": button, "property": "n_clicks", "value": 1}]
    found["changedPropIds"] = [f"{_stringify(button)}.n_clicks"]
    return found


def grid_block_body(app, request: object, applied: object, key: int = 1) -> dict:
    """The access grid asking for a block of rows (``request`` as AG Grid's getRowsRequest) under ``applied``."""
    found = body(app, GRID_PATTERN, {"acc-filter": applied, "lang": "ru"})
    grid = {"type": "acc-grid", "key": key}
    found["outputs"] = {"id": grid, "property": "getRowsResponse"}
    found["inputs"] = [{"id": grid, "property": "getRowsRequest", "value": request}]
    found["changedPropIds"] = [f"{_stringify(grid)}.getRowsRequest"]
    return found


def ack_body(app, alert_id: object) -> dict:
    """A click on an alert's acknowledge button ``{"type": "ack", "id": alert_id}``."""
    found = body(app, "alerts-body", {"lang": "ru"})
    button = {"type": "ack", "id": alert_id}
    index = next(i for i, item in enumerate(found["inputs"]) if item["id"] == ACK_PATTERN)
    found["inputs"][index] = [{"id": button, "property": "n_clicks", "value": 1}]
    found["changedPropIds"] = [f"{_stringify(button)}.n_clicks"]
    return found


def post(client, request_body: dict) -> tuple[int, str]:
    response = client.post("/_dash-update-component", json=request_body)
    return response.status_code, response.get_data(as_text=True)
