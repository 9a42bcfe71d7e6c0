"""Who may see what: pages by role, and the owner page of every callback output (least privilege).

Pages declare their roles when they register (``dash.register_page(..., roles=[...])``). Callbacks are
registered through :func:`page_callback` (outputs owned by a page) or :func:`shell_callback` (the frame, for any
signed-in user), so the guard can tell from a request which page it serves.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Output

PAGES_CONTENT = "_pages_content"
PAGES_STORE = "_pages_store"
PAGES_LOCATION = "_pages_location"
_OUTPUT_PAGE: dict[str, str] = {}
_SHELL_OUTPUTS: set[str] = {"_pages_dummy"}
HOME_ORDER = ("/wall", "/security", "/audit", "/alerts")


def _key(component_id: Any) -> str:
    """A lookup key of a component id; pattern-matching ids are keyed by their ``type``."""
    if isinstance(component_id, dict):
        return f"{{type:{component_id.get('type')}}}"
    return str(component_id)


def _outputs(args: tuple, kwargs: dict) -> list[Output]:
    found = [a for a in args if isinstance(a, Output)]
    for a in args:
        if isinstance(a, (list, tuple)):
            found += [x for x in a if isinstance(x, Output)]
    out = kwargs.get("output")
    found += [out] if isinstance(out, Output) else [x for x in (out or []) if isinstance(x, Output)]
    return found


def page_callback(path: str, *args, **kwargs):
    """``dash.callback`` for a page: its outputs may only be drawn for roles that may open ``path``."""
    for output in _outputs(args, kwargs):
        _OUTPUT_PAGE[_key(output.component_id)] = path
    return dash.callback(*args, **kwargs)


def shell_callback(*args, **kwargs):
    """``dash.callback`` for the frame around every page (any signed-in user)."""
    for output in _outputs(args, kwargs):
        _SHELL_OUTPUTS.add(_key(output.component_id))
    return dash.callback(*args, **kwargs)


def page_for_path(path: str) -> dict | None:
    for page in dash.page_registry.values():
        if page["path"] == path:
            return page
    return None


def allowed_path(role: str, path: str) -> bool:
    """May ``role`` open the page at ``path`` (query string ignored)? Unknown paths: no."""
    page = page_for_path(path.split("?")[0] or "/")
    return page is not None and role in page.get("roles", ())


def allowed_paths(role: str) -> set[str]:
    return {p["path"] for p in dash.page_registry.values() if role in p.get("roles", ())}


def home(role: str) -> str:
    """The first page a role lands on."""
    paths = allowed_paths(role)
    return next((p for p in HOME_ORDER if p in paths), sorted(paths)[0] if paths else "/logout")


def _request_outputs(body: dict) -> list[dict]:
    outputs = body.get("outputs")
    if isinstance(outputs, dict):
        return [outputs]
    return [o for o in outputs or [] if isinstance(o, dict)]


def check_callback(role: str, body: Any) -> str | None:
    """None when ``role`` may run the callback posted in ``body``, otherwise why not."""
    if not isinstance(body, dict):
        return "malformed callback request"
    outputs = _request_outputs(body)
    if not outputs:
        return "malformed callback request"
    for output in outputs:
        key = _key(output.get("id"))
        if key in (PAGES_CONTENT, PAGES_STORE):  # the router: allowed when the requested page is
            pathname = next((i.get("value") for i in body.get("inputs", []) if isinstance(i, dict)
                             and i.get("id") == PAGES_LOCATION and i.get("property") == "pathname"), None)
            if not isinstance(pathname, str) or not allowed_path(role, pathname):
                return "this page is not available to your role"
        elif key in _SHELL_OUTPUTS:
            continue
        elif key in _OUTPUT_PAGE:
            if not allowed_path(role, _OUTPUT_PAGE[key]):
                return "this page is not available to your role"
        else:
            return "unknown callback"
    return None
