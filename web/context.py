"""What callbacks need at request time, kept on the Flask app (never in module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from data_access.alert_repo import AlertRepository
from data_access.audit_repo import AuditTrail
from data_access.sessions_repo import SessionRepository
from data_access.snapshot_store import SnapshotReader
from data_access.users_repo import UserRepository
from settings import Settings
from web.audit_limit import AnonymousAuditLimiter
from web.render_cache import RenderCache

EXTENSION = "hotline"


@dataclass
class WebContext:
    settings: Settings
    reader: SnapshotReader
    alerts: AlertRepository
    users: UserRepository
    audit: AuditTrail
    build: str
    app_db: object = None
    renders: RenderCache = field(default_factory=RenderCache)
    sessions: SessionRepository | None = None
    anon_audit: AnonymousAuditLimiter = field(default_factory=AnonymousAuditLimiter)
    dash_app: object = None  # the Dash app: its callback map is what the callback guard checks requests against
    sla_reports: RenderCache = field(default_factory=lambda: RenderCache(12))  # SLA reports and their renders

    def access(self):
        """The app database's copy of the access journal."""
        from data_access.access_repo import AccessRepository

        return AccessRepository(self.app_db)

    def cases(self):
        from data_access.case_repo import CaseRepository

        return CaseRepository(self.app_db)

    def names(self):
        from data_access.operator_names import OperatorNames

        return OperatorNames(self.app_db)

    def allowed_paths(self) -> set[str]:
        """Pages the signed-in user may open."""
        from flask_login import current_user

        from web.access import allowed_paths

        return allowed_paths(getattr(current_user, "role", "")) if current_user.is_authenticated else set()


def ctx() -> WebContext:
    """The context of the app serving the current request."""
    return current_app.extensions[EXTENSION]


def snapshot(recheck_s: float = 0.0) -> tuple[int, dict | None]:
    """The newest (version, snapshot) this worker knows; ``recheck_s``: see SnapshotReader.get."""
    return ctx().reader.get(recheck_s)


def user_role() -> str:
    from flask_login import current_user

    return getattr(current_user, "role", "") if current_user.is_authenticated else ""


def user_login() -> str:
    from flask_login import current_user

    return getattr(current_user, "login", "") if current_user.is_authenticated else ""
