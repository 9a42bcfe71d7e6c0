"""Watching a running topology from outside: wait for a condition, and read the snapshots as a wall screen would.

Used by the fail-over test (tests/poller/test_failover.py) and its bench (bench/failover.py).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout_s: float, what: str, every_s: float = 0.1) -> T:
    """``check()``'s first true value; AssertionError naming ``what`` after ``timeout_s``."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


class SnapshotWatcher:
    """Reads the newest snapshot from Redis every ``every_s`` and keeps what it saw:
    (time, version, the active poller's pid, the queues' offered and answered counters)."""

    def __init__(self, redis_url: str, key_prefix: str, every_s: float = 0.1) -> None:
        from data_access.snapshot_store import RedisSnapshotStore

        self.store = RedisSnapshotStore(redis_url, key_prefix)
        self.every_s = every_s
        self.seen: list[tuple[float, int, int | None, dict]] = []
        self.errors: list[str] = []   # reads that failed (the watcher goes on)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                version, snap = self.store.latest()
            except Exception as exc:  # noqa: BLE001 - a Redis hiccup: note it and read again
                self.errors.append(f"{type(exc).__name__}: {exc}")
                snap = None
            if snap:
                active = (snap.get("poller") or {}).get("active") or {}
                counters = {f"{q}.{k}": v.get(k, 0) for q, v in (snap.get("queues") or {}).items()
                            for k in ("offered", "answered")}
                self.seen.append((time.time(), version, active.get("pid"), counters))
            time.sleep(self.every_s)

    def first_from(self, pid: int, after: float = 0.0) -> float | None:
        """When a snapshot of the poller ``pid`` was first seen at or after ``after`` (None: not yet)."""
        return next((t for t, _v, p, _c in self.seen if p == pid and t >= after), None)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def never_backwards(seen: list) -> bool:
    """Whether versions and every counter only went up in what a watcher saw."""
    return all(v1 >= v0 and all(c1.get(k, 0) >= n for k, n in c0.items())
               for (_t0, v0, _p0, c0), (_t1, v1, _p1, c1) in zip(seen, seen[1:], strict=False))
