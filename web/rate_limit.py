"""A token bucket per key (an API token), per web worker: ``rate`` calls a minute, bursts up to ``rate``."""

from __future__ import annotations

import threading


class RateLimiter:
    def __init__(self, per_minute: int, max_keys: int = 10000) -> None:
        self.rate = max(1, per_minute) / 60.0
        self.capacity = float(max(1, per_minute))
        self.max_keys = max_keys
        self._buckets: dict[object, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def admit(self, key: object, now: float) -> float | None:
        """None when a call is admitted now, else the seconds until the next one would be."""
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + max(0.0, now - at) * self.rate)
            if tokens >= 1.0:
                if len(self._buckets) >= self.max_keys and key not in self._buckets:
                    self._buckets.clear()  # a bound on memory; full buckets are the default anyway
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
