"""Every component id of the app, in one place. Pattern-matching ids are dicts with a ``type`` key."""

# Shell (present on every page)
URL = "url"
LANG = "lang"
THEME = "theme"
KIOSK = "kiosk"
CONFIG = "config"
TICK = "tick"
CLOCK = "clock"
ROTATE = "rotate"
FRESH = "fresh"
SHELL = "shell"
NAVBAR = "navbar"
NAV_LINKS = "nav-links"
BRAND = "brand"
LANG_TOGGLE = "lang-toggle"
THEME_TOGGLE = "theme-toggle"
SIGN_OUT = "sign-out"
AGE_BADGE = "age-badge"
STALE_BANNER = "stale-banner"
STALE_TEXT = "stale-text"
RELOAD_SINK = "reload-sink"

# Wall screen
WALL_VERSION = "wall-version"
WALL_BODY = "wall-body"
WALL_CLOCK = "wall-clock"

# Queues page
QUEUES_VERSION = "queues-version"
QUEUE_PICK = "queue-pick"
QUEUE_SUMMARY = "queue-summary"
QUEUE_CHART = "queue-chart"
QUEUE_WAITING = "queue-waiting"
QUEUE_ABANDONED = "queue-abandoned"
QUEUE_AGENTS = "queue-agents"

# Operators page
OPS_VERSION = "ops-version"
OPS_COUNTS = "ops-counts"
OPS_GRID = "ops-grid"
OPS_TEAM = "ops-team"
OPS_QUEUE = "ops-queue"
OPS_STATE = "ops-state"
OPS_LABELS = "ops-labels"
OPS_VIEW = "ops-view"
OPS_TILES = "ops-tiles"
OPS_GRID_WRAP = "ops-grid-wrap"
OPS_ROWS = "ops-rows"
OPS_DIRECTORY = "ops-directory"

# Services page
SERVICES_VERSION = "services-version"
SERVICES_BODY = "services-body"

# Alerts page
ALERTS_BODY = "alerts-body"
ALERTS_HISTORY = "alerts-history"
ALERTS_REFRESH = "alerts-refresh"
ACK = "ack"  # {"type": ACK, "id": alert id}

# Security: access-log review
ACC_FILTER = "acc-filter"
ACC_SINCE = "acc-since"
ACC_UNTIL = "acc-until"
ACC_OPERATOR = "acc-operator"
ACC_CITIZEN = "acc-citizen"
ACC_ACTION = "acc-action"
ACC_EXPLAINED = "acc-explained"
ACC_APPLY = "acc-apply"
ACC_EXPORT = "acc-export"
ACC_DOWNLOAD = "acc-download"
ACC_MESSAGE = "acc-message"
ACC_GRID = "acc-grid"  # {"type": ACC_GRID, "key": n}: a new grid for each applied filter
ACC_GRID_WRAP = "acc-grid-wrap"
ACC_TIMELINE = "acc-timeline"
ACC_WHO = "acc-who"
ACC_REVEAL_ID = "acc-reveal-id"
ACC_REVEAL_REASON = "acc-reveal-reason"
ACC_REVEAL = "acc-reveal"
ACC_REVEAL_OUT = "acc-reveal-out"

# Security: cases and overview
CASES_GRID = "cases-grid"
CASES_FILTER = "cases-filter"
CASE_DETAIL = "case-detail"
CASE_SELECTED = "case-selected"
CASE_ACTION = "case-action"  # {"type": CASE_ACTION, "action": ...}
CASE_CLOSURE = "case-closure"
CASE_NOTE = "case-note"
CASE_LEAK = "case-leak"
CASE_ALLOW_DAYS = "case-allow-days"
CASE_ALLOW_SCOPE = "case-allow-scope"
CASE_ALLOW_DETECTOR = "case-allow-detector"
CASE_MESSAGE = "case-message"
SEC_OVERVIEW = "sec-overview"

# Audit trail (administrators)
AUDIT_GRID = "audit-grid"
AUDIT_ACTOR = "audit-actor"
AUDIT_ACTION = "audit-action"
AUDIT_APPLY = "audit-apply"
AUDIT_CHAIN = "audit-chain"

# SLA report (managers)
SLA_STATE = "sla-state"
SLA_MESSAGE = "sla-message"
SLA_PERIOD_TEXT = "sla-period-text"
SLA_PERIOD = "sla-period"
SLA_FROM = "sla-from"
SLA_TO = "sla-to"
SLA_BY = "sla-by"
SLA_LINE = "sla-line"
SLA_VARIANT = "sla-variant"
SLA_T = "sla-t"
SLA_SHORT = "sla-short"
SLA_BLOCKED = "sla-blocked"
SLA_MONTHLY = "sla-monthly"
SLA_EXPORT = "sla-export"  # {"type": SLA_EXPORT, "table": key, "fmt": "csv" | "xlsx"}
SLA_DOWNLOAD = "sla-download"
SLA_HEATMAP = "sla-heatmap"
SLA_FORECAST = "sla-forecast"
SLA_FORECAST_TICK = "sla-forecast-tick"

# Integrations (administrators): API tokens, notification routes, silences, report subscriptions
API_NAME = "api-name"
API_SCOPES = "api-scopes"
API_CREATE = "api-create"
API_REVOKE = "api-revoke"
API_MESSAGE = "api-message"
API_GRID = "api-grid"
API_USAGE = "api-usage"
