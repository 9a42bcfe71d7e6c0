"""/security/cases: anomaly cases (operator x day) with their reasons in words, evidence and triage workflow."""

from __future__ import annotations

import time
from datetime import datetime

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.format import local_time
from components.grids import col, grid
from components.i18n import norm_lang, t
from data_access.case_repo import BAND_ORDER, CLOSURES, TriageError
from web.access import page_callback
from web.auth import audit
from web.context import ctx, user_login

dash.register_page(__name__, path="/security/cases", name="security-cases", order=22,
                   title="Случаи — безопасность", nav_key="nav_sec_cases", roles=["security"])

BAND_CLASS = {"info": "secondary", "low": "info", "medium": "warning", "high": "danger", "critical": "danger"}


def _age_h(iso: str | None) -> float | None:
    if not iso:
        return None
    return (time.time() - datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()) / 3600


def case_rows(status: str | None, min_band: str | None, lang: str) -> list[dict]:
    names = ctx().names().all()
    rows = []
    for c in ctx().cases().list(status=status or "open", min_band=min_band or "low"):
        who = names.get(c["operator_id"], {})
        age = _age_h(c["created_at"])
        rows.append({"id": c["id"], "operator": f"{who.get('full_name', '#' + str(c['operator_id']))} "
                                                f"({who.get('login', '')})",
                     "team": who.get("team_name", ""), "day": c["day"], "score": c["score"],
                     "band": t(f"band_{c['band']}", lang), "band_code": c["band"],
                     "status": t(f"case_{c['status']}", lang), "assignee": c["assignee"] or "",
                     "detectors": ", ".join(c["detectors"]), "age_h": round(age, 1) if age is not None else None,
                     "hold": "⚖" if c["legal_hold"] else ""})
    return rows


def columns(lang: str) -> list[dict]:
    bands = {f"band-{b}": f"params.data && params.data.band_code == '{b}'" for b in BAND_ORDER}
    return [col("id", "case_id", lang, width=80), col("operator", "operator", lang, minWidth=220),
            col("team", "team", lang), col("day", "day", lang, width=110), col("score", "score", lang, width=90),
            col("band", "band", lang, width=110, cellClassRules=bands), col("status", "state", lang, width=120),
            col("assignee", "assignee", lang), col("detectors", "detectors", lang, minWidth=160),
            col("age_h", "age_h", lang, width=90), col("hold", "legal_hold", lang, width=70)]


def filters(lang: str) -> html.Div:
    return html.Div(className="panel filters", children=[
        dcc.Dropdown(id=ids.CASES_FILTER, value="open", clearable=False, options=[
            {"label": t(f"cases_{k}", lang), "value": k} for k in ("open", "new", "assigned", "in_review", "closed")]),
        dcc.Dropdown(id="cases-band", value="medium", clearable=False,
                     options=[{"label": t(f"band_{b}", lang), "value": b} for b in BAND_ORDER]),
    ])


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([
        dcc.Store(id=ids.CASE_SELECTED),
        html.H2(t("nav_sec_cases", lang), className="h5"),
        filters(lang),
        grid(ids.CASES_GRID, columns(lang), case_rows("open", "medium", lang), lang, "340px", row_id="id",
             rowSelection={"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}),
        html.Div(id=ids.CASE_MESSAGE, className="mt-2"),
        html.Div(id=ids.CASE_DETAIL, className="mt-2"),
    ])


@page_callback("/security/cases", Output(ids.CASES_GRID, "rowData"), Input(ids.CASES_FILTER, "value"),
               Input("cases-band", "value"), Input(ids.CASE_MESSAGE, "children"), State(ids.LANG, "data"))
def refresh_cases(status, band, _message, lang):
    return case_rows(status, band, norm_lang(lang, ctx().settings.lang))


@page_callback("/security/cases", Output(ids.CASE_SELECTED, "data"), Input(ids.CASES_GRID, "selectedRows"),
               prevent_initial_call=True)
def select_case(rows):
    if not rows:
        raise PreventUpdate
    return rows[0]["id"]


def evidence_table(case: dict, lang: str) -> html.Div:
    ids_ = sorted({i for h in case["hits"] for i in h["access_ids"]})
    rows = ctx().access().rows_by_ids(ids_)
    tz = ctx().settings.tz
    head = html.Tr([html.Th(t(k, lang)) for k in ("time", "citizen", "action", "explained", "ticket", "ip")])
    body = [html.Tr([html.Td(local_time(r["ts"], tz, "%d.%m %H:%M:%S")), html.Td(r["citizen"]),
                     html.Td(r["action"]), html.Td(t("explained_yes" if r["explained"] else "explained_no", lang)),
                     html.Td(r["ticket_id"] or ""), html.Td(r["ip"])]) for r in rows[:300]]
    note = html.Div(t("evidence_purged", lang), className="muted") if len(rows) < len(ids_) else ""
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="case-evidence"), note])


