"""The dashboard's own database: users, alert lifecycle, the audit trail, copies of access rows, cases.

All times are naive UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    event,
)

metadata = MetaData()
_ID = BigInteger().with_variant(Integer, "sqlite")


def _id() -> Column:
    return Column("id", _ID, primary_key=True, autoincrement=True)


alerts = Table(
    "alerts", metadata, _id(),
    Column("key", String(200), nullable=False),           # rule:scope, e.g. queue_waiting:technical
    Column("rule", String(40), nullable=False),
    Column("scope", String(80), nullable=False),
    Column("severity", String(10), nullable=False),       # warning | critical
    Column("params", Text, nullable=False),               # JSON: the numbers the message is made from
    Column("fired_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("acked_by", String(80)),
    Column("acked_at", DateTime),
    Index("ix_alerts_active", "resolved_at", "key"),
    Index("ix_alerts_fired", "fired_at"),
)

users = Table(
    "users", metadata, _id(),
    Column("login", String(80), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),           # supervisor | security | manager | admin | display
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", DateTime, nullable=False),
    Column("last_login_at", DateTime),
)

kiosk_tokens = Table(
    "kiosk_tokens", metadata, _id(),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token; the token is never kept
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("revoked_at", DateTime),
    Column("last_used_at", DateTime),
)

login_attempts = Table(
    "login_attempts", metadata, _id(),
    Column("ts", DateTime, nullable=False),
    Column("login", String(80), nullable=False),
    Column("ip", String(45), nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempts_login", "login", "ts"),
    Index("ix_login_attempts_ip", "ip", "ts"),
)

# Server-side sessions: a cookie names one of these rows, so signing out, a revoked kiosk token or a reset
# password ends the session for every copy of the cookie (the remembered one too).
web_sessions = Table(
    "web_sessions", metadata, _id(),
    Column("sid_hash", String(64), nullable=False, unique=True),  # SHA-256 of the cookie's session id
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("token_id", ForeignKey("kiosk_tokens.id")),            # set for a wall screen signed in by token
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("ip", String(45), nullable=False, server_default=""),
    Index("ix_web_sessions_user", "user_id"),
)

# Which poller process publishes (one row): a second poller against the same app database refuses to start.
poller_lease = Table(
    "poller_lease", metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("host", String(120), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("renewed_at", DateTime, nullable=False),
)

# The active poller's live state, every minute (poller/checkpoint.py): a restart or a takeover loads it and reads
# only the source rows after its cursors. One row; the payload is signed with the secret key before it is trusted.
poller_checkpoint = Table(
    "poller_checkpoint", metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("fingerprint", String(64), nullable=False),   # the state's format: code and settings that shape it
    Column("day_start", BigInteger, nullable=False),     # local midnight (UTC epoch) of the day the state holds
    Column("taken_at", DateTime, nullable=False),
    Column("token", BigInteger),                         # the lease token of the poller that wrote it
    Column("digest", String(64), nullable=False),        # HMAC-SHA256 of the payload under the secret key
    Column("payload", LargeBinary, nullable=False),      # zlib-compressed pickle of the live state
)

audit_log = Table(
    "audit_log", metadata, _id(),
    Column("ts", DateTime, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(40), nullable=False),         # sign_in | sign_in_failed | reveal | export | ...
    Column("target", String(200), nullable=False, server_default=""),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("ip", String(45), nullable=False, server_default=""),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),           # SHA-256 over prev_hash and this row: a hash chain
    Index("ix_audit_ts", "ts"),
    Index("ix_audit_actor", "actor", "ts"),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("count", BigInteger, nullable=False),
)

audit_checkpoint = Table(
    "audit_checkpoint", metadata,                         # one row: the chain is verified up to this row
    Column("id", SmallInteger, primary_key=True),
    Column("row_id", BigInteger, nullable=False),         # audit_log.id of the last row verified
    Column("hash", String(64), nullable=False),           # that row's hash: the next check starts from it
)

access_events = Table(
    "access_events", metadata,
    Column("id", _ID, primary_key=True, autoincrement=False),  # pd_access_log.id in the CRM
    Column("ts", DateTime, nullable=False),
    Column("day", String(10), nullable=False),            # local day, YYYY-MM-DD
    Column("operator_id", BigInteger, nullable=False),
    Column("operator_login", String(80), nullable=False, server_default=""),
    Column("team_id", BigInteger),
    Column("citizen_id", BigInteger),
    Column("citizen_masked", String(60), nullable=False, server_default=""),  # never the clear name
    Column("action", String(10), nullable=False),
    Column("ticket_id", BigInteger),
    Column("call_id", String(80)),
    Column("ip", String(45), nullable=False),
    Column("explained", Boolean, nullable=False),
    Column("reason", String(20), nullable=False),         # ticket | team_ticket | call | search | none
    Index("ix_ae_ts", "ts"),
    Index("ix_ae_operator_ts", "operator_id", "ts"),
    Index("ix_ae_citizen_ts", "citizen_id", "ts"),
    Index("ix_ae_day_team", "day", "team_id"),
    Index("ix_ae_operator_day", "operator_id", "day"),  # the per operator-day recounts of every poll
)

# Which link explained each access copy (its final verdict): call, ticket or team_ticket with the ticket's id, or
# allow_rule with the id of the D01 allow-rule that accepts an access no ticket explains. Purged with the copies.
access_links = Table(
    "access_links", metadata,
    Column("access_id", _ID, primary_key=True, autoincrement=False),
    Column("link", String(12), nullable=False),          # call | ticket | team_ticket | allow_rule
    Column("ref_id", BigInteger, nullable=False),        # the ticket's id, or the allow-rule's
)

operator_days = Table(
    "operator_days", metadata,
    Column("operator_id", BigInteger, primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("team_id", BigInteger),
    Column("touches", Integer, nullable=False, server_default="0"),
    Column("distinct_citizens", Integer, nullable=False, server_default="0"),
    Column("unexplained", Integer, nullable=False, server_default="0"),
    Column("last_ts", DateTime),
)

cases = Table(
    "cases", metadata, _id(),
    Column("operator_id", BigInteger, nullable=False),
    Column("day", String(10), nullable=False),
    Column("score", SmallInteger, nullable=False),
    Column("band", String(10), nullable=False),           # info | low | medium | high | critical
    Column("status", String(12), nullable=False),         # new | assigned | in_review | closed
    Column("assignee", String(80)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("assigned_at", DateTime),
    Column("closed_at", DateTime),
    Column("closure", String(20)),            # true_positive | benign_positive | false_positive | duplicate
    Column("closure_detail", Text),
    Column("legal_hold", Boolean, nullable=False, server_default="0"),
    Column("incident_id", ForeignKey("incident_log.id")),
    Column("closed_by", String(80)),
    Column("confirmed_by", String(80)),       # a second officer's confirmation of a clearance (four eyes)
    Column("confirmed_at", DateTime),
    Index("ux_cases_operator_day", "operator_id", "day", unique=True),
    Index("ix_cases_status", "status", "band"),
)

case_hits = Table(
    "case_hits", metadata, _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("detector", String(4), nullable=False),
    Column("scope", String(120), nullable=False, server_default=""),  # with detector: one hit per case and scope
    Column("ts", DateTime, nullable=False),
    Column("points", SmallInteger, nullable=False),
    Column("reason_ru", Text, nullable=False),
    Column("reason_en", Text, nullable=False),
    Column("access_ids", Text, nullable=False),           # JSON list of access_events ids (the evidence)
    Column("citizen_ids", Text, nullable=False),
    Column("signin_ids", Text, nullable=False, server_default="[]"),
    Index("ux_case_hits_scope", "case_id", "detector", "scope", unique=True),
    Index("ix_case_hits_detector_ts", "detector", "ts"),
)

case_events = Table(
    "case_events", metadata, _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("ts", DateTime, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(30), nullable=False),         # created | assigned | review | closed | hold | escalated
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_case_events_case", "case_id"),
)

allow_rules = Table(
    "allow_rules", metadata, _id(),
    Column("detector", String(4), nullable=False),
    Column("operator_id", BigInteger),
    Column("team_id", BigInteger),
    Column("reason", Text, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("case_id", ForeignKey("cases.id")),
)

incident_log = Table(
    "incident_log", metadata, _id(),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("title", Text, nullable=False),
    Column("leak_suspected", Boolean, nullable=False, server_default="0"),
    Column("notify_by", DateTime),                        # 24 h to notify Roskomnadzor when a leak is suspected
    Column("report_by", DateTime),                        # 72 h for the internal investigation's results
)

operator_names = Table(
    "operator_names", metadata,                           # the CRM's operators as the security pages show them
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("login", String(80), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("team_id", BigInteger),
    Column("team_name", String(200)),
    Column("role", String(20)),
)

poller_cursors = Table(
    "poller_cursors", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Interval history (data_access/history_repo.py): a year at full scale is about 35,000 rows per queue. Each table is
# clustered on its primary key (WITHOUT ROWID on SQLite: no second copy of the key), times are UTC epochs, the
# histograms compact JSON ({"17": 3}: seconds -> calls), agent-seconds whole seconds.
_EPOCH = BigInteger().with_variant(Integer, "sqlite")


def _history_table(name: str, key: Column, *columns: Column) -> Table:
    return Table(
        name, metadata, key,
        Column("start_ts", _EPOCH, primary_key=True, autoincrement=False),  # a multiple of 900
        *columns,
        Column("final", Boolean, nullable=False, server_default="0"),  # rebuilt from the sources; kept
        Column("updated_at", _EPOCH, nullable=False),
        Index(f"ix_{name}_start", "start_ts"),
        sqlite_with_rowid=False,
    )


def _counts(*names: str) -> list[Column]:
    return [Column(n, Integer, nullable=False, server_default="0") for n in names]


history_queue = _history_table(
    "history_queue", Column("scope", String(80), primary_key=True),  # the queue
    *_counts("offered", "answered", "abandoned", "short_abandoned", "timed_out", "lost", "transferred", "blocked",
             "handled", "hold_sum", "talk_sum", "answered_in_t", "longest_wait_s"),
    Column("answer_waits", Text, nullable=False, server_default="{}"),
    Column("abandon_waits", Text, nullable=False, server_default="{}"),
    *_counts("staffed_s", "available_s", "busy_s", "paused_s"),
    Column("paused_by_reason", Text, nullable=False, server_default="{}"),
)

history_channel = _history_table(
    "history_channel", Column("scope", String(20), primary_key=True),  # the digital channel
    *_counts("created", "responded", "responded_in_t", "backlog", "resolved", "resolved_by_due"),
    Column("response_sum", Float, nullable=False, server_default="0"),
    Column("response_waits", Text, nullable=False, server_default="{}"),  # RESPONSE_BOUNDS bound -> responses
)

history_operator_day = Table(
    "history_operator_day", metadata,
    Column("day", String(10), primary_key=True),           # local day, YYYY-MM-DD
    Column("name", String(80), primary_key=True),          # queue member name
    *_counts("answered", "handled", "talk_s", "wrapup_s", "staffed_s", "busy_s", "paused_s"),
    Column("paused_by_reason", Text, nullable=False, server_default="{}"),
    Column("updated_at", _EPOCH, nullable=False),
    sqlite_with_rowid=False,
)

# The CRM's tickets, surveys and portal incidents as the managers' reports need them (poller/ledger.py keeps them
# from the CRM's change feed; the reports never read the CRM): no citizen, no text a citizen wrote.
ledger_tickets = Table(
    "ledger_tickets", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("channel", String(20), nullable=False),
    Column("line", String(80), nullable=False, server_default=""),
    Column("team", String(200), nullable=False, server_default=""),
    Column("member", String(80), nullable=False, server_default=""),
    Column("status", String(20), nullable=False),
    Column("escalated_to", String(40), nullable=False, server_default=""),
    Column("fcr", Boolean),
    Column("created_ts", _EPOCH, nullable=False),
    Column("first_response_ts", _EPOCH),
    Column("resolved_ts", _EPOCH),
    Column("due_ts", _EPOCH),
    Column("escalated_ts", _EPOCH),
    Index("ix_ledger_tickets_resolved", "resolved_ts"),
    Index("ix_ledger_tickets_created", "channel", "created_ts"),
    Index("ix_ledger_tickets_status", "status"),
    Index("ix_ledger_tickets_escalated", "escalated_to", "created_ts"),
)

ledger_surveys = Table(
    "ledger_surveys", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", _EPOCH, nullable=False),
    Column("ticket_id", BigInteger),
    Column("channel", String(20), nullable=False),
    Column("line", String(80), nullable=False, server_default=""),
    Column("csat", Integer),
    Column("resolved", Boolean),
    Index("ix_ledger_surveys_ts", "ts"),
)

ledger_incidents = Table(
    "ledger_incidents", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("opened_ts", _EPOCH, nullable=False),
    Column("resolved_ts", _EPOCH),
    Column("service_code", String(40)),
    Column("severity", String(10), nullable=False),
    Column("title", String(300), nullable=False),
    Index("ix_ledger_incidents_opened", "opened_ts"),
)

# FCR and survey counts per local day, channel, line, team and operator (made from the two ledgers above when a
# day's tickets or surveys change): a year's report adds up days, not tickets.
history_quality = Table(
    "history_quality", metadata,
    Column("day", String(10), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("line", String(80), primary_key=True),
    Column("team", String(200), primary_key=True),
    Column("member", String(80), primary_key=True),
    *_counts("resolved", "fcr", "surveys", "csat_sum", "csat_top", "survey_resolved_answers", "survey_resolved_yes"),
    sqlite_with_rowid=False,
)

# Integrations (issue 13): API tokens and their hourly use, notification routes, silences, the outbox, reports.
api_tokens = Table(
    "api_tokens", metadata, _id(),
    Column("name", String(120), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token; the token is never kept
    Column("scopes", String(40), nullable=False),         # operational | reports | operational,reports
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("revoked_at", DateTime),
    Column("revoked_by", String(80)),
    Column("last_used_at", DateTime),
)

api_usage = Table(
    "api_usage", metadata,                                # every API call, added up per token and hour
    Column("token_id", ForeignKey("api_tokens.id"), primary_key=True),
    Column("hour", DateTime, primary_key=True),           # the UTC hour the calls fell in
    Column("calls", Integer, nullable=False, server_default="0"),
    Column("refused", Integer, nullable=False, server_default="0"),  # out of scope, rate-limited, bad input
)

notify_routes = Table(
    "notify_routes", metadata, _id(),
    Column("name", String(120), nullable=False, unique=True),
    Column("channel", String(10), nullable=False),        # email | telegram | webhook
    Column("target", String(500), nullable=False),        # addresses | chat id | URL
    Column("audience", String(12), nullable=False),       # operational | security
    Column("rules", String(500), nullable=False, server_default=""),   # alert rules, comma-separated; "": all
    Column("scopes", String(500), nullable=False, server_default=""),  # queues, channels...; "": all
    Column("min_severity", String(10), nullable=False, server_default="warning"),
    Column("min_band", String(10), nullable=False, server_default="high"),  # security routes: the cases' floor
    Column("quiet_from", String(5), nullable=False, server_default=""),  # HH:MM local; only critical then
    Column("quiet_to", String(5), nullable=False, server_default=""),
    Column("group_wait_s", Integer, nullable=False, server_default="60"),
    Column("repeat_s", Integer, nullable=False, server_default="14400"),
    Column("send_resolved", Boolean, nullable=False, server_default="1"),
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

notify_groups = Table(
    "notify_groups", metadata,                            # what each route last announced, and what waits
    Column("route_id", ForeignKey("notify_routes.id"), primary_key=True),
    Column("announced", Text, nullable=False, server_default="{}"),  # JSON item key -> severity or band
    Column("pending_since", DateTime),                    # the first change not announced yet
    Column("last_sent_at", DateTime),
    Column("seq", Integer, nullable=False, server_default="0"),
)

notify_silences = Table(
    "notify_silences", metadata, _id(),
    Column("matcher", String(200), nullable=False),       # an alert key, rule:*, case:* or *
    Column("route_id", ForeignKey("notify_routes.id")),   # None: every route
    Column("reason", String(500), nullable=False, server_default=""),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
)

notify_outbox = Table(
    "notify_outbox", metadata, _id(),
    Column("idem_key", String(200), nullable=False, unique=True),  # one message per key, whoever enqueues it
    Column("route_id", ForeignKey("notify_routes.id")),
    Column("channel", String(10), nullable=False),
    Column("target", String(500), nullable=False),
    Column("kind", String(12), nullable=False),           # alerts | cases | test | report
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("payload", Text, nullable=False, server_default="{}"),  # JSON: the webhook body, the items' keys
    Column("attachment_name", String(120)),
    Column("attachment", LargeBinary),
    Column("status", String(10), nullable=False),         # pending | sending | sent | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_at", DateTime, nullable=False),
    Column("claimed_at", DateTime),
    Column("last_error", String(300)),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_notify_outbox_due", "status", "next_at"),
)

report_subscriptions = Table(
    "report_subscriptions", metadata, _id(),
    Column("login", String(80), nullable=False),
    Column("email", String(200), nullable=False),
    Column("cadence", String(10), nullable=False),        # monthly | weekly
    Column("lang", String(2), nullable=False, server_default="ru"),
    Column("created_at", DateTime, nullable=False),
    Index("ux_report_subscriptions", "login", "cadence", unique=True),
)

# The audit trail is append-only at the database level too.
for _dialect, _ddl in (
    ("sqlite", ["CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"]),
    ("postgresql", ["CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql",
                    "DROP TRIGGER IF EXISTS audit_append_only ON audit_log",
                    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"]),
):
    for _statement in _ddl:
        event.listen(audit_log, "after_create", DDL(_statement).execute_if(dialect=_dialect))

# The checkpoint only moves forward and is never deleted (moving it back or away would hide nothing, but a
# checkpoint that moves only forward keeps its history simple to reason about).
for _dialect, _ddl in (
    ("sqlite", ["CREATE TRIGGER IF NOT EXISTS audit_checkpoint_forward BEFORE UPDATE ON audit_checkpoint "
                "WHEN NEW.row_id <= OLD.row_id OR NEW.id != OLD.id "
                "BEGIN SELECT RAISE(ABORT, 'audit_checkpoint only moves forward'); END",
                "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint "
                "BEGIN SELECT RAISE(ABORT, 'audit_checkpoint cannot be deleted'); END"]),
    ("postgresql", ["CREATE OR REPLACE FUNCTION audit_checkpoint_guard() RETURNS trigger AS $$ BEGIN "
                    "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'audit_checkpoint cannot be deleted'; END IF; "
                    "IF NEW.row_id <= OLD.row_id OR NEW.id <> OLD.id THEN "
                    "RAISE EXCEPTION 'audit_checkpoint only moves forward'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql",
                    "DROP TRIGGER IF EXISTS audit_checkpoint_guard ON audit_checkpoint",
                    "CREATE TRIGGER audit_checkpoint_guard BEFORE UPDATE OR DELETE ON audit_checkpoint "
                    "FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_guard()"]),
):
    for _statement in _ddl:
        event.listen(audit_checkpoint, "after_create", DDL(_statement).execute_if(dialect=_dialect))
