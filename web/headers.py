"""Security headers on every response, and the client address behind a trusted reverse proxy."""

from __future__ import annotations

from typing import Callable

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from settings import Settings


def content_security_policy(script_hashes: list[str], frame_ancestors: str) -> str:
    """The policy Dash works under: its one inline script by hash, every other script and style from here.

    Plotly and AG Grid insert <style> elements at run time, hence 'unsafe-inline' for styles only; scripts
    never run inline except the hashed Dash renderer start-up.
    """
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install_security_headers(server: Flask, settings: Settings, script_hashes: Callable[[], list[str]]) -> None:
    """Add the headers to every response; ``script_hashes`` is asked once, at the first response."""
    policy: list[str] = []

    @server.after_request
    def _headers(response):
        if not policy:
            policy.append(content_security_policy(script_hashes(), settings.frame_ancestors))
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy[0])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")  # a kiosk token in a URL never leaks in a Referer
        headers.setdefault("X-Frame-Options", "DENY" if settings.frame_ancestors == "'none'" else "SAMEORIGIN")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure or settings.cookie_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def trust_proxies(server: Flask, settings: Settings) -> None:
    """Behind ``trusted_proxies`` reverse proxies, take the client address and scheme from their headers.

    With 0 (the default) X-Forwarded-* headers are ignored: a client cannot choose the address that the sign-in
    throttle and the audit trail see.
    """
    hops = settings.trusted_proxies
    if hops > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