def detail(case: dict, lang: str) -> html.Div:
    names = ctx().names().all()
    who = names.get(case["operator_id"], {})
    tz = ctx().settings.tz
    reasons = sorted(case["hits"], key=lambda h: -h["points"])
    actions = triage_controls(case, lang)
    return html.Div(className="panel", id="case-panel", children=[
        html.H3([f"#{case['id']} · {who.get('full_name', case['operator_id'])} ({who.get('login', '')}) · "
                 f"{case['day']} · ", dbc.Badge(f"{t('band_' + case['band'], lang)} {case['score']}",
                                                color=BAND_CLASS[case["band"]])]),
        html.Div([t("state", lang), ": ", html.B(t(f"case_{case['status']}", lang), id="case-status"),
                  f" · {t('assignee', lang)}: {case['assignee'] or '—'}",
                  f" · {t('legal_hold', lang)}: {t('yes', lang) if case['legal_hold'] else '—'}",
                  f" · {t('incident', lang)}: {case['incident_id'] or '—'}",
                  f" · {t('closure', lang)}: {case['closure'] or '—'}"], className="mb-2"),
        html.H4(t("reasons", lang), className="h6"),
        html.Ul([html.Li(f"{h['detector']} (+{h['points']}): {h['reason_en' if lang == 'en' else 'reason_ru']}")
                 for h in reasons], id="case-reasons"),
        html.H4(t("evidence", lang), className="h6"), evidence_table(case, lang),
        html.H4(t("triage", lang), className="h6 mt-3"), actions,
        html.H4(t("history", lang), className="h6 mt-3"),
        html.Ul([html.Li(f"{local_time(e['ts'], tz, '%d.%m %H:%M')} · {e['actor']} · {e['action']} {e['detail']}")
                 for e in case["events"]], id="case-events"),
    ])


def triage_controls(case: dict, lang: str) -> html.Div:
    btn = lambda action, color: dbc.Button(t(f"do_{action}", lang), id={"type": ids.CASE_ACTION, "action": action},  # noqa: E731
                                           color=color, size="sm", className="me-2 mb-2")
    detectors = sorted({h["detector"] for h in case["hits"]})
    return html.Div([
        html.Div([btn("assign_me", "secondary"), btn("review", "primary"), btn("hold", "secondary"),
                  btn("escalate", "danger")]),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.CASE_CLOSURE, placeholder=t("closure", lang),
                                 options=[{"label": t(f"closure_{c}", lang), "value": c} for c in CLOSURES]), md=3),
            dbc.Col(dcc.Input(id=ids.CASE_NOTE, placeholder=t("closure_note", lang), maxLength=1000,
                              className="form-control"), md=6),
            dbc.Col(btn("close", "success"), md=3),
        ], className="mb-2"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.CASE_ALLOW_DETECTOR, options=detectors, placeholder=t("detector", lang)),
                    md=2),
            dbc.Col(dcc.Dropdown(id=ids.CASE_ALLOW_SCOPE, value="operator", clearable=False, options=[
                {"label": t("scope_operator", lang), "value": "operator"},
                {"label": t("scope_team", lang), "value": "team"}]), md=2),
            dbc.Col(dcc.Input(id=ids.CASE_ALLOW_DAYS, type="number", min=1, max=180, value=30,
                              className="form-control"), md=2),
            dbc.Col(dbc.Checklist(id=ids.CASE_LEAK, options=[{"label": t("leak_suspected", lang), "value": "leak"}],
                                  value=[]), md=3),
            dbc.Col(btn("allow", "warning"), md=3),
        ]),
    ])


