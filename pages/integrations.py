"""/integrations: administrators create and revoke the read-only API's tokens and see their use per hour."""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash import ctx as dash_ctx

from components import ids
from components.format import local_time
from components.grids import col, grid
from components.i18n import norm_lang, t
from data_access.api_tokens_repo import SCOPES, ApiTokenRepository, TokenError
from data_access.filters import FilterError, filter_text
from web.access import page_callback
from web.auth import audit
from web.context import ctx, user_login

dash.register_page(__name__, path="/integrations", name="integrations", order=31, title="Интеграции",
                   nav_key="nav_integrations", roles=["admin"])

USAGE_HOURS = 48


def _repo() -> ApiTokenRepository:
    return ApiTokenRepository(ctx().app_db)


def token_rows(lang: str) -> list[dict]:
    tz = ctx().settings.tz
    fmt = "%d.%m.%Y %H:%M"
    return [{"id": v["id"], "name": v["name"],
             "scopes": ", ".join(t(f"scope_{s}", lang) for s in v["scopes"].split(",")),
             "created": local_time(v["created_at"], tz, fmt), "by": v["created_by"],
             "revoked": local_time(v["revoked_at"], tz, fmt) if v["revoked_at"] else t("token_live", lang),
             "used": local_time(v["last_used_at"], tz, fmt) if v["last_used_at"] else ""}
            for v in (tok.view() for tok in _repo().all())]


def token_columns(lang: str) -> list[dict]:
    return [col("name", "name", lang, flex=1), col("scopes", "api_scopes", lang), col("created", "created_at", lang),
            col("by", "created_by", lang), col("revoked", "revoked_at", lang), col("used", "last_used", lang)]


def usage_rows() -> list[dict]:
    tz = ctx().settings.tz
    return [{**u, "id": f"{u['token']}@{u['hour']}", "hour": local_time(u["hour"], tz, "%d.%m %H:00")}
            for u in _repo().usage(time.time() - USAGE_HOURS * 3600)]


def usage_columns(lang: str) -> list[dict]:
    return [col("hour", "hour", lang), col("token", "name", lang, flex=1), col("calls", "api_calls", lang),
            col("refused", "api_refused", lang)]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([
        html.H2(t("api_tokens", lang), className="h5"),
        html.Div(className="panel filters", children=[
            dcc.Input(id=ids.API_NAME, placeholder=t("api_token_name", lang), maxLength=120, className="form-control"),
            dcc.Checklist(id=ids.API_SCOPES, value=["operational"], inline=True, inputClassName="me-1",
                          labelClassName="me-3", options=[{"label": t(f"scope_{s}", lang), "value": s}
                                                          for s in SCOPES]),
            dbc.Button(t("api_create", lang), id=ids.API_CREATE, color="primary", style={"justifySelf": "start"}),
            dbc.Button(t("api_revoke", lang), id=ids.API_REVOKE, color="danger", outline=True,
                       style={"justifySelf": "start"}),
        ]),
        html.Div(id=ids.API_MESSAGE, className="mb-2"),
        grid(ids.API_GRID, token_columns(lang), token_rows(lang), lang, "260px", row_id="id"),
        html.H2(t("api_usage", lang), className="h5 mt-3"),
        grid(ids.API_USAGE, usage_columns(lang), usage_rows(), lang, "260px", row_id="id"),
    ])


def _act(action: str, name: object, scopes: object, lang: str) -> dbc.Alert:
    """Create or revoke a token as the signed-in administrator; the answer to show (the new token once)."""
    try:
        name = filter_text(name, "name", 120)
        if not name:
            raise FilterError(t("api_token_name", lang))
        if action == ids.API_CREATE:
            record, token = _repo().create(name, scopes if isinstance(scopes, list) else [], user_login(), time.time())
            audit("api_token_created", record.name, {"scopes": list(record.scopes)})
            return dbc.Alert([t("api_created", lang).format(name=record.name), html.Br(),
                              html.Code(token, id="api-new-token")], color="success")
        if not _repo().revoke(name, user_login(), time.time()):
            return dbc.Alert(t("api_not_found", lang), color="warning")
        audit("api_token_revoked", name)
        return dbc.Alert(t("api_revoked", lang).format(name=name), color="success")
    except (FilterError, TokenError) as exc:
        return dbc.Alert(str(exc), color="warning", id="api-refused")


@page_callback("/integrations", Output(ids.API_MESSAGE, "children"), Output(ids.API_GRID, "rowData"),
               Output(ids.API_USAGE, "rowData"), Input(ids.API_CREATE, "n_clicks"), Input(ids.API_REVOKE, "n_clicks"),
               State(ids.API_NAME, "value"), State(ids.API_SCOPES, "value"), State(ids.LANG, "data"),
               prevent_initial_call=True)
def manage_tokens(_create, _revoke, name, scopes, lang):
    """Create (the token is shown once, only its hash kept) or revoke a token by name; audited."""
    lang = norm_lang(lang, ctx().settings.lang)
    trigger = dash_ctx.triggered_id
    message = _act(trigger, name, scopes, lang) if trigger in (ids.API_CREATE, ids.API_REVOKE) else None
    return message, token_rows(lang), usage_rows()
