"""/security/cases: anomaly cases (operator x day) with their reasons in words, evidence and triage workflow."""

from __future__ import annotations

import math
import time
from typing import NamedTuple

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.format import local_time
from components.grids import col, grid
from components.i18n import norm_lang, t, t_code, t_refusal, t_system_detail
from data_access.case_repo import TO_CONFIRM
from data_access.filters import FilterError, filter_choice, filter_int, filter_text
from domain.bands import BANDS
from domain.cases import (
    ALLOW_SCOPES,
    CLEARED,
    CLOSED,
    CLOSURES,
    MAX_ALLOW_DAYS,
    STATUSES,
    SYSTEM,
    TRIAGE_ACTIONS,
    TriageError,
    age_hours,
    allowable,
)
from domain.clock import iso_epoch
from domain.detectors.scoring import case_reasons
from domain.operators import OperatorInfo, operator_label
from web.access import page_callback
from web.auth import audit
from web.clicks import clicked
from web.context import ctx, user_login

dash.register_page(__name__, path="/security/cases", name="security-cases", order=22,
                   title="Случаи — безопасность", nav_key="nav_sec_cases", roles=["security"])

BAND_CLASS = {"info": "secondary", "low": "info", "medium": "warning", "high": "danger", "critical": "danger"}
STATUS_FILTERS = ("open", *STATUSES, TO_CONFIRM)
FILTER_MESSAGE = "cases-filter-message"
MAX_NOTE = 1000


def _operator(who: OperatorInfo | None, operator_id: int) -> str:
    """An operator as every review page names them: "Name (login)", or the id while no name is known."""
    return operator_label(who.full_name if who else None, who.login if who and who.login else f"#{operator_id}")


def case_rows(status: str | None, min_band: str | None, lang: str) -> list[dict]:
    names = ctx().names().all()
    now = time.time()
    rows = []
    # Clearances to confirm are listed whatever their band: the info and low days are those cumulative risk counts.
    lowest = BANDS[0] if status == TO_CONFIRM else min_band or "low"
    for c in ctx().cases().list(status=status or "open", min_band=lowest):
        who = names.get(c["operator_id"])
        created = iso_epoch(c["created_at"])
        age = age_hours(created, now) if created is not None else None
        rows.append({"id": c["id"], "operator": _operator(who, c["operator_id"]),
                     "team": who.team_name if who else "", "day": c["day"], "score": c["score"],
                     "band": t(f"band_{c['band']}", lang), "band_code": c["band"],
                     "status": t(f"case_{c['status']}", lang), "assignee": c["assignee"] or "",
                     "detectors": ", ".join(c["detectors"]), "age_h": round(age, 1) if age is not None else None,
                     "hold": "⚖" if c["legal_hold"] else ""})
    return rows


def columns(lang: str) -> list[dict]:
    bands = {f"band-{b}": f"params.data && params.data.band_code == '{b}'" for b in BANDS}
    return [col("id", "case_id", lang, width=80), col("operator", "operator", lang, minWidth=220),
            col("team", "team", lang), col("day", "day", lang, width=110), col("score", "score", lang, width=90),
            col("band", "band", lang, width=110, cellClassRules=bands), col("status", "state", lang, width=120),
            col("assignee", "assignee", lang), col("detectors", "detectors", lang, minWidth=160),
            col("age_h", "age_h", lang, width=90), col("hold", "legal_hold", lang, width=70)]


def case_filter(status: object, band: object) -> tuple[str, str]:
    """The page's check of the list's filters (values of any JSON type): (status, lowest band) or FilterError."""
    return (filter_choice(status, STATUS_FILTERS, "status") or "open",
            filter_choice(band, BANDS, "band") or "low")


