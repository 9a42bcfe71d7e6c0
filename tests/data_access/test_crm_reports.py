"""The SLA report's CRM reads: FCR and survey counts equal plain SQL counts; written appeals; a cache per period."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from data_access.crm_reports import CrmReports
from domain.sla import channel_of, line_of, quality_counts


@pytest.fixture(scope="module")
def crm(tmp_path_factory):
    """Three simulated hours of the hotline's CRM (scale 0.02)."""
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("crm")), tz="UTC", pbx_tz="UTC")
    now = time.time()
    backfill(settings, now - 3 * 3600, now, scale=0.02)
    return settings.url("ticketing"), now


def plain(url: str, sql: str, **params) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_fcr_per_line_and_channel_equals_a_plain_count_of_resolved_tickets(crm):
    url, now = crm
    rows = CrmReports(url).quality(now - 3 * 3600, now + 60)
    assert rows.ok and rows.data
    expected = {(c, line or ""): (n, f) for c, line, n, f in plain(
        url, "SELECT channel, line, COUNT(*), SUM(CASE WHEN first_contact_resolution THEN 1 ELSE 0 END) "
             "FROM tickets WHERE resolved_at IS NOT NULL GROUP BY channel, line")}
    got = quality_counts(rows.data, lambda r: (r.channel, r.line) if r.counts.get("resolved") else None)
    assert {k: (v["resolved"], v["fcr"]) for k, v in got.items()} == expected
    phone_lines = quality_counts(rows.data, line_of)
    assert sum(v["resolved"] for v in phone_lines.values()) == sum(n for (c, _l), (n, _f) in expected.items()
                                                                   if c == "phone")
    assert "phone" not in quality_counts(rows.data, channel_of)


def test_survey_scores_add_up_to_the_plain_sum_of_csat(crm):
    url, now = crm
    rows = CrmReports(url).quality(now - 3 * 3600, now + 60).data
    total = sum(r.counts.get("csat_sum", 0) for r in rows)
    surveys = sum(r.counts.get("surveys", 0) for r in rows)
    assert (surveys, total) == tuple(plain(url, "SELECT COUNT(*), SUM(csat) FROM surveys")[0])
    assert surveys > 0


def test_written_appeals_are_the_email_and_app_tickets_of_the_period_and_the_open_ones(crm):
    url, now = crm
    appeals = CrmReports(url).appeals(now - 3600, now + 60)
    assert appeals.ok
    expected = {r[0] for r in plain(url, "SELECT id FROM tickets WHERE channel IN ('email', 'app') AND "
                                         "(created_at >= :a OR status IN ('new', 'open', 'escalated'))",
                                    a=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - 3600)))}
    assert {a.ticket_id for a in appeals.data} == expected and {a.channel for a in appeals.data} <= {"email", "app"}


def test_the_same_period_is_read_once_within_the_cache_time(crm):
    url, now = crm
    clock = [0.0]
    reports = CrmReports(url, ttl_s=300, clock=lambda: clock[0])
    first = reports.quality(now - 3600, now)
    assert reports.quality(now - 3600, now) is first
    clock[0] = 301
    assert reports.quality(now - 3600, now) is not first


def test_a_missing_crm_is_an_error_value_not_an_exception(tmp_path):
    result = CrmReports(f"sqlite:///{tmp_path}/none.db").quality(0, 1)
    assert not result.ok and result.error and not (tmp_path / "none.db").exists()
