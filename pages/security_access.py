"""/security/access: the access-log review for security officers (filters, server-side paging, timelines,
who opened a record, audited reveal of a citizen, CSV export with its SHA-256 in the audit trail)."""

from __future__ import annotations

import csv
import hashlib
import io
import time

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update, set_props
from dash.exceptions import PreventUpdate

from components import ids
from components.charts import theme_neutral
from components.format import local_time
from components.i18n import norm_lang, t, t_code
from data_access.access_repo import MAX_OFFSET, MAX_PAGE, AccessFilter, FilterError
from data_access.filters import filter_int, filter_text
from domain.clock import day_add, iso_utc, local_day
from domain.detectors.model import ACTIONS
from web.access import page_callback
from web.auth import audit
from web.context import ctx

dash.register_page(__name__, path="/security/access", name="security-access", order=21,
                   title="Журнал доступа — безопасность", nav_key="nav_sec_access", roles=["security"])

EXPORT_MAX = 100_000
TIMELINE_MAX = 5000
WHO_MAX = 100_000
FIELDS = ("since", "until", "operator", "citizen", "action", "explained")
MAX_REASON = 300


def filter_form(lang: str) -> html.Div:
    today = local_day(time.time(), ctx().settings.tz)  # the hotline's today (HOTLINE_TZ), not the server's
    field = lambda label, component: html.Div([dbc.Label(t(label, lang)), component])  # noqa: E731
    return html.Div(className="panel filters", children=[
        field("since_date", dcc.Input(id=ids.ACC_SINCE, type="date", value=day_add(today, -1),
                                      className="form-control")),
        field("until", dcc.Input(id=ids.ACC_UNTIL, type="date", value=today, className="form-control")),
        field("operator", dcc.Input(id=ids.ACC_OPERATOR, placeholder=t("operator_hint", lang), maxLength=64,
                                    className="form-control", debounce=True)),
        field("citizen_id", dcc.Input(id=ids.ACC_CITIZEN, placeholder="12345", maxLength=64,
                                      className="form-control", debounce=True)),
        field("action", dcc.Dropdown(id=ids.ACC_ACTION, options=[{"label": t_code("action", a, lang), "value": a}
                                                                 for a in ACTIONS])),
        field("explained", dcc.Dropdown(id=ids.ACC_EXPLAINED, options=[
            {"label": t("explained_yes", lang), "value": "yes"}, {"label": t("explained_no", lang), "value": "no"}])),
        html.Div([dbc.Button(t("apply", lang), id=ids.ACC_APPLY, color="primary", className="mt-4 me-2"),
                  dbc.Button(t("export_csv", lang), id=ids.ACC_EXPORT, color="secondary", outline=True,
                             className="mt-4")]),
    ])


def columns(lang: str) -> list[dict]:
    return [{"field": "time", "headerName": t("time", lang), "minWidth": 150},
            {"field": "operator_label", "headerName": t("operator", lang), "minWidth": 280},
            {"field": "operator_id", "headerName": t("operator_id", lang), "width": 110},
            {"field": "citizen", "headerName": t("citizen", lang)},
            {"field": "citizen_id", "headerName": "ID", "width": 100},
            {"field": "action_label", "headerName": t("action", lang), "width": 110},
            {"field": "explained_label", "headerName": t("explained", lang), "width": 120,
             "cellClassRules": {"text-danger fw-bold": "params.data && !params.data.explained"}},
            {"field": "reason_label", "headerName": t("reason", lang), "width": 140},
            {"field": "link_label", "headerName": t("link", lang), "width": 190},
            {"field": "ticket_id", "headerName": t("ticket", lang), "width": 110},
            {"field": "call_id", "headerName": t("call", lang)},
            {"field": "ip", "headerName": "IP", "width": 130}]


def results_grid(lang: str, key: int) -> dag.AgGrid:
    """An AG Grid fed page by page from the server (millions of rows never travel at once)."""
    return dag.AgGrid(id={"type": ids.ACC_GRID, "key": key}, columnDefs=columns(lang), rowModelType="infinite",
                      dashGridOptions={"theme": {"function": "themeBalham"}, "cacheBlockSize": 100,
                                       "maxBlocksInCache": 20, "infiniteInitialRowCount": 100,
                                       "suppressCellFocus": True},
                      defaultColDef={"sortable": False, "resizable": True}, columnSize="responsiveSizeToFit",
                      style={"height": "480px", "width": "100%"})


