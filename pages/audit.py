"""/audit: the dashboard's own audit trail for administrators (append-only, hash-chained).

Each view checks the chain incrementally (the rows after the last verified one); "verify the whole chain"
re-checks it from the first row.
"""

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
from data_access.audit_repo import ACTION_PATTERN, WIDTHS, ChainCheck
from data_access.filters import FilterError, filter_text
from domain.clock import iso_utc
from web.access import page_callback
from web.auth import audit
from web.context import ctx

dash.register_page(__name__, path="/audit", name="audit", order=30, title="Журнал аудита", nav_key="nav_audit",
                   roles=["admin"])

ROWS = 1000
REVIEWER_DAYS = 7
VERIFY_ALL = "audit-verify-all"


def audit_filter(actor: object, action: object) -> tuple[str | None, str | None]:
    """The page's one check of its filters (values of any JSON type): (actor, action), or FilterError."""
    actor = filter_text(actor, "actor", WIDTHS["actor"])
    action = filter_text(action, "action", WIDTHS["action"])
    if action is not None and not ACTION_PATTERN.fullmatch(action):
        raise FilterError("action: a name such as sign_in or case_close")
    return actor, action


def rows(actor: str | None, action: str | None) -> list[dict]:
    """Entries under filters already checked by audit_filter."""
    entries, _total = ctx().audit.page(actor=actor, action=action, limit=ROWS)
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
            dcc.Input(id=ids.AUDIT_ACTOR, placeholder=t("audit_actor", lang), maxLength=WIDTHS["actor"],
                      className="form-control"),
            dcc.Input(id=ids.AUDIT_ACTION, placeholder=t("action", lang), maxLength=WIDTHS["action"],
                      className="form-control"),
            dbc.Button(t("apply", lang), id=ids.AUDIT_APPLY, color="primary", style={"justifySelf": "start"}),
            dbc.Button(t("verify_all", lang), id=VERIFY_ALL, color="secondary", outline=True,
                       style={"justifySelf": "start"}),
        ]),
        html.Div(id=ids.AUDIT_CHAIN, className="mb-2"),
        reviewer_panel(lang),
        grid(ids.AUDIT_GRID, columns(lang), rows(None, None), lang, "560px", row_id="id"),
    ])


def reviewer_panel(lang: str) -> html.Div:
    """D20 for the data protection officer: reviewers' acts on personal data outside their cases, 7 days."""
    from data_access.reviewer_acts import ReviewerActs
    from domain.detectors.reviewers import findings

    tz = ctx().settings.tz
    source = ReviewerActs(ctx().app_db, tz)
    found = findings(source.acts(time.time() - REVIEWER_DAYS * 86400), source.cover)
    title = html.H3(t("reviewer_findings", lang).format(days=REVIEWER_DAYS), className="h6")
    if not found:
        return html.Div([title, html.Div(t("reviewer_findings_none", lang), className="text-success")],
                        className="panel", id="reviewer-findings")
    head = html.Tr([html.Th(t(k, lang)) for k in ("time", "audit_actor", "action", "reason")] + [html.Th("D20")])
    body = [html.Tr([html.Td(local_time(iso_utc(f.act.ts), tz, "%d.%m.%Y %H:%M")), html.Td(f.act.actor),
                     html.Td(f.act.action), html.Td(f.reason(lang)), html.Td(f"+{f.points}")]) for f in found[:200]]
    return html.Div([title, html.Table([html.Thead(head), html.Tbody(body)], className="simple")],
                    className="panel border-danger", id="reviewer-findings")


def chain_alert(check: ChainCheck, full: bool, lang: str) -> dbc.Alert:
    if not check.intact:
        return dbc.Alert(t("chain_broken", lang).format(id=check.broken_at), color="danger", id="chain-broken")
    text = t("chain_ok", lang) if full else t("chain_ok_new", lang).format(upto=check.upto, n=check.checked)
    return dbc.Alert(text, color="success", id="chain-ok")


@page_callback("/audit", Output(ids.AUDIT_GRID, "rowData"), Output(ids.AUDIT_CHAIN, "children"),
               Input(ids.AUDIT_APPLY, "n_clicks"), Input(VERIFY_ALL, "n_clicks"), State(ids.AUDIT_ACTOR, "value"),
               State(ids.AUDIT_ACTION, "value"), State(ids.LANG, "data"))
def refresh_audit(_n, _verify_all, actor, action, lang):
    """The trail under the filters, and whether its hash chain is intact (the rows since the last check, or the
    whole chain on request). Reviewing it is itself audited, with the check's result."""
    lang = norm_lang(lang, ctx().settings.lang)
    full = dash_ctx.triggered_id == VERIFY_ALL
    check = ctx().audit.check(full=full)
    chain = {"full_check": full, "intact": check.intact, "broken_at": check.broken_at, "checked": check.checked}
    try:
        actor, action = audit_filter(actor, action)
    except FilterError as exc:
        audit("audit_view", "audit_log", {**chain, "filter_refused": str(exc)})
        refusal = dbc.Alert(f"{t('bad_filter', lang)}: {exc}", color="warning", id="filter-error")
        return [], [chain_alert(check, full, lang), refusal]
    audit("audit_view", "audit_log", {**chain, "actor": actor, "action": action})
    return rows(actor, action), chain_alert(check, full, lang)
