"""Sign-in on everything: flask-login sessions, the login and kiosk routes, and the request guard.

Every route needs a signed-in user except the login page and static files. Callbacks are checked by what they
draw: a callback whose outputs belong to a page the user's role may not open answers 403 (fail closed: an
output nobody registered is refused too).
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from flask import Flask, jsonify, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from data_access.audit_repo import AuditEntry, AuditTrail
from data_access.users_repo import UserRecord, UserRepository
from settings import Settings
from web import access
from web.passwords import verify_password

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
PUBLIC_PATHS = {"/login", "/logout", "/kiosk", "/_favicon.ico", "/health"}
LOGIN_WINDOW_S = 15 * 60


@dataclass
class User(UserMixin):
    """The signed-in user as flask-login sees it."""

    record: UserRecord

    def get_id(self) -> str:
        return str(self.record.id)

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
    return (request.remote_addr or "")[:45]


def audit(action: str, target: str = "", details: dict | None = None, actor: str | None = None,
          role: str | None = None) -> None:
    """Append to the audit trail as the current user (or as ``actor``)."""
    from web.context import ctx

    user = current_user if getattr(current_user, "is_authenticated", False) else None
    ctx().audit.append(AuditEntry(actor or (user.login if user else "anonymous"),
                                  role or (user.role if user else "-"), action, target, details, client_ip()),
                       time.time())


def init_auth(server: Flask, settings: Settings, users: UserRepository, trail: AuditTrail) -> None:
    """Configure sessions, flask-login, the sign-in routes and the guard on ``server``."""
    server.secret_key = settings.secret()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=settings.session_minutes * 60,
        REMEMBER_COOKIE_DURATION=settings.kiosk_days * 86400,
    )
    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def load_user(user_id: str):
        record = users.get(int(user_id)) if user_id.isdigit() else None
        return User(record) if record and record.active else None

    _routes(server, settings, users)
    server.before_request(_guard)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/"
    return target


def _routes(server: Flask, settings: Settings, users: UserRepository) -> None:
    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return _login_page(request.args.get("next", "/"))
        return _login_post(settings, users)

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        if getattr(current_user, "is_authenticated", False):
            audit("sign_out")
        logout_user()
        session.clear()
        return redirect("/login")

    @server.route("/kiosk")
    def kiosk():
        return _kiosk_login(users)

    @server.route("/_hotline/heartbeat")
    def heartbeat():
        from web.context import ctx

        return jsonify({"user": current_user.login, "role": current_user.role, "build": ctx().build})

    @server.route("/health")
    def health():
        return jsonify({"ok": True})


def _login_post(settings: Settings, users: UserRepository):
    login_name = (request.form.get("login") or "").strip()[:80]
    password = (request.form.get("password") or "")[:256]
    target = _safe_next(request.form.get("next"))
    if not hmac.compare_digest(request.form.get("csrf", ""), session.get("csrf", "-")):
        return _login_page(target, "session"), 400
    now, ip = time.time(), client_ip()
    since = now - LOGIN_WINDOW_S
    if (users.recent_failures(login=login_name, since=since) >= settings.login_max_failures
            or users.recent_failures(ip=ip, since=since) >= settings.login_max_failures_ip):
        audit("sign_in_throttled", login_name, actor=login_name or "?", role="-")
        return _login_page(target, "locked"), 429
    record = users.by_login(login_name)
    ok = verify_password(record.password_hash if record else None, password) and bool(record and record.active)
    users.record_attempt(login_name, ip, ok, now)
    if not ok:
        audit("sign_in_failed", login_name, actor=login_name or "?", role="-")
        return _login_page(target, "invalid"), 401
    session.clear()
    session.permanent = True
    login_user(User(record))
    users.touch_login(record.id, now)
    audit("sign_in", record.login)
    return redirect(target if access.allowed_path(record.role, target) else access.home(record.role))


def _kiosk_login(users: UserRepository):
    token = request.args.get("token", "")[:200]
    record = users.user_for_token(token, time.time()) if token else None
    if record is None:
        audit("kiosk_token_refused", actor="kiosk", role="-")
        return _login_page("/wall", "token"), 403
    session.clear()
    login_user(User(record), remember=True)
    audit("sign_in_kiosk", record.login)
    target = _safe_next(request.args.get("next") or "/wall?kiosk=1")
    # The screen keeps its token so that it can sign in again by itself if its session is ever lost.
    return render_template_string(KIOSK_PAGE, token=json.dumps(token), target=json.dumps(target))


def _guard():
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if not getattr(current_user, "is_authenticated", False):
        if request.method != "GET" or path.startswith(("/_dash-", "/_hotline/", "/_reload")):
            return jsonify({"error": "sign-in required"}), 401
        return redirect(f"/login?next={request.full_path.rstrip('?')}")
    if path == "/_dash-update-component":
        verdict = access.check_callback(current_user.role, request.get_json(silent=True, cache=True))
        if verdict is not None:
            return jsonify({"error": verdict}), 403
        return None
    if path == "/":
        return redirect(access.home(current_user.role))
    page = access.page_for_path(path)
    if page is not None and not access.allowed_path(current_user.role, path):
        return redirect(access.home(current_user.role))
    return None


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

KIOSK_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Kiosk</title></head><body><script>
try { localStorage.setItem("hotline-kiosk-token", {{ token|safe }}); } catch (e) {}
window.location.replace({{ target|safe }});
</script></body></html>"""


def _login_page(target: str, error: str | None = None) -> str:
    session.setdefault("csrf", secrets.token_urlsafe(24))
    return render_template_string(LOGIN_PAGE, t=LOGIN_TEXT, error=error, next=_safe_next(target),
                                  csrf=session["csrf"])
