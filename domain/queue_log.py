"""Asterisk queue_log events: the record, the verbs, and the native pipe-separated line format."""

from __future__ import annotations

from typing import NamedTuple

# Verbs of a caller's life in a queue (docs/queue_log.md).
ENTER = "ENTERQUEUE"
CONNECT = "CONNECT"
COMPLETE_VERBS = frozenset({"COMPLETECALLER", "COMPLETEAGENT"})
TRANSFER_VERBS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
ABANDON = "ABANDON"
EXIT_VERBS = frozenset({"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW"})
RING_VERBS = frozenset({"RINGNOANSWER", "RINGCANCELED"})
CALL_OTHER_VERBS = frozenset({"AGENTDUMP", "SYSCOMPAT"})
CALL_VERBS = frozenset({ENTER, CONNECT, ABANDON}) | COMPLETE_VERBS | TRANSFER_VERBS | EXIT_VERBS | RING_VERBS \
    | CALL_OTHER_VERBS

# Verbs of an operator's (queue member's) life.
AGENT_VERBS = frozenset({
    "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "AGENTLOGIN", "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF", "PENALTY", "RINGINUSE",
})
SYSTEM_VERBS = frozenset({"QUEUESTART", "CONFIGRELOAD"})
# A caller turned away before joining: the queue was full, had no member or none reachable (Asterisk), was closed
# or diverted (Wazo and other PBXs write CLOSED, DIVERT_CA_RATIO, DIVERT_HOLDTIME). Counted as blocked.
BLOCK_VERBS = frozenset({"FULL", "JOINEMPTY", "JOINUNAVAIL", "CLOSED", "DIVERT_CA_RATIO", "DIVERT_HOLDTIME"})
BLOCK_PREFIX = "DIVERT_"
# Written by dialplans and add-ons (QueueLog() app, QueueMetrics outbound, Wazo); known, carry no queue state.
CUSTOM_VERBS = frozenset({"DID", "INFO", "OUTDIAL", "OUTANSWER", "OUTCANCEL", "OUTCALL", "LEAVEEMPTY",
                          "HOLD", "UNHOLD", "REQUEUE"})
KNOWN_VERBS = CALL_VERBS | AGENT_VERBS | SYSTEM_VERBS | CUSTOM_VERBS | BLOCK_VERBS

NO_AGENT = frozenset({"", "NONE"})


def is_blocked(verb: str) -> bool:
    """Whether ``verb`` records a caller turned away before joining the queue."""
    return verb in BLOCK_VERBS or verb.startswith(BLOCK_PREFIX)


class QueueLogEvent(NamedTuple):
    """One queue_log row, its time as a UTC epoch. ``row_id`` is the realtime table's id (None from a file).

    A named tuple rather than a dataclass: a start-up rebuild creates hundreds of thousands of them.
    """

    ts: float
    callid: str
    queue: str
    agent: str
    verb: str
    data: tuple[str, str, str, str, str] = ("", "", "", "", "")
    row_id: int | None = None

    def field(self, n: int) -> str:
        """data<n> (1-based), empty when the PBX did not write it (old 1.4 logs omit trailing fields)."""
        return self.data[n - 1]

    def int_field(self, n: int) -> int | None:
        """data<n> as an integer, None when missing or not a number."""
        try:
            return int(self.data[n - 1])
        except ValueError:
            return None


class MalformedLine(ValueError):
    """A queue_log line that cannot be an event; its message says why."""


def pad_data(values: list[str] | tuple[str, ...]) -> tuple[str, str, str, str, str]:
    """data1..data5 from however many fields the line had; a 6th and later stay glued into data5 as Asterisk does."""
    values = list(values)
    if len(values) > 5:
        values = values[:4] + ["|".join(values[4:])]
    values += [""] * (5 - len(values))
    return (values[0], values[1], values[2], values[3], values[4])


def parse_pipe_line(line: str) -> QueueLogEvent:
    """Parse one line of the native file format ``epoch|callid|queue|agent|event|data...``.

    Raises :class:`MalformedLine` for blank lines, too few fields, a bad epoch or an empty verb.
    """
    text = line.rstrip("\r\n")
    if not text.strip():
        raise MalformedLine("blank line")
    parts = text.split("|")
    if len(parts) < 5:
        raise MalformedLine(f"{len(parts)} fields, at least 5 expected")
    try:
        ts = float(parts[0])
    except ValueError:
        raise MalformedLine(f"time {parts[0][:30]!r} is not an epoch") from None
    if not 0 < ts < 1e10:
        raise MalformedLine(f"time {parts[0][:30]!r} is out of range")
    verb = parts[4].strip()
    if not verb:
        raise MalformedLine("empty event verb")
    data = parts[5:]
    if data and data[-1] == "":
        data = data[:-1]  # the trailing '|' Asterisk writes after events without parameters
    return QueueLogEvent(ts=ts, callid=parts[1], queue=parts[2], agent=parts[3], verb=verb, data=pad_data(data))
