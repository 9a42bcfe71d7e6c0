"""Import of a native queue_log file (``epoch|callid|queue|agent|event|data...``) into the queue_log table.

On MySQL / MariaDB the table may be a PBX's own (FreePBX's ``asteriskcdrdb.queue_log``): its ``time`` may be a
varchar(26), its columns narrower than the official ones and declared latin1. The import writes what such a table
holds: ``time`` as Asterisk's text, values cut to the table's widths, and a value the column's charset cannot hold
(Cyrillic in latin1) as its UTF-8 bytes, as Asterisk writing through a latin1 connection does; the telephony
adapter reads those back as UTF-8 (data_access/mysql_text.py). Such values are counted in the report's notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, TextIO

from sqlalchemy import Engine, LargeBinary, cast, insert, select

from data_access import mysql_text
from data_access.schema.telephony import metadata
from data_access.schema.telephony import queue_log as T
from domain.clock import epoch_to_local_naive
from domain.queue_log import KNOWN_VERBS, MalformedLine, QueueLogEvent, is_blocked, parse_pipe_line

INSERT_CHUNK = 5000
_TEXTS = ("callid", "queuename", "agent", "event", "data1", "data2", "data3", "data4", "data5")


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


@dataclass
class _Layout:
    """How the table stores values: the official layout, or on MySQL / MariaDB what information_schema says."""

    time_as_text: bool = False  # a varchar ``time`` (older FreePBX tables)
    single: dict[str, str] = field(default_factory=dict)  # text column -> its single-byte charset
    widths: dict[str, int] = field(default_factory=dict)  # text column -> its width in characters

    @classmethod
    def of(cls, engine: Engine) -> "_Layout":
        if engine.dialect.name not in ("mysql", "mariadb"):
            return cls()
        with engine.connect() as conn:
            found = mysql_text.columns(conn, T.name)
        texts = {name: found[name] for name in _TEXTS if name in found}
        return cls(found.get("time", ("datetime",))[0] in ("varchar", "char", "text", "tinytext"),
                   {name: c[1] for name, c in texts.items() if c[1] in mysql_text.SINGLE_BYTE},
                   {name: c[2] for name, c in texts.items() if c[2]})

    def fit(self, row: dict) -> tuple[dict, list[str]]:
        """``row`` with each text cut to the table's width (in bytes for one stored as UTF-8 bytes), and the names
        of the columns cut."""
        cut = []
        for name, width in self.widths.items():
            value = row[name]
            if name in self.single and not mysql_text.fits(value, self.single[name]):
                raw = value.encode("utf-8")
                if len(raw) > width:
                    row[name] = raw[:width].decode("utf-8", "ignore")
                    cut.append(name)
            elif len(value) > width:
                row[name] = value[:width]
                cut.append(name)
        return row, cut

    def stored(self, row: dict, report: ImportReport) -> dict:
        """``row`` as written: ``time`` as Asterisk's text in a varchar, text a single-byte column cannot hold as
        its UTF-8 bytes."""
        out = dict(row)
        if self.time_as_text:
            out["time"] = row["time"].strftime("%Y-%m-%d %H:%M:%S.%f")
        for name, charset in self.single.items():
            if not mysql_text.fits(row[name], charset):
                out[name] = row[name].encode("utf-8")
                report.notes[f"{name} written as UTF-8 bytes (the column is {charset})"] += 1
        return out

    def read_columns(self) -> list:
        return [cast(T.c[name], LargeBinary).label(name) if name in self.single else T.c[name] for name in _TEXTS]

    def read_text(self, name: str, value) -> str:
        if isinstance(value, bytes):
            return mysql_text.decode(value, self.single.get(name, "latin1"))[0]
        return "" if value is None else value


def _time_key(value) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value.replace(microsecond=0) if isinstance(value, datetime) else None


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
    layout = _Layout.of(engine)
    rows = [(epoch_to_local_naive(ev.ts, pbx_tz), ev) for ev in events]
    existing = _existing_keys(engine, layout, min(r[0] for r in rows), max(r[0] for r in rows))
    fresh = []
    for time, ev in rows:
        row, cut = layout.fit(_row(time, ev))
        key = _row_key(row)
        if key in existing:
            report.skipped["already in the table or duplicate line"] += 1
            continue
        existing.add(key)
        for name in cut:
            report.notes[f"{name} cut to the table's width"] += 1
        fresh.append(layout.stored(row, report))
    with engine.begin() as conn:
        for start in range(0, len(fresh), INSERT_CHUNK):
            conn.execute(insert(T), fresh[start:start + INSERT_CHUNK])
    report.imported = len(fresh)
    return report


def _existing_keys(engine: Engine, layout: _Layout, lo: datetime, hi: datetime) -> set[tuple]:
    """The keys of the rows already in the table between ``lo`` and ``hi`` (text read back as the adapter does)."""
    lo, hi = lo.replace(microsecond=0), hi.replace(microsecond=999999)
    if layout.time_as_text:
        lo, hi = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in (lo, hi))
    with engine.connect() as conn:
        rows = conn.execute(select(T.c.time, *layout.read_columns()).where(T.c.time >= lo, T.c.time <= hi)).all()
    if layout.single:
        rows = [(r[0], *(layout.read_text(name, v) for name, v in zip(_TEXTS, r[1:], strict=True))) for r in rows]
    return {(_time_key(r[0]), r[1], r[2], r[3], r[4], tuple(r[5:10])) for r in rows}
