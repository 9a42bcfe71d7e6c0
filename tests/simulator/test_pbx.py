"""The PBX side: valid Asterisk queue_log rows, a consistent queue simulation, a believable service level."""

from __future__ import annotations

import re
from collections import defaultdict

from domain import queue_log as ql
from domain.clock import from_utc_naive, local_to_epoch
from domain.metrics import service_level
from domain.telephony import TelephonyConfig, TelephonyState
from tests.simulator.conftest import PBX_TZ, parse_ts

ALLOWED = {"ENTERQUEUE", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ABANDON",
           "EXITWITHTIMEOUT", "RINGNOANSWER", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE"}
UNIQUEID = re.compile(r"^\d{10}\.\d+$")
PAUSE_REASONS = {"Перерыв", "Обед", "Обучение", "Тех. перерыв"}


def _events(run) -> list[ql.QueueLogEvent]:
    rows = run.query("telephony", "SELECT * FROM queue_log ORDER BY id")
    return [ql.QueueLogEvent(local_to_epoch(parse_ts(r["time"]), PBX_TZ), r["callid"], r["queuename"], r["agent"],
                             r["event"], (r["data1"], r["data2"], r["data3"], r["data4"], r["data5"]), r["id"])
            for r in rows]


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def test_only_asterisk_verbs_queues_and_fields(day_run):
    events = _events(day_run)
    assert {e.verb for e in events} <= ALLOWED
    assert {e.queue for e in events} == {"general", "cabinet", "technical", "documents"}
    for e in events:
        if e.verb in ql.AGENT_VERBS:
            assert e.agent.startswith("PJSIP/") and e.callid == ("MANAGER" if "MEMBER" in e.verb else "NONE")
            if e.verb == "PAUSE":
                assert e.field(1) in PAUSE_REASONS
            continue
        assert UNIQUEID.match(e.callid), e
        if e.verb == "ENTERQUEUE":
            assert e.agent == "NONE" and e.field(1) == "" and _is_int(e.field(3))
            assert e.field(2) == "anonymous" or re.match(r"^\+79\d{9}$", e.field(2))
        elif e.verb == "CONNECT":
            assert _is_int(e.field(1)) and UNIQUEID.match(e.field(2)) and _is_int(e.field(3))
        elif e.verb in ("COMPLETECALLER", "COMPLETEAGENT"):
            assert all(_is_int(e.field(n)) for n in (1, 2, 3))
        elif e.verb == "BLINDTRANSFER":
            assert e.field(1).isdigit() and e.field(2) == "from-internal"
            assert all(_is_int(e.field(n)) for n in (3, 4, 5))
        elif e.verb in ("ABANDON", "EXITWITHTIMEOUT"):
            assert e.agent == "NONE" and all(_is_int(e.field(n)) for n in (1, 2, 3))
        elif e.verb == "RINGNOANSWER":
            assert int(e.field(1)) >= 1000, "ring time is in milliseconds"


def test_rows_are_in_time_order(day_run):
    times = [e.ts for e in _events(day_run)]
    assert times == sorted(times)
    assert day_run.start <= times[0] and times[-1] <= day_run.end


def test_call_life_follows_enterqueue(day_run):
    entered: dict[str, float] = {}
    outcomes = defaultdict(list)
    for e in _events(day_run):
        if e.verb == "ENTERQUEUE":
            assert e.callid not in entered
            entered[e.callid] = e.ts
        elif e.verb in ("CONNECT", "ABANDON", "EXITWITHTIMEOUT", "RINGNOANSWER") or e.verb in ql.COMPLETE_VERBS \
                or e.verb == "BLINDTRANSFER":
            assert e.callid in entered, f"{e.verb} without ENTERQUEUE"
            if e.verb in ("CONNECT", "ABANDON", "EXITWITHTIMEOUT"):
                outcomes[e.callid].append(e.verb)
                waited = int(e.field(1) if e.verb == "CONNECT" else e.field(3))
                assert abs(waited - (e.ts - entered[e.callid])) <= 1
    assert all(len(v) == 1 for v in outcomes.values()), "a call is answered or leaves exactly once"
    abandons = [e for e in _events(day_run) if e.verb == "ABANDON"]
    assert any(int(e.field(3)) < 5 for e in abandons), "some abandons are short"


def test_an_agent_is_never_on_two_calls_paused_or_in_wrap_up(day_run):
    wrapup = day_run.settings.wrapup_s
    on_call: dict[str, str] = {}
    free_at: dict[str, float] = defaultdict(float)
    members: dict[str, set[str]] = defaultdict(set)
    paused: dict[str, bool] = defaultdict(bool)
    connects = 0
    for e in _events(day_run):
        if e.verb == "ADDMEMBER":
            members[e.agent].add(e.queue)
        elif e.verb == "REMOVEMEMBER":
            assert e.agent not in on_call
            members[e.agent].discard(e.queue)
        elif e.verb in ("PAUSE", "UNPAUSE"):
            paused[e.agent] = e.verb == "PAUSE"
            assert e.agent not in on_call
        elif e.verb == "CONNECT":
            connects += 1
            assert e.agent not in on_call, "an agent on two calls"
            assert not paused[e.agent] and e.queue in members[e.agent]
            assert e.ts >= free_at[e.agent] - 1e-6, "a call during wrap-up"
            on_call[e.agent] = e.callid
        elif e.verb in ql.COMPLETE_VERBS or e.verb == "BLINDTRANSFER":
            assert on_call.pop(e.agent) == e.callid
            free_at[e.agent] = e.ts + wrapup
    assert connects > 1000


def test_service_level_is_believable(day_run):
    state = TelephonyState(TelephonyConfig(tz=day_run.settings.tz), day_run.start + 1)
    state.apply_all(e for e in _events(day_run) if e.ts < day_run.end)
    total = defaultdict(float)
    for queue in ("general", "cabinet", "technical", "documents"):
        for key, value in state.book.today[queue].items():
            total[key] += value
        assert state.book.today[queue]["offered"] > 300
    assert 0.70 <= service_level(total) <= 0.98
    assert total["abandoned"] / total["offered"] < 0.15


def test_queue_log_times_are_pbx_local_time(day_run):
    """The CONNECT row (PBX zone) and the ticket it opened (naive UTC) are the same instant."""
    connects = {e.callid: e.ts for e in _events(day_run) if e.verb == "CONNECT"}
    tickets = day_run.query("ticketing", "SELECT call_id, created_at FROM tickets WHERE channel = 'phone'")
    assert tickets
    for t in tickets[:500]:
        assert abs(from_utc_naive(parse_ts(t["created_at"])) - connects[t["call_id"]]) < 1e-3
