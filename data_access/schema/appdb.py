"""The dashboard's own database: alert lifecycle now; users, audit trail and cases join it later."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()
_ID = BigInteger().with_variant(Integer, "sqlite")

alerts = Table(
    "alerts", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),           # rule:scope, e.g. waiting:technical
    Column("rule", String(40), nullable=False),
    Column("scope", String(80), nullable=False),
    Column("severity", String(10), nullable=False),       # warning | critical
    Column("params", Text, nullable=False),               # JSON: the numbers the message is made from
    Column("fired_at", DateTime, nullable=False),         # UTC
    Column("updated_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("acked_by", String(80)),
    Column("acked_at", DateTime),
    Index("ix_alerts_active", "resolved_at", "key"),
    Index("ix_alerts_fired", "fired_at"),
)
