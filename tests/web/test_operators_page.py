"""/operators over the callback endpoint: the changing fields every update, the directory of names only on change."""

import json

AGENTS = [
    {"name": "PJSIP/1001", "operator": "Иванова Анна Сергеевна", "team": "t1", "team_name": "Группа 1",
     "queues": ["general"], "state": "on_call", "pause_reason": "", "answered": 12, "aht_s": 301.0,
     "occupancy": 0.61, "since_ts": 1000.0},
    {"name": "PJSIP/1002", "operator": "Петров Олег Ильич", "team": "t1", "team_name": "Группа 1",
     "queues": ["general", "cabinet"], "state": "paused", "pause_reason": "Обед", "answered": 3, "aht_s": None,
     "occupancy": None, "since_ts": 1400.0},
]


def _body(version_known):
    outs = ["ops-counts.children", "ops-rows.data", "ops-directory.data", "ops-grid.columnDefs", "ops-team.options",
            "ops-queue.options", "ops-state.options", "ops-view.options", "ops-version.data"]
    return {
        "output": ".." + "...".join(outs) + "..",
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outs],
        "inputs": [{"id": "tick", "property": "n_intervals", "value": 1}, {"id": "lang", "property": "data",
                                                                            "value": "ru"},
                   {"id": "ops-team", "property": "value", "value": None},
                   {"id": "ops-queue", "property": "value", "value": None},
                   {"id": "ops-state", "property": "value", "value": None}],
        "changedPropIds": ["tick.n_intervals"],
        "state": [{"id": "ops-version", "property": "data", "value": version_known}],
    }


def _post(client, body) -> dict:
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.get_data(as_text=True))["response"]


def test_rows_carry_what_moves_and_the_directory_is_sent_only_when_it_changes(web, client_as):
    _app, store = web
    _version, snap = store.latest()
    store.publish({**snap, "agents": AGENTS, "generated_ts": 1600.0})
    client = client_as("supervisor")
    first = _post(client, _body(None))
    data = first["ops-rows"]["data"]
    row = dict(zip(data["fields"], data["rows"][0], strict=True))
    assert row["name"] == "PJSIP/1001" and row["state"] == "on_call" and row["in_state"] == "10:00"
    assert "operator" not in data["fields"] and data["labels"]["paused"] == "Пауза"
    directory = first["ops-directory"]["data"]
    assert directory["entries"]["PJSIP/1002"] == ["Петров Олег Ильич", "Петров О. И.", "Группа 1"]
    store.publish({**snap, "agents": AGENTS, "generated_ts": 1602.0})
    again = _post(client, _body(first["ops-version"]["data"]))
    assert "ops-rows" in again and "ops-directory" not in again and "ops-grid" not in again
    renamed = [{**AGENTS[0], "operator": "Иванова-Смирнова Анна Сергеевна"}, AGENTS[1]]
    store.publish({**snap, "agents": renamed, "generated_ts": 1604.0})
    third = _post(client, _body(again["ops-version"]["data"]))
    assert third["ops-directory"]["data"]["entries"]["PJSIP/1001"][1] == "Иванова-Смирнова А. С."


def test_odd_filter_values_leave_the_screen_as_it_was_and_a_team_filter_of_t1_keeps_2_operators(web, client_as):
    _app, store = web
    _version, snap = store.latest()
    store.publish({**snap, "agents": AGENTS, "generated_ts": 1600.0})
    client = client_as("supervisor")
    for field, value in (("ops-team", ["\ud800"]), ("ops-queue", [10**30]), ("ops-state", "paused"),
                         ("ops-team", [["t1"]]), ("ops-queue", [{"a": 1}])):
        body = _body(None)
        next(i for i in body["inputs"] if i["id"] == field)["value"] = value
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204, 400), (field, value)  # 400: the request guard refused it first
        if response.status_code == 200:  # a number is read as a name nobody has: no operator, never all of them
            assert json.loads(response.get_data(as_text=True))["response"]["ops-rows"]["data"]["rows"] == []
    body = _body(None)
    body["inputs"][2]["value"] = ["t1"]
    assert len(_post(client, body)["ops-rows"]["data"]["rows"]) == 2
