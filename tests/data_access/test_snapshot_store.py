import threading
import uuid

import pytest

from data_access.snapshot_store import InMemorySnapshotStore, RedisSnapshotStore, SnapshotReader, make_store


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return InMemorySnapshotStore()
    url = request.getfixturevalue("redis_url")
    return RedisSnapshotStore(url, prefix=f"test-{uuid.uuid4().hex}:")


def test_versions_grow_and_the_newest_wins(store):
    assert store.latest() == (0, None) and store.version() == 0
    assert store.publish({"generated_at": "a", "queues": {"q": {"waiting": 1}}}) == 1
    assert store.publish({"generated_at": "b", "queues": {"q": {"waiting": 2}}}) == 2
    version, snap = store.latest()
    assert version == 2 and store.version() == 2
    assert snap["queues"]["q"]["waiting"] == 2 and snap["version"] == 2


def test_reader_decodes_once_per_version(store):
    reader = SnapshotReader(store)
    store.publish({"n": 1})
    first = reader.get()
    assert first[1]["n"] == 1 and reader.get()[1] is first[1]  # same object: not decoded again
    store.publish({"n": 2})
    assert reader.get()[1]["n"] == 2


def test_redis_store_is_shared_between_processes_views(redis_url):
    prefix = f"test-{uuid.uuid4().hex}:"
    writer, reader = RedisSnapshotStore(redis_url, prefix), RedisSnapshotStore(redis_url, prefix)
    writer.publish({"waiting": 3})
    assert reader.latest()[1]["waiting"] == 3


def test_a_store_that_goes_away_keeps_the_last_snapshot_visible(redis_url):
    store = RedisSnapshotStore(redis_url, f"test-{uuid.uuid4().hex}:")
    store.publish({"waiting": 3})
    reader = SnapshotReader(store)
    assert reader.get()[1]["waiting"] == 3
    store.url = "redis://127.0.0.1:1/0"
    store._client = None
    assert reader.get()[1]["waiting"] == 3


def test_concurrent_publishers_never_reuse_a_version():
    store = InMemorySnapshotStore()
    versions = []
    threads = [threading.Thread(target=lambda: versions.extend(store.publish({}) for _ in range(200)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(versions) == list(range(1, 801))


def test_settings_choose_the_store():
    assert isinstance(make_store(""), InMemorySnapshotStore)
    assert isinstance(make_store("redis://localhost:6379/0"), RedisSnapshotStore)
