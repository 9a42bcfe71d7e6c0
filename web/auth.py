"""Sign-in on everything: flask-login sessions, the login and kiosk routes, and the request guard.

Every route needs a signed-in user except the login page and static files. Callbacks are checked by what they
draw: a callback whose outputs belong to a page the user's role may not open answers 403 (fail closed: an
output nobody registered is refused too).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from dash.exceptions import DependencyException
from flask import Flask, jsonify, make_response, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.exc import DBAPIError

from data_access.audit_repo import AuditEntry
from data_access.base import describe_error
from data_access.users_repo import UserRecord, UserRepository
from settings import Settings
from web import access
from web.passwords import verify_password

log = logging.getLogger("hotline.web")

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
# Static files only: a path under a public prefix that does not name a file is not public.
PUBLIC_FILE = re.compile("(?:" + "|".join(map(re.escape, PUBLIC_PREFIXES)) + ")"
                         + r"(?:[\w@~-]+[./])*[\w@~-]+\.[A-Za-z0-9]{1,8}")
PUBLIC_PATHS = {"/login", "/logout", "/kiosk", "/_favicon.ico", "/health", "/ready", "/_hotline/kiosk.js"}
# Machine endpoints: no session, each request carries a bearer token its own handler checks (web/metrics.py,
# web/api.py); a path under them that no handler serves answers 404 there, never a Dash page.
BEARER_PATHS = ("/metrics",)
BEARER_PREFIXES = ("/api/",)
LOGIN_WINDOW_S = 15 * 60
ANONYMOUS_ACTIONS = {"sign_in_failed", "sign_in_throttled", "kiosk_token_refused"}


@dataclass
class User(UserMixin):
    """The signed-in user as flask-login sees it: a user and the server-side session the cookie names."""

    record: UserRecord
    sid: str

    def get_id(self) -> str:
        # flask-login keeps this in the session and in the remember cookie: without a live session row it is
        # worthless, so signing out or revoking a token ends every copy of the cookie.
        return f"{self.record.id}:{self.sid}"

    @property
    def login(self) -> str:
        return self.record.login

    @property
    def role(self) -> str:
        return self.record.role

    @property
    def is_active(self) -> bool:
        return self.record.active


def client_ip() -> str:
    """The client's address: the socket's peer, or what the trusted proxies said (``HOTLINE_TRUSTED_PROXIES``)."""
    return (request.remote_addr or "")[:45]


def audit(action: str, target: str = "", details: dict | None = None, actor: str | None = None,
          role: str | None = None) -> None:
    """Append to the audit trail as the current user (or as ``actor``); anonymous repeats are aggregated."""
    from web.context import ctx

    user = current_user if getattr(current_user, "is_authenticated", False) else None
    now = time.time()
    held = ctx().anon_audit.held_back(now)
    if held is not None:
        ctx().audit.append(AuditEntry("anonymous", "-", "anonymous_entries_held_back", "", held, ""), now)
    if user is None and action in ANONYMOUS_ACTIONS:
        extra = ctx().anon_audit.admit((action, client_ip(), target), now, aggregate=action != "sign_in_failed")
        if extra is None:
            return
        details = {**(details or {}), **extra} if extra else details
    ctx().audit.append(AuditEntry(actor or (user.login if user else "anonymous"),
                                  role or (user.role if user else "-"), action, target, details, client_ip()), now)


def init_auth(server: Flask, settings: Settings) -> None:
    """Configure sessions, flask-login, the sign-in routes, the guard and the security headers on ``server``."""
    server.secret_key = settings.secret()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=settings.session_minutes * 60,
        REMEMBER_COOKIE_DURATION=settings.kiosk_days * 86400,
        MAX_CONTENT_LENGTH=settings.max_request_kb * 1024,
        # The sign-in's lifetime is the server-side session's (fixed at sign-in, checked on every request): a
        # cookie signed again on every poll of every wall screen would only cost CPU.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    manager = LoginManager()
    manager.init_app(server)
    manager.user_loader(_load_user)
    _routes(server, settings)
    server.before_request(_guard)
    server.register_error_handler(DBAPIError, _database_down)
    server.register_error_handler(413, _too_large)
    server.register_error_handler(access.BadCallbackInput, _bad_input)
    server.register_error_handler(DependencyException, lambda _exc: (jsonify({"error": "not found"}), 404))


def _load_user(user_id: str):
    from web.context import ctx

    uid, _, sid = user_id.partition(":")
    if not (uid.isascii() and uid.isdigit()) or not sid:
        return None
    record = ctx().sessions.resolve(int(uid), sid, time.time())
    return User(record, sid) if record else None


def _start_session(record: UserRecord, remember: bool, token_id: int | None = None) -> None:
    from web.context import ctx

    s = ctx().settings
    lifetime = s.kiosk_days * 86400 if remember else s.session_minutes * 60
    sid = ctx().sessions.start(record.id, time.time(), lifetime, client_ip(), token_id)
    session.clear()
    session.permanent = True
    login_user(User(record, sid), remember=remember)


def safe_next(target: object, default: str = "/") -> str:
    """``target`` when it is a path to one of this app's pages (with its query string), else ``default``.

    Never an open redirect: no scheme, no host, no ``//`` or backslash (browsers read ``/\\host`` as
    ``//host``), no control characters.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return default
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or access.page_for_path(parts.path) is None:
        return default
    return target


