"""Import of a native queue_log file (``epoch|callid|queue|agent|event|data...``) into the queue_log table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, TextIO

from sqlalchemy import Engine, insert, select

from data_access.schema.telephony import metadata
from data_access.schema.telephony import queue_log as T
from domain.clock import epoch_to_local_naive
from domain.queue_log import KNOWN_VERBS, MalformedLine, QueueLogEvent, is_blocked, parse_pipe_line

INSERT_CHUNK = 5000


@dataclass
class ImportReport:
    """Rows read, imported and skipped, with the reasons."""

    read: int = 0
    imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [f"rows read: {self.read}", f"imported: {self.imported}",
               f"skipped: {sum(self.skipped.values())}"]
        out += [f"  {reason}: {n}" for reason, n in sorted(self.skipped.items())]
        out += [f"note: {note}: {n}" for note, n in sorted(self.notes.items())]
        return out


def _row(time: datetime, ev: QueueLogEvent) -> dict:
    """The table row of an event, cut to the official column widths."""
    return {"time": time, "callid": ev.callid[:80], "queuename": ev.queue[:256], "agent": ev.agent[:80],
            "event": ev.verb[:32], **{f"data{i + 1}": v[:100] for i, v in enumerate(ev.data)}}


def _row_key(row: dict) -> tuple:
    data = tuple(row[f"data{i}"] for i in range(1, 6))
    return (row["time"].replace(microsecond=0), row["callid"], row["queuename"], row["agent"], row["event"], data)


def parse_lines(lines: Iterable[str], report: ImportReport) -> list[QueueLogEvent]:
    """The events of a file; blank and malformed lines are counted in ``report``, never raised."""
    events = []
    for line in lines:
        if not line.strip():
            report.skipped["blank line"] += 1
            continue
        report.read += 1
        try:
            ev = parse_pipe_line(line)
        except MalformedLine as exc:
            report.skipped[f"malformed ({exc})"] += 1
            continue
        if ev.verb not in KNOWN_VERBS and not is_blocked(ev.verb):
            report.notes[f"unknown verb {ev.verb[:32]} (imported)"] += 1
        events.append(ev)
    return events


def import_file(engine: Engine, stream: TextIO, pbx_tz: str) -> ImportReport:
    """Import a file's events; events already in the table (same time, call, queue, agent, verb, data) are
    skipped, so importing the same file twice adds nothing. ``time`` is written in ``pbx_tz``."""
    report = ImportReport()
    events = parse_lines(stream, report)
    metadata.create_all(engine)
    if not events:
        return report
    rows = [(epoch_to_local_naive(ev.ts, pbx_tz), ev) for ev in events]
    existing = _existing_keys(engine, min(r[0] for r in rows), max(r[0] for r in rows))
    fresh = []
    for time, ev in rows:
        row = _row(time, ev)
        key = _row_key(row)
        if key in existing:
            report.skipped["already in the table or duplicate line"] += 1
            continue
        existing.add(key)
        fresh.append(row)
    with engine.begin() as conn:
        for start in range(0, len(fresh), INSERT_CHUNK):
            conn.execute(insert(T), fresh[start:start + INSERT_CHUNK])
    report.imported = len(fresh)
    return report


def _existing_keys(engine: Engine, lo: datetime, hi: datetime) -> set[tuple]:
    cols = (T.c.time, T.c.callid, T.c.queuename, T.c.agent, T.c.event, T.c.data1, T.c.data2, T.c.data3, T.c.data4,
            T.c.data5)
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).where(T.c.time >= lo.replace(microsecond=0),
                                                T.c.time <= hi.replace(microsecond=999999))).all()
    return {(r[0].replace(microsecond=0), r[1], r[2], r[3], r[4], tuple(r[5:10])) for r in rows}
