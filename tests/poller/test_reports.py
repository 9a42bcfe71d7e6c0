"""Scheduled SLA reports: due on the first working day at the set local time, mailed once per subscriber through
the outbox with the SLA page's workbook attached (received by a real SMTP server)."""

from __future__ import annotations

import email
import email.policy
import io
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from data_access.appdb import open_app_db
from data_access.subscriptions_repo import SubscriptionError, SubscriptionRepository
from domain.report_schedule import due_periods, first_working_day, parse_holidays
from poller.notify import Notifier
from settings import load_settings
from tests.conftest import free_port
from tests.poller.notify_receivers import SMTP_PASSWORD, SMTP_USER, SmtpReceiver, make_certificate

MSK = "Europe/Moscow"


def at(text: str, tz: str = MSK) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp()


def test_the_first_working_day_skips_weekends_and_holidays():
    holidays = parse_holidays("2027-01-01,2027-01-04,2027-01-05,2027-01-06,2027-01-07,2027-01-08")
    from datetime import date

    assert first_working_day(date(2027, 1, 1), holidays) == date(2027, 1, 11)
    assert first_working_day(date(2026, 11, 1), frozenset()) == date(2026, 11, 2)  # a Sunday
    with pytest.raises(ValueError, match="not a day"):
        parse_holidays("2027-01-01,tomorrow")


def test_monthly_and_weekly_reports_are_due_from_the_send_time_for_three_days():
    none, monthly = frozenset(), ("monthly",)
    assert due_periods(at("2026-12-01T07:59"), MSK, "08:00", none, monthly) == []
    due = due_periods(at("2026-12-01T08:00"), MSK, "08:00", none, monthly)
    assert [(p.cadence, p.key, p.since_day, p.until_day) for p in due] == [("monthly", "2026-11", "2026-11-01",
                                                                           "2026-11-30")]
    monday = due_periods(at("2026-12-07T09:00"), MSK, "08:00", none)
    assert [(p.cadence, p.key, p.since_day, p.until_day) for p in monday] == [("weekly", "2026-W49", "2026-11-30",
                                                                              "2026-12-06")]
    assert [p.cadence for p in due_periods(at("2026-12-03T23:00"), MSK, "08:00", none)] == ["monthly"]
    assert due_periods(at("2026-12-04T08:01"), MSK, "08:00", none) == []
    assert due_periods(at("2026-12-10T08:01"), MSK, "08:00", none) == []  # the weekly's catch-up is over too


@pytest.fixture
def smtp(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the SMTP server's certificate")
    cert = make_certificate(tmp_path_factory.mktemp("tls"))
    receiver = SmtpReceiver(*cert, free_port())
    receiver.cert = cert
    yield receiver
    receiver.stop()


def test_subscribers_get_the_workbook_once(tmp_path, smtp):
    from openpyxl import load_workbook

    settings = load_settings({}, data_dir=str(tmp_path), tz=MSK, smtp_host="127.0.0.1",
                             smtp_port=smtp.controller.port, smtp_ca_file=str(smtp.cert[0]), smtp_user=SMTP_USER,
                             smtp_password=SMTP_PASSWORD)
    engine = open_app_db(settings.url("app_db"))
    subs = SubscriptionRepository(engine)
    subs.subscribe("mgr", "manager@hotline.example", "monthly", "ru", at("2026-11-20T10:00"))
    subs.subscribe("boss", "boss@hotline.example", "monthly", "en", at("2026-11-20T10:00"))
    notifier = Notifier(settings, engine)
    for moment in ("2026-12-01T07:00", "2026-12-01T08:00", "2026-12-01T08:05", "2026-12-02T12:00"):
        notifier.cycle(at(moment))
    assert sorted(m["to"][0] for m in smtp.messages) == ["boss@hotline.example", "manager@hotline.example"]
    subs.subscribe("mgr", "manager@hotline.example", "weekly", "ru", at("2026-12-02T10:00"))
    for received in smtp.messages:
        mail = email.message_from_bytes(received["data"], policy=email.policy.default)
        assert "2026-11" in mail["Subject"]
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_filename() == "sla-report-2026-11.xlsx"
        book = load_workbook(io.BytesIO(attachment.get_content()))
        assert len(book.sheetnames) >= 10 and book.worksheets[0]["A1"].value
    notifier.cycle(at("2026-12-07T08:30"))  # Monday: the weekly report of the week before
    assert len(smtp.messages) == 3 and "2026-W49" in email.message_from_bytes(
        smtp.messages[-1]["data"], policy=email.policy.default)["Subject"]


@pytest.mark.parametrize("address, cadence", [("not an address", "monthly"), ("a@b.example", "daily"),
                                              (["a@b.example"], "monthly"), ("a@b.example\nBcc: x@y.z", "monthly")])
def test_bad_subscriptions_are_refused(tmp_path, address, cadence):
    subs = SubscriptionRepository(open_app_db(f"sqlite:///{tmp_path}/app.db"))
    with pytest.raises(SubscriptionError):
        subs.subscribe("mgr", address, cadence, "ru", 0.0)
