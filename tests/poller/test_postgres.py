"""The same code on PostgreSQL (the production sources and app database): simulator, poller, detectors."""

import time

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_settings(postgres_url, tmp_path_factory):
    from domain.clock import day_start
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("pgdata")), telephony_url=postgres_url("tel"),
                             ticketing_url=postgres_url("crm"), app_db_url=postgres_url("appdb"), sim_scale=0.02)
    # Yesterday 16:00 local, whatever the hour the suite runs at: the hour before stays inside one day.
    now = day_start(time.time(), settings.tz) - 8 * 3600
    backfill(settings, now - 3600, now, scale=0.02, two_cores=False)
    return settings, now


def test_poller_reads_postgres_sources(pg_settings):
    from poller.replay import replay_snapshot

    settings, now = pg_settings
    snap = replay_snapshot(settings, now)
    assert all(s["ok"] for s in snap["sources"].values())
    assert sum(q["offered"] for q in snap["queues"].values()) > 20
    assert snap["channels"]["chat"]["created"] > 0 and snap["services"]


def test_sources_are_read_only_on_postgres(pg_settings):
    from data_access.schema.telephony import queue_log
    from data_access.telephony import QueueLogSource

    settings, _ = pg_settings
    source = QueueLogSource(settings.url("telephony"), settings.pbx_tz)
    with pytest.raises(DBAPIError, match="read-only"):
        with source.engine.begin() as conn:
            conn.execute(insert(queue_log).values(callid="x", queuename="q", agent="a", event="DID"))


def test_detectors_and_append_only_audit_on_postgres(pg_settings):
    from data_access.appdb import open_app_db
    from data_access.audit_repo import AuditEntry, AuditTrail
    from poller.security import SecurityPipeline

    settings, now = pg_settings
    app_db = open_app_db(settings.url("app_db"))
    status = SecurityPipeline(settings, app_db).cycle(now)
    assert status.error is None and status.rows > 50
    trail = AuditTrail(app_db)
    trail.append(AuditEntry("sec1", "security", "reveal", "citizen:1"), now)
    assert trail.verify() == (True, None)
    with pytest.raises(DBAPIError, match="append-only"):
        with app_db.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    assert trail.check().upto >= 1  # the checkpoint: it only moves forward and is never deleted
    with pytest.raises(DBAPIError, match="only moves forward"):
        with app_db.begin() as conn:
            conn.execute(text("UPDATE audit_checkpoint SET row_id = 0"))
    with pytest.raises(DBAPIError, match="cannot be deleted"):
        with app_db.begin() as conn:
            conn.execute(text("DELETE FROM audit_checkpoint"))
