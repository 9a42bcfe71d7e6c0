"""Real local receivers for the notification tests: an SMTP server (aiosmtpd, STARTTLS and AUTH required), and an
HTTP server that plays the Telegram Bot API and a webhook receiver checking the HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BOT_TOKEN = "123456:TEST-bot-token"
WEBHOOK_SECRET = "webhook-s3cret"
SMTP_USER, SMTP_PASSWORD = "hotline", "smtp-pass"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1 (its own CA file)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1 requiring STARTTLS then AUTH; ``messages`` holds what it accepted."""

    def __init__(self, cert: Path, key: Path, port: int) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[dict] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                receiver.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                          "data": envelope.content, "tls": session.ssl is not None,
                                          "auth": session.authenticated})
                return "250 OK"

        def authenticator(_server, _session, _envelope, _mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == SMTP_USER.encode() \
                and data.password == SMTP_PASSWORD.encode()
            return AuthResult(success=ok)

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context,
                                     require_starttls=True, auth_required=True, authenticator=authenticator)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class HttpReceiver:
    """Telegram's sendMessage at /bot<token>/sendMessage and a webhook at /hook; ``fail`` answers 500 that many
    times first. ``accepted`` holds what was taken (the webhook's only when its signature is right)."""

    fail: int = 0
    accepted: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    attempts: int = 0

    def start(self) -> int:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.attempts += 1
                if receiver.fail > 0:
                    receiver.fail -= 1
                    return self._answer(500, {"ok": False})
                if self.path == f"/bot{BOT_TOKEN}/sendMessage":
                    receiver.accepted.append({"kind": "telegram", **json.loads(body)})
                    return self._answer(200, {"ok": True, "result": {"message_id": len(receiver.accepted)}})
                if self.path == "/hook":
                    return self._hook(body)
                receiver.refused.append(self.path)
                return self._answer(404, {"ok": False, "description": "Not Found"})

            def _hook(self, body: bytes):
                expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Hotline-Signature", "")):
                    receiver.refused.append("bad signature")
                    return self._answer(401, {"error": "bad signature"})
                receiver.accepted.append({"kind": "webhook", "key": self.headers.get("Idempotency-Key"),
                                          **json.loads(body)})
                return self._answer(200, {})

            def _answer(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[1]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
