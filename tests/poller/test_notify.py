"""Notifications against real local receivers: SMTP (STARTTLS + AUTH), a Telegram Bot API stand-in, a webhook that
checks the HMAC; retries, restart, fail-over, silences, grouping, quiet hours, security routes, no personal data."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from data_access.alert_repo import AlertRepository
from data_access.appdb import open_app_db
from data_access.notify_repo import NotifyRepository
from domain.alerts import Changes, Condition
from domain.notify import route_values
from poller.notify import Notifier, route_test_message
from settings import load_settings
from tests.conftest import free_port
from tests.poller.notify_receivers import (
    BOT_TOKEN,
    SMTP_PASSWORD,
    SMTP_USER,
    WEBHOOK_SECRET,
    HttpReceiver,
    SmtpReceiver,
    make_certificate,
)

T0 = 1_764_583_200.0  # 2025-12-01 10:00 UTC


def _mail(received: dict):
    import email
    import email.policy

    return email.message_from_bytes(received["data"], policy=email.policy.default)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the SMTP server's certificate")
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp(certificate):
    receiver = SmtpReceiver(*certificate, free_port())
    yield receiver
    receiver.stop()


@pytest.fixture
def http():
    receiver = HttpReceiver()
    port = receiver.start()
    receiver.url = f"http://127.0.0.1:{port}"
    yield receiver
    receiver.stop()


@pytest.fixture
def setup(tmp_path, smtp, http, certificate):
    """(settings, app database, notifier, repository) wired to the local receivers."""
    settings = load_settings({}, data_dir=str(tmp_path), tz="UTC", smtp_host="127.0.0.1",
                             smtp_port=smtp.controller.port, smtp_ca_file=str(certificate[0]), smtp_user=SMTP_USER,
                             smtp_password=SMTP_PASSWORD, telegram_api_url=http.url, telegram_bot_token=BOT_TOKEN,
                             webhook_secret=WEBHOOK_SECRET, notify_backoff_s=1.0, notify_max_attempts=5,
                             public_url="https://hotline.example")
    engine = open_app_db(settings.url("app_db"))
    return settings, engine, Notifier(settings, engine), NotifyRepository(engine)


def _route(repo, name: str, channel: str, target: str, **extra) -> int:
    values = route_values({"name": name, "channel": channel, "target": target, "group_wait_s": 0, **extra})
    return repo.save_route(values, "adm", T0)


def _fire(engine, *conditions: Condition, now: float = T0) -> None:
    AlertRepository(engine).apply(Changes(fired=list(conditions)), now)


WAITING = Condition("queue_waiting", "technical", "critical", {"value": 31, "warn": 10, "crit": 30})
SL = Condition("queue_sl_30m", "general", "warning", {"value": 0.7, "warn": 0.8, "crit": 0.6})


def test_an_alert_reaches_the_smtp_server_over_starttls_with_auth(setup, smtp):
    settings, engine, notifier, repo = setup
    _route(repo, "duty mail", "email", "duty@hotline.example, boss@hotline.example")
    _fire(engine, WAITING)
    report = notifier.cycle(T0)
    assert (report.planned, report.sent, report.failed) == (1, 1, 0)
    [mail] = smtp.messages
    assert mail["tls"] and mail["auth"] and mail["to"] == ["duty@hotline.example", "boss@hotline.example"]
    parsed = _mail(mail)
    assert "duty mail" in parsed["Subject"] and parsed["Message-ID"].startswith("<")
    assert "https://hotline.example/alerts" in parsed.get_content()


def test_an_alert_reaches_telegram_at_the_configured_base_url(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "duty chat", "telegram", "-100123456")
    _fire(engine, WAITING)
    notifier.cycle(T0)
    [got] = http.accepted
    assert got["kind"] == "telegram" and got["chat_id"] == "-100123456" and "technical" in got["text"]


def test_a_webhook_is_signed_and_shaped_as_alertmanager_sends(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING, SL)
    notifier.cycle(T0)
    [got] = http.accepted
    assert not http.refused
    assert {"version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
            "commonAnnotations", "externalURL", "alerts"} <= set(got)
    assert got["version"] == "4" and got["status"] == "firing" and got["key"].startswith("route:")
    names = {a["labels"]["alertname"] for a in got["alerts"]}
    assert names == {"queue_waiting", "queue_sl_30m"}
    assert all(a["endsAt"] == "0001-01-01T00:00:00Z" and a["fingerprint"] for a in got["alerts"])


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(setup, http):
    settings, engine, _notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING)
    wrong = Notifier(replace(settings, webhook_secret="not-the-secret"), engine)
    report = wrong.cycle(T0)
    assert report.failed == 1 and http.refused == ["bad signature"] and not http.accepted
    assert repo.recent()[0]["status"] == "pending" and repo.recent()[0]["error"] == "HTTP 401"


def test_three_failures_then_success_is_exactly_one_delivery(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING)
    http.fail = 3
    now = T0
    for _ in range(12):
        notifier.cycle(now)
        now += 10  # past every back-off (1, 2, 4 s)
    assert http.attempts == 4 and len(http.accepted) == 1
    [row] = repo.recent()
    assert row["status"] == "sent" and row["attempts"] == 4


def test_back_off_doubles_and_a_message_is_given_up_after_the_last_try(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING)
    http.fail = 100
    notifier.cycle(T0)          # try 1 fails: again after 1 s
    notifier.cycle(T0 + 0.5)    # not due yet
    assert http.attempts == 1
    for step in (1.0, 3.0, 7.0, 15.0, 31.0, 63.0):
        notifier.cycle(T0 + step)
    assert http.attempts == 5 and repo.recent()[0]["status"] == "dead"


def test_a_restart_with_undelivered_messages_delivers_them(setup, http):
    settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _route(repo, "chat", "telegram", "-100123456")
    _fire(engine, WAITING)
    notifier.plan(T0)  # planned, then the process stops before delivering
    assert not http.accepted and {r["status"] for r in repo.recent()} == {"pending"}
    restarted = Notifier(settings, open_app_db(settings.url("app_db")))
    assert restarted.cycle(T0 + 5).sent == 2
    assert sorted(a["kind"] for a in http.accepted) == ["telegram", "webhook"]


def test_a_delivery_cut_off_mid_send_is_retried_after_the_claim_times_out(setup, http):
    settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING)
    notifier.plan(T0)
    [due] = repo.due(T0)
    assert repo.claim(due.id, due.attempts, T0)  # the poller died holding it
    restarted = Notifier(settings, engine)
    assert restarted.cycle(T0 + 10).sent == 0
    assert restarted.cycle(T0 + 400).sent == 1 and len(http.accepted) == 1


def test_no_duplicate_after_a_fail_over(setup, http):
    """A second poller that read the routes' state before the first one wrote its message plans nothing new."""
    settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING)
    second = Notifier(settings, open_app_db(settings.url("app_db")))
    stale = repo.states()
    second.repo.states = lambda: stale  # it read the state before the first poller's commit
    notifier.plan(T0)
    second.plan(T0)
    notifier.deliver(T0)
    second.deliver(T0)
    assert len(repo.recent()) == 1 and len(http.accepted) == 1