def reveal_panel(lang: str) -> html.Div:
    return html.Div(className="panel", children=[
        html.H3(t("reveal_title", lang)),
        html.Div(t("reveal_help", lang), className="muted mb-2"),
        dbc.Row([dbc.Col(dcc.Input(id=ids.ACC_REVEAL_ID, placeholder="ID", maxLength=12,
                                   className="form-control"), md=2),
                 dbc.Col(dcc.Input(id=ids.ACC_REVEAL_REASON, placeholder=t("reveal_reason", lang), maxLength=300,
                                   className="form-control"), md=7),
                 dbc.Col(dbc.Button(t("reveal", lang), id=ids.ACC_REVEAL, color="danger", outline=True), md=3)]),
        html.Div(id=ids.ACC_REVEAL_OUT, className="mt-2"),
    ])


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    return html.Div([
        dcc.Store(id=ids.ACC_FILTER), dcc.Download(id=ids.ACC_DOWNLOAD),
        html.H2(t("nav_sec_access", lang), className="h5"),
        filter_form(lang),
        html.Div(id=ids.ACC_MESSAGE),
        html.Div(results_grid(lang, 0), id=ids.ACC_GRID_WRAP, className="panel"),
        dbc.Row([dbc.Col(html.Div(id=ids.ACC_TIMELINE, className="panel"), md=7),
                 dbc.Col(html.Div(id=ids.ACC_WHO, className="panel"), md=5)]),
        reveal_panel(lang),
    ])


def _parse(values: object) -> AccessFilter:
    """The page's one check of the filters (as the form or the browser's copy sends them, of any JSON type):
    a valid filter, or FilterError. An operator given by login or name is looked up among the operators."""
    if not isinstance(values, dict):
        raise FilterError("filter: apply the filters again")
    fields = {name: values.get(name) for name in FIELDS}
    operator = filter_text(fields["operator"], "operator")
    if operator and not (operator.isascii() and operator.isdigit()):
        found = ctx().names().find(operator)
        if not found:
            raise FilterError("operator: nobody with that login or name")
        if len(found) > 1:   # never guess: the journal read must be the one the audit trail names
            raise FilterError("operator: several operators match; give the login")
        operator = str(found[0])
    return AccessFilter.parse(fields["since"], fields["until"], operator, fields["citizen"], fields["action"],
                              fields["explained"], ctx().settings.tz)


def audited_filter(flt: AccessFilter) -> dict:
    """The filter as applied - checked, the operator resolved to an id - which is what the audit trail keeps (and
    D20 judges), never the browser's raw values (padded or oversized ones would hide what was read)."""
    return {"since": iso_utc(flt.since), "until": iso_utc(flt.until), "operator": flt.operator_id,
            "citizen": flt.citizen_id, "action": flt.action, "explained": flt.explained}


def _block(request: object) -> tuple[int, int]:
    """The grid's request for a block of rows as (offset, size); FilterError unless whole numbers in range."""
    if not isinstance(request, dict):
        raise FilterError("page: a block of rows is expected")
    start, end = request.get("startRow", 0), request.get("endRow", 100)
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)):
        raise FilterError("page: row numbers are expected")
    if not 0 <= start <= MAX_OFFSET or not start < end <= start + MAX_PAGE:
        raise FilterError(f"page: rows 0 to {MAX_OFFSET}, at most {MAX_PAGE} at a time")
    return start, end - start


def _clicks(n: object) -> int:
    """A button's click count as the browser sent it (the grid's key): anything odd counts as 0."""
    return n if isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_OFFSET else 0


def _refusal(exc: FilterError, lang: str) -> dbc.Alert:
    """The one message for every rejected filter or form value (it never repeats the value)."""
    return dbc.Alert(f"{t('bad_filter', lang)}: {exc}", color="warning", id="filter-error")


def _display(rows: list[dict], lang: str) -> list[dict]:
    tz = ctx().settings.tz
    return [{**r, "time": local_time(r["ts"], tz, "%d.%m %H:%M:%S"),
             "action_label": t_code("action", r["action"], lang), "reason_label": t_code("reason", r["reason"], lang),
             "explained_label": t("explained_yes" if r["explained"] else "explained_no", lang),
             "link_label": link_label(r, lang)} for r in rows]


def link_label(row: dict, lang: str) -> str:
    """Which link explained the access: 'own call №12', 'team's ticket №34', 'allow-rule №5', or ''."""
    if not row.get("link"):
        return ""
    return f"{t_code('reason', row['link'], lang)} №{row['link_id']}"