def filters(lang: str) -> html.Div:
    return html.Div(className="panel filters", children=[
        dcc.Dropdown(id=ids.CASES_FILTER, value="open", clearable=False, options=[
            {"label": t(f"cases_{k}", lang), "value": k} for k in STATUS_FILTERS]),
        dcc.Dropdown(id="cases-band", value="medium", clearable=False,
                     options=[{"label": t(f"band_{b}", lang), "value": b} for b in BANDS]),
    ])


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([
        dcc.Store(id=ids.CASE_SELECTED),
        html.H2(t("nav_sec_cases", lang), className="h5"),
        filters(lang),
        html.Div(id=FILTER_MESSAGE),
        grid(ids.CASES_GRID, columns(lang), case_rows("open", "medium", lang), lang, "340px", row_id="id",
             rowSelection={"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}),
        html.Div(id=ids.CASE_MESSAGE, className="mt-2"),
        html.Div(id=ids.CASE_DETAIL, className="mt-2"),
    ])


@page_callback("/security/cases", Output(ids.CASES_GRID, "rowData"), Output(FILTER_MESSAGE, "children"),
               Input(ids.CASES_FILTER, "value"), Input("cases-band", "value"), Input(ids.CASE_MESSAGE, "children"),
               State(ids.LANG, "data"))
def refresh_cases(status, band, _message, lang):
    lang = norm_lang(lang, ctx().settings.lang)
    try:
        status, band = case_filter(status, band)
    except FilterError as exc:
        return [], dbc.Alert(f"{t('bad_filter', lang)}: {exc}", color="warning", id="filter-error")
    return case_rows(status, band, lang), None


@page_callback("/security/cases", Output(ids.CASE_SELECTED, "data"), Input(ids.CASES_GRID, "selectedRows"),
               prevent_initial_call=True)
def select_case(rows):
    """The selected row's case id (checked again, as any posted value, when the case is opened)."""
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        raise PreventUpdate
    return rows[0].get("id")


def evidence_table(case: dict, lang: str) -> html.Div:
    ids_ = sorted({i for h in case["hits"] for i in h.access_ids})
    rows = ctx().access().rows_by_ids(ids_)
    tz = ctx().settings.tz
    head = html.Tr([html.Th(t(k, lang)) for k in ("time", "citizen", "action", "explained", "ticket", "ip")])
    body = [html.Tr([html.Td(local_time(r["ts"], tz, "%d.%m %H:%M:%S")), html.Td(r["citizen"]),
                     html.Td(t_code("action", r["action"], lang)),
                     html.Td(t("explained_yes" if r["explained"] else "explained_no", lang)),
                     html.Td(r["ticket_id"] or ""), html.Td(r["ip"])]) for r in rows[:300]]
    note = html.Div(t("evidence_purged", lang), className="muted") if len(rows) < len(ids_) else ""
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="case-evidence"), note])


def detail(case: dict, lang: str) -> html.Div:
    who = ctx().names().all().get(case["operator_id"])
    tz = ctx().settings.tz
    actions = triage_controls(case, lang)
    return html.Div(className="panel", id="case-panel", children=[
        dcc.Store(id=ids.CASE_SEEN, data=case["closed_at"]),
        html.H3([f"#{case['id']} · {_operator(who, case['operator_id'])} · "
                 f"{case['day']} · ", dbc.Badge(f"{t('band_' + case['band'], lang)} {case['score']}",
                                                color=BAND_CLASS[case["band"]])]),
        html.Div([t("state", lang), ": ", html.B(t(f"case_{case['status']}", lang), id="case-status"),
                  f" · {t('assignee', lang)}: {case['assignee'] or '—'}",
                  f" · {t('legal_hold', lang)}: {t('yes', lang) if case['legal_hold'] else '—'}",
                  f" · {t('incident', lang)}: {case['incident_id'] or '—'}",
                  f" · {t('closure', lang)}: {t('closure_' + case['closure'], lang) if case['closure'] else '—'}",
                  *clearance_note(case, lang)],
                 className="mb-2"),
        html.H4(t("reasons", lang), className="h6"),
        html.Ul([html.Li(line) for line in case_reasons(case["hits"], lang)], id="case-reasons"),
        html.H4(t("evidence", lang), className="h6"), evidence_table(case, lang),
        html.H4(t("triage", lang), className="h6 mt-3"), actions,
        html.H4(t("case_history", lang), className="h6 mt-3"),
        html.Ul([html.Li(f"{local_time(e['ts'], tz, '%d.%m %H:%M')} · {t_code('actor', e['actor'], lang)} · "
                         f"{t_code('event', e['action'], lang)} {event_detail(e, lang)}")
                 for e in case["events"]], id="case-events"),
    ])


def clearance_note(case: dict, lang: str) -> list:
    """For a case closed as a false or benign positive: whether a second officer has confirmed the clearance (it
    takes the day out of cumulative risk only then, unless the four-eyes setting is off)."""
    if case["status"] != CLOSED or case["closure"] not in CLEARED:
        return []
    if case["confirmed_by"]:
        state = t("clearance_confirmed", lang).format(who=case["confirmed_by"])
    elif ctx().settings.security_clearance_second_officer:
        state = t("clearance_pending", lang)
    else:
        state = t("clearance_single", lang)
    return [f" · {t('clearance', lang)}: ", html.Span(state, id="case-clearance")]


