"""/operators: every operator coloured by state, with time in state, answered, AHT and occupancy."""

from __future__ import annotations

import hashlib
import json

import dash
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import ids
from components.format import duration, in_state, pct, short_name
from components.grids import col, grid, state_col
from components.i18n import norm_lang, t
from data_access.filters import FilterError, filter_text
from domain.telephony import AGENT_STATES
from web.access import page_callback
from web.context import ctx, snapshot

dash.register_page(__name__, path="/operators", name="operators", title="Операторы — горячая линия", order=3,
                   nav_key="nav_operators", roles=["supervisor", "manager", "admin"])

MAX_NAME = 200  # a team, queue or state name in a filter


def filter_options(snap: dict | None, lang: str) -> tuple[list, list, list]:
    agents = (snap or {}).get("agents", [])
    teams = sorted({(a["team"], a["team_name"] or a["team"]) for a in agents if a["team"]})
    queues = sorted({q for a in agents for q in a["queues"]} | set((snap or {}).get("queues", {})))
    return ([{"label": name, "value": code} for code, name in teams],
            [{"label": q, "value": q} for q in queues],
            [{"label": t(s, lang), "value": s} for s in AGENT_STATES])


def select(agents: list[dict], teams: list | None, queues: list | None, states: list | None) -> list[dict]:
    """The operators passing the filters (an empty filter passes everybody)."""
    return [a for a in agents if (not teams or a["team"] in teams)
            and (not queues or set(queues) & set(a["queues"]))
            and (not states or a["state"] in states)]


# Per update only what moves is sent, as arrays; the names and teams (three quarters of a row) go in a directory
# that is sent again only when it changes. The browser joins the two into the grid's rows (assets/20_hotline.js).
ROW_FIELDS = ("name", "state", "in_state_s", "in_state", "pause_reason", "answered", "aht", "occupancy", "queues")
DIRECTORY_FIELDS = ("operator", "short", "team")


def rows(agents: list[dict], snap: dict | None, lang: str) -> dict:
    """The changing fields of the grid rows, working operators first (by state), then by name."""
    order = {state: i for i, state in enumerate(AGENT_STATES)}
    agents = sorted(agents, key=lambda a: (order.get(a["state"], 9), a["operator"]))
    return {"fields": ROW_FIELDS, "labels": {s: t(s, lang) for s in AGENT_STATES},
            "rows": [_row(a, snap) for a in agents]}


def _row(a: dict, snap: dict | None) -> list:
    seconds = in_state(a, snap)
    return [a["name"], a["state"], round(seconds or 0), duration(seconds) if a["state"] != "offline" else "",
            a["pause_reason"], a["answered"], duration(a["aht_s"]), pct(a["occupancy"]), ", ".join(a["queues"])]


def directory(agents: list[dict]) -> dict:
    """Who each queue member is: full name, short name for a tile, team; ``sig`` tells versions apart."""
    entries = {a["name"]: [a["operator"], short_name(a["operator"]), a["team_name"]] for a in agents}
    # A digest, not hash(): every web worker must give the same directory the same signature.
    sig = hashlib.blake2b(json.dumps(entries, sort_keys=True).encode(), digest_size=8).hexdigest()
    return {"fields": DIRECTORY_FIELDS, "entries": entries, "sig": sig}


def counts(agents: list[dict], lang: str) -> list:
    total = html.Span([t("operators_total", lang), ": ", html.B(str(len(agents)))], className="count")
    return [total] + [html.Span([t(s, lang), " ", html.B(str(sum(1 for a in agents if a["state"] == s)))],
                                className=f"count st-{s}", **{"data-state": s}) for s in AGENT_STATES]


def columns(lang: str) -> list[dict]:
    return [col("operator", "operator", lang, minWidth=200, pinned="left"), state_col(lang),
            col("in_state", "in_state", lang, comparator={"function": "(a, b, na, nb) => "
                                                         "(na.data.in_state_s || 0) - (nb.data.in_state_s || 0)"}),
            col("pause_reason", "reason", lang), col("answered", "answered", lang, width=110),
            col("aht", "aht_s", lang, width=100), col("occupancy", "occupancy", lang, width=110),
            col("team", "team", lang, minWidth=160), col("queues", "queues", lang, minWidth=160)]


def _dropdown(component_id: str, options: list, placeholder: str) -> dcc.Dropdown:
    return dcc.Dropdown(id=component_id, options=options, multi=True, placeholder=placeholder)


