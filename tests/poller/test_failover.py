"""Poller high availability on the production engines: PostgreSQL sources and app database, Redis snapshot store.

Two ``python app.py poller`` processes: one publishes, the other stands by; killed -9, the active one is replaced
within two poll intervals plus the lease's life, the wall's numbers never go back and no alert is raised twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select, text

from tests.conftest import ROOT
from tools.watch import SnapshotWatcher, never_backwards, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
POLL_S, LEASE_S = 1.0, 5.0


@pytest.fixture
def topology(postgres_url, redis_url, tmp_path):
    """Environment of the processes: the three databases in PostgreSQL, Redis, a simulator writing live."""
    suffix = tmp_path.name.replace("-", "_")[-20:].lower()
    env = {**os.environ, "HOTLINE_DATA_DIR": str(tmp_path), "HOTLINE_REDIS_URL": redis_url,
           "HOTLINE_REDIS_KEY_PREFIX": f"failover-{suffix}:", "HOTLINE_POLL_INTERVAL_S": str(POLL_S),
           "HOTLINE_POLLER_LEASE_S": str(LEASE_S), "HOTLINE_SIM_SCALE": "0.2", "HOTLINE_ALERT_RAISE_AFTER_S": "1",
           "HOTLINE_QUEUE_OVERRIDES": '{"technical": {"sl_goal": 1.01, "sl_warn": 1.005}}',
           "HOTLINE_TELEPHONY_URL": postgres_url(f"tel_{suffix}"),
           "HOTLINE_TICKETING_URL": postgres_url(f"crm_{suffix}"),
           "HOTLINE_APP_DB_URL": postgres_url(f"app_{suffix}"), "HOTLINE_SECURITY_INTERVAL_S": "3600"}
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    sim = start("simulator", "simulate", "--days", "0.04")
    wait_for(lambda: b"caught up" in (tmp_path / "simulator.log").read_bytes(), 120, "the simulator's back-fill")
    yield env, start, tmp_path
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert sim.returncode is not None


def test_a_standby_poller_takes_over_within_two_intervals_and_the_lease_and_nothing_goes_back(topology):
    env, start, folder = topology
    first = start("poller-1", "poller")
    wall = SnapshotWatcher(env["HOTLINE_REDIS_URL"], env["HOTLINE_REDIS_KEY_PREFIX"])
    wait_for(lambda: wall.first_from(first.pid), 60, "the first poller's snapshot")
    second = start("poller-2", "poller")
    time.sleep(4 * POLL_S)
    assert {p for _t, _v, p, _c in wall.seen} == {first.pid}  # the second one stands by
    wait_for(lambda: _firing_alerts(env), 30, "an alert fired by the first poller")
    killed_at = time.time()
    first.send_signal(signal.SIGKILL)
    took = wait_for(lambda: wall.first_from(second.pid, killed_at), 30, "the standby's snapshot") - killed_at
    print(f"\nfail-over: the standby published {took:.2f} s after the active poller was killed -9 "
          f"(poll interval {POLL_S} s, lease {LEASE_S} s)")
    time.sleep(4 * POLL_S)
    wall.close()
    assert took <= 2 * POLL_S + LEASE_S
    assert len(wall.seen) > 50 and never_backwards(wall.seen)
    _assert_no_alert_raised_twice(env)
    second.send_signal(signal.SIGTERM)  # a graceful stop gives the lease up
    assert second.wait(timeout=30) == 0
    from data_access.appdb import open_app_db
    from data_access.poller_lease import active_poller

    assert active_poller(open_app_db(env["HOTLINE_APP_DB_URL"])) is None
    log = (folder / "poller-2.log").read_bytes()
    assert b"restored the checkpoint" in log  # the takeover read only the rows after the killed one's checkpoint
    assert log.rindex(b"checkpoint written") < log.rindex(b"the poller lease was released")  # a last one


def _firing_alerts(env: dict) -> list:
    from data_access.appdb import open_app_db
    from data_access.schema.appdb import alerts

    with open_app_db(env["HOTLINE_APP_DB_URL"]).connect() as conn:
        return conn.execute(select(alerts.c.key).where(alerts.c.resolved_at.is_(None))).all()


def _assert_no_alert_raised_twice(env: dict) -> None:
    from data_access.appdb import open_app_db

    with open_app_db(env["HOTLINE_APP_DB_URL"]).connect() as conn:
        firing = conn.execute(text("SELECT key, count(*) FROM alerts WHERE resolved_at IS NULL GROUP BY key")).all()
        overlapping = conn.execute(text(
            "SELECT a.key FROM alerts a JOIN alerts b ON a.key = b.key AND a.id < b.id "
            "WHERE a.resolved_at IS NULL OR a.resolved_at > b.fired_at")).all()
    assert firing and all(n == 1 for _key, n in firing)
    assert overlapping == []


def test_an_active_poller_that_loses_its_database_connection_hands_over_to_the_standby(postgres_url, settings):
    from dataclasses import replace

    from data_access.appdb import open_app_db
    from data_access.poller_lease import AdvisoryLease, Holder, make_lease
    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.engine import LiveEngine

    settings = replace(settings, app_db_url=postgres_url("app_lost"))
    db = open_app_db(settings.url("app_db"))
    store = InMemorySnapshotStore()
    one, two = (LiveEngine(settings, store, lease=make_lease(db, LEASE_S, Holder(h * 32, f"host-{h}", n)))
                for h, n in (("a", 1), ("b", 2)))
    assert isinstance(one.lease, AdvisoryLease)
    one.cycle(1000.0)
    two.cycle(1000.5)
    assert one.active and not two.active and store.version() == 1
    with db.connect() as conn:  # the network drops the active poller's lock connection
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                          "AND objid = 1 AND granted AND database = "
                          "(SELECT oid FROM pg_database WHERE datname = current_database())"))
        conn.commit()
    one.cycle(1001.0)
    assert not one.active and store.version() == 1  # it noticed at its next cycle and stands by
    two.cycle(1001.5)
    assert two.active and store.version() == 2
    assert store.latest()[1]["poller"]["active"]["host"] == "host-b"
    one.cycle(1002.0)
    assert not one.active  # back as a standby: the lock is the other one's now