@page_callback(
    "/security/access", Output(ids.ACC_FILTER, "data"), Output(ids.ACC_MESSAGE, "children"),
    Output(ids.ACC_GRID_WRAP, "children"), Output(ids.ACC_TIMELINE, "children"), Output(ids.ACC_WHO, "children"),
    Input(ids.ACC_APPLY, "n_clicks"), State(ids.ACC_SINCE, "value"), State(ids.ACC_UNTIL, "value"),
    State(ids.ACC_OPERATOR, "value"), State(ids.ACC_CITIZEN, "value"), State(ids.ACC_ACTION, "value"),
    State(ids.ACC_EXPLAINED, "value"), State(ids.LANG, "data"),
)
def apply_filter(n, since, until, operator, citizen, action, explained, lang):
    """Validate the filters, audit the view, and reset the grid to the first page of the new selection."""
    lang = norm_lang(lang, ctx().settings.lang)
    values = {"since": since, "until": until, "operator": operator, "citizen": citizen, "action": action,
              "explained": explained}
    try:
        flt = _parse(values)
    except FilterError as exc:
        return None, _refusal(exc, lang), results_grid(lang, _clicks(n)), "", ""
    total = ctx().access().count(flt)
    audit("access_log_view", "access_log", {"filter": audited_filter(flt), "rows": total})
    message = html.Div(f"{t('rows_found', lang)}: {total}", className="muted", id="rows-found")
    return (values, message, results_grid(lang, _clicks(n)), timeline(flt, lang), who_opened(flt, lang))


@page_callback("/security/access", Output({"type": ids.ACC_GRID, "key": dash.MATCH}, "getRowsResponse"),
               Input({"type": ids.ACC_GRID, "key": dash.MATCH}, "getRowsRequest"), State(ids.ACC_FILTER, "data"),
               State(ids.LANG, "data"))
def page_rows(request, values, lang):
    """One block of rows for the grid, read with OFFSET/LIMIT under the applied filter."""
    if not request or values is None:
        raise PreventUpdate
    lang = norm_lang(lang, ctx().settings.lang)
    try:
        flt, (start, size) = _parse(values), _block(request)
    except FilterError as exc:
        set_props(ids.ACC_MESSAGE, {"children": _refusal(exc, lang)})
        return {"rowData": [], "rowCount": 0}
    rows = ctx().access().page(flt, start, size)
    # Every block a reviewer reads is a view of the log (the filter comes from the browser: it is audited too).
    audit("access_log_rows", "access_log", {"filter": audited_filter(flt), "from_row": start, "rows": len(rows)})
    last = start + len(rows) if len(rows) < size else -1
    return {"rowData": _display(rows, lang), "rowCount": last}


def timeline(flt: AccessFilter, lang: str):
    """The operator's accesses over time (explained and not), when one operator is chosen."""
    if flt.operator_id is None:
        return html.Div(t("timeline_hint", lang), className="muted")
    rows = ctx().access().newest(flt, TIMELINE_MAX)[::-1]  # the newest accesses, drawn in time order
    tz = ctx().settings.tz
    fig = go.Figure()
    for explained, colour in ((True, "#2fd37a"), (False, "#ff4a4a")):
        part = [r for r in rows if r["explained"] == explained]
        fig.add_scatter(x=[local_time(r["ts"], tz, "%Y-%m-%d %H:%M:%S") for r in part],
                        y=[t_code("action", r["action"], lang) for r in part], mode="markers",
                        marker={"color": colour, "size": 7},
                        name=t("explained_yes" if explained else "explained_no", lang),
                        text=[r["citizen"] for r in part])
    theme_neutral(fig, 260)
    fig.update_layout(margin={"l": 90})  # the actions' names in Russian
    fig.update_xaxes(tickformat="%d.%m %H:%M")  # plotly's default names the month in English
    return [html.H3(t("operator_timeline", lang)), dcc.Graph(figure=fig, config={"displayModeBar": False},
                                                             id="acc-timeline-graph")]


