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
LANG_TOGGLE = "lang-toggle"
THEME_TOGGLE = "theme-toggle"
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
QUEUES_HEADINGS = "queues-headings"

# Operators page
OPS_VERSION = "ops-version"
OPS_COUNTS = "ops-counts"
OPS_GRID = "ops-grid"
OPS_TEAM = "ops-team"
OPS_QUEUE = "ops-queue"
OPS_STATE = "ops-state"
OPS_LABELS = "ops-labels"

# Services page
SERVICES_VERSION = "services-version"
SERVICES_BODY = "services-body"

# Alerts page
ALERTS_BODY = "alerts-body"
ALERTS_HISTORY = "alerts-history"
ALERTS_REFRESH = "alerts-refresh"
ACK = "ack"  # {"type": ACK, "id": alert id}