def _routes(server: Flask, settings: Settings) -> None:
    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return _login_page(request.args.get("next", "/"))
        return _login_post(settings)

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        from web.context import ctx

        if request.method == "GET" or not _same_site_post():
            return _no_store(render_template_string(LOGOUT_PAGE))  # a link from elsewhere only asks
        if getattr(current_user, "is_authenticated", False):
            audit("sign_out")
            ctx().sessions.end(current_user.sid, time.time())
        logout_user()
        session.clear()
        return redirect("/login")

    @server.route("/kiosk")
    def kiosk():
        return _kiosk_login()

    @server.route("/_hotline/kiosk.js")
    def kiosk_script():
        return server.response_class(KIOSK_SCRIPT, mimetype="text/javascript")

    @server.route("/_hotline/heartbeat")
    def heartbeat():
        from web.context import ctx

        return jsonify({"user": current_user.login, "role": current_user.role, "build": ctx().build})

    @server.route("/health")
    def health():
        from web.context import ctx
        from web.health import health_report

        report = health_report(ctx())
        return jsonify(report), 200 if report["ok"] else 503

    @server.route("/ready")
    def ready():
        from web.context import ctx
        from web.health import ready_report

        report = ready_report(ctx())
        return jsonify(report), 200 if report["ready"] else 503