def who_opened(flt: AccessFilter, lang: str):
    """Who opened this citizen's record in the period: operators with counts, explained or not."""
    if flt.citizen_id is None:
        return html.Div(t("who_hint", lang), className="muted")
    rows = ctx().access().newest(AccessFilter(flt.since, flt.until, citizen_id=flt.citizen_id), WHO_MAX)
    per: dict[str, list[dict]] = {}
    for r in rows:
        per.setdefault(f"{r['operator_label']} · #{r['operator_id']}", []).append(r)
    tz = ctx().settings.tz
    body = [html.Tr([html.Td(op), html.Td(len(items)), html.Td(sum(1 for r in items if not r["explained"])),
                     html.Td(local_time(items[-1]["ts"], tz, "%d.%m %H:%M")),
                     html.Td(local_time(items[0]["ts"], tz, "%d.%m %H:%M"))])
            for op, items in sorted(per.items(), key=lambda kv: -len(kv[1]))]
    head = html.Tr([html.Th(t(k, lang)) for k in ("operator", "accesses", "explained_no", "first", "last")])
    return [html.H3(t("who_opened", lang)), html.Table([html.Thead(head), html.Tbody(body)], className="simple",
                                                       id="who-opened")]


@page_callback("/security/access", Output(ids.ACC_DOWNLOAD, "data"), Output(ids.ACC_MESSAGE, "children",
                                                                            allow_duplicate=True),
               Input(ids.ACC_EXPORT, "n_clicks"), State(ids.ACC_FILTER, "data"), State(ids.LANG, "data"),
               prevent_initial_call=True)
def export_csv(_n, values, lang):
    """The applied selection as CSV (masked citizens); its SHA-256 goes to the audit trail."""
    lang = norm_lang(lang, ctx().settings.lang)
    if values is None:
        return no_update, dbc.Alert(t("apply_first", lang), color="info")
    try:
        flt = _parse(values)
    except FilterError as exc:
        return no_update, _refusal(exc, lang)
    total = ctx().access().count(flt)
    rows = ctx().access().newest(flt, EXPORT_MAX)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    fields = ["ts", "operator", "operator_name", "operator_id", "citizen", "citizen_id", "action", "explained",
              "reason", "link", "link_id", "ticket_id", "call_id", "ip"]
    writer.writerow(fields)
    writer.writerows([[r[f] for f in fields] for r in rows])
    content = buffer.getvalue().encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    audit("export", "access_log", {"filter": audited_filter(flt), "rows": len(rows), "selected": total,
                                   "sha256": digest})
    name = f"access-log-{local_time(iso_utc(time.time()), ctx().settings.tz, '%Y%m%d-%H%M%S')}.csv"
    text = t("exported", lang).format(n=len(rows))
    if total > len(rows):  # never a silent cut: the reviewer is told the file holds the newest part only
        text += " " + t("export_cut", lang).format(n=len(rows), total=total)
    note = dbc.Alert([text, html.Code(digest, id="export-sha")], color="success" if total <= len(rows) else "warning")
    return dcc.send_bytes(content, name), note


@page_callback("/security/access", Output(ids.ACC_REVEAL_OUT, "children"), Input(ids.ACC_REVEAL, "n_clicks"),
               State(ids.ACC_REVEAL_ID, "value"), State(ids.ACC_REVEAL_REASON, "value"), State(ids.LANG, "data"),
               prevent_initial_call=True)
def reveal(_n, citizen_id, reason, lang):
    """Show one citizen's identity in clear: only with a reason, and always written to the audit trail."""
    from data_access.citizen_reveal import reveal_citizen

    lang = norm_lang(lang, ctx().settings.lang)
    try:
        citizen, reason = filter_int(citizen_id, "ID"), filter_text(reason, "reason", MAX_REASON) or ""
    except FilterError as exc:
        return _refusal(exc, lang)
    if citizen is None:
        return dbc.Alert(t("reveal_need_id", lang), color="warning")
    if len(reason) < 5:
        return dbc.Alert(t("reveal_need_reason", lang), color="warning", id="reveal-need-reason")
    result = reveal_citizen(ctx().settings.url("ticketing"), citizen)
    audit("reveal", f"citizen:{citizen}", {"reason": reason, "ok": result.ok})
    if not result.ok:
        return dbc.Alert(result.error, color="danger")
    c = result.data
    return dbc.Alert(id="revealed", color="danger", children=[
        html.B(f"{c['surname']} {c['given_name']} {c['patronymic'] or ''}"), html.Br(),
        f"{t('birth_date', lang)}: {c['birth_date'] or '—'} · {t('phone', lang)}: {c['phone'] or '—'}", html.Br(),
        f"{t('address', lang)}: {c['address'] or '—'}", html.Br(),
        html.Small(t("reveal_logged", lang), className="muted")])
