"""The supervisor dashboard: the Dash app factory and the command line.

    python app.py                  the embedded demo: simulator, poller and web app on 127.0.0.1:8050
    python app.py web              the web app only (production: gunicorn 'app:create_server()')
    python app.py poller           a poller process (start two or more: one publishes, the others stand by)
    python app.py simulate         the hotline simulator (PBX + CRM) writing to the source databases
    python app.py import-queue-log FILE
    python app.py snapshot --now ISO_OR_EPOCH [--json]
    python app.py history rebuild --from DATE --to DATE [--force]   back-fill the interval history
    python app.py history status
    python app.py report sla --from DATE --to DATE [--by interval|hour|day|week|month] [--queue Q]
                  [--threshold SECONDS] [--format table|csv|json]   the SLA report's figures
    python app.py security replay --from DATE --to DATE [--operator ID]   re-judge days from the CRM journals
    python app.py cases list --since DATE [--min-band B] [--format json|csv]   export the anomaly cases
    python app.py create-user --login L --role R   (roles: supervisor, manager, security, admin, display)
    python app.py create-kiosk-token --user L --name N
    python app.py token create --name N --scopes operational[,reports] | revoke --name N | list
                                   API tokens of the read-only API (/api/v1)
    python app.py db upgrade | current   create or upgrade the app database (every row kept) | its version
    python app.py verify-audit     check the audit trail's whole hash chain (exit code 1 if broken)
    python app.py settings         every HOTLINE_* setting with its default and help
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timezone

from settings import Settings, describe, load_settings

log = logging.getLogger("hotline")


def create_app(settings: Settings | None = None, store=None):
    """The Dash app reading snapshots from ``store`` (default: the store the settings choose)."""
    from web.factory import build_dash_app

    return build_dash_app(settings or load_settings(), store)


def create_server():
    """The WSGI server for gunicorn: ``gunicorn 'app:create_server()'``."""
    return create_app().server


# -- commands --------------------------------------------------------------------------------------------------
def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Simulator, poller and web app in one process: a living dashboard on a fresh machine."""
    import threading

    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.scheduler import build_engine, start_background
    from simulator.archive import start_background as start_demo_history
    from simulator.runner import start_background as start_simulator

    settings = _with_port(settings, args)
    cmd_db(settings, argparse.Namespace(action="upgrade"))  # one process: it may upgrade its own database
    _demo_accounts(settings)
    stop = threading.Event()
    start_simulator(settings, stop)
    start_demo_history(settings, stop)  # the month behind today, for the managers' SLA page
    store = InMemorySnapshotStore()
    start_background(build_engine(settings, store), settings.poll_interval_s)
    return _serve(create_app(settings, store), settings)


def _demo_accounts(settings: Settings) -> None:
    import os

    from web.demo import ensure_demo_users

    created = ensure_demo_users(settings)
    path = os.path.join(settings.data_dir, "demo-credentials.txt")
    if created:
        print("\nDemo accounts (also in " + path + "):\n" + created, flush=True)
    elif os.path.exists(path):
        print(f"\nDemo accounts: see {path}\n", flush=True)


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    """The web app alone; without Redis it runs the poller in-process (there is nobody else to run it)."""
    from data_access.snapshot_store import make_store
    from poller.scheduler import build_engine, start_background

    settings = _with_port(settings, args)
    store = make_store(settings.redis_url, settings.redis_key_prefix)
    if not settings.redis_url:
        log.warning("HOTLINE_REDIS_URL is empty: running the poller inside the web process")
        start_background(build_engine(settings, store), settings.poll_interval_s)
    return _serve(create_app(settings, store), settings)


