"""Where the poller publishes the snapshot and every web worker reads it: in memory or in Redis."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod

import orjson


class StalePublisher(RuntimeError):
    """A publish refused: a poller with a newer lease token has published since (it took over)."""


class SnapshotStore(ABC):
    """A versioned single-slot store: the newest snapshot wins; the version only grows.

    ``epoch`` is the publishing poller's lease token (data_access/poller_lease.py): once a poller has published
    with a token, the store refuses every publish with an older one, so a poller that lost its lease cannot
    overwrite the newer poller's snapshot during a brief overlap. None (tests, the embedded demo) is not checked.
    """

    @abstractmethod
    def publish(self, snapshot: dict, epoch: int | None = None) -> int:
        """Store ``snapshot`` as the newest one and return its version; :class:`StalePublisher` if ``epoch`` is
        older than the newest publisher's."""

    @abstractmethod
    def epoch(self) -> int:
        """The newest publisher's lease token (0 before any fenced publish)."""

    @abstractmethod
    def version(self) -> int:
        """The newest version (0 before the first publish); cheap, for 'has anything changed?'."""

    @abstractmethod
    def latest(self) -> tuple[int, dict | None]:
        """The newest (version, snapshot); (0, None) before the first publish."""


class InMemorySnapshotStore(SnapshotStore):
    """One process: the poller thread and the web app share this object (the embedded default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._epoch = 0
        self._snapshot: dict | None = None

    def publish(self, snapshot: dict, epoch: int | None = None) -> int:
        with self._lock:
            if epoch is not None:
                if epoch < self._epoch:
                    raise StalePublisher(f"token {epoch} is older than the newest publisher's {self._epoch}")
                self._epoch = epoch
            self._version += 1
            self._snapshot = {**snapshot, "version": self._version}
            return self._version

    def version(self) -> int:
        return self._version

    def epoch(self) -> int:
        return self._epoch

    def latest(self) -> tuple[int, dict | None]:
        with self._lock:
            return self._version, self._snapshot


class RedisSnapshotStore(SnapshotStore):
    """Many processes: the poller process writes, gunicorn workers read. Keys: <prefix>snapshot[:version]."""

    def __init__(self, url: str, prefix: str = "hotline:") -> None:
        self.url = url
        self.prefix = prefix
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=5)
        return self._client

    def publish(self, snapshot: dict, epoch: int | None = None) -> int:
        if epoch is None:
            version = int(self.client.incr(self.prefix + "snapshot:version"))
            self.client.set(self.prefix + "snapshot", orjson.dumps({**snapshot, "version": version}))
            return version
        return self._fenced_publish(snapshot, epoch)

    def _fenced_publish(self, snapshot: dict, epoch: int) -> int:
        """Check the token, bump the version and write, in one optimistic transaction (WATCH/MULTI/EXEC)."""
        import redis

        keys = [self.prefix + "snapshot:epoch", self.prefix + "snapshot:version"]
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(*keys)
                    newest, current = (int(v or 0) for v in pipe.mget(keys))
                    if epoch < newest:
                        raise StalePublisher(f"token {epoch} is older than the newest publisher's {newest}")
                    pipe.multi()
                    pipe.set(keys[0], epoch)
                    pipe.set(keys[1], current + 1)
                    pipe.set(self.prefix + "snapshot", orjson.dumps({**snapshot, "version": current + 1}))
                    pipe.execute()
                    return current + 1
                except redis.WatchError:
                    continue  # another publish came between: read again

    def epoch(self) -> int:
        raw = self.client.get(self.prefix + "snapshot:epoch")
        return int(raw) if raw else 0

    def version(self) -> int:
        raw = self.client.get(self.prefix + "snapshot:version")
        return int(raw) if raw else 0

    def latest(self) -> tuple[int, dict | None]:
        raw = self.client.get(self.prefix + "snapshot")
        if not raw:
            return 0, None
        snapshot = orjson.loads(raw)
        return int(snapshot.get("version", 0)), snapshot


class SnapshotReader:
    """A web worker's view of the store: decodes a snapshot once per version."""

    def __init__(self, store: SnapshotStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._cached: tuple[int, dict | None] = (0, None)
        self._checked_at = float("-inf")  # when the store last answered the version check (monotonic)
        self.problem: str | None = None  # why the store could not be read at the last try (None: it could)

    def get(self, recheck_s: float = 0.0) -> tuple[int, dict | None]:
        """The newest (version, snapshot). A store that cannot be read gives the last one known.

        ``recheck_s``: a caller asked hundreds of times a second (the wall screens) may take the version the store
        gave less than ``recheck_s`` ago instead of asking it again; a failed check is never reused."""
        if recheck_s > 0 and self.problem is None and time.monotonic() - self._checked_at < recheck_s:
            return self._cached
        try:
            version = self.store.version()
        except Exception as exc:  # noqa: BLE001 - a Redis hiccup must not blank the screens; age shows it
            self.problem = type(exc).__name__
            return self._cached
        self.problem = None
        if version != self._cached[0]:
            with self._lock:
                if version != self._cached[0]:
                    try:
                        self._cached = self.store.latest()
                    except Exception as exc:  # noqa: BLE001
                        self.problem = type(exc).__name__
                        return self._cached
        self._checked_at = time.monotonic()
        return self._cached


def make_store(redis_url: str, prefix: str = "hotline:") -> SnapshotStore:
    """The store the settings choose: Redis when a URL is set, otherwise in memory."""
    return RedisSnapshotStore(redis_url, prefix) if redis_url else InMemorySnapshotStore()
