"""The alerts page's notification parts: silences (who set them, until when, why) and each delivery's status.

Imported by pages/alerts.py; its callbacks belong to that page (``page_callback("/alerts", ...)``) and check the
role themselves for writing: supervisors, security officers and administrators set silences, and only security
officers and administrators silence cases or see the cases' deliveries.
"""

from __future__ import annotations

import time

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from components import ids
from components.format import local_time
from components.grids import col, grid
from components.i18n import norm_lang, t
from data_access.filters import FilterError, filter_int, filter_text
from data_access.notify_repo import NotifyRepository
from domain.clock import iso_utc
from domain.notify import RouteError, silence_matcher
from web.access import page_callback
from web.auth import audit
from web.clicks import clicked
from web.context import ctx, user_login, user_role

SILENCE_ROLES = {"supervisor", "admin", "security"}
CASE_ROLES = {"security", "admin"}
MAX_SILENCE_HOURS = 24 * 14
DELIVERY_ROWS = 100


def _repo() -> NotifyRepository:
    return NotifyRepository(ctx().app_db)


def silence_rows() -> list[dict]:
    tz = ctx().settings.tz
    return [{**s, "expires_at": local_time(s["expires_at"], tz, "%d.%m %H:%M")}
            for s in _repo().silence_rows(time.time())]


def delivery_rows(lang: str) -> list[dict]:
    tz, role = ctx().settings.tz, user_role()
    hidden = ({"cases"} if role not in CASE_ROLES else set()) | ({"reviewers"} if role != "admin" else set())
    return [{**d, "status": t(f"delivery_{d['status']}", lang),
             "created_at": local_time(d["created_at"], tz, "%d.%m %H:%M:%S"),
             "sent_at": local_time(d["sent_at"], tz, "%H:%M:%S") if d["sent_at"] else ""}
            for d in _repo().recent(DELIVERY_ROWS) if d["kind"] not in hidden]


def sections(lang: str) -> list:
    """The silences (with a form for the roles that may set them) and the deliveries' table."""
    can = user_role() in SILENCE_ROLES
    routes = [{"label": r.name, "value": r.id} for r in _repo().routes()]
    form = html.Div(className="panel filters", children=[
        dcc.Input(id=ids.SILENCE_MATCHER, placeholder=t("silence_matcher", lang), maxLength=120,
                  className="form-control"),
        dcc.Dropdown(id=ids.SILENCE_ROUTE, options=routes, placeholder=t("silence_route", lang)),
        dcc.Input(id=ids.SILENCE_HOURS, type="number", value=2, min=1, max=MAX_SILENCE_HOURS,
                  className="form-control"),
        dcc.Input(id=ids.SILENCE_REASON, placeholder=t("silence_reason", lang), maxLength=500,
                  className="form-control"),
        dbc.Button(t("silence_add", lang), id=ids.SILENCE_ADD, color="warning", style={"justifySelf": "start"}),
        dcc.Input(id=ids.SILENCE_ID, type="number", placeholder="№", className="form-control"),
        dbc.Button(t("silence_end", lang), id=ids.SILENCE_END, color="secondary", outline=True,
                   style={"justifySelf": "start"}),
    ], style=None if can else {"display": "none"})
    return [
        html.H2(t("silences", lang), className="h5 mt-3"), form, html.Div(id=ids.SILENCE_MESSAGE, className="mb-2"),
        grid(ids.SILENCE_GRID, [col("id", "case_id", lang, width=70), col("matcher", "silence_matcher", lang, flex=1),
                                col("route", "route", lang), col("reason", "silence_reason", lang, flex=1),
                                col("created_by", "author", lang), col("expires_at", "expires", lang)],
             silence_rows(), lang, "200px", row_id="id"),
        html.H2(t("deliveries", lang), className="h5 mt-3"),
        grid(ids.DELIVERY_GRID, [col("created_at", "fired_at", lang, width=150), col("route", "route", lang),
                                 col("channel", "route_channel", lang, width=100),
                                 col("subject", "subject", lang, flex=1),
                                 col("status", "delivery_status", lang, width=120),
                                 col("attempts", "attempts", lang, width=90), col("error", "last_error", lang),
                                 col("sent_at", "sent_at", lang, width=110)],
             delivery_rows(lang), lang, "300px", row_id="id"),
    ]


def _add(matcher: object, route_id: object, hours: object, reason: object, lang: str) -> str:
    matcher = silence_matcher(matcher)
    if (matcher.startswith("case:") and user_role() not in CASE_ROLES) or \
            (matcher.startswith("reviewer:") and user_role() != "admin"):
        raise RouteError(t("not_allowed", lang))
    route = filter_int(route_id, "route") if route_id is not None else None
    if route is not None and _repo().route(route) is None:
        raise RouteError(t("route_unknown", lang))
    span = filter_int(hours, "hours")
    if span is None or not 1 <= span <= MAX_SILENCE_HOURS:
        raise RouteError(f"{t('silence_hours', lang)}: 1–{MAX_SILENCE_HOURS}")
    now = time.time()
    silence_id = _repo().add_silence(matcher, route, filter_text(reason, "reason", 500) or "", user_login(), now,
                                     now + span * 3600)
    audit("notify_silence", matcher, {"route": route, "hours": span, "id": silence_id})
    return t("silence_added", lang).format(id=silence_id, until=local_time(iso_utc(now + span * 3600),
                                                                           ctx().settings.tz, "%d.%m %H:%M"))


def _end(silence_id: object, lang: str) -> str:
    number = filter_int(silence_id, "silence")
    if number is None or not _repo().end_silence(number, time.time()):
        raise RouteError(t("silence_unknown", lang))
    audit("notify_silence_end", f"silence:{number}")
    return t("silence_ended", lang).format(id=number)


@page_callback("/alerts", Output(ids.SILENCE_MESSAGE, "children"), Output(ids.SILENCE_GRID, "rowData"),
               Output(ids.DELIVERY_GRID, "rowData"), Input(ids.SILENCE_ADD, "n_clicks"),
               Input(ids.SILENCE_END, "n_clicks"), Input(ids.TICK, "n_intervals"),
               State(ids.SILENCE_MATCHER, "value"), State(ids.SILENCE_ROUTE, "value"),
               State(ids.SILENCE_HOURS, "value"), State(ids.SILENCE_REASON, "value"), State(ids.SILENCE_ID, "value"),
               State(ids.LANG, "data"), prevent_initial_call=True)
def manage_silences(_add_clicks, _end_clicks, _tick, matcher, route_id, hours, reason, silence_id, lang):
    """Set or end a silence (audited), and redraw the silences and the deliveries' status."""
    lang = norm_lang(lang, ctx().settings.lang)
    pressed = [b for b in clicked() if b in (ids.SILENCE_ADD, ids.SILENCE_END)]
    trigger, message = pressed[0] if pressed else None, None
    if trigger is not None:
        try:
            if user_role() not in SILENCE_ROLES:
                raise RouteError(t("not_allowed", lang))
            text = (_add(matcher, route_id, hours, reason, lang) if trigger == ids.SILENCE_ADD
                    else _end(silence_id, lang))
            message = dbc.Alert(text, color="success", id="silence-result")
        except (RouteError, FilterError) as exc:
            message = dbc.Alert(str(exc), color="warning", id="silence-refused")
    return message, silence_rows(), delivery_rows(lang)