def cmd_poller(settings: Settings, args: argparse.Namespace) -> int:
    from poller.scheduler import run_forever

    if not settings.redis_url:
        log.warning("HOTLINE_REDIS_URL is empty: snapshots stay in this process and no web worker sees them")
    run_forever(settings)
    return 0


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from simulator.runner import run

    return run(settings, args)


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from data_access.engines import make_engine
    from data_access.queue_log_file import import_file

    engine = make_engine(settings.url("telephony"))
    with open(args.file, encoding="utf-8", errors="replace") as stream:
        report = import_file(engine, stream, settings.pbx_tz)
    print("\n".join(report.lines()))
    return 0


def cmd_snapshot(settings: Settings, args: argparse.Namespace) -> int:
    from poller.replay import format_summary, replay_snapshot

    now = parse_time(args.now) if args.now else datetime.now(timezone.utc).timestamp()
    snapshot = replay_snapshot(settings, now)
    if args.json:
        import orjson

        sys.stdout.write(orjson.dumps(snapshot, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(format_summary(snapshot))
    return 0


def cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    """The interval history: rebuild local days from the sources, or show what it holds."""
    from datetime import date

    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository
    from poller.history import rebuild_days, status_lines

    repo = HistoryRepository(open_app_db(settings.url("app_db")))
    if args.action == "status":
        print("\n".join(status_lines(repo, settings.tz)))
        return 0
    try:
        day_from, day_to = (date.fromisoformat(d).isoformat() for d in (args.day_from, args.day_to or args.day_from))
    except (TypeError, ValueError):
        print("error: --from and --to are local days, YYYY-MM-DD", file=sys.stderr)
        return 2
    done = rebuild_days(settings, repo, day_from, day_to, force=args.force)
    print(f"days rebuilt: {done['rebuilt']}, skipped (already final): {done['skipped']}, rows written: {done['rows']}")
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """The SLA report's rows by period and its per-line totals, as the /sla page computes them."""
    import time

    from components import sla_text
    from components.sla import labeller_of
    from data_access.appdb import open_app_db
    from data_access.sla_inputs import read_inputs
    from domain.sla import PeriodError, WhatIf, check_granularity, period_bounds
    from domain.sla_report import Request, build

    try:
        start, end = period_bounds("custom", time.time(), settings.tz, args.day_from, args.day_to or args.day_from)
        check_granularity(args.by, start, end)
    except ValueError as exc:
        print(f"error: {exc if isinstance(exc, PeriodError) else '--from and --to are local days, YYYY-MM-DD'}",
              file=sys.stderr)
        return 2
    req = Request(start, end, args.by, WhatIf(settings.sl_variant, args.threshold, settings.short_abandon_s),
                  queues=tuple(args.queue) if args.queue else None)
    report = build(read_inputs(req, settings, open_app_db(settings.url("app_db")), time.time()))
    lang, label = args.lang or settings.lang, labeller_of((*settings.queues(), *settings.channels()))
    if args.format == "json":
        sla_text.write_json(report, sys.stdout)
    elif args.format == "csv":
        sla_text.write_csv(report, lang, label, sys.stdout)
    else:
        sla_text.write_table(report, lang, label, sys.stdout)
    return 0


def cmd_security(settings: Settings, args: argparse.Namespace) -> int:
    """Re-judge local days from the CRM journals in time order (after a detector change or a late HR record):
    verdicts, links and hits of those days are brought in line with what the detectors find now."""
    from poller.security_cli import replay

    return replay(settings, args.day_from, args.day_to, args.operator)


def cmd_cases(settings: Settings, args: argparse.Namespace) -> int:
    """Export the anomaly cases of a day and later: operator, day, band, score, detectors and reasons."""
    from poller.security_cli import list_cases

    return list_cases(settings, args.since, args.min_band, args.format, args.lang or settings.lang)


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    """Create a user (or set a new password with --reset); the password is read from the terminal or stdin."""
    import getpass
    import time

    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditEntry, AuditTrail
    from data_access.users_repo import UserRepository
    from web.passwords import hash_password

    engine = open_app_db(settings.url("app_db"))
    users = UserRepository(engine)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        hashed = hash_password(password)
        if args.reset:
            if not users.set_password(args.login, hashed):
                raise ValueError(f"no user {args.login!r}")
        else:
            users.create(args.login, args.name or args.login, args.role, hashed, time.time())
    except Exception as exc:  # noqa: BLE001 - a clear message for the operator, not a trace
        print(f"error: {exc}", file=sys.stderr)
        return 2
    action = "password_reset" if args.reset else "user_created"
    AuditTrail(engine).append(AuditEntry("cli", "admin", action, args.login, {"role": args.role}), time.time())
    print(f"{'password set for' if args.reset else 'created'} {args.login} ({args.role})")
    return 0


def cmd_create_kiosk_token(settings: Settings, args: argparse.Namespace) -> int:
    """A long-lived sign-in link for a wall screen (display role); only its hash is stored."""
    import time

    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditEntry, AuditTrail
    from data_access.users_repo import UserRepository

    engine = open_app_db(settings.url("app_db"))
    users = UserRepository(engine)
    user = users.by_login(args.user)
    if user is None or user.role != "display":
        print(f"error: {args.user!r} is not a user with the display role", file=sys.stderr)
        return 2
    token = users.create_token(args.name, user.id, "cli", time.time())
    AuditTrail(engine).append(AuditEntry("cli", "admin", "kiosk_token_created", args.name), time.time())
    print(f"/kiosk?token={token}&next=/wall%3Fkiosk%3D1")
    return 0


def cmd_revoke_kiosk_token(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke a wall screen's sign-in link by the screen's name; the screen is signed out at its next check."""
    import time

    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditEntry, AuditTrail
    from data_access.users_repo import UserRepository

    engine = open_app_db(settings.url("app_db"))
    revoked = UserRepository(engine).revoke_token(args.name, time.time())
    AuditTrail(engine).append(AuditEntry("cli", "admin", "kiosk_token_revoked", args.name), time.time())
    print(f"revoked {revoked} token(s) named {args.name!r}")
    return 0 if revoked else 2


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    """API tokens: create one (printed once, only its hash is kept), revoke one by name, list them."""
    import time

    from data_access.api_tokens_repo import ApiTokenRepository, TokenError
    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditEntry, AuditTrail

    engine = open_app_db(settings.url("app_db"))
    repo, now = ApiTokenRepository(engine), time.time()
    if args.action == "list":
        for token in repo.all():
            v = token.view()
            print(f"{v['name']}\t{v['scopes']}\tcreated {v['created_at']} by {v['created_by']}\t"
                  f"{'revoked ' + v['revoked_at'] if v['revoked_at'] else 'live'}\tlast used {v['last_used_at']}")
        return 0
    if not args.name:
        print("error: --name is required", file=sys.stderr)
        return 2
    if args.action == "revoke":
        done = repo.revoke(args.name, "cli", now)
        AuditTrail(engine).append(AuditEntry("cli", "admin", "api_token_revoked", args.name), now)
        print(f"revoked {args.name!r}" if done else f"no live token named {args.name!r}")
        return 0 if done else 2
    try:
        record, token = repo.create(args.name, args.scopes, "cli", now)
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    AuditTrail(engine).append(AuditEntry("cli", "admin", "api_token_created", record.name,
                                         {"scopes": list(record.scopes)}), now)
    print(token)
    return 0


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    """The app database's schema: create or upgrade it to this code's version (keeping every row), or show it.
    Run ``upgrade`` once per release before starting the web workers and pollers, which refuse another version."""
    from data_access.engines import make_engine
    from data_access.migrate import current, head, upgrade

    engine = make_engine(settings.url("app_db"))
    if args.action == "current":
        with engine.connect() as conn:
            print(f"app database: {current(conn) or 'no version'}; this code: {head()}")
        return 0
    before, after = upgrade(engine)
    print(f"app database upgraded from {before or 'no version'} to {after}" if before != after
          else f"app database already at {after}")
    return 0


def cmd_verify_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Check the audit trail's hash chain from its first row (the audit page checks only the rows since the
    last check); exit code 1 when a row was changed or removed."""
    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditTrail

    check = AuditTrail(open_app_db(settings.url("app_db"))).check(full=True)
    if not check.intact:
        print(f"the hash chain is BROKEN from row {check.broken_at}")
        return 1
    print(f"the hash chain is intact: {check.checked} rows checked, up to row {check.upto}")
    return 0


def cmd_settings(settings: Settings, args: argparse.Namespace) -> int:
    for name, default, help_text in describe():
        print(f"{name} (default {default!r})\n    {help_text}")
    return 0


def parse_time(text: str) -> float:
    """An epoch (``1266839779``) or an ISO time (``2026-11-26T10:00:00+03:00``; naive means UTC)."""
    try:
        return float(text)
    except ValueError:
        pass
    from domain.clock import parse_iso

    return parse_iso(text).timestamp()


def _with_port(settings: Settings, args: argparse.Namespace) -> Settings:
    from dataclasses import replace

    if getattr(args, "port", None):
        settings = replace(settings, web_port=args.port)
    if getattr(args, "host", None):
        settings = replace(settings, web_host=args.host)
    return settings


def _serve(app, settings: Settings) -> int:
    log.info("dashboard on http://%s:%s", settings.web_host, settings.web_port)
    app.run(host=settings.web_host, port=settings.web_port, debug=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command")
    for name, func, help_text in (("run", cmd_demo, "the embedded demo (default)"),
                                  ("web", cmd_web, "the web app only")):
        p = sub.add_parser(name, help=help_text, description=func.__doc__)
        p.add_argument("--port", type=int, help="port to listen on (default HOTLINE_WEB_PORT, 8050)")
        p.add_argument("--host", help="address to listen on (default HOTLINE_WEB_HOST, 127.0.0.1)")
        p.set_defaults(func=func)
    sub.add_parser("poller", help="the poller process", description=cmd_poller.__doc__).set_defaults(func=cmd_poller)
    p = sub.add_parser("simulate", help="the hotline simulator (PBX and CRM)",
                       description="Plays the hotline's PBX and CRM into the two source databases.")
    from simulator.runner import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("import-queue-log", help="import a native queue_log file",
                       description="Loads a queue_log file (epoch|callid|queue|agent|event|data...) into the "
                                   "telephony database; importing the same file twice adds nothing.")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("snapshot", help="print the snapshot as of a time",
                       description="Rebuilds the state from local midnight of that day up to --now and prints it.")
    p.add_argument("--now", help="epoch seconds or ISO time (default: now)")
    p.add_argument("--json", action="store_true", help="print the snapshot as JSON (keys: docs/snapshot.md)")
    p.set_defaults(func=cmd_snapshot)
    p = sub.add_parser("history", help="the interval history: rebuild days from the sources, status",
                       description=cmd_history.__doc__)
    p.add_argument("action", choices=("rebuild", "status"))
    p.add_argument("--from", dest="day_from", help="first local day (YYYY-MM-DD, HOTLINE_TZ) to rebuild")
    p.add_argument("--to", dest="day_to", help="last local day to rebuild (inclusive)")
    p.add_argument("--force", action="store_true", help="rebuild days that are final already")
    p.set_defaults(func=cmd_history)
    p = sub.add_parser("report", help="the SLA report from the interval history", description=cmd_report.__doc__)
    p.add_argument("kind", choices=("sla",))
    p.add_argument("--from", dest="day_from", required=True, help="first local day (YYYY-MM-DD, HOTLINE_TZ)")
    p.add_argument("--to", dest="day_to", help="last local day (inclusive; default: --from)")
    p.add_argument("--by", default="day", choices=("interval", "hour", "day", "week", "month"))
    p.add_argument("--queue", action="append", help="a line (queue) to report; repeat for several (default: all)")
    p.add_argument("--threshold", type=int, help="T in seconds: service level recomputed for it (default: each "
                                                  "line's own)")
    p.add_argument("--format", default="table", choices=("table", "csv", "json"))
    p.add_argument("--lang", choices=("ru", "en"), help="column titles' language (default HOTLINE_LANG)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("security", help="re-judge days of the access journal", description=cmd_security.__doc__)
    p.add_argument("action", choices=("replay",))
    p.add_argument("--from", dest="day_from", required=True, help="first local day (YYYY-MM-DD, HOTLINE_TZ)")
    p.add_argument("--to", dest="day_to", help="last local day (inclusive; default: --from)")
    p.add_argument("--operator", type=int, action="append", help="only this operator (repeat for several)")
    p.set_defaults(func=cmd_security)
    p = sub.add_parser("cases", help="export the anomaly cases", description=cmd_cases.__doc__)
    p.add_argument("action", choices=("list",))
    p.add_argument("--since", required=True, help="first local day (YYYY-MM-DD)")
    from domain.bands import BANDS

    p.add_argument("--min-band", choices=BANDS, help="only cases of this band and above")
    p.add_argument("--format", default="json", choices=("json", "csv"))
    p.add_argument("--lang", choices=("ru", "en"), help="language of the reasons (default HOTLINE_LANG)")
    p.set_defaults(func=cmd_cases)
    p = sub.add_parser("create-user", help="create a user or reset a password", description=cmd_create_user.__doc__)
    p.add_argument("--login", required=True)
    p.add_argument("--role", default="supervisor", help="supervisor, manager, security, admin or display")
    p.add_argument("--name", help="full name shown in the audit trail")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--reset", action="store_true", help="set a new password for an existing user")
    p.set_defaults(func=cmd_create_user)
    p = sub.add_parser("create-kiosk-token", help="a sign-in link for a wall screen",
                       description=cmd_create_kiosk_token.__doc__)
    p.add_argument("--user", required=True, help="a user with the display role")
    p.add_argument("--name", required=True, help="the screen's name, e.g. 'Wall 1, floor 3'")
    p.set_defaults(func=cmd_create_kiosk_token)
    p = sub.add_parser("revoke-kiosk-token", help="revoke a wall screen's sign-in link",
                       description=cmd_revoke_kiosk_token.__doc__)
    p.add_argument("--name", required=True, help="the screen's name given when the token was created")
    p.set_defaults(func=cmd_revoke_kiosk_token)
    p = sub.add_parser("token", help="API tokens: create, revoke, list", description=cmd_token.__doc__)
    p.add_argument("action", choices=("create", "revoke", "list"))
    p.add_argument("--name", help="the token's name, e.g. 'portal status page'")
    p.add_argument("--scopes", default="operational", help="operational, reports or operational,reports")
    p.set_defaults(func=cmd_token)
    p = sub.add_parser("db", help="the app database's schema: upgrade, current", description=cmd_db.__doc__)
    p.add_argument("action", choices=("upgrade", "current"))
    p.set_defaults(func=cmd_db)
    sub.add_parser("verify-audit", help="check the audit trail's whole hash chain",
                   description=cmd_verify_audit.__doc__).set_defaults(func=cmd_verify_audit)
    sub.add_parser("settings", help="list the settings").set_defaults(func=cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "werkzeug", "alembic"):  # a line per cycle, request or open would drown the rest
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]  # no command: the embedded demo
    args = parser.parse_args(argv)
    from data_access.migrate import SchemaVersionError
    from data_access.poller_lease import PollerAlreadyRunning

    try:
        return args.func(load_settings(), args)
    except PollerAlreadyRunning as exc:
        print(f"The poller was not started: {exc}", file=sys.stderr)
        return 3
    except SchemaVersionError as exc:
        print(f"Not started: {exc}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
