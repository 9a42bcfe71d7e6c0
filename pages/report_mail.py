"""/report-mail: a manager subscribes to the scheduled SLA report (monthly, weekly) by e-mail; administrators see
every subscription. The reports are mailed by the poller (poller/reports.py) through the notification outbox."""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash import ctx as dash_ctx

from components import ids
from components.grids import col, grid
from components.i18n import norm_lang, t
from data_access.subscriptions_repo import SubscriptionError, SubscriptionRepository
from domain.report_schedule import CADENCES
from web.access import page_callback
from web.auth import audit
from web.context import ctx, user_login, user_role

dash.register_page(__name__, path="/report-mail", name="report_mail", order=7, title="Рассылка отчётов",
                   nav_key="nav_report_mail", roles=["manager", "admin"])


def _repo() -> SubscriptionRepository:
    return SubscriptionRepository(ctx().app_db)


def rows(lang: str) -> list[dict]:
    mine = None if user_role() == "admin" else user_login()
    return [{"id": s.id, "login": s.login, "email": s.email, "cadence": t(f"cadence_{s.cadence}", lang),
             "lang": s.lang} for s in _repo().all(login=mine)]


def columns(lang: str) -> list[dict]:
    return [col("login", "login", lang), col("email", "email", lang, flex=1), col("cadence", "cadence", lang),
            col("lang", "language", lang, width=90)]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    s = ctx().settings
    return html.Div([
        html.H2(t("report_mail", lang), className="h5"),
        html.P(t("report_mail_help", lang).format(time=s.report_send_time, tz=s.tz), className="muted"),
        html.Div(className="panel filters", children=[
            dcc.Input(id=ids.SUB_EMAIL, placeholder=t("email", lang), maxLength=200, className="form-control"),
            dcc.Dropdown(id=ids.SUB_CADENCE, value="monthly", clearable=False,
                         options=[{"label": t(f"cadence_{c}", lang), "value": c} for c in CADENCES]),
            dcc.Dropdown(id=ids.SUB_LANG, value=lang, clearable=False, options=["ru", "en"]),
            dbc.Button(t("subscribe", lang), id=ids.SUB_SAVE, color="primary", style={"justifySelf": "start"}),
            dbc.Button(t("unsubscribe", lang), id=ids.SUB_REMOVE, color="secondary", outline=True,
                       style={"justifySelf": "start"}),
        ]),
        html.Div(id=ids.SUB_MESSAGE, className="mb-2"),
        grid(ids.SUB_GRID, columns(lang), rows(lang), lang, "260px", row_id="id"),
    ])


@page_callback("/report-mail", Output(ids.SUB_MESSAGE, "children"), Output(ids.SUB_GRID, "rowData"),
               Input(ids.SUB_SAVE, "n_clicks"), Input(ids.SUB_REMOVE, "n_clicks"), State(ids.SUB_EMAIL, "value"),
               State(ids.SUB_CADENCE, "value"), State(ids.SUB_LANG, "value"), State(ids.LANG, "data"),
               prevent_initial_call=True)
def manage_subscription(_save, _remove, address, cadence, report_lang, lang):
    """Subscribe the signed-in user (or change the address and language), or unsubscribe; audited."""
    lang = norm_lang(lang, ctx().settings.lang)
    trigger, login = dash_ctx.triggered_id, user_login()
    try:
        if trigger == ids.SUB_SAVE:
            _repo().subscribe(login, address, cadence, report_lang, time.time())
            audit("report_subscribed", login, {"cadence": cadence})
            message = dbc.Alert(t("subscribed", lang), color="success", id="sub-result")
        elif trigger == ids.SUB_REMOVE and cadence in CADENCES:
            _repo().unsubscribe(login, cadence)
            audit("report_unsubscribed", login, {"cadence": cadence})
            message = dbc.Alert(t("unsubscribed", lang), color="success", id="sub-result")
        else:
            raise SubscriptionError(f"cadence: one of {', '.join(CADENCES)}")
    except SubscriptionError as exc:
        message = dbc.Alert(str(exc), color="warning", id="sub-refused")
    return message, rows(lang)
