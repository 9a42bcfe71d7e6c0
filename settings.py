"""All settings of the dashboard, read from ``HOTLINE_*`` environment variables.

Every setting has a default and a help text (``python app.py settings`` prints them). Nothing here opens a
database or starts a thread: :func:`load_settings` only parses strings.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from domain.detectors.catalog import DEFAULT_POINTS
from domain.detectors.config import DetectorConfig as _Det
from domain.lines import DEFAULT_CHANNELS, DEFAULT_QUEUES, ChannelConfig, QueueConfig

PREFIX = "HOTLINE_"


def _s(default: Any, help_text: str) -> Any:
    """A dataclass field with a default and its help text."""
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """The dashboard's settings. Field ``x`` is read from ``HOTLINE_X``."""

    data_dir: str = _s("var", "Folder for the embedded SQLite files and simulator ground truth.")
    telephony_url: str = _s("", "SQLAlchemy URL of the Asterisk queue_log database (read-only to us). "
                                "Empty: sqlite file telephony.db in data_dir.")
    telephony_charset: str = _s("auto", "MySQL/MariaDB queue_log only: how text columns declared in a single-byte "
                                        "charset (latin1, cp1251...) are read. auto: as bytes, UTF-8 when they are "
                                        "UTF-8 (what a PBX writing through a latin1 connection stores; such rows "
                                        "are kept and counted as misdeclared_charset), else the declared charset. "
                                        "declared: as the server converts them from the declared charset.")
    ticketing_url: str = _s("", "SQLAlchemy URL of the CRM (ticketing) database (read-only to us). "
                                "Empty: sqlite file crm.db in data_dir.")
    app_db_url: str = _s("", "SQLAlchemy URL of the dashboard's own database (users, alerts, audit). "
                             "Empty: sqlite file app.db in data_dir.")
    redis_url: str = _s("", "Redis URL of the snapshot store; empty keeps snapshots in memory (one process).")
    redis_key_prefix: str = _s("hotline:", "Prefix of the Redis keys the snapshot store writes.")
    pbx_tz: str = _s("Europe/Moscow", "Zone in which the PBX writes queue_log.time; 'UTC' when Asterisk runs "
                                      "with queue_log_realtime_use_gmt=yes.")
    tz: str = _s("Europe/Moscow", "Display zone; 'today' starts at midnight in this zone.")
    lang: str = _s("ru", "Default interface language: ru or en.")
    poll_interval_s: float = _s(2.0, "Seconds between poll cycles of the source databases.")
    poll_batch_rows: int = _s(20000, "Most rows read from one source table in one poll cycle.")
    stale_after_s: float = _s(15.0, "A snapshot older than this is shown as stale on every screen.")
    source_stale_after_s: float = _s(30.0, "A source without a successful poll for this long raises an alert.")
    sl_threshold_s: int = _s(20, "Service-level answer-time target T in seconds (default for every queue).")
    sl_goal: float = _s(0.80, "Service-level goal as a fraction (default for every queue).")
    sl_variant: str = _s("default", "Service-level formula: default (answered<=T / answered+abandoned>short), "
                                    "asterisk (answered<=T / answered) or asterisk2 (SL2).")
    short_abandon_s: int = _s(5, "An ABANDON after less waiting than this is a short abandon, left out of "
                                 "service level and abandonment rate.")
    lost_call_after_s: int = _s(3600, "A call waiting longer than this without an exit event is flagged lost.")
    max_call_duration_s: int = _s(14400, "Longest hold, talk or wait a queue_log row is believed when the call's own "
                                         "rows cannot bound it; a longer (or negative) one is counted as absurd "
                                         "and replaced by what the row times say.")
    wrapup_s: int = _s(15, "Wrap-up seconds after each call (the PBX queue's wrapuptime).")
    queue_overrides: str = _s("", 'JSON of per-queue overrides, e.g. {"technical": {"waiting_crit": 30}}; '
                                  "an unknown queue name adds a queue.")
    channel_overrides: str = _s("", 'JSON of per-channel overrides, e.g. {"chat": {"target_s": 90}}.')
    alert_raise_after_s: float = _s(20.0, "An alert condition must hold this long before the alert fires.")
    alert_clear_after_s: float = _s(60.0, "A fired alert resolves after its condition has been clear this long.")
    service_down_after_checks: int = _s(2, "Failed checks in a row before a portal service counts as down.")
    web_host: str = _s("127.0.0.1", "Address the web app listens on.")
    web_port: int = _s(8050, "Port the web app listens on.")
    sim_scale: float = _s(0.05, "Simulator scale: 1.0 is about 150,000 contacts a day.")
    sim_speed: float = _s(1.0, "Simulator speed-up factor in live mode (1.0 = real time).")
    sim_seed: int = _s(7, "Random seed of the simulator.")
    truth_path: str = _s("", "File of the simulator's injected-anomaly labels (never read by the dashboard). "
                             "Empty: ground_truth.jsonl in data_dir.")
    journal_retention_days: int = _s(30, "Days personal-data access journals are kept: older source rows raise a "
                                         "compliance alert; the dashboard's copies are purged unless on legal hold.")
    poller_lease_s: float = _s(30.0, "Poller fail-over: one poller publishes, the others stand by. A SQLite app "
                                     "database: the lease row expires this long after its last renewal, and a "
                                     "standby takes over then. PostgreSQL (an advisory lock): a killed poller's lock "
                                     "goes at once; a vanished machine's within about this long (TCP keepalives).")
    poller_checkpoint_s: float = _s(60.0, "Seconds between checkpoints of the active poller's live state in the app "
                                          "database: a restart or a takeover loads the newest one and reads only "
                                          "the rows after it. 0 turns checkpoints off (always rebuild from midnight).")
    security_interval_s: float = _s(10.0, "Seconds between runs of the access-anomaly detectors over new "
                                          "journal rows.")
    security_checkpoint_s: float = _s(300.0, "Seconds between checkpoints of the access-anomaly detectors' state "
                                             "in the app database: a restart or a takeover loads it and replays "
                                             "only the journal rows read since. 0 turns them off (a restart "
                                             "replays today's journal).")
    history_final_after_s: int = _s(7200, "Interval history: an interval closed this long ago is rebuilt from the "
                                          "sources (late events included) and becomes final; later writes keep it.")
    secret_key: str = _s("", "Key that signs session cookies. Empty: a random key kept in data_dir/secret_key.")
    cookie_secure: bool = _s(False, "Send session cookies over HTTPS only (set it when served over TLS).")
    session_minutes: int = _s(480, "Lifetime of a desk session in minutes (one shift by default).")
    kiosk_days: int = _s(365, "Lifetime of a wall screen's (display role) remembered sign-in, in days.")
    login_max_failures: int = _s(5, "Failed sign-ins for one login within 15 minutes before it is locked out.")
    login_max_failures_ip: int = _s(20, "Failed sign-ins from one address within 15 minutes before it is locked out.")
    trusted_proxies: int = _s(0, "Reverse proxies in front of the web app whose X-Forwarded-For/-Proto are trusted "
                                 "(the client address for throttling and the audit trail); 0 ignores the headers.")
    frame_ancestors: str = _s("'none'", "CSP frame-ancestors: who may show the dashboard in a frame ('none', "
                                        "'self' or a list of origins of a signage system).")
    max_request_kb: int = _s(1024, "Largest request body accepted, in KiB (a bigger one answers 413).")
    anon_audit_per_minute: int = _s(30, "Audit entries that anonymous requests (refused tokens, failed and throttled "
                                        "sign-ins) may write per minute and web worker; repeats are aggregated.")
    staffing_max_occupancy: float = _s(0.85, "Staffing (SLA page): the highest occupancy Erlang C may plan for; more "
                                             "operators are added until the load per operator is under it.")
    staffing_shrinkage: float = _s(0.30, "Staffing: the share of scheduled time not on the phones (breaks, training, "
                                         "absence); scheduled = needed / (1 - shrinkage).")
    appeal_register_days: int = _s(3, "Written appeals (e-mail, app form), 59-FZ: days to register an appeal after it "
                                      "arrives (registration: an operator's first response in the CRM).")
    appeal_answer_days: int = _s(30, "Written appeals, 59-FZ: days to answer an appeal after its registration.")
    appeal_warn_days: int = _s(5, "Written appeals: an open appeal is listed as at risk this many days before its "
                                  "answer deadline.")
    appeal_register_warn_days: int = _s(1, "Written appeals: an appeal not registered yet is listed as at risk this "
                                           "many days before its registration deadline.")
    security_guess_success_points: int = _s(DEFAULT_POINTS["D17"], "Access anomalies, D17: points of a successful "
                                            "sign-in after a password-guessing series (5 or more failures of one "
                                            "login within an hour); 40 makes it a medium case on its own.")
    security_dormant_points: int = _s(DEFAULT_POINTS["D19"], "Access anomalies, D19: points of an account idle for 21 "
                                      "days or more that opens a citizen record; 40 makes it a medium case on its "
                                      "own.")
    security_night_day_off_points: int = _s(_Det.night_day_off_points, "Access anomalies, D07: points of an access at "
                                            "night on the operator's day off (no shift that day); 40 makes it a "
                                            "medium case on its own (a day-off access by day is worth 30).")
    security_night_from_h: int = _s(_Det.night_from_h, "Access anomalies: local hour (HOTLINE_TZ) at which the night "
                                                       "starts.")
    security_night_to_h: int = _s(_Det.night_to_h, "Access anomalies: local hour at which the night ends (that hour "
                                                   "is day again).")
    security_team_cover: str = _s(_Det.team_cover, "Access anomalies: when a ticket of the operator's team explains "
                                                   "an access to its citizen. worked: while the ticket is open, the "
                                                   "operator is on shift and has answered a ticket of the same queue "
                                                   "(phone) or channel that day; shift: open, on shift; team: open.")
    security_corporate_ranges: str = _s(",".join(_Det.corporate_ranges), "Access anomalies, D16: the corporate "
                                        "address ranges (CIDR, comma-separated); a new address outside them is worth "
                                        "35 points, inside 5.")
    security_ticket_grace_days: float = _s(_Det.ticket_after_s / 86400, "Access anomalies: days after a ticket "
                                           "closes during which it still explains its own operator's accesses to "
                                           "the citizen (a call-back).")
    security_clearance_second_officer: bool = _s(True, "Access anomalies: a case closed as a false or benign "
                                                 "positive takes its day out of cumulative risk (R07/R30) only once "
                                                 "a second security officer confirms the clearance (four eyes). Off: "
                                                 "the closing officer's word is enough (a team with one officer).")
    metrics_token: str = _s("", "Bearer token Prometheus sends to scrape /metrics (Authorization: Bearer <token>). "
                                "Empty: the endpoint is off (404).")
    api_rate_per_minute: int = _s(120, "Calls a minute one API token may make (per web worker); more answer 429.")
    public_url: str = _s("", "The dashboard's address as people reach it (https://hotline.example); notifications "
                             "link to its alerts page and webhooks give it as externalURL. Empty: no link.")
    notify_interval_s: float = _s(5.0, "Seconds between runs of the notification dispatcher (in the poller process, "
                                       "lease holder only): plan the routes' messages, deliver the outbox.")
    notify_max_attempts: int = _s(8, "Tries of one notification before it is given up (status dead on the alerts "
                                     "page).")
    notify_backoff_s: float = _s(30.0, "Wait before the second try of a failed notification; doubled after each "
                                       "further failure, at most an hour.")
    notify_keep_days: int = _s(30, "Days delivered and given-up notifications (and mailed reports) stay in the "
                                   "outbox, for the alerts page's delivery table; older ones are deleted.")
    notify_timeout_s: float = _s(20.0, "Time-out of one delivery (SMTP session, Telegram or webhook request), "
                                       "seconds.")
    smtp_host: str = _s("", "SMTP server of e-mail notifications and reports. Empty: e-mail is not sent (the "
                            "messages wait in the outbox and are retried).")
    smtp_port: int = _s(587, "SMTP port (587: submission with STARTTLS).")
    smtp_starttls: bool = _s(True, "Upgrade the SMTP connection with STARTTLS before authenticating (certificate "
                                   "checked).")
    smtp_ca_file: str = _s("", "CA bundle that signs the SMTP server's certificate (PEM); empty: the system's.")
    smtp_user: str = _s("", "SMTP login; empty: no authentication.")
    smtp_password: str = _s("", "SMTP password.")
    smtp_from: str = _s("hotline-dashboard@localhost", "From address of e-mail notifications and reports.")
    telegram_api_url: str = _s("https://api.telegram.org", "Base URL of the Telegram Bot API (a relay's address "
                                                           "in a closed network).")
    telegram_bot_token: str = _s("", "Token of the Telegram bot that sends notifications; empty: Telegram routes "
                                     "wait.")
    webhook_secret: str = _s("", "Key of the HMAC-SHA256 signature of webhook notifications (header "
                                 "X-Hotline-Signature: sha256=<hex>); webhooks are not sent without one.")
    report_send_time: str = _s("08:00", "Local time (HH:MM, HOTLINE_TZ) on the first working day of the month (of "
                                        "the week for weekly subscribers) at which the scheduled SLA reports are "
                                        "mailed.")
    report_holidays: str = _s("", "Non-working days besides Saturdays and Sundays, for the scheduled reports' first "
                                  "working day: YYYY-MM-DD, comma-separated (e.g. 2027-01-01,2027-01-04).")

    def url(self, which: str) -> str:
        """The SQLAlchemy URL of ``telephony``, ``ticketing`` or ``app_db``, defaulting to SQLite files."""
        value = getattr(self, f"{which}_url")
        if value:
            return value
        filename = {"telephony": "telephony.db", "ticketing": "crm.db", "app_db": "app.db"}[which]
        return f"sqlite:///{os.path.join(self.data_dir, filename)}"

    def secret(self) -> str:
        """The session-signing key: the setting, or a random one kept in data_dir (created on first use)."""
        if self.secret_key:
            return self.secret_key
        path = os.path.join(self.data_dir, "secret_key")
        if not os.path.exists(path):
            os.makedirs(self.data_dir, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()

    @property
    def ground_truth_path(self) -> str:
        return self.truth_path or os.path.join(self.data_dir, "ground_truth.jsonl")

    def queues(self) -> tuple[QueueConfig, ...]:
        """The configured queues with this settings' defaults and overrides applied."""
        base = tuple(replace(q, sl_threshold_s=self.sl_threshold_s, sl_goal=self.sl_goal) for q in DEFAULT_QUEUES)
        return _apply_overrides(base, self.queue_overrides, QueueConfig)

    def channels(self) -> tuple[ChannelConfig, ...]:
        return _apply_overrides(DEFAULT_CHANNELS, self.channel_overrides, ChannelConfig)

    def queue(self, name: str) -> QueueConfig:
        """The config of queue ``name``; an unknown queue gets the defaults and its own name as label."""
        for q in self.queues():
            if q.name == name:
                return q
        return QueueConfig(name, name, name, sl_threshold_s=self.sl_threshold_s, sl_goal=self.sl_goal)


def _apply_overrides(base: tuple, raw: str, cls: type) -> tuple:
    if not raw:
        return base
    try:
        overrides = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"overrides are not valid JSON: {exc}") from exc
    if not isinstance(overrides, dict):
        raise SettingsError("overrides must be a JSON object keyed by name")
    known = {item.name: item for item in base}
    out = []
    for item in base:
        out.append(replace(item, **overrides.get(item.name, {})))
    for name, values in overrides.items():
        if name not in known:
            out.append(cls(name=name, label_ru=values.pop("label_ru", name), label_en=values.pop("label_en", name),
                           **values))
    return tuple(out)


class SettingsError(ValueError):
    """A setting's value cannot be parsed."""


def _parse(raw: str, kind: type, name: str) -> Any:
    try:
        if kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name.upper()}={raw!r}: expected {kind.__name__}") from exc


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from ``environ`` (default: the process environment), then keyword overrides."""
    environ = os.environ if environ is None else environ
    kinds = {"str": str, "int": int, "float": float, "bool": bool}
    values: dict[str, Any] = {}
    for f in fields(Settings):
        key = PREFIX + f.name.upper()
        if key in environ:
            values[f.name] = _parse(environ[key], kinds[str(f.type)], f.name)
    values.update(overrides)
    charset = values.get("telephony_charset", "auto")
    if charset not in ("auto", "declared"):
        raise SettingsError(f"{PREFIX}TELEPHONY_CHARSET={charset!r}: expected auto or declared")
    return Settings(**values)


def describe() -> list[tuple[str, Any, str]]:
    """(environment variable, default, help) of every setting, for ``app.py settings`` and the README."""
    return [(PREFIX + f.name.upper(), f.default, f.metadata["help"]) for f in fields(Settings)]