def _same_site_post() -> bool:
    """A form posted from a page of this site (browsers say so in Sec-Fetch-Site, or at least in Origin)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _throttled(settings: Settings, users: UserRepository, login_name: str, ip: str, now: float) -> bool:
    since = now - LOGIN_WINDOW_S
    return (users.recent_failures(login=login_name, since=since) > settings.login_max_failures
            or users.recent_failures(ip=ip, since=since) > settings.login_max_failures_ip)


def _login_post(settings: Settings):
    from web.context import ctx

    users = ctx().users
    login_name = (request.form.get("login") or "").strip()[:80]
    password = (request.form.get("password") or "")[:256]
    target = safe_next(request.form.get("next"))
    if not hmac.compare_digest(request.form.get("csrf", ""), session.get("csrf", "-")):
        return _login_page(target, "session"), 400
    now, ip = time.time(), client_ip()
    attempt = users.begin_attempt(login_name, ip, now)  # counted before the check: parallel guesses cannot race
    if _throttled(settings, users, login_name, ip, now):
        users.drop_attempt(attempt)
        audit("sign_in_throttled", login_name, actor=login_name or "?", role="-")
        return _login_page(target, "locked"), 429
    record = users.by_login(login_name)
    ok = verify_password(record.password_hash if record else None, password) and bool(record and record.active)
    users.finish_attempt(attempt, ok)
    if not ok:
        audit("sign_in_failed", login_name, actor=login_name or "?", role="-")
        return _login_page(target, "invalid"), 401
    _start_session(record, remember=False)
    users.touch_login(record.id, now)
    audit("sign_in", record.login)
    return redirect(target if access.allowed_path(record.role, target) else access.home(record.role))


def _kiosk_login():
    from web.context import ctx

    token = request.args.get("token", "")[:200]
    found = ctx().users.user_for_token(token, time.time()) if token else None
    if found is None:
        audit("kiosk_token_refused", actor="kiosk", role="-")
        return _no_store(_login_page("/wall", "token")), 403
    record, token_id = found
    _start_session(record, remember=True, token_id=token_id)
    audit("sign_in_kiosk", record.login)
    target = safe_next(request.args.get("next"), "/wall?kiosk=1")
    # The screen keeps its token so that it can sign in again by itself if its session is ever lost.
    return _no_store(render_template_string(KIOSK_PAGE, token=token, target=target))


def _no_store(body):
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _guard():
    path = request.path
    if path in PUBLIC_PATHS or PUBLIC_FILE.fullmatch(path) or path in BEARER_PATHS or path.startswith(BEARER_PREFIXES):
        return None
    if not getattr(current_user, "is_authenticated", False):
        if request.method != "GET" or path.startswith(("/_dash-", "/_hotline/", "/_reload")):
            return jsonify({"error": "sign-in required"}), 401
        return redirect(f"/login?next={quote(request.full_path.rstrip('?'), safe='/?=&')}")
    if path == "/_dash-update-component":
        return _guard_callback()
    if path.startswith(PUBLIC_PREFIXES):  # not a file name: Dash would answer its page shell to anybody
        return jsonify({"error": "not found"}), 404
    if path == "/":
        return redirect(access.home(current_user.role))
    page = access.page_for_path(path)
    if page is not None and not access.allowed_path(current_user.role, path):
        return redirect(access.home(current_user.role))
    return None


def _guard_callback():
    from web.context import ctx

    try:
        body = request.get_json(silent=True, cache=True)
    except RecursionError:  # a body nested thousands deep: refused before anything parses it again
        return jsonify({"error": "malformed callback request: nested too deep"}), 400
    verdict = access.check_callback(current_user.role, body, ctx().dash_app.callback_map)
    if verdict is None:
        return None
    status = 400 if verdict.startswith("malformed") else 403
    return jsonify({"error": verdict}), status


def _database_down(exc: DBAPIError):
    """The app database cannot be reached: say so at once (503), never a bare 500 after a time-out."""
    log.error("app database unavailable: %s", describe_error(exc))
    if request.path.startswith(("/_dash-", "/_hotline/")) or request.is_json:
        return jsonify({"error": "the app database is unavailable", "down": ["app_db"]}), 503
    return make_response(DOWN_PAGE, 503)  # no template: its context would ask the database for the user again


def _bad_input(exc: access.BadCallbackInput):
    return jsonify({"error": "the request's values cannot be used", "detail": str(exc)}), 400


def _too_large(_exc):
    return jsonify({"error": "request body too large"}), 413


LOGIN_TEXT = {
    "title": "Вход — горячая линия Госуслуг",
    "invalid": "Неверный логин или пароль.",
    "locked": "Слишком много неудачных попыток. Вход временно заблокирован, попробуйте позже.",
    "session": "Форма устарела, попробуйте ещё раз.",
    "token": "Ключ экрана недействителен или отозван.",
}

LOGIN_PAGE = """<!doctype html><html lang="ru" data-bs-theme="dark"><head><meta charset="utf-8">
<title>{{ t.title }}</title><link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/01_fonts.css"><link rel="stylesheet" href="/assets/10_hotline.css"></head>
<body><main class="login-box"><h1 class="h4 mb-3">Горячая линия Госуслуг</h1>
{% if error %}<div class="alert alert-danger" id="login-error">{{ t[error] }}</div>{% endif %}
<form method="post" action="/login" autocomplete="off">
<input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next }}">
<label class="form-label" for="login">Логин / Login</label>
<input class="form-control mb-2" id="login" name="login" required maxlength="80" autofocus>
<label class="form-label" for="password">Пароль / Password</label>
<input class="form-control mb-3" id="password" name="password" type="password" required maxlength="256">
<button class="btn btn-primary w-100" id="submit" type="submit">Войти / Sign in</button></form>
</main></body></html>"""

# The token and the target travel as HTML-escaped attributes read by a script served from this site (no inline
# script: the page works under the Content-Security-Policy, and no value reaches a script context unescaped).
KIOSK_PAGE = """<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>Kiosk</title></head><body><script id="kiosk" src="/_hotline/kiosk.js" data-token="{{ token }}"
data-target="{{ target }}"></script></body></html>"""

KIOSK_SCRIPT = """(function () {
  var el = document.getElementById("kiosk");
  var target = el.getAttribute("data-target") || "/wall?kiosk=1";
  if (target.charAt(0) !== "/" || target.charAt(1) === "/" || target.indexOf("\\\\") >= 0) {
    target = "/wall?kiosk=1";
  }
  try { localStorage.setItem("hotline-kiosk-token", el.getAttribute("data-token")); } catch (e) {}
  window.location.replace(target);
})();
"""

LOGOUT_PAGE = """<!doctype html><html lang="ru" data-bs-theme="dark"><head><meta charset="utf-8">
<title>Выход / Sign out</title><link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/10_hotline.css"></head><body><main class="login-box">
<form method="post" action="/logout"><button class="btn btn-primary w-100" id="confirm-sign-out" type="submit">
Выйти / Sign out</button></form></main></body></html>"""

DOWN_PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>503</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css"></head><body class="p-5">
<h1 class="h4">Сервис временно недоступен / Service unavailable</h1>
<p>База данных приложения недоступна. / The app database is unavailable.</p></body></html>"""


def _login_page(target: str, error: str | None = None) -> str:
    session.setdefault("csrf", secrets.token_urlsafe(24))
    return render_template_string(LOGIN_PAGE, t=LOGIN_TEXT, error=error, next=safe_next(target),
                                  csrf=session["csrf"])
