"""Who may see what: pages by role, and the owner page of every callback output (least privilege).

Pages declare their roles when they register (``dash.register_page(..., roles=[...])``). Callbacks are
registered through :func:`page_callback` (outputs owned by a page) or :func:`shell_callback` (the frame, for any
signed-in user), so the guard can tell from a request which page it serves.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

import dash
from dash import Output

from web import callback_shape

log = logging.getLogger("hotline.web")
PAGES_CONTENT = "_pages_content"
PAGES_STORE = "_pages_store"
PAGES_LOCATION = "_pages_location"
_OUTPUT_PAGE: dict[str, str] = {}
_SHELL_OUTPUTS: set[str] = {"_pages_dummy"}
HOME_ORDER = ("/wall", "/security", "/audit", "/alerts")
ROLE_HOME = {"manager": "/sla"}  # a role whose first page is not the first of HOME_ORDER it may open


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


class BadCallbackInput(ValueError):
    """A callback could not use the values it was posted (answered 400, never 500)."""


def _refusing_bad_input(func: Callable) -> Callable:
    """``func``, with an exception raised by odd posted values turned into :class:`BadCallbackInput`.

    The guard has checked the request's shape; a value of the wrong type or range (a list where a queue name
    goes, a page index of 10**30) must still give a clear 400, with the traceback in the log.
    """
    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError, UnicodeError) as exc:
            if isinstance(exc, BadCallbackInput):
                raise
            log.warning("callback %s refused its input: %s", func.__name__, exc, exc_info=True)
            raise BadCallbackInput(f"{type(exc).__name__} in {func.__name__}") from exc
    return run


def _registering(decorator: Callable) -> Callable:
    return lambda func: decorator(_refusing_bad_input(func))


def page_callback(path: str, *args, **kwargs):
    """``dash.callback`` for a page: its outputs may only be drawn for roles that may open ``path``."""
    for output in _outputs(args, kwargs):
        _OUTPUT_PAGE[_key(output.component_id)] = path
    return _registering(dash.callback(*args, **kwargs))


def shell_callback(*args, **kwargs):
    """``dash.callback`` for the frame around every page (any signed-in user)."""
    for output in _outputs(args, kwargs):
        _SHELL_OUTPUTS.add(_key(output.component_id))
    return _registering(dash.callback(*args, **kwargs))


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
    if ROLE_HOME.get(role) in paths:
        return ROLE_HOME[role]
    return next((p for p in HOME_ORDER if p in paths), sorted(paths)[0] if paths else "/logout")


def check_callback(role: str, body: Any, callback_map: dict) -> str | None:
    """None when ``role`` may run the callback posted in ``body``, otherwise why not.

    Dash runs the callback named by ``body["output"]`` and hands it the posted values by position, so the request
    is checked against that callback's declared outputs, inputs and state (ids, properties and positions), and
    the page is judged from the value the callback will actually receive.
    """
    spec = callback_map.get(body.get("output")) if isinstance(body, dict) and isinstance(body.get("output"), str) \
        else None
    if spec is None or spec.get("callback") is None:
        return "unknown callback"
    problem = callback_shape.problem(body, spec)
    if problem:
        return f"malformed callback request: {problem}"
    for output in callback_shape.declared_outputs(spec):
        key = _key(output.component_id)
        if key in (PAGES_CONTENT, PAGES_STORE):  # the router: allowed when the page it will draw is
            pathname = callback_shape.posted_value(body, spec, PAGES_LOCATION, "pathname")
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
