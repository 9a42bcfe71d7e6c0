"""Health of each source database as the poller sees it: last success, lag, last error, bad rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from domain.clock import iso_utc


@dataclass
class SourceStatus:
    """The poller's record of one source; errors are kept as data, never raised."""

    name: str
    last_success_at: float | None = None
    last_attempt_at: float | None = None
    error: str | None = None
    rows_read: int = 0
    bad_rows: Counter = field(default_factory=Counter)
    newest_row_at: float | None = None
    errors: int = 0  # failed polls since the poller started (a counter for /metrics)

    def success(self, now: float, rows: int, newest_row_at: float | None) -> None:
        self.last_attempt_at = self.last_success_at = now
        self.error = None
        self.rows_read += rows
        if newest_row_at is not None:
            self.newest_row_at = max(self.newest_row_at or 0.0, newest_row_at)

    def failure(self, now: float, error: str) -> None:
        self.last_attempt_at = now
        self.error = error[:500]
        self.errors += 1

    def view(self, now: float, stale_after_s: float) -> dict:
        """The snapshot's ``sources`` entry. ``lag_s``: seconds since the last successful poll."""
        lag = None if self.last_success_at is None else round(now - self.last_success_at, 1)
        ok = self.error is None and lag is not None and lag <= stale_after_s
        return {
            "ok": ok,
            "last_success_at": iso_utc(self.last_success_at),
            "lag_s": lag,
            "error": self.error,
            "errors": self.errors,
            "rows_read": self.rows_read,
            "bad_rows": dict(self.bad_rows),
            "newest_row_at": iso_utc(self.newest_row_at),
            "last_attempt_at": iso_utc(self.last_attempt_at),
        }
