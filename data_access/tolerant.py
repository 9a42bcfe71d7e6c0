"""Tolerant reading of source rows: one bad row is counted and skipped or repaired, never fatal to its neighbours.

SQLite stores whatever it is given: text that is not UTF-8, a BLOB or a number in a text column, a string in a
date column. sqlite3 refuses a whole query when one text value cannot be decoded, and SQLAlchemy's date parser
refuses a whole result when one value is not a date. So the adapters read dates raw and coerce every value
themselves, per row: a value that cannot be used raises :class:`BadValue` (the row is rejected and counted under
its reason), a value that can be repaired is repaired and the row counted (``bad_encoding``, ``not_text``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import Column, type_coerce
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.sqltypes import NULLTYPE

log = logging.getLogger("hotline.sources")
LOG_EVERY_S = 60.0
# A source row dated outside these years is not a hotline's row (a zeroed or garbled date): it is refused rather
# than carried into days, intervals and date arithmetic that cannot represent it.
EARLIEST_TS = datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp()
LATEST_TS = datetime(2100, 1, 1, tzinfo=timezone.utc).timestamp()
_EPOCH = datetime(1970, 1, 1)


class BadText(bytes):
    """The raw bytes of a text value that is not UTF-8 (a bytes type, so that no str check lets it through)."""


class BadValue(ValueError):
    """A column value the row cannot be used with; ``reason`` is the bad-row counter it is counted under."""

    def __init__(self, reason: str, column: str = "") -> None:
        super().__init__(f"{reason} in {column}" if column else reason)
        self.reason = reason
        self.column = column


def _tolerant_text(raw: bytes) -> str | BadText:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadText(raw)


def _undecodable(exc: OperationalError) -> bool:
    return "Could not decode to UTF-8" in str(exc.orig)


def read_rows(conn, query) -> list:
    """All rows of ``query``. On SQLite, text that is not UTF-8 no longer fails the read: the query is run again
    with a tolerant decoder (the common, clean read keeps sqlite3's own fast one) and such values come back as
    :class:`BadText`."""
    try:
        return conn.execute(query).all()
    except OperationalError as exc:
        if conn.dialect.name != "sqlite" or not _undecodable(exc):
            raise
    dbapi = conn.connection.dbapi_connection
    dbapi.text_factory = _tolerant_text
    try:
        return conn.execute(query).all()
    finally:
        dbapi.text_factory = str


def raw(column: Column):
    """``column`` as the driver gives it, without SQLAlchemy's result processing (which raises on a bad date)."""
    return type_coerce(column, NULLTYPE).label(column.name)


# -- coercion of one value ------------------------------------------------------------------------------------
def text(value: object, limit: int, column: str, notes: list[tuple[str, str]]) -> str:
    """A text column's value; a repaired value adds (reason, column) to ``notes``. NULL is ''."""
    if type(value) is str and len(value) <= limit:
        return value
    if value is None:
        return ""
    if isinstance(value, BadText):
        notes.append(("bad_encoding", column))
        value = value.decode("utf-8", "replace")
    elif isinstance(value, (bytes, int, float)) and not isinstance(value, bool):
        notes.append(("not_text", column))
        value = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    elif not isinstance(value, str):
        raise BadValue("not_text", column)
    if len(value) > limit:
        raise BadValue("too_long", column)
    return value


def opt_text(value: object, limit: int, column: str, notes: list[tuple[str, str]]) -> str | None:
    return None if value is None else text(value, limit, column, notes)


def integer(value: object, column: str) -> int:
    """An id or count column: an integer, nothing else (SQLite keeps a string it could not convert as a string)."""
    if type(value) is int:
        return value
    raise BadValue("bad_value", column)


def opt_integer(value: object, column: str) -> int | None:
    return None if value is None else integer(value, column)


def flag(value: object, column: str) -> bool:
    """A boolean column: True/False, or 0/1 as SQLite stores them."""
    if value is True or value is False:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise BadValue("bad_value", column)


def utc_ts(value: object, column: str) -> float:
    """A naive-UTC timestamp column as an epoch: a datetime from PostgreSQL, ISO text from SQLite."""
    if type(value) is str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise BadValue("bad_time", column) from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise BadValue("bad_time", column)
    ts = (parsed - _EPOCH).total_seconds() if parsed.tzinfo is None else parsed.timestamp()
    if not EARLIEST_TS <= ts < LATEST_TS:
        raise BadValue("bad_time", column)
    return ts


def opt_utc_ts(value: object, column: str) -> float | None:
    return None if value is None else utc_ts(value, column)


# -- counting and logging -------------------------------------------------------------------------------------
class BadRowLog:
    """Counts bad rows by reason and logs at most one line per reason a minute (row ids only, no values: a
    value may be personal data)."""

    def __init__(self, source: str, clock=time.monotonic) -> None:
        self.source = source
        self.clock = clock
        self._last: dict[str, float] = {}
        self._quiet: Counter[str] = Counter()

    def note(self, bad: Counter, reason: str, where: str, detail: str = "", count: int = 1) -> None:
        """Count ``count`` bad rows under ``reason`` in ``bad`` and maybe log a line (``where``: table and id)."""
        bad[reason] += count
        now = self.clock()
        if now - self._last.get(reason, -1e18) < LOG_EVERY_S:
            self._quiet[reason] += count
            return
        self._last[reason] = now
        more = self._quiet.pop(reason, 0)
        log.warning("%s: %s counted as bad (%s%s)%s", self.source, where, reason, f": {detail}" if detail else "",
                    f"; {more} more since the last line" if more else "")

    def convert(self, rows: list, convert, table: str, bad: Counter) -> list:
        """``convert(row, notes)`` of each row; a row that raises is counted under its reason and left out, a
        repaired one (``notes``) is kept and counted once."""
        out = []
        for row in rows:
            notes: list[tuple[str, str]] = []
            try:
                out.append(convert(row, notes))
            except Exception as exc:  # noqa: BLE001 - one row's surprise must not lose its neighbours
                self.rejected(bad, f"{table} row {_row_id(row)}", exc)
                continue
            if notes:
                self.note(bad, notes[0][0], f"{table} row {_row_id(row)}", notes[0][1])
        return out

    def rejected(self, bad: Counter, where: str, exc: Exception) -> None:
        """Count a row whose conversion raised: its BadValue reason, or ``rejected_row`` for anything else."""
        if isinstance(exc, BadValue):
            self.note(bad, exc.reason, where, exc.column)
        else:
            self.note(bad, "rejected_row", where, type(exc).__name__)


def _row_id(row) -> object:
    return getattr(row, "id", "?")
