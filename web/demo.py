"""Demo accounts for the embedded demo (`make run`): one per role, random passwords written to data_dir."""

from __future__ import annotations

import os
import secrets
import time

from data_access.appdb import open_app_db
from data_access.users_repo import ROLES, UserRepository
from settings import Settings
from web.passwords import hash_password

NAMES = {"supervisor": "Старший смены (демо)", "manager": "Руководитель (демо)",
         "security": "Офицер безопасности (демо)", "admin": "Администратор (демо)", "display": "Табло (демо)"}


def ensure_demo_users(settings: Settings) -> str | None:
    """Create the demo users when there are no users at all; return the credentials text (None if none made)."""
    users = UserRepository(open_app_db(settings.url("app_db")))
    if users.count():
        return None
    now, lines = time.time(), []
    for role in ROLES:
        password = secrets.token_urlsafe(9)
        user_id = users.create(role, NAMES[role], role, hash_password(password + "-demo"), now)
        lines.append(f"{role:<11} login: {role:<11} password: {password}-demo")
        if role == "display":
            token = users.create_token("demo wall", user_id, "demo", now)
            lines.append(f"wall screen: http://{settings.web_host}:{settings.web_port}/kiosk?token={token}"
                         "&next=/wall%3Fkiosk%3D1")
    text = "\n".join(lines) + "\n"
    path = os.path.join(settings.data_dir, "demo-credentials.txt")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return text
