"""Adapter for the Asterisk realtime ``queue_log`` table: incremental reads on the row id."""

from __future__ import annotations

import time as _time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import LargeBinary, String, cast, func, select, text, type_coerce
from sqlalchemy.engine import make_url

from data_access import mysql_text, tolerant
from data_access.base import FetchResult, SourceAdapter, describe_error
from data_access.schema.telephony import queue_log as T
from domain.clock import epoch_to_local_naive
from domain.queue_log import AGENT_VERBS, QueueLogEvent

_EPOCH = datetime(1970, 1, 1)
_EARLIEST, _LATEST = tolerant.EARLIEST_TS, tolerant.LATEST_TS
# callid, queuename, agent, event, data1..data5: their declared lengths. A longer value (SQLite does not enforce
# them) is not a queue_log value: the row is rejected rather than a 1 MB "queue" reaching the wall.
_TEXT_NAMES = ("callid", "queuename", "agent", "event", "data1", "data2", "data3", "data4", "data5")
_TEXT_LIMITS = tuple(T.c[name].type.length for name in _TEXT_NAMES)
_EVENT_MAX = T.c.event.type.length
_SHORT_TOTAL = min(n for n in _TEXT_LIMITS if n != _EVENT_MAX)  # no value of a shorter row can be too long
GAP_WAIT_S = 15.0
MAX_GAPS = 2000


