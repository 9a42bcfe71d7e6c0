"""The interval history in the app database: 15-minute rows per queue and per digital channel, one row per operator
and local day (schema: data_access/schema/appdb.py).

Writes are upserts by primary key (``INSERT ... ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL), so writing a row
twice, or two writers overlapping briefly, leaves one row with the last values; a final row (rebuilt from the sources
once late events can no longer come) is never overwritten by a non-final write. Reads return domain objects
(:mod:`domain.history`).
"""

from __future__ import annotations

import time

import orjson
from sqlalchemy import Engine, Table, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.schema.appdb import history_channel as HC
from data_access.schema.appdb import history_operator_day as HO
from data_access.schema.appdb import history_queue as HQ
from data_access.schema.appdb import poller_cursors as P
from domain.history import AGENT_FIELDS, COUNT_FIELDS, ChannelInterval, IntervalCounts, OperatorDay

FINAL_UNTIL = "history_final_until"  # poller_cursors row: every interval before it is final
WRITE_CHUNK = 2000
_QUEUE_INTS = (*COUNT_FIELDS, "answered_in_t")
_CHANNEL_INTS = ("created", "responded", "responded_in_t", "backlog", "resolved", "resolved_by_due")
_OPERATOR_INTS = ("answered", "handled", "talk_s", "wrapup_s", "staffed_s", "busy_s", "paused_s")


def _json(value: dict) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode() if value else "{}"


def _int_keys(text: str) -> dict[int, int]:
    return {int(k): v for k, v in orjson.loads(text).items()} if text and text != "{}" else {}


def _seconds(value: dict) -> str:
    return _json({k: round(v) for k, v in value.items() if round(v)})