def event_detail(event: dict, lang: str) -> str:
    """A history line's detail; a closure's reason (stored as 'false_positive: why') and a confirmed one in words."""
    reason, _, why = event["detail"].partition(": ")
    if event["action"] == "closed" and reason in CLOSURES:
        return f"{t('closure_' + reason, lang)}: {why}"
    if event["action"] == "confirmed" and event["detail"] in CLOSURES:
        return t("closure_" + event["detail"], lang)
    return t_system_detail(event["detail"], lang) if event.get("actor") == SYSTEM else event["detail"]


def triage_controls(case: dict, lang: str) -> html.Div:
    btn = lambda action, color: dbc.Button(t(f"do_{action}", lang), id=triage_button(action),  # noqa: E731
                                           color=color, size="sm", className="me-2 mb-2")
    detectors = sorted({h.detector for h in case["hits"]})
    return html.Div([
        html.Div([btn("assign_me", "secondary"), btn("review", "primary"), btn("hold", "secondary"),
                  btn("escalate", "danger")]),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.CASE_CLOSURE, placeholder=t("closure", lang),
                                 options=[{"label": t(f"closure_{c}", lang), "value": c} for c in CLOSURES]), md=3),
            dbc.Col(dcc.Input(id=ids.CASE_NOTE, placeholder=t("closure_note", lang), maxLength=1000,
                              className="form-control"), md=6),
            dbc.Col([btn("close", "success"), btn("confirm", "outline-success")], md=3),
        ], className="mb-2"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.CASE_ALLOW_DETECTOR, options=detectors, placeholder=t("detector", lang)),
                    md=2),
            dbc.Col(dcc.Dropdown(id=ids.CASE_ALLOW_SCOPE, value="operator", clearable=False, options=[
                {"label": t(f"scope_{scope}", lang), "value": scope} for scope in ALLOW_SCOPES]), md=2),
            dbc.Col(dcc.Input(id=ids.CASE_ALLOW_DAYS, type="number", min=1, max=MAX_ALLOW_DAYS, value=30,
                              className="form-control"), md=2),
            dbc.Col(dbc.Checklist(id=ids.CASE_LEAK, options=[{"label": t("leak_suspected", lang), "value": "leak"}],
                                  value=[]), md=3),
            dbc.Col(btn("allow", "warning"), md=3),
        ]),
    ])


def triage_button(action: str) -> dict:
    """The id of a triage button; only the actions of TRIAGE_ACTIONS have one."""
    if action not in TRIAGE_ACTIONS:
        raise ValueError(f"not a triage action: {action}")
    return {"type": ids.CASE_ACTION, "action": action}


def _case_id(value: object) -> int:
    """A case id as the browser sent it (any JSON type), or TriageError."""
    try:
        case_id = filter_int(value, "case")
    except FilterError as exc:
        raise TriageError(str(exc)) from None
    if case_id is None:
        raise TriageError("choose a case")
    return case_id


@page_callback("/security/cases", Output(ids.CASE_DETAIL, "children"), Input(ids.CASE_SELECTED, "data"),
               Input(ids.CASE_MESSAGE, "children"), State(ids.LANG, "data"), prevent_initial_call=True)
def show_case(case_id, _message, lang):
    """Open a case: its reasons, evidence (masked) and history. Every opening is audited."""
    if case_id is None:
        raise PreventUpdate
    lang = norm_lang(lang, ctx().settings.lang)
    try:
        case_id = _case_id(case_id)
    except TriageError as exc:
        return dbc.Alert(f"{t('bad_filter', lang)}: {exc}", color="warning", id="filter-error")
    case = ctx().cases().get(case_id)
    if case is None:
        return html.Div("—")
    # Every drawing of the evidence is a view, whatever the browser says triggered it (a redraw after triage too).
    audit("case_view", f"case:{case_id}", None if dash_ctx.triggered_id == ids.CASE_SELECTED else {"redraw": True})
    return detail(case, lang)


class TriageRequest(NamedTuple):
    """A triage click and the form around it, checked (a NamedTuple: Dash loads pages outside sys.modules)."""

    action: str
    case_id: int
    closure: str | None
    note: str
    leak: bool
    detector: str | None
    scope: str
    days: int
    seen_closed_at: float | None = None


