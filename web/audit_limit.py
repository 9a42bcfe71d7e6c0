"""How much anonymous requests may write to the audit trail: repeats aggregated, a cap per minute.

A refused kiosk token or a throttled sign-in is worth recording, but an anonymous client must not be able to
grow the trail without limit. Per (action, address, target) the first event of a window is written; its repeats
are counted and carried by the key's next entry ("repeats"). Over all keys at most ``cap`` entries a window
are written by a worker; what the cap held back (by action, address and target) is written as one summary entry
once the window is over.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

HELD_KEYS_KEPT = 50  # distinct (action, address, target) of held-back events named in the summary

@dataclass
class _Key:
    written_at: float
    suppressed: int = 0


class AnonymousAuditLimiter:
    """Decides which anonymous audit events are written; thread-safe, bounded memory."""

    def __init__(self, window_s: float = 60.0, cap: int = 30, max_keys: int = 5000) -> None:
        self.window_s, self.cap, self.max_keys = window_s, cap, max_keys
        self._keys: OrderedDict[tuple, _Key] = OrderedDict()
        self._window_start = float("-inf")
        self._written = 0
        self._held: Counter[tuple] = Counter()  # events the cap held back, by key (bounded)
        self._held_other = 0
        self._lock = threading.Lock()

    def admit(self, key: tuple, now: float, aggregate: bool = True) -> dict | None:
        """None: do not write. Otherwise the details to add to the entry (repeats held back before it).

        ``aggregate=False``: every event of the key is written while under the cap (failed sign-ins, which the
        sign-in throttle already bounds per login and address).
        """
        with self._lock:
            self._roll(now)
            state = self._keys.get(key)
            if aggregate and state is not None and now - state.written_at < self.window_s:
                state.suppressed += 1
                return None
            if self._written >= self.cap:
                self._hold(key)
                return None
            self._written += 1
            self._remember(key, now)
            return {"repeats": state.suppressed} if state is not None and state.suppressed else {}

    def held_back(self, now: float) -> dict | None:
        """Once the window that held events back is over: what it held back, by key, for one summary entry."""
        with self._lock:
            if not (self._held or self._held_other) or now - self._window_start < self.window_s:
                return None
            summary = {"held_back": sum(self._held.values()) + self._held_other,
                       "by_key": {" ".join(map(str, k)): n for k, n in self._held.most_common(20)}}
            self._held.clear()
            self._held_other = 0
            return summary

    def _roll(self, now: float) -> None:
        if now - self._window_start >= self.window_s:
            self._window_start, self._written = now, 0

    def _hold(self, key: tuple) -> None:
        if key in self._held or len(self._held) < HELD_KEYS_KEPT:
            self._held[key] += 1
        else:
            self._held_other += 1

    def _remember(self, key: tuple, now: float) -> None:
        self._keys[key] = _Key(now)
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)
