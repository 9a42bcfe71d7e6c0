"""Delivery of one outbox message by e-mail (SMTP, STARTTLS, auth), Telegram (Bot API) or a signed webhook.

Each sender raises :class:`DeliveryError` with a short reason (never a secret) when the receiver did not take the
message; the dispatcher retries it later. Receivers can drop a repeated delivery by its idempotency key: the
e-mail's Message-ID, the webhook's ``Idempotency-Key`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Protocol

from data_access.notify_repo import Due
from settings import Settings

TELEGRAM_LIMIT = 4096
SIGNATURE_HEADER = "X-Hotline-Signature"
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class DeliveryError(Exception):
    """The receiver did not take the message; the text says why (shown on the alerts page)."""


class Sender(Protocol):
    def send(self, message: Due) -> None: ...


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the request body with HOTLINE_WEBHOOK_SECRET."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def message_id(idem_key: str) -> str:
    return f"<{hashlib.sha256(idem_key.encode()).hexdigest()[:32]}@hotline-dashboard>"


class EmailSender:
    def __init__(self, s: Settings) -> None:
        self.s = s

    def build(self, message: Due) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.s.smtp_from
        mail["To"] = message.target
        mail["Subject"] = message.subject
        mail["Message-ID"] = message_id(message.idem_key)
        mail.set_content(message.body)
        if message.attachment is not None:
            mail.add_attachment(message.attachment, maintype=XLSX[0], subtype=XLSX[1],
                                filename=message.attachment_name or "report.xlsx")
        return mail

    def send(self, message: Due) -> None:
        s = self.s
        if not s.smtp_host:
            raise DeliveryError("HOTLINE_SMTP_HOST is not set")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.notify_timeout_s) as smtp:
                smtp.ehlo()
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=s.smtp_ca_file or None))
                    smtp.ehlo()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(self.build(message))
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"smtp: {type(exc).__name__}: {str(exc)[:200]}") from exc


def _post(url: str, body: bytes, headers: dict, timeout: float, secret_in_url: str = "") -> bytes:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json",
                                                                             **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) from settings
            return response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = str(getattr(exc, "reason", exc))
        raise DeliveryError((reason.replace(secret_in_url, "***") if secret_in_url else reason)[:200]) from exc


class TelegramSender:
    """``sendMessage`` of the Bot API at HOTLINE_TELEGRAM_API_URL (a relay inside a closed network works too)."""

    def __init__(self, s: Settings) -> None:
        self.s = s

    def send(self, message: Due) -> None:
        s = self.s
        if not s.telegram_bot_token:
            raise DeliveryError("HOTLINE_TELEGRAM_BOT_TOKEN is not set")
        url = f"{s.telegram_api_url.rstrip('/')}/bot{s.telegram_bot_token}/sendMessage"
        text = f"{message.subject}\n\n{message.body}"[:TELEGRAM_LIMIT]
        body = json.dumps({"chat_id": message.target, "text": text, "disable_web_page_preview": True}).encode()
        answer = _post(url, body, {}, s.notify_timeout_s, s.telegram_bot_token)
        try:
            ok = json.loads(answer).get("ok") is True
        except (ValueError, AttributeError):
            ok = False
        if not ok:
            raise DeliveryError("telegram: the answer was not ok")


class WebhookSender:
    """POST of the Alertmanager-shaped JSON, signed: ``X-Hotline-Signature: sha256=<HMAC of the body>``."""

    def __init__(self, s: Settings) -> None:
        self.s = s

    def send(self, message: Due) -> None:
        if not self.s.webhook_secret:
            raise DeliveryError("HOTLINE_WEBHOOK_SECRET is not set: webhooks are sent signed only")
        body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {SIGNATURE_HEADER: signature(self.s.webhook_secret, body), "Idempotency-Key": message.idem_key}
        _post(message.target, body, headers, self.s.notify_timeout_s)


def senders(s: Settings) -> dict[str, Sender]:
    return {"email": EmailSender(s), "telegram": TelegramSender(s), "webhook": WebhookSender(s)}