def _days(value: object) -> int:
    """The allow-rule's lifetime in days: a whole number from 1 to MAX_ALLOW_DAYS (30 when empty)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    days = filter_int(value, "days", 3)
    if days is None:
        return 30
    if not 1 <= days <= MAX_ALLOW_DAYS:
        raise FilterError(f"days: a whole number from 1 to {MAX_ALLOW_DAYS}")
    return days


def _seen(value: object) -> float | None:
    """The closing time the page showed (ISO), as an epoch; anything else None (a confirmation is then refused)."""
    try:
        return iso_epoch(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        return None


def triage_request(action: object, case_id: object, closure: object, note: object, leak: object,
                   detector: object, scope: object, days: object, seen: object = None) -> TriageRequest:
    """The page's one check of a triage click (values of any JSON type): a TriageRequest, or TriageError with a
    message for the screen. Only the actions of TRIAGE_ACTIONS pass; nothing else is done or audited."""
    if not isinstance(action, str) or action not in TRIAGE_ACTIONS:
        raise TriageError("unknown action")
    try:
        return TriageRequest(action, _case_id(case_id), filter_choice(closure, CLOSURES, "closure"),
                             filter_text(note, "note", MAX_NOTE) or "", isinstance(leak, list) and "leak" in leak,
                             filter_text(detector, "detector", 4), filter_choice(scope, ALLOW_SCOPES, "scope")
                             or "operator", _days(days), _seen(seen))
    except FilterError as exc:
        raise TriageError(str(exc)) from None


@page_callback("/security/cases", Output(ids.CASE_MESSAGE, "children"),
               Input({"type": ids.CASE_ACTION, "action": ALL}, "n_clicks"), State(ids.CASE_SELECTED, "data"),
               State(ids.CASE_CLOSURE, "value"), State(ids.CASE_NOTE, "value"), State(ids.CASE_LEAK, "value"),
               State(ids.CASE_ALLOW_DETECTOR, "value"), State(ids.CASE_ALLOW_SCOPE, "value"),
               State(ids.CASE_ALLOW_DAYS, "value"), State(ids.CASE_SEEN, "data"), State(ids.LANG, "data"),
               prevent_initial_call=True)
def triage(_clicks, case_id, closure, note, leak, detector, scope, days, seen, lang):
    """Apply one triage step; refusals (unknown action, no closure reason, closed case...) are shown, never raised."""
    pressed = [b for b in clicked() if isinstance(b, dict)]
    if not pressed or case_id is None:
        raise PreventUpdate
    trigger = pressed[0]
    lang = norm_lang(lang, ctx().settings.lang)
    try:
        request = triage_request(trigger.get("action"), case_id, closure, note, leak, detector, scope, days, seen)
        done = TRIAGE_STEPS[request.action](ctx().cases(), request, user_login(), time.time())
    except TriageError as exc:
        return dbc.Alert(f"{t('triage_refused', lang)}: {t_refusal(str(exc), lang)}", color="warning",
                         id="triage-refused")
    audit(f"case_{request.action}", f"case:{request.case_id}", done)
    return dbc.Alert(t("triage_done", lang).format(action=t(f"do_{request.action}", lang)), color="success",
                     id="triage-done", duration=6000)


def _existing(cases, case_id: int) -> dict:
    case = cases.get(case_id)
    if case is None:
        raise TriageError("no such case")
    return case


def _assign_me(cases, r: TriageRequest, me: str, now: float) -> dict:
    cases.assign(r.case_id, me, me, now)
    return {}


def _review(cases, r: TriageRequest, me: str, now: float) -> dict:
    cases.start_review(r.case_id, me, now)
    return {}


def _close(cases, r: TriageRequest, me: str, now: float) -> dict:
    cases.close(r.case_id, me, r.closure or "", r.note, now)
    return {"closure": r.closure, "note": r.note[:200]}


def _hold(cases, r: TriageRequest, me: str, now: float) -> dict:
    cases.set_hold(r.case_id, not _existing(cases, r.case_id)["legal_hold"], me, now)
    return {}


def _escalate(cases, r: TriageRequest, me: str, now: float) -> dict:
    incident = cases.escalate(r.case_id, me, r.note or f"case {r.case_id}", r.leak, now)
    return {"incident": incident, "leak_suspected": r.leak}


def _allow(cases, r: TriageRequest, me: str, now: float) -> dict:
    case = _existing(cases, r.case_id)
    detector = allowable(r.detector, (h.detector for h in case["hits"]))
    operator_id = case["operator_id"] if r.scope == "operator" else None
    who = ctx().names().all().get(case["operator_id"]) if r.scope == "team" else None
    team_id = who.team_id if who else None
    rule = cases.add_allow_rule(detector, operator_id=operator_id, team_id=team_id, reason=r.note, actor=me,
                                days=r.days, now=now, case_id=r.case_id)
    return {"allow_rule": rule, "detector": r.detector, "scope": r.scope, "days": r.days}


def _confirm(cases, r: TriageRequest, me: str, now: float) -> dict:
    cases.confirm_clearance(r.case_id, me, now, r.seen_closed_at)
    return {}


TRIAGE_STEPS = {"assign_me": _assign_me, "review": _review, "close": _close, "hold": _hold, "escalate": _escalate,
                "allow": _allow, "confirm": _confirm}