class QueueLogSource(SourceAdapter):
    """Reads queue_log rows with id above a cursor; ``time`` is read in the PBX's zone.

    On MySQL / MariaDB, ``charset`` says how text columns declared in a single-byte charset (latin1...) are read:
    ``auto`` reads their bytes and takes UTF-8 for UTF-8 (what a PBX writing through a latin1 connection stored),
    the declared charset otherwise; ``declared`` believes the server's conversion (see data_access/mysql_text.py).
    """

    name = "telephony"

    def __init__(self, url: str, pbx_tz: str, batch_rows: int = 20000, *, charset: str = "auto") -> None:
        super().__init__(url)
        if charset not in mysql_text.MODES:
            raise ValueError(f"telephony charset {charset!r}: expected one of {', '.join(mysql_text.MODES)}")
        self.charset = charset
        self._mysql = make_url(url).get_backend_name() in ("mysql", "mariadb")
        self._cols: tuple | None = None  # the selected columns, known after the first connection
        self._decoders: tuple[tuple[int, str], ...] = ()  # (text index, declared charset) read as bytes
        self.pbx_tz = pbx_tz
        self.zone = ZoneInfo(pbx_tz)
        self.batch_rows = batch_rows
        self._offsets: dict = {}
        self.bad_log = tolerant.BadRowLog(self.name)
        # ids skipped by a batch: on PostgreSQL a lower id can commit after a higher one was read.
        self._gaps: dict[int, float] = {}

    def test_connection(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any driver error is reported, not raised
            return describe_error(exc)
        return None

    def first_id_since(self, since_ts: float) -> FetchResult[int]:
        """The cursor to start from so that the next read begins at ``since_ts`` (id before the first row)."""
        problem = self.check_available()
        if problem:
            return FetchResult.failed(problem)
        since = self._at(since_ts)
        try:
            with self.engine.connect() as conn:
                first = conn.execute(select(func.min(T.c.id)).where(T.c.time >= since)).scalar()
                if first is None:
                    first = (conn.execute(select(func.max(T.c.id))).scalar() or 0) + 1
        except Exception as exc:  # noqa: BLE001
            return FetchResult.failed(describe_error(exc))
        return FetchResult(ok=True, data=first - 1)

    def fetch_new(self, cursor: int, until_ts: float | None = None,
                  limit: int | None = None) -> FetchResult[tuple[list[QueueLogEvent], int]]:
        """Rows with id > ``cursor`` (and time <= ``until_ts``), oldest id first; data = (events, new cursor)."""
        problem = self.check_available()
        if problem:
            return FetchResult.failed(problem)
        try:
            with self.engine.connect() as conn:
                query = select(*self._columns(conn)).where(T.c.id > cursor).order_by(T.c.id)
                query = query.limit(limit or self.batch_rows)
                if until_ts is not None:
                    query = query.where(T.c.time <= self._at(until_ts))
                rows = tolerant.read_rows(conn, query)
                late = self._read_gaps(conn) if self._gaps and until_ts is None else []
        except Exception as exc:  # noqa: BLE001
            return FetchResult.failed(describe_error(exc))
        result = self._convert(late + rows)
        new_cursor = rows[-1][0] if rows else cursor
        if until_ts is None:
            self._note_gaps(cursor, [r[0] for r in rows])
        result.data = (result.data, new_cursor)
        return result

    def fetch_agent_events(self, since_ts: float, until_ts: float) -> FetchResult[list[QueueLogEvent]]:
        """Operator events (login, pause...) in a time range: who was logged in before the rebuild window.

        The range is turned into row ids first (two probes of the time index), then read along the primary key:
        following the time index row by row through hours of a busy PBX's rows is several times slower.
        """
        lo, hi = self._at(since_ts), self._at(until_ts)
        try:
            with self.engine.connect() as conn:
                first = conn.execute(select(func.min(T.c.id)).where(T.c.time >= lo)).scalar()
                end = conn.execute(select(func.min(T.c.id)).where(T.c.time >= hi)).scalar()
                if first is None:
                    return self._convert([])
                query = select(*self._columns(conn)).where(T.c.id >= first, T.c.event.in_(sorted(AGENT_VERBS)))
                if end is not None:
                    query = query.where(T.c.id < end)
                rows = tolerant.read_rows(conn, query.order_by(T.c.id))
        except Exception as exc:  # noqa: BLE001
            return FetchResult.failed(describe_error(exc))
        return self._convert(rows)

    def fetch_time_range(self, since_ts: float, until_ts: float) -> FetchResult[list[QueueLogEvent]]:
        """Rows with ``since_ts <= time < until_ts``, by id (the history's replays, a few minutes at a time).

        Read along the time index, not by id: a row written late (a COMPLETE inserted an hour after its time) has
        a high id but belongs to this range.
        """
        problem = self.check_available()
        if problem:
            return FetchResult.failed(problem)
        lo, hi = self._at(since_ts), self._at(until_ts)
        try:
            with self.engine.connect() as conn:
                query = select(*self._columns(conn)).where(T.c.time >= lo, T.c.time < hi).order_by(T.c.id)
                rows = tolerant.read_rows(conn, query)
        except Exception as exc:  # noqa: BLE001
            return FetchResult.failed(describe_error(exc))
        return self._convert(rows)

    def _convert(self, rows) -> FetchResult[list[QueueLogEvent]]:
        """Rows as events; a row that cannot be one is counted by reason and skipped, never fatal to the rest."""
        events, bad, newest = [], Counter(), None
        for row in rows:
            try:
                event = self._event(row, bad)
            except Exception as exc:  # noqa: BLE001 - one row's surprise must not lose its neighbours
                self.bad_log.rejected(bad, f"queue_log row {row[0]}", exc)
                continue
            if event is not None:
                events.append(event)
                newest = event.ts if newest is None or event.ts > newest else newest
        return FetchResult(ok=True, data=events, rows=len(rows), bad=bad, newest_ts=newest)

    def _event(self, row, bad: Counter) -> QueueLogEvent | None:
        ts = self._epoch(row[1])
        if ts is None:
            self.bad_log.note(bad, "bad_time", f"queue_log row {row[0]}")
            return None
        texts = row[2:11]
        if self._decoders:
            texts = self._decode(row[0], texts, bad)
        # The common row, nine short str values, is checked by one join (C), without Python per value.
        try:
            clean = len("".join(texts)) <= _SHORT_TOTAL and len(texts[3]) <= _EVENT_MAX
        except TypeError:  # NULL, a BLOB, a number or undecodable text among them
            clean = False
        if not clean:
            texts = self._repair(row[0], texts, bad)
        verb = texts[3].strip()
        if not verb:
            self.bad_log.note(bad, "empty_event", f"queue_log row {row[0]}")
            return None
        return QueueLogEvent(ts, texts[0], texts[1], texts[2], verb, texts[4:9], row[0])

    def _at(self, ts: float):
        """A bound on ``time``: a naive local datetime; on MySQL the text Asterisk writes into a varchar(26)
        ``time`` ('2026-11-26 12:00:00.000000'), which compares right with that text and with a DATETIME alike."""
        local = epoch_to_local_naive(ts, self.pbx_tz)
        return local.strftime("%Y-%m-%d %H:%M:%S.%f") if self._mysql else local

    def _columns(self, conn) -> tuple:
        """The selected columns. On MySQL in ``auto`` mode, text columns of a single-byte charset are read as
        bytes (one information_schema query, on the first read after the engine is made)."""
        if self._cols is None:
            single = {}
            if self._mysql and self.charset == "auto":
                single = mysql_text.single_byte_columns(conn, T.name, _TEXT_NAMES)
            texts = (cast(T.c[name], LargeBinary).label(name) if name in single else T.c[name] for name in _TEXT_NAMES)
            self._decoders = tuple((i, single[name]) for i, name in enumerate(_TEXT_NAMES) if name in single)
            # ``time`` is read as the driver gives it (a string on SQLite and from a varchar, a datetime on
            # PostgreSQL and from a MySQL DATETIME): SQLAlchemy's own SQLite datetime parsing is the slowest step of
            # a start-up rebuild; ``datetime.fromisoformat`` is C.
            self._cols = (T.c.id, type_coerce(T.c.time, String).label("time"), *texts)
        return self._cols

    def _decode(self, row_id: int, values: tuple, bad: Counter) -> tuple:
        """The bytes of single-byte columns as text; a value that was UTF-8 (or undecodable) counts the row once."""
        out, reason = list(values), None
        for i, charset in self._decoders:
            value = out[i]
            if type(value) is bytes:
                if value.isascii():
                    out[i] = value.decode("ascii")
                    continue
                out[i], why = mysql_text.decode(value, charset)
                if why and reason is None:
                    reason = (why, _TEXT_NAMES[i])
        if reason:
            self.bad_log.note(bad, reason[0], f"queue_log row {row_id}", reason[1])
        return tuple(out)

    def dispose(self) -> None:
        super().dispose()
        self._cols, self._decoders = None, ()  # the table may be another one when the engine is made again

    def _repair(self, row_id: int, values: tuple, bad: Counter) -> tuple:
        """Each text value as str within its declared length; NULL is ''. Raises BadValue for an unusable one;
        a repaired one (bytes that are not UTF-8, a BLOB or number in a text column) counts the row once."""
        notes: list[tuple[str, str]] = []
        out = tuple(tolerant.text(v, limit, name, notes)
                    for v, limit, name in zip(values, _TEXT_LIMITS, _TEXT_NAMES, strict=True))
        if notes:
            self.bad_log.note(bad, notes[0][0], f"queue_log row {row_id}", notes[0][1])
        return out

    def _epoch(self, when) -> float | None:
        """``time`` as a UTC epoch: naive values are in the PBX's zone, whose offset is found once per hour.
        None when it is not a time, or not one of the years 2000-2099."""
        try:
            parsed = datetime.fromisoformat(when) if isinstance(when, str) else when
        except (ValueError, TypeError):
            return None
        if not isinstance(parsed, datetime):
            return None
        if parsed.tzinfo is not None:
            ts = parsed.timestamp()
        else:
            hour = when[:13] if isinstance(when, str) else (parsed.date(), parsed.hour)
            offset = self._offsets.get(hour)
            if offset is None:
                if len(self._offsets) > 10000:
                    self._offsets.clear()
                start = parsed.replace(minute=0, second=0, microsecond=0, tzinfo=self.zone)
                offset = self._offsets[hour] = start.utcoffset().total_seconds()
            ts = (parsed - _EPOCH).total_seconds() - offset
        return ts if _EARLIEST <= ts < _LATEST else None

    def _note_gaps(self, cursor: int, ids: list[int]) -> None:
        now, expected = _time.monotonic(), cursor + 1
        for row_id in ids:
            self._gaps.pop(row_id, None)
            if row_id > expected and cursor > 0 and len(self._gaps) < MAX_GAPS:
                for missing in range(expected, min(row_id, expected + 100)):
                    self._gaps.setdefault(missing, now)
            expected = max(expected, row_id + 1)
        self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_WAIT_S}

    def _read_gaps(self, conn) -> list:
        rows = tolerant.read_rows(conn, select(*self._columns(conn)).where(T.c.id.in_(sorted(self._gaps))))
        for row in rows:
            self._gaps.pop(row[0], None)
        return rows
