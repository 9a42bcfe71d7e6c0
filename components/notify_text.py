"""The words of a notification: its subject and text (Russian or English), and the webhook's body in
Alertmanager's webhook shape (version 4), so an existing Alertmanager receiver takes it as it is.

No personal data reaches these functions: alert texts are made from rules, line names and numbers (never a
source's error text), cases are named by their number, band and the operator's login only, reviewers' findings
(D20) by the reviewer's login and the kind of act only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from components.format import alert_message
from components.i18n import t
from domain.detectors.reviewers import EXPORT, REVEAL, ReviewerFinding
from domain.notify import Item, Message

ZERO_TIME = "0001-01-01T00:00:00Z"
SAFE_PARAMS = ("value", "warn", "crit", "waiting", "logged_in", "lag_s", "since", "line", "days", "oldest", "name_ru",
               "name_en", "span", "calls", "gaps")
TEXT = {
    "subject": ("[Горячая линия] {route}: {firing} активно, {resolved} решено",
                "[Hotline] {route}: {firing} firing, {resolved} resolved"),
    "repeat": ("Напоминание: всё ещё активно", "Reminder: still firing"),
    "firing": ("Активно", "Firing"),
    "resolved": ("Решено", "Resolved"),
    "case": ("Случай №{id}: уровень {band}, оператор {login}, балл {score}",
             "Case #{id}: band {band}, operator {login}, score {score}"),
    "reviewer": ("D20: проверяющий {login}: {act} вне назначенных ему случаев{times}",
                 "D20: reviewer {login}: {act} outside the cases assigned to them{times}"),
    "act_reveal": ("раскрыты данные гражданина", "revealed a citizen's data"),
    "act_journal": ("прочитан журнал доступа", "read the access journal"),
    "act_export": ("выгружен журнал доступа", "exported the access journal"),
    "act_export_all": ("выгружен журнал без фильтра ({rows} строк)", "exported the journal unfiltered ({rows} rows)"),
    "times": (" (за день: {n})", " ({n} times that day)"),
    "test": ("Проверка маршрута «{route}»: доставка работает.", "Test of route '{route}': delivery works."),
    "test_subject": ("[Горячая линия] проверка маршрута {route}", "[Hotline] route test {route}"),
    "link": ("Панель: {url}", "Dashboard: {url}"),
}


def text(key: str, lang: str) -> str:
    pair = TEXT[key]
    return pair[1] if lang == "en" else pair[0]


def alert_text(alert: dict, snapshot: dict | None, lang: str) -> str:
    """An alert's words without anything but its numbers (a source's error text is left out)."""
    safe = {**alert, "params": {k: v for k, v in (alert.get("params") or {}).items() if k in SAFE_PARAMS}}
    return alert_message(safe, snapshot, lang)


def case_text(case: dict, login: str, lang: str) -> str:
    return text("case", lang).format(id=case["id"], band=case["band"], login=login or "?", score=case["score"])


def reviewer_text(finding: ReviewerFinding, lang: str) -> str:
    """A D20 finding without its subject: the reviewer's login and the kind of act (the officer opens /audit)."""
    act = finding.act
    if act.action == REVEAL:
        what = text("act_reveal", lang)
    elif act.action == EXPORT and act.operator_id is None and act.citizen_id is None:
        what = text("act_export_all", lang).format(rows=act.rows)
    else:
        what = text("act_export" if act.action == EXPORT else "act_journal", lang)
    times = text("times", lang).format(n=finding.acts) if finding.acts > 1 else ""
    return text("reviewer", lang).format(login=act.actor, act=what, times=times)


def _level(item: Item, lang: str) -> str:
    return t(item.level, lang) if item.kind == "alert" else item.level


def subject(message: Message, lang: str) -> str:
    return text("subject", lang).format(route=message.route.name, firing=len(message.firing),
                                        resolved=len(message.resolved))


def body(message: Message, lang: str, public_url: str = "") -> str:
    lines = [text("repeat", lang)] if message.repeat else []
    if message.firing:
        lines.append(f"{text('firing', lang)}:")
        lines += [f"• [{_level(i, lang)}] {i.text_en if lang == 'en' else i.text_ru}" for i in message.firing]
    if message.resolved:
        lines.append(f"{text('resolved', lang)}:")
        lines += [f"• {key}" for key in message.resolved]
    if public_url:
        lines.append(text("link", lang).format(url=public_url.rstrip("/") + _page(message)))
    return "\n".join(lines)


def _page(message: Message) -> str:
    """The dashboard page a route's message links to: /audit for the data protection officer, else /alerts."""
    return "/audit" if message.route.audience == "oversight" else "/alerts"


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _am_alert(item: Item, status: str, public_url: str, now_iso: str, lang: str, page: str = "/alerts") -> dict:
    labels = {"alertname": item.rule or item.kind, "severity": item.level, "scope": item.scope, "key": item.key,
              "source": "hotline-dashboard"}
    return {"status": status, "labels": labels,
            "annotations": {"summary": item.text_en if lang == "en" else item.text_ru},
            "startsAt": item.since or now_iso, "endsAt": now_iso if status == "resolved" else ZERO_TIME,
            "generatorURL": (public_url.rstrip("/") + page) if public_url else "",
            "fingerprint": _fingerprint(item.key)}


def alertmanager_payload(message: Message, lang: str, public_url: str, now: float) -> dict:
    """The webhook's JSON body, as Alertmanager's webhook_config sends it (version 4)."""
    now_iso = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    resolved = [Item(key, "case" if key.startswith("case:") else "alert", "resolved",
                     rule="" if key.startswith("case:") else key.split(":", 1)[0],
                     scope=key.split(":", 1)[1] if ":" in key else "", text_ru=key, text_en=key)
                for key in message.resolved]
    page = _page(message)
    alerts = [_am_alert(i, "firing", public_url, now_iso, lang, page) for i in message.firing]
    alerts += [_am_alert(i, "resolved", public_url, now_iso, lang, page) for i in resolved]
    route = message.route
    return {"version": "4", "groupKey": f"{{}}:{{route=\"{route.name}\"}}", "truncatedAlerts": 0,
            "status": "firing" if message.firing else "resolved", "receiver": route.name,
            "groupLabels": {"route": route.name}, "commonLabels": {"source": "hotline-dashboard"},
            "commonAnnotations": {}, "externalURL": public_url, "alerts": alerts}
