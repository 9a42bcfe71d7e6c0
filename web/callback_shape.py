"""Is a posted Dash callback request shaped like the callback it names? (ids, properties and positions)

Dash runs the callback named by ``body["output"]`` and passes the posted input and state values to it by
position. A request whose entries are in another order, carry other ids, or are missing, would let a value
posted for one input reach another; the guard refuses it before the callback runs.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Output

WILDCARDS = {"ALL", "ALLSMALLER", "MATCH"}
MAX_PATTERN_ITEMS = 2000
MAX_KEY_LEN = 200
MAX_CHANGED = 200
# The value types of the properties whose meaning does not depend on the component.
VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "n_intervals": (int, type(None)), "n_clicks": (int, type(None)),
    "pathname": (str, type(None)), "search": (str, type(None)), "hash": (str, type(None)),
}


def declared_outputs(spec: dict) -> list[Output]:
    """The callback's declared outputs, always as a list."""
    output = spec.get("output")
    return list(output) if isinstance(output, (list, tuple)) else [output]


def _declared_id(id_str: str) -> str | dict:
    return json.loads(id_str) if id_str.startswith("{") else id_str


def _wildcard(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1 and value[0] in WILDCARDS:
        return value[0]
    return None


def _id_matches(posted: Any, declared: str | dict) -> bool:
    if not isinstance(declared, dict):
        return posted == declared
    if not isinstance(posted, dict) or set(posted) != set(declared):
        return False
    for key, want in declared.items():
        got = posted[key]
        if _wildcard(want):
            if not isinstance(got, (str, int, float, bool)) or len(str(got)) > MAX_KEY_LEN:
                return False
        elif got != want:
            return False
    return True


def _entry_matches(entry: Any, declared: str | dict, prop: str) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("property"), str)
            and entry["property"].split("@")[0] == prop and _id_matches(entry.get("id"), declared)
            and isinstance(entry.get("value"), VALUE_TYPES.get(prop, object)))


def _is_multi(declared: str | dict) -> bool:
    """ALL and ALLSMALLER post a list of entries; a plain id or MATCH posts one."""
    return isinstance(declared, dict) and any(_wildcard(v) in ("ALL", "ALLSMALLER") for v in declared.values())


def _slot_problem(posted: Any, declared: str | dict, prop: str) -> bool:
    if _is_multi(declared):
        return not (isinstance(posted, list) and len(posted) <= MAX_PATTERN_ITEMS
                    and all(_entry_matches(e, declared, prop) for e in posted))
    return not _entry_matches(posted, declared, prop)


def _list_problem(name: str, posted: Any, declared: list[dict], missing: bool) -> str | None:
    if missing and not declared:
        return None  # Dash omits an empty list; an explicit null is refused (Dash would fail on it)
    if not isinstance(posted, list) or len(posted) != len(declared):
        return f"{name}: expected {len(declared)} entries"
    for position, (entry, want) in enumerate(zip(posted, declared, strict=True)):
        if _slot_problem(entry, _declared_id(want["id"]), want["property"]):
            return f"{name}[{position}] is not {want['id']}.{want['property']}"
    return None


def _outputs_problem(posted: Any, outputs: list[Output], multi: bool) -> str | None:
    """A callback declared with one Output gets one entry; one declared with a list gets a list (Dash needs it)."""
    if multi != isinstance(posted, list):
        return "outputs: a list exactly when the callback declares a list of outputs"
    entries = posted if multi else [posted]
    if len(entries) != len(outputs):
        return f"outputs: expected {len(outputs)} entries"
    for position, (entry, out) in enumerate(zip(entries, outputs, strict=True)):
        if _slot_problem(entry, _declared_id(out.component_id_str()), out.component_property):
            return f"outputs[{position}] is not {out.component_id_str()}.{out.component_property}"
    return None


def problem(body: dict, spec: dict) -> str | None:
    """Why ``body`` does not match the callback ``spec`` (None when it does)."""
    multi = isinstance(spec.get("output"), (list, tuple))
    found = (_outputs_problem(body.get("outputs"), declared_outputs(spec), multi)
             or _list_problem("inputs", body.get("inputs"), spec.get("inputs", []), "inputs" not in body)
             or _list_problem("state", body.get("state"), spec.get("state", []), "state" not in body))
    if found:
        return found
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > MAX_CHANGED or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of strings"
    return None


def posted_value(body: dict, spec: dict, component_id: str, prop: str) -> Any:
    """The value the callback receives for its declared input or state ``component_id.prop``."""
    for name in ("inputs", "state"):
        for position, want in enumerate(spec.get(name, [])):
            if want["id"] == component_id and want["property"] == prop:
                return body[name][position].get("value")
    return None
