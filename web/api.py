"""The read-only JSON API, ``/api/v1/...``: the snapshot's operational parts and the SLA report's figures.

Each request carries ``Authorization: Bearer <token>`` of a token an administrator created (scopes operational
and/or reports). Reads only the snapshot and the app database; no personal data (domain/api_views.py); every call is
counted per token and hour (``api_usage``); a token has ``HOTLINE_API_RATE_PER_MINUTE`` calls a minute per web
worker. The OpenAPI description is at ``/api/v1/openapi.json`` (no token needed: it holds no data).
"""

from __future__ import annotations

import io
import json
import logging
import time
from typing import Callable

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy.exc import DBAPIError

from data_access.api_tokens_repo import ApiToken, ApiTokenRepository
from domain import api_views
from web.metrics import bearer
from web.rate_limit import RateLimiter

log = logging.getLogger("hotline.web")
BASE = "/api/v1"
MAX_QUERY_VALUE = 80


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _answer(body, status: int = 200, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _authorised(context, limiter: RateLimiter, scope: str) -> ApiToken:
    """The request's token when it may read ``scope`` now; ApiError (401, 403, 429) otherwise. Counted."""
    tokens = ApiTokenRepository(context.app_db)
    token = tokens.resolve(bearer(request.headers.get("Authorization")))
    if token is None:
        raise ApiError(401, "a valid API token is required (Authorization: Bearer <token>)",
                       {"WWW-Authenticate": 'Bearer realm="api"'})
    now = time.time()
    refusal = None
    if scope not in token.scopes:
        refusal = ApiError(403, f"this token's scopes ({', '.join(token.scopes)}) do not include {scope}")
    else:
        wait = limiter.admit(token.id, now)
        if wait is not None:
            refusal = ApiError(429, "too many requests", {"Retry-After": str(max(1, round(wait)))})
    tokens.record_use(token.id, now, refused=refusal is not None)
    if refusal is not None:
        raise refusal
    return token


def _query(name: str, default: str | None = None) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"{name}: give it once")
    value = values[0] if values else default
    if value is not None and (len(value) > MAX_QUERY_VALUE or not value.isprintable()):
        raise ApiError(400, f"{name}: at most {MAX_QUERY_VALUE} printable characters")
    return value


def _snapshot(context) -> dict:
    _version, snap = context.reader.get()
    if not snap:
        raise ApiError(503, "no snapshot published yet: the poller has not run")
    return snap


def sla_figures(context, now: float) -> dict:
    """The SLA report's figures for a period, as ``python app.py report sla --format json`` prints them."""
    from components.sla_text import write_json
    from data_access.sla_inputs import read_inputs
    from domain.sla import PERIODS, PeriodError, WhatIf, check_granularity, period_bounds
    from domain.sla_report import Request, build

    s = context.settings
    period = _query("period", "custom" if request.args.get("from") else "last_month")
    by, threshold = _query("by", "day"), _query("threshold")
    try:
        if period not in PERIODS:
            raise PeriodError(f"period: one of {', '.join(PERIODS)}")
        start, end = period_bounds(period, now, s.tz, _query("from"), _query("to") or _query("from"))
        check_granularity(by, start, end)
        t_s = int(threshold) if threshold is not None else None
        if t_s is not None and not 1 <= t_s <= 3600:
            raise PeriodError("threshold: 1 to 3600 seconds")
    except PeriodError as exc:
        raise ApiError(400, str(exc)) from exc
    except ValueError as exc:
        raise ApiError(400, "from/to: local days YYYY-MM-DD; threshold: whole seconds") from exc
    queue = _query("queue")
    req = Request(start, end, by, WhatIf(s.sl_variant, t_s, s.short_abandon_s), queues=(queue,) if queue else None)
    report = build(read_inputs(req, s, context.app_db, now=now, parts=("queues",)), ("queues",))
    out = io.StringIO()
    write_json(report, out)
    return json.loads(out.getvalue())


def _operational(name: str, shape: Callable[[dict], object]) -> Callable:
    def view(context, _now: float):
        snap = _snapshot(context)
        return {**api_views.meta(snap), name: shape(snap)}
    return view


ROUTES: dict[str, tuple[str, Callable]] = {
    "queues": ("operational", _operational("queues", api_views.queues)),
    "channels": ("operational", _operational("channels", api_views.channels)),
    "services": ("operational", _operational("services", api_views.services)),
    "alerts": ("operational", _operational("alerts", api_views.alerts)),
    "agents": ("operational", _operational("agents", api_views.agents)),
    "status": ("operational", lambda context, now: api_views.status(_snapshot(context), now)),
    "reports/sla": ("reports", sla_figures),
}


def blueprint(context: Callable[[], object], rate_per_minute: int) -> Blueprint:
    bp = Blueprint("api_v1", __name__, url_prefix=BASE)
    limiter = RateLimiter(rate_per_minute)

    @bp.route("/openapi.json", methods=["GET"])
    def openapi():
        from web.api_openapi import document

        return _answer(document())

    @bp.route("/<path:name>", methods=["GET"])
    def read(name: str):
        if name not in ROUTES:
            raise ApiError(404, "no such resource; see /api/v1/openapi.json")
        scope, view = ROUTES[name]
        ctx = context()
        _authorised(ctx, limiter, scope)
        return _answer(view(ctx, time.time()))

    @bp.route("/", methods=["GET"], strict_slashes=False)
    @bp.route("/<path:name>", methods=["POST", "PUT", "PATCH", "DELETE"])
    def other(name: str = ""):
        raise ApiError(404 if request.method == "GET" else 405, "read-only API; see /api/v1/openapi.json")

    bp.register_error_handler(ApiError, lambda exc: _answer({"error": exc.message}, exc.status, exc.headers))
    bp.register_error_handler(DBAPIError, _database_down)
    return bp


def _database_down(exc: DBAPIError):
    log.error("api: app database unavailable: %s", type(exc).__name__)
    return _answer({"error": "the app database is unavailable"}, 503)


def install_api(server: Flask, context: Callable[[], object], rate_per_minute: int) -> None:
    """The API's routes; any other path under /api/ answers a JSON 404 (never a page of the app)."""
    server.register_blueprint(blueprint(context, rate_per_minute))

    @server.route("/api/", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @server.route("/api/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def api_unknown(_rest: str = ""):
        return _answer({"error": "no such API; see /api/v1/openapi.json"}, 404)