def _view_switch(lang: str) -> dcc.RadioItems:
    """Tiles (the whole floor at a glance) or the sortable table; the choice is kept in the browser."""
    return dcc.RadioItems(id=ids.OPS_VIEW, value="tiles", persistence=True, persistence_type="local",
                          options=[{"label": t("view_tiles", lang), "value": "tiles"},
                                   {"label": t("view_table", lang), "value": "table"}],
                          className="view-switch", inputClassName="btn-check", labelClassName="view-option")


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = norm_lang(lang, ctx().settings.lang)
    version, snap = snapshot()
    agents = (snap or {}).get("agents", [])
    team_opts, queue_opts, state_opts = filter_options(snap, lang)
    names = directory(agents)
    return html.Div([
        dcc.Store(id=ids.OPS_VERSION, data=[version, lang, None, None, None, names["sig"]]),
        html.Div(counts(agents, lang), id=ids.OPS_COUNTS, className="panel state-counts"),
        html.Div(id=ids.OPS_LABELS, className="panel filters", children=[
            _dropdown(ids.OPS_TEAM, team_opts, t("filter_team", lang)),
            _dropdown(ids.OPS_QUEUE, queue_opts, t("filter_queue", lang)),
            _dropdown(ids.OPS_STATE, state_opts, t("filter_state", lang)),
            _view_switch(lang),
        ]),
        dcc.Store(id=ids.OPS_ROWS, data=rows(agents, snap, lang)),
        dcc.Store(id=ids.OPS_DIRECTORY, data=names),
        # The tiles are drawn in the browser from the grid's rows: one payload serves both views.
        html.Div(id=ids.OPS_TILES, className="op-tiles"),
        html.Div(grid(ids.OPS_GRID, columns(lang), [], lang, "100%", row_id="name"),
                 id=ids.OPS_GRID_WRAP, className="grid-wrap"),
    ])


clientside_callback(ClientsideFunction("hotline", "operatorRows"), Output(ids.OPS_GRID, "rowData"),
                    Input(ids.OPS_ROWS, "data"), Input(ids.OPS_DIRECTORY, "data"))


clientside_callback(ClientsideFunction("hotline", "operatorTiles"), Output(ids.OPS_TILES, "className"),
                    Output(ids.OPS_GRID_WRAP, "className"),
                    Input(ids.OPS_GRID, "rowData"), Input(ids.OPS_VIEW, "value"), State(ids.LANG, "data"))


def picked(value: object, name: str) -> list[str] | None:
    """A multi-select's value as the browser sent it: a list of names, or FilterError for anything else."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise FilterError(f"{name}: a list is expected")
    return [filter_text(v, name, MAX_NAME) or "" for v in value]


@page_callback(
    "/operators", Output(ids.OPS_COUNTS, "children"), Output(ids.OPS_ROWS, "data"),
    Output(ids.OPS_DIRECTORY, "data"), Output(ids.OPS_GRID, "columnDefs"),
    Output(ids.OPS_TEAM, "options"), Output(ids.OPS_QUEUE, "options"), Output(ids.OPS_STATE, "options"),
    Output(ids.OPS_VIEW, "options"), Output(ids.OPS_VERSION, "data"),
    Input(ids.TICK, "n_intervals"), Input(ids.LANG, "data"), Input(ids.OPS_TEAM, "value"),
    Input(ids.OPS_QUEUE, "value"), Input(ids.OPS_STATE, "value"), State(ids.OPS_VERSION, "data"),
)
def refresh_operators(_n, lang, teams, queues, states, known):
    lang = norm_lang(lang, ctx().settings.lang)
    try:
        teams, queues, states = picked(teams, "team"), picked(queues, "queue"), picked(states, "state")
    except FilterError:
        raise PreventUpdate from None  # only a hand-made request sends other than names: nothing changes
    version, snap = snapshot()
    key = [version, lang, teams, queues, states]
    if known and known[:5] == key:
        raise PreventUpdate
    agents = (snap or {}).get("agents", [])
    # One directory per snapshot version for every screen of this worker (it digests thousands of names).
    names = ctx().renders.get(("operators-directory", version), lambda: directory(agents))
    chosen = select(agents, teams, queues, states)
    same_lang = bool(known) and known[1] == lang
    # The known key ends with the directory's signature: the browser never posts the directory back.
    return (counts(chosen, lang), rows(chosen, snap, lang),
            no_update if known and known[5:] == [names["sig"]] else names,
            no_update if same_lang else columns(lang), *filter_options(snap, lang),
            no_update if same_lang else _view_switch(lang).options, key + [names["sig"]])
