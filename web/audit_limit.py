"""How much anonymous requests may write to the audit trail: repeats aggregated, a cap per minute.

A refused kiosk token or a throttled sign-in is worth recording, but an anonymous client must not be able to
grow the trail without limit. Per (action, address, target) the first event of a window is written; its repeats
are counted and carried by the key's next entry ("repeats"). Over all keys at most ``cap`` entries a window
are written by a worker; what the cap held back is reported by the next entry that gets through.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


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
        self._capped = 0
        self._lock = threading.Lock()

    def admit(self, key: tuple, now: float, aggregate: bool = True) -> dict | None:
        """None: do not write. Otherwise the details to add to the entry (repeats held back before it).

        ``aggregate=False``: every event of the key is written while under the cap (failed sign-ins, which the
        sign-in throttle already bounds per login and address).
        """
        with self._lock:
            if now - self._window_start >= self.window_s:
                self._window_start, self._written = now, 0
            state = self._keys.get(key)
            if aggregate and state is not None and now - state.written_at < self.window_s:
                state.suppressed += 1
                return None
            if self._written >= self.cap:
                self._capped += 1
                return None
            extra = {}
            if state is not None and state.suppressed:
                extra["repeats"] = state.suppressed
            if self._capped:
                extra["anonymous_entries_held_back"], self._capped = self._capped, 0
            self._written += 1
            self._remember(key, now)
            return extra

    def _remember(self, key: tuple, now: float) -> None:
        self._keys[key] = _Key(now)
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)