@page_callback("/security/cases", Output(ids.CASE_DETAIL, "children"), Input(ids.CASE_SELECTED, "data"),
               Input(ids.CASE_MESSAGE, "children"), State(ids.LANG, "data"), prevent_initial_call=True)
def show_case(case_id, _message, lang):
    """Open a case: its reasons, evidence (masked) and history. Every opening is audited."""
    if case_id is None:
        raise PreventUpdate
    case = ctx().cases().get(int(case_id))
    if case is None:
        return html.Div("—")
    if dash_ctx.triggered_id == ids.CASE_SELECTED:
        audit("case_view", f"case:{case_id}")
    return detail(case, norm_lang(lang, ctx().settings.lang))


@page_callback("/security/cases", Output(ids.CASE_MESSAGE, "children"),
               Input({"type": ids.CASE_ACTION, "action": ALL}, "n_clicks"), State(ids.CASE_SELECTED, "data"),
               State(ids.CASE_CLOSURE, "value"), State(ids.CASE_NOTE, "value"), State(ids.CASE_LEAK, "value"),
               State(ids.CASE_ALLOW_DETECTOR, "value"), State(ids.CASE_ALLOW_SCOPE, "value"),
               State(ids.CASE_ALLOW_DAYS, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def triage(_clicks, case_id, closure, note, leak, detector, scope, days, lang):
    """Apply one triage step; refusals (no closure reason, closed case...) are shown, never raised."""
    trigger = dash_ctx.triggered_id
    if not isinstance(trigger, dict) or not dash_ctx.triggered[0]["value"] or case_id is None:
        raise PreventUpdate
    lang = norm_lang(lang, ctx().settings.lang)
    action = trigger["action"]
    try:
        done = _triage(action, int(case_id), closure, (note or "").strip(), bool(leak), detector, scope, days)
    except TriageError as exc:
        return dbc.Alert(f"{t('triage_refused', lang)}: {exc}", color="warning", id="triage-refused")
    audit(f"case_{action}", f"case:{case_id}", done)
    return dbc.Alert(t("triage_done", lang).format(action=t(f"do_{action}", lang)), color="success",
                     id="triage-done", duration=6000)


def _triage(action: str, case_id: int, closure, note: str, leak: bool, detector, scope, days) -> dict:
    cases, me, now = ctx().cases(), user_login(), time.time()
    if action == "assign_me":
        cases.assign(case_id, me, me, now)
    elif action == "review":
        cases.start_review(case_id, me, now)
    elif action == "close":
        cases.close(case_id, me, closure or "", note, now)
    elif action == "hold":
        case = cases.get(case_id)
        cases.set_hold(case_id, not case["legal_hold"], me, now)
    elif action == "escalate":
        incident = cases.escalate(case_id, me, note or f"case {case_id}", leak, now)
        return {"incident": incident, "leak_suspected": leak}
    elif action == "allow":
        return _allow(cases, case_id, detector, scope, days, note, me, now)
    return {"closure": closure, "note": note[:200]} if action == "close" else {}


def _allow(cases, case_id: int, detector, scope, days, note: str, me: str, now: float) -> dict:
    if not detector:
        raise TriageError("choose a detector")
    case = cases.get(case_id)
    operator_id = case["operator_id"] if scope == "operator" else None
    team_id = ctx().names().all().get(case["operator_id"], {}).get("team_id") if scope == "team" else None
    rule = cases.add_allow_rule(detector, operator_id=operator_id, team_id=team_id, reason=note, actor=me,
                                days=int(days or 30), now=now, case_id=case_id)
    return {"allow_rule": rule, "detector": detector, "scope": scope, "days": days}

