"""/audit: the dashboard's own audit trail for administrators (append-only, hash-chained)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from components import ids
from components.format import local_time
from components.grids import col, grid
from components.i18n import norm_lang, t
from web.access import page_callback
from web.auth import audit
from web.context import ctx

dash.register_page(__name__, path="/audit", name="audit", order=30, title="Журнал аудита", nav_key="nav_audit",
                   roles=["admin"])

ROWS = 1000


def rows(actor: str | None, action: str | None) -> list[dict]:
    entries, _total = ctx().audit.page(actor=(actor or "").strip()[:80] or None,
                                       action=(action or "").strip()[:40] or None, limit=ROWS)
    tz = ctx().settings.tz
    return [{**e, "time": local_time(e["ts"], tz, "%d.%m.%Y %H:%M:%S")} for e in entries]


def columns(lang: str) -> list[dict]:
    return [col("id", "case_id", lang, width=80), col("time", "time", lang, width=170),
            col("actor", "audit_actor", lang), col("role", "audit_role", lang, width=110),
            col("action", "action", lang), col("target", "audit_target", lang),
            col("details", "audit_details", lang, minWidth=300, flex=1), col("ip", "ip", lang, width=130),
            col("hash", "audit_hash", lang, width=130)]


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([
        html.H2(t("nav_audit", lang), className="h5"),
        html.Div(className="panel filters", children=[
            dcc.Input(id=ids.AUDIT_ACTOR, placeholder=t("audit_actor", lang), maxLength=80, className="form-control"),
            dcc.Input(id=ids.AUDIT_ACTION, placeholder=t("action", lang), maxLength=40, className="form-control"),
            dbc.Button(t("apply", lang), id=ids.AUDIT_APPLY, color="primary", style={"justifySelf": "start"}),
        ]),
        html.Div(id=ids.AUDIT_CHAIN, className="mb-2"),
        grid(ids.AUDIT_GRID, columns(lang), rows(None, None), lang, "560px", row_id="id"),
    ])


@page_callback("/audit", Output(ids.AUDIT_GRID, "rowData"), Output(ids.AUDIT_CHAIN, "children"),
               Input(ids.AUDIT_APPLY, "n_clicks"), State(ids.AUDIT_ACTOR, "value"), State(ids.AUDIT_ACTION, "value"),
               State(ids.LANG, "data"))
def refresh_audit(_n, actor, action, lang):
    """The trail under the filters, and whether its hash chain is intact. Reviewing it is itself audited."""
    lang = norm_lang(lang, ctx().settings.lang)
    intact, broken_at = ctx().audit.verify()
    audit("audit_view", "audit_log", {"actor": actor, "action": action})
    chain = dbc.Alert(t("chain_ok", lang), color="success", id="chain-ok") if intact else \
        dbc.Alert(t("chain_broken", lang).format(id=broken_at), color="danger", id="chain-broken")
    return rows(actor, action), chain