class HistoryRepository:
    """Reads and writes ``history_queue``, ``history_channel`` and ``history_operator_day``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- writes ------------------------------------------------------------------------------------------------
    def upsert_queue_intervals(self, rows: list[IntervalCounts], final: bool = False) -> int:
        """Insert or replace queue intervals by (scope, start_ts); rows written (a final row is kept as it is
        against a non-final write)."""
        return self.write(queues=rows, final=final)

    def upsert_channel_intervals(self, rows: list[ChannelInterval], final: bool = False) -> int:
        """Insert or replace channel intervals by (scope, start_ts), as :meth:`upsert_queue_intervals`."""
        return self.write(channels=rows, final=final)

    def upsert_operator_days(self, rows: list[OperatorDay]) -> int:
        """Insert or replace operator days by (day, name)."""
        return self.write(operators=rows)

    def write(self, queues: list[IntervalCounts] = (), channels: list[ChannelInterval] = (),
              operators: list[OperatorDay] = (), final: bool = False) -> int:
        """The three upserts in one transaction (the poller's cycle pays for one commit); rows written."""
        now = int(time.time())
        batches = ((HQ, [_queue_row(r, final, now) for r in queues], ("scope", "start_ts"), True),
                   (HC, [_channel_row(r, final, now) for r in channels], ("scope", "start_ts"), True),
                   (HO, [_operator_row(r, now) for r in operators], ("day", "name"), False))
        if not any(values for _t, values, _k, _g in batches):
            return 0
        with self.engine.begin() as conn:
            for table, values, key, guard in batches:
                for start in range(0, len(values), WRITE_CHUNK):
                    conn.execute(self._upsert(table, key, guard), values[start:start + WRITE_CHUNK])
        return sum(len(values) for _t, values, _k, _g in batches)

    def _upsert(self, table: Table, key: tuple[str, ...], guard: bool):
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(table)
        columns = [c.name for c in table.c if c.name not in key]
        where = or_(table.c.final.is_(False), stmt.excluded.final.is_(True)) if guard else None
        return stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in columns},
                                          where=where)

    def set_final_until(self, ts: float) -> None:
        """Every interval before ``ts`` is final (the mark only moves forward)."""
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(P).values(name=FINAL_UNTIL, value=int(ts))
        stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={
            "value": case((stmt.excluded.value > P.c.value, stmt.excluded.value), else_=P.c.value)})
        with self.engine.begin() as conn:
            conn.execute(stmt)

    # -- reads ---------------------------------------------------------------------------------------------------
    def queue_intervals(self, start_ts: float, end_ts: float, scopes: list[str] | None = None) -> list[IntervalCounts]:
        """Queue intervals starting in [start_ts, end_ts), by start then queue."""
        return [_queue_item(r) for r in self._range(HQ, start_ts, end_ts, scopes)]

    def channel_intervals(self, start_ts: float, end_ts: float,
                          scopes: list[str] | None = None) -> list[ChannelInterval]:
        """Channel intervals starting in [start_ts, end_ts), by start then channel."""
        return [_channel_item(r) for r in self._range(HC, start_ts, end_ts, scopes)]

    def _range(self, table: Table, start_ts: float, end_ts: float, scopes: list[str] | None) -> list:
        query = select(table).where(table.c.start_ts >= int(start_ts), table.c.start_ts < end_ts)
        if scopes is not None:
            query = query.where(table.c.scope.in_(scopes))
        with self.engine.connect() as conn:
            return conn.execute(query.order_by(table.c.start_ts, table.c.scope)).all()

    def operator_days(self, day_from: str, day_to: str) -> list[OperatorDay]:
        """Operator days from ``day_from`` to ``day_to`` (YYYY-MM-DD local days, inclusive), by day then name."""
        query = select(HO).where(HO.c.day >= day_from, HO.c.day <= day_to).order_by(HO.c.day, HO.c.name)
        with self.engine.connect() as conn:
            return [_operator_item(r) for r in conn.execute(query)]

    def coverage(self) -> tuple[float | None, float | None]:
        """The first and the last interval start held (queues)."""
        with self.engine.connect() as conn:
            first, last = conn.execute(select(func.min(HQ.c.start_ts), func.max(HQ.c.start_ts))).one()
        return (None if first is None else float(first)), (None if last is None else float(last))

    def final_until(self) -> float | None:
        """Every interval before this is final (None: nothing settled yet)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(P.c.value).where(P.c.name == FINAL_UNTIL)).scalar()
        return None if value is None else float(value)

    def final_starts(self, start_ts: float, end_ts: float) -> int:
        """How many interval starts in [start_ts, end_ts) hold final queue rows."""
        query = select(func.count(func.distinct(HQ.c.start_ts))).where(
            HQ.c.start_ts >= int(start_ts), HQ.c.start_ts < end_ts, HQ.c.final.is_(True))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def row_counts(self) -> dict[str, int]:
        """Rows per history table (``python app.py history status``)."""
        with self.engine.connect() as conn:
            return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                    for t in (HQ, HC, HO)}


# -- rows <-> domain -------------------------------------------------------------------------------------------------
def _queue_row(r: IntervalCounts, final: bool, now: int) -> dict:
    row = {k: int(round(r.counts.get(k, 0))) for k in _QUEUE_INTS}
    row.update({k: int(round(r.agents.get(k, 0))) for k in AGENT_FIELDS})
    row.update(scope=r.scope, start_ts=int(r.start_ts), longest_wait_s=int(r.longest_wait_s),
               answer_waits=_json(r.answer_waits), abandon_waits=_json(r.abandon_waits),
               paused_by_reason=_seconds(r.paused_by_reason), final=final or r.final, updated_at=now)
    return row


def _queue_item(row) -> IntervalCounts:
    m = row._mapping
    return IntervalCounts(row.scope, int(row.start_ts), {k: m[k] for k in _QUEUE_INTS if m[k]},
                          _int_keys(row.answer_waits), _int_keys(row.abandon_waits), float(row.longest_wait_s),
                          {k: float(m[k]) for k in AGENT_FIELDS}, _floats(row.paused_by_reason), bool(row.final))


def _channel_row(r: ChannelInterval, final: bool, now: int) -> dict:
    row = {k: int(getattr(r, k)) for k in _CHANNEL_INTS}
    row.update(scope=r.scope, start_ts=int(r.start_ts), response_sum=float(r.response_sum),
               response_waits=_json(r.response_waits), final=final or r.final, updated_at=now)
    return row


def _channel_item(row) -> ChannelInterval:
    m = row._mapping
    return ChannelInterval(row.scope, int(row.start_ts), **{k: m[k] for k in _CHANNEL_INTS},
                           response_sum=row.response_sum, response_waits=_int_keys(row.response_waits),
                           final=bool(row.final))


def _operator_row(r: OperatorDay, now: int) -> dict:
    row = {k: int(round(getattr(r, k))) for k in _OPERATOR_INTS}
    row.update(day=r.day, name=r.name, paused_by_reason=_seconds(r.paused_by_reason), updated_at=now)
    return row


def _operator_item(row) -> OperatorDay:
    m = row._mapping
    values = {k: (m[k] if k in ("answered", "handled") else float(m[k])) for k in _OPERATOR_INTS}
    return OperatorDay(row.name, row.day, **values, paused_by_reason=_floats(row.paused_by_reason))


def _floats(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in orjson.loads(text).items()} if text and text != "{}" else {}

