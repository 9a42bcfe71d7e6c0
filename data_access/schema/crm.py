"""The hotline CRM (ticketing) schema. The project defines it; docs/crm_schema.md explains every column.

All timestamps are naive UTC. Append-only tables (ticket_status_history, pd_access_log, sign_in_events,
service_checks, surveys) are read incrementally by id; tickets are re-read when a status-history row names them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData()
_ID = BigInteger().with_variant(Integer, "sqlite")


def _id() -> Column:
    return Column("id", _ID, primary_key=True, autoincrement=True)


teams = Table(
    "teams", metadata, _id(),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),          # phone | digital | backoffice
    Column("queuename", String(80)),                      # the Asterisk queue a phone team serves
)

operators = Table(
    "operators", metadata, _id(),
    Column("login", String(80), nullable=False, unique=True),   # the unique operator code (152-FZ)
    Column("full_name", String(200), nullable=False),
    Column("surname", String(100), nullable=False),
    Column("team_id", ForeignKey("teams.id"), nullable=False),
    Column("role", String(20), nullable=False),           # operator | senior | supervisor | backoffice
    Column("member_name", String(80)),                    # queue member name as written to queue_log.agent
    Column("status", String(20), nullable=False),         # active | suspended | terminated
    Column("hired_at", DateTime, nullable=False),
    Column("terminated_at", DateTime),
    Column("address", String(300)),                       # home address, normalised (neighbour detection)
    Column("citizen_id", ForeignKey("citizens.id")),      # the operator's own citizen record, if any
)

operator_queues = Table(
    "operator_queues", metadata,
    Column("operator_id", ForeignKey("operators.id"), primary_key=True),
    Column("queuename", String(80), primary_key=True),
    Column("penalty", SmallInteger, nullable=False, server_default="0"),
)

shifts = Table(
    "shifts", metadata, _id(),
    Column("operator_id", ForeignKey("operators.id"), nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Index("ix_shifts_operator_start", "operator_id", "starts_at"),
)

leaves = Table(
    "leaves", metadata, _id(),
    Column("operator_id", ForeignKey("operators.id"), nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("kind", String(20), nullable=False),           # vacation | sick | other
    Index("ix_leaves_operator", "operator_id", "starts_at"),
)

citizens = Table(
    "citizens", metadata, _id(),
    Column("surname", String(100), nullable=False),
    Column("given_name", String(100), nullable=False),
    Column("patronymic", String(100)),
    Column("gender", String(1)),                          # M | F
    Column("birth_date", Date),
    Column("phone", String(20)),
    Column("passport", String(12)),                       # series and number, digits only
    Column("inn", String(12)),
    Column("address", String(300)),                       # normalised registration address
    Column("is_employee", Boolean, nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False),
    Index("ix_citizens_surname", "surname"),
    Index("ix_citizens_address", "address"),
)

watchlist = Table(
    "watchlist", metadata, _id(),
    Column("citizen_id", ForeignKey("citizens.id"), nullable=False),
    Column("category", String(30), nullable=False),       # vip | public_figure | victim | other
    Column("reason", String(300)),
    Column("added_at", DateTime, nullable=False),
    Column("until", DateTime),
)

tickets = Table(
    "tickets", metadata, _id(),
    Column("channel", String(20), nullable=False),        # phone | chat | telegram | vk | cabinet_msg | email | app
    Column("line", String(80)),                           # the queue of a phone ticket
    Column("category", String(30), nullable=False),       # technical | forms | status | other
    Column("status", String(20), nullable=False),         # new | open | escalated | resolved | closed
    Column("created_at", DateTime, nullable=False),
    Column("first_response_at", DateTime),
    Column("resolved_at", DateTime),
    Column("due_at", DateTime),
    Column("citizen_id", ForeignKey("citizens.id")),
    Column("assignee_id", ForeignKey("operators.id")),
    Column("team_id", ForeignKey("teams.id")),
    Column("escalated_to", String(30)),                   # technical | legal | medical | tax
    Column("first_contact_resolution", Boolean),
    Column("call_id", String(80)),                        # queue_log.callid of the call that opened it
    Index("ix_tickets_citizen", "citizen_id", "created_at"),
    Index("ix_tickets_open", "channel", "status"),
    Index("ix_tickets_call", "call_id"),
)

ticket_status_history = Table(
    "ticket_status_history", metadata, _id(),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False),
    Column("ts", DateTime, nullable=False),
    Column("status", String(20), nullable=False),         # created | first_response | escalated | resolved | closed
    Column("operator_id", ForeignKey("operators.id")),
    Index("ix_tsh_ticket", "ticket_id"),
)

pd_access_log = Table(
    "pd_access_log", metadata, _id(),
    Column("ts", DateTime, nullable=False),
    Column("operator_id", ForeignKey("operators.id"), nullable=False),
    Column("citizen_id", ForeignKey("citizens.id")),      # null for a search that opened nothing
    Column("action", String(10), nullable=False),         # search | view | edit | export | print
    Column("ticket_id", ForeignKey("tickets.id")),
    Column("call_id", String(80)),
    Column("ip", String(45), nullable=False),
    Index("ix_access_ts", "ts"),
    Index("ix_access_operator_ts", "operator_id", "ts"),
    Index("ix_access_citizen_ts", "citizen_id", "ts"),
)

sign_in_events = Table(
    "sign_in_events", metadata, _id(),
    Column("ts", DateTime, nullable=False),
    Column("operator_id", ForeignKey("operators.id")),    # null when the login matched nobody
    Column("login", String(80), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("ip", String(45), nullable=False),
    Index("ix_signin_operator_ts", "operator_id", "ts"),
)

portal_services = Table(
    "portal_services", metadata, _id(),
    Column("code", String(40), nullable=False, unique=True),
    Column("name_ru", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("line", String(80)),                           # the queue that floods when it fails
)

service_checks = Table(
    "service_checks", metadata, _id(),
    Column("ts", DateTime, nullable=False),
    Column("service_code", String(40), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("latency_ms", Integer),
    Column("error", String(300)),
    Index("ix_checks_service_ts", "service_code", "ts"),
)

incidents = Table(
    "incidents", metadata, _id(),
    Column("opened_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("service_code", String(40)),
    Column("severity", String(10), nullable=False),       # minor | major | critical
    Column("title", String(300), nullable=False),
    Column("status", String(20), nullable=False),         # open | resolved
    Index("ix_incidents_status", "status"),
)

surveys = Table(
    "surveys", metadata, _id(),
    Column("ts", DateTime, nullable=False),
    Column("ticket_id", ForeignKey("tickets.id")),
    Column("call_id", String(80)),
    Column("channel", String(20), nullable=False),
    Column("line", String(80)),
    Column("csat", SmallInteger, nullable=False),         # 1..5
    Column("resolved", Boolean),                          # the citizen's answer: solved on first contact?
)
