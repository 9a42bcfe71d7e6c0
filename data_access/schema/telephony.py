"""The Asterisk realtime ``queue_log`` table in its official layout (asterisk contrib/realtime/*/)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.mysql import DATETIME as MYSQL_DATETIME

metadata = MetaData()

# BigInteger on PostgreSQL/MySQL, INTEGER on SQLite so that it is the rowid (autoincrement works there).
_ID = BigInteger().with_variant(Integer, "sqlite")
# DATETIME(6) on MySQL / MariaDB as in Asterisk's own table (a plain DATETIME drops the microseconds). Older
# FreePBX tables have a varchar(26) ``time`` holding the same text ('2026-11-26 12:00:00.123456'): read as well.
_TIME = DateTime(timezone=False).with_variant(MYSQL_DATETIME(fsp=6), "mysql", "mariadb")

queue_log = Table(
    "queue_log",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("time", _TIME, nullable=True, comment="PBX local time unless use_gmt=yes"),
    Column("callid", String(80), nullable=False, server_default=""),
    Column("queuename", String(256), nullable=False, server_default=""),
    Column("agent", String(80), nullable=False, server_default=""),
    Column("event", String(32), nullable=False, server_default=""),
    Column("data1", String(100), nullable=False, server_default=""),
    Column("data2", String(100), nullable=False, server_default=""),
    Column("data3", String(100), nullable=False, server_default=""),
    Column("data4", String(100), nullable=False, server_default=""),
    Column("data5", String(100), nullable=False, server_default=""),
    # The start-up rebuild reads from local midnight: it needs an index on time.
    Index("ix_queue_log_time", "time"),
)
