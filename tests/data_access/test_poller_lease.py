"""One poller per app database: a second one is refused with a reason; a dead one's lease can be taken."""

import pytest

from data_access.appdb import open_app_db
from data_access.poller_lease import Holder, PollerAlreadyRunning, PollerLease


@pytest.fixture
def engine(settings):
    return open_app_db(settings.url("app_db"))


def test_a_second_poller_on_another_host_is_refused_while_the_first_renews(engine):
    first = PollerLease(engine, ttl_s=30, me=Holder("a" * 32, "host-a", 101))
    second = PollerLease(engine, ttl_s=30, me=Holder("b" * 32, "host-b", 202))
    first.acquire(1000.0)
    with pytest.raises(PollerAlreadyRunning, match="host host-a, pid 101.*renewed its lease 10 s ago"):
        second.acquire(1010.0)
    assert first.renew(1025.0)
    with pytest.raises(PollerAlreadyRunning):
        second.acquire(1050.0)


def test_a_lease_not_renewed_for_longer_than_its_ttl_is_taken_over(engine):
    first = PollerLease(engine, ttl_s=30, me=Holder("a" * 32, "host-a", 101))
    second = PollerLease(engine, ttl_s=30, me=Holder("b" * 32, "host-b", 202))
    first.acquire(1000.0)
    second.acquire(1031.0)
    assert not first.renew(1032.0)  # the first one learns it lost the lease and stops publishing
    assert second.renew(1032.0)


def test_a_poller_killed_on_this_host_does_not_block_its_restart(engine):
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = PollerLease(engine, ttl_s=30, me=Holder("c" * 32, socket.gethostname(), int(dead.stdout)))
    killed.acquire(1000.0)
    PollerLease(engine, ttl_s=30).acquire(1001.0)  # this process, same host: the old pid is gone


def test_a_released_lease_lets_the_next_poller_start_at_once(engine):
    first = PollerLease(engine, ttl_s=30, me=Holder("a" * 32, "host-a", 101))
    first.acquire(1000.0)
    first.release()
    PollerLease(engine, ttl_s=30, me=Holder("b" * 32, "host-b", 202)).acquire(1001.0)


def test_a_poller_inside_the_web_process_refuses_to_start_beside_a_running_poller(settings):
    import time

    from poller.scheduler import build_engine

    PollerLease(open_app_db(settings.url("app_db")), ttl_s=30, me=Holder("d" * 32, "pbx-dash-1", 4242)
                ).acquire(time.time())
    with pytest.raises(PollerAlreadyRunning, match=r"another poller \(host pbx-dash-1, pid 4242\)"):
        build_engine(settings)


def test_a_standby_poller_publishes_nothing_until_the_lease_expires_then_takes_over(settings):
    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.engine import LiveEngine

    db = open_app_db(settings.url("app_db"))
    active = PollerLease(db, ttl_s=30, me=Holder("a" * 32, "host-a", 101))
    active.acquire(1000.0)
    store = InMemorySnapshotStore()
    standby = LiveEngine(settings, store, lease=PollerLease(db, ttl_s=30, me=Holder("b" * 32, "host-b", 202)))
    standby.start(1001.0)
    standby.cycle(1001.0)
    standby.cycle(1029.0)
    assert store.version() == 0 and not standby.active
    snap = standby.cycle(1031.0)  # host-a's lease is 31 s old: expired
    assert store.version() == 1 and standby.active
    assert snap["poller"]["active"]["host"] == "host-b" and snap["poller"]["active"]["token"] == 2
    assert not active.renew(1032.0)


def test_a_poller_with_an_older_token_cannot_write_alerts_or_publish_after_a_takeover(settings):
    from sqlalchemy import select

    from data_access.alert_repo import AlertRepository
    from data_access.poller_lease import LeaseLost
    from data_access.schema.appdb import alerts
    from data_access.snapshot_store import InMemorySnapshotStore, StalePublisher
    from domain.alerts import Changes, Condition

    db = open_app_db(settings.url("app_db"))
    old = PollerLease(db, ttl_s=30, me=Holder("a" * 32, "host-a", 101))
    old.acquire(1000.0)
    new = PollerLease(db, ttl_s=30, me=Holder("b" * 32, "host-b", 202))
    new.acquire(1040.0)  # old stalled for 40 s and has not noticed yet
    store, repo = InMemorySnapshotStore(), AlertRepository(db)
    store.publish({"n": 1}, new.epoch)
    with pytest.raises(StalePublisher):
        store.publish({"n": 0}, old.epoch)
    fired = Changes(fired=[Condition("queue_waiting", "technical", "warning", {"waiting": 12})])
    with pytest.raises(LeaseLost):
        repo.apply(fired, 1041.0, fence=old.fence)
    repo.apply(fired, 1041.0, fence=new.fence)
    repo.apply(fired, 1042.0, fence=new.fence)  # the same alert fired again (a second poller's tracker)
    with db.connect() as conn:
        assert len(conn.execute(select(alerts)).all()) == 1
    assert store.latest()[1]["n"] == 1


def test_an_engine_that_lost_its_lease_stops_publishing(settings):
    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.engine import LiveEngine

    engine_db = open_app_db(settings.url("app_db"))
    mine = PollerLease(engine_db, ttl_s=30, me=Holder("e" * 32, "host-e", 1))
    mine.acquire(1000.0)
    store = InMemorySnapshotStore()
    engine = LiveEngine(settings, store, lease=mine)
    engine.cycle(1001.0)
    assert store.version() == 1
    PollerLease(engine_db, ttl_s=30, me=Holder("f" * 32, "host-f", 2)).acquire(1040.0)  # mine expired: taken over
    engine.cycle(1041.0)
    assert store.version() == 1 and engine.lease_lost


def test_the_lease_is_written_at_most_every_sixth_of_its_life_yet_a_takeover_is_seen(engine):
    from sqlalchemy import select

    from data_access.schema.appdb import poller_lease
    from domain.clock import utc_naive

    mine = PollerLease(engine, ttl_s=30, me=Holder("a" * 32, "host-a", 101))
    mine.acquire(1000.0)
    assert mine.renew(1002.0) and mine.renew(1004.0)  # within 5 s: no write
    with engine.connect() as conn:
        assert conn.execute(select(poller_lease.c.renewed_at)).scalar() == utc_naive(1000.0)
    assert mine.renew(1006.0)
    PollerLease(engine, ttl_s=30, me=Holder("b" * 32, "host-b", 202)).acquire(1040.0)  # mine stalled 34 s
    assert not mine.renew(1041.0)