def test_a_silence_stops_the_messages_and_its_end_lets_them_through(setup, http):
    _settings, engine, notifier, repo = setup
    route_id = _route(repo, "itsm", "webhook", f"{http.url}/hook")
    silence = repo.add_silence("queue_waiting:*", route_id, "planned works", "sup", T0 - 1, T0 + 3600)
    _fire(engine, WAITING)
    for k in range(5):
        notifier.cycle(T0 + k * 60)
    assert not http.accepted
    repo.end_silence(silence, T0 + 400)
    notifier.cycle(T0 + 401)
    assert len(http.accepted) == 1


def test_an_expired_silence_no_longer_holds(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    repo.add_silence("*", None, "", "sup", T0 - 100, T0 - 1)
    _fire(engine, WAITING)
    notifier.cycle(T0)
    assert len(http.accepted) == 1


def test_a_burst_of_50_changes_in_a_grouping_window_gives_at_most_one_message_per_route(setup, http, smtp):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook", group_wait_s=120)
    _route(repo, "mail", "email", "duty@hotline.example", group_wait_s=120)
    alerts = AlertRepository(engine)
    for k in range(50):  # 50 changes in 100 s: alerts fire, change severity and resolve on every line
        scope = ("general", "cabinet", "technical", "documents")[k % 4]
        severity = "critical" if k % 3 else "warning"
        key = f"queue_waiting:{scope}"
        active = {a["key"] for a in alerts.active()}
        condition = Condition("queue_waiting", scope, severity, {"value": 10 + k, "warn": 10, "crit": 30})
        if key not in active:
            alerts.apply(Changes(fired=[condition]), T0 + 2 * k)
        elif k % 5 == 0:
            alerts.apply(Changes(resolved=[key]), T0 + 2 * k)
        else:
            alerts.apply(Changes(changed=[condition]), T0 + 2 * k)
        notifier.cycle(T0 + 2 * k)
    assert len(http.accepted) == 0 and len(smtp.messages) == 0  # the window is still open
    notifier.cycle(T0 + 121)
    assert len(http.accepted) == 1 and len(smtp.messages) == 1
    notifier.cycle(T0 + 125)
    assert len(http.accepted) == 1 and len(smtp.messages) == 1


def test_resolved_and_repeat_messages(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook", repeat_s=600)
    _fire(engine, WAITING)
    notifier.cycle(T0)
    notifier.cycle(T0 + 300)
    assert len(http.accepted) == 1
    notifier.cycle(T0 + 601)  # still firing after the repeat interval: a reminder
    assert len(http.accepted) == 2 and http.accepted[1]["key"].endswith(":repeat")
    AlertRepository(engine).apply(Changes(resolved=[WAITING.key]), T0 + 700)
    notifier.cycle(T0 + 700)
    last = http.accepted[-1]
    assert last["status"] == "resolved" and last["alerts"][0]["status"] == "resolved"


def test_quiet_hours_hold_warnings_but_not_critical_alerts(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook", quiet_from="09:00", quiet_to="11:00")  # T0 is 10:00 UTC
    _fire(engine, SL)
    notifier.cycle(T0)
    assert not http.accepted
    _fire(engine, WAITING)
    notifier.cycle(T0 + 1)
    [got] = http.accepted
    assert [a["labels"]["alertname"] for a in got["alerts"]] == ["queue_waiting"]


def test_routing_by_rule_scope_and_severity(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "tech only", "webhook", f"{http.url}/hook", scopes="technical", min_severity="critical")
    _fire(engine, SL)
    notifier.cycle(T0)
    assert not http.accepted
    _fire(engine, WAITING)
    notifier.cycle(T0 + 1)
    assert len(http.accepted) == 1


def _case(engine, band: str, operator_id: int = 7) -> int:
    from sqlalchemy import insert

    from data_access.schema.appdb import cases, operator_names
    from domain.clock import utc_naive

    with engine.begin() as conn:
        conn.execute(insert(operator_names).values(id=operator_id, login="ivanov.i", full_name="Иванов Иван Иванович",
                                                   team_id=1, team_name="Смена 1", role="operator"))
        return conn.execute(insert(cases).values(operator_id=operator_id, day="2025-12-01", score=85, band=band,
                                                 status="new", created_at=utc_naive(T0),
                                                 updated_at=utc_naive(T0))).inserted_primary_key[0]


def test_security_cases_go_to_security_routes_only_with_login_and_number(setup, http, smtp):
    _settings, engine, notifier, repo = setup
    _route(repo, "supervisors", "webhook", f"{http.url}/hook")
    _route(repo, "security officers", "email", "soc@hotline.example", audience="security", min_band="high")
    case_id = _case(engine, "high")
    notifier.cycle(T0)
    assert not http.accepted  # the operational route never hears of a case
    [mail] = smtp.messages
    parsed = _mail(mail)
    text = parsed["Subject"] + parsed.get_content()
    assert f"{case_id}" in text and "ivanov.i" in text
    assert "Иванов" not in text and "Смена" not in text


def test_messages_carry_no_personal_data_nor_error_texts(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _route(repo, "soc", "telegram", "-1001", audience="security", min_band="medium")
    _case(engine, "critical")
    _fire(engine, Condition("source_stale", "ticketing", "critical",
                            {"lag_s": 60, "error": "connection to crm-db.internal:5432 (user crm_reader) refused"}))
    notifier.cycle(T0)
    sent = json.dumps(http.accepted, ensure_ascii=False)
    assert len(http.accepted) == 2
    for secret in ("crm-db.internal", "crm_reader", "Иванов", "Иван Иванович", BOT_TOKEN):
        assert secret not in sent


def test_send_test_goes_through_the_outbox(setup, http, smtp):
    settings, _engine, notifier, repo = setup
    routes = (_route(repo, "itsm", "webhook", f"{http.url}/hook"), _route(repo, "mail", "email", "a@b.example"))
    for route_id in routes:
        assert repo.enqueue(route_test_message(repo.route(route_id), "ru", T0), T0)
    assert notifier.cycle(T0).sent == 2
    assert http.accepted[0]["alerts"][0]["labels"]["alertname"] == "HotlineRouteTest" and len(smtp.messages) == 1


def test_a_telegram_failure_never_shows_the_bot_token(setup):
    settings, engine, _notifier, repo = setup
    _route(repo, "chat", "telegram", "-100123456")
    _fire(engine, WAITING)
    down = Notifier(replace(settings, telegram_api_url=f"http://127.0.0.1:{free_port()}"), engine)
    assert down.cycle(T0).failed == 1
    assert BOT_TOKEN not in repo.recent()[0]["error"] and repo.recent()[0]["error"]


@pytest.mark.parametrize("values, field", [
    ({"name": "", "channel": "email", "target": "a@b.example"}, "name"),
    ({"name": "x", "channel": "sms", "target": "1"}, "channel"),
    ({"name": "x", "channel": "email", "target": "not an address"}, "target"),
    ({"name": "x", "channel": "telegram", "target": "<script>"}, "target"),
    ({"name": "x", "channel": "webhook", "target": "file:///etc/passwd"}, "target"),
    ({"name": "x", "channel": "webhook", "target": "javascript:alert(1)"}, "target"),
    ({"name": "x", "channel": "email", "target": "a@b.example", "quiet_from": "25:00"}, "quiet"),
    ({"name": "x", "channel": "email", "target": "a@b.example", "group_wait_s": "-5"}, "grouping"),
    ({"name": "x", "channel": "email", "target": "a@b.example", "repeat_s": 10 ** 12}, "repeat"),
    ({"name": "x", "channel": "email", "target": "a@b.example", "rules": "a;DROP TABLE"}, "rules"),
    ({"name": "x", "channel": "email", "target": "a@b.example", "audience": "everyone"}, "audience"),
])
def test_route_input_is_checked_with_a_clear_message(values, field):
    from domain.notify import RouteError

    with pytest.raises(RouteError, match=field):
        route_values(values)


def test_an_acknowledged_alert_is_not_repeated(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook", repeat_s=600)
    _fire(engine, WAITING)
    notifier.cycle(T0)
    [alert] = AlertRepository(engine).active()
    assert AlertRepository(engine).acknowledge(alert["id"], "sup", T0 + 60)
    notifier.cycle(T0 + 700)
    assert len(http.accepted) == 1


def test_old_delivered_messages_are_purged_pending_ones_kept(setup, http):
    _settings, engine, notifier, repo = setup
    _route(repo, "itsm", "webhook", f"{http.url}/hook")
    _fire(engine, WAITING)
    notifier.cycle(T0)
    [first] = repo.recent()
    http.fail = 100
    repo.enqueue(route_test_message(repo.routes()[0], "ru", T0), T0)
    notifier.cycle(T0 + 31 * 86400)  # the still-firing alert is repeated; the first message is gone
    kept = repo.recent()
    assert first["id"] not in {r["id"] for r in kept} and "test" in {r["kind"] for r in kept}


def test_a_reviewers_reveal_outside_their_cases_reaches_the_oversight_route_once_without_the_citizen(setup, http,
                                                                                                      smtp):
    from data_access.audit_repo import AuditEntry, AuditTrail

    _settings, engine, notifier, repo = setup
    _route(repo, "supervisors", "webhook", f"{http.url}/hook")
    _route(repo, "security officers", "webhook", f"{http.url}/soc", audience="security", min_band="low")
    _route(repo, "dpo", "email", "dpo@hotline.example", audience="oversight")
    trail = AuditTrail(engine)
    for i in range(3):   # a security officer with no case reveals citizen 424242 three times
        trail.append(AuditEntry("petrova.sec", "security", "reveal", "citizen:424242"), T0 - 600 + i)
    notifier.cycle(T0)
    assert not http.accepted     # neither supervisors nor the reviewers themselves hear of it
    [mail] = smtp.messages
    parsed = _mail(mail)
    content = parsed["Subject"] + parsed.get_content()
    assert "petrova.sec" in content and "3" in content and "https://hotline.example/audit" in content
    assert "424242" not in content
    notifier.cycle(T0 + 3600)
    notifier.cycle(T0 + 6 * 3600)
    assert len(smtp.messages) == 1   # announced once, not repeated
    assert [d["kind"] for d in repo.recent(10)] == ["reviewers"]


def test_an_oversight_route_hears_of_no_alert_and_no_case(setup, smtp):
    _settings, engine, notifier, repo = setup
    _route(repo, "dpo", "email", "dpo@hotline.example", audience="oversight")
    _fire(engine, WAITING)
    _case(engine, "critical")
    notifier.cycle(T0)
    assert smtp.messages == []


def test_a_flood_of_reads_of_ones_own_cases_does_not_push_a_reveal_out_of_the_oversight_route(setup, smtp,
                                                                                              monkeypatch):
    import data_access.reviewer_acts as reviewer_acts
    from data_access.audit_repo import AuditEntry, AuditTrail

    _settings, engine, notifier, repo = setup
    monkeypatch.setattr(reviewer_acts, "MAX_ACTS", 50)    # 20,000 in production
    _route(repo, "dpo", "email", "dpo@hotline.example", audience="oversight")
    trail = AuditTrail(engine)
    for i in range(60):
        trail.append(AuditEntry("petrova.sec", "security", "access_log_rows", "access_log",
                                {"filter": {"operator": None, "citizen": None}, "from_row": i * 100, "rows": 0}),
                     T0 - 3000 + i)
    trail.append(AuditEntry("petrova.sec", "security", "reveal", "citizen:424242"), T0 - 100)
    notifier.cycle(T0)
    assert len(smtp.messages) == 1 and "petrova.sec" in _mail(smtp.messages[0]).get_content()
    trail.append(AuditEntry("petrova.sec", "security", "reveal", "citizen:424242"), T0 + 3600)
    for later in (T0 + 3700, T0 + 86400, T0 + 3 * 86400):   # the same finding: no second message, no "resolved"
        notifier.cycle(later)
    assert len(smtp.messages) == 1
