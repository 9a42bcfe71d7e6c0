"""How long the poller's cycles take: a cumulative histogram the snapshot carries to /metrics.

The poller runs in its own process, /metrics is answered by the web workers: the histogram travels in the
snapshot (``poller.cycle_seconds``) as Prometheus wants it, cumulative counts per upper bound, a sum and a count.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

BOUNDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)  # seconds; +Inf is implied


@dataclass
class CycleHistogram:
    """Observations of cycle durations since the poller started (never reset: a Prometheus histogram)."""

    bounds: tuple[float, ...] = BOUNDS
    counts: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS) + 1))  # per bucket, not cumulative
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.counts[bisect_left(self.bounds, seconds)] += 1
        self.total += seconds

    def view(self) -> dict:
        """``{"buckets": [[upper bound or "+Inf", cumulative count], ...], "sum": s, "count": n}``."""
        running, buckets = 0, []
        for bound, count in zip((*self.bounds, "+Inf"), self.counts, strict=True):
            running += count
            buckets.append([bound, running])
        return {"buckets": buckets, "sum": round(self.total, 6), "count": running}
