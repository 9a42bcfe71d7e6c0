"""Interface texts of the integrations (issue 13): API tokens, notification routes, silences, report subscriptions.

Merged into :data:`components.i18n.STRINGS`; kept apart so that the pages of one feature keep their words together.
"""

from __future__ import annotations

INTEGRATION_STRINGS: dict[str, tuple[str, str]] = {
    "nav_integrations": ("Интеграции", "Integrations"),
    "api_tokens": ("Ключи API", "API tokens"),
    "api_token_name": ("Название ключа (кто им пользуется)", "Token name (who uses it)"),
    "api_scopes": ("Права", "Scopes"),
    "scope_operational": ("оперативные данные", "operational figures"),
    "scope_reports": ("отчёты SLA", "SLA reports"),
    "api_create": ("Создать ключ", "Create token"),
    "api_revoke": ("Отозвать", "Revoke"),
    "api_created": ("Ключ «{name}» создан. Скопируйте его сейчас — он больше не будет показан:",
                    "Token '{name}' created. Copy it now: it will not be shown again:"),
    "api_revoked": ("Ключ «{name}» отозван: запросы с ним отклоняются сразу.",
                    "Token '{name}' revoked: requests with it are refused at once."),
    "api_not_found": ("Действующего ключа с таким названием нет.", "No live token of that name."),
    "api_usage": ("Использование API по часам (последние 48 ч)", "API use per hour (last 48 h)"),
    "api_calls": ("Запросов", "Calls"),
    "api_refused": ("Отклонено", "Refused"),
    "hour": ("Час", "Hour"),
    "created_by": ("Создал", "Created by"),
    "created_at": ("Создан", "Created"),
    "revoked_at": ("Отозван", "Revoked"),
    "last_used": ("Последнее использование", "Last used"),
    "name": ("Название", "Name"),
    "token_live": ("действует", "live"),
}
