"""Robust statistics for the volume detectors: median, MAD, modified z-score, percentile."""

from __future__ import annotations

from statistics import median
from typing import Sequence

Z_FACTOR = 0.6745  # Iglewicz & Hoaglin: makes MAD comparable with a standard deviation


def mad(values: Sequence[float], centre: float) -> float:
    """The median absolute deviation of ``values`` around ``centre``."""
    return median(abs(v - centre) for v in values)


def robust_z(x: float, values: Sequence[float]) -> tuple[float, float]:
    """(modified z-score of ``x`` against ``values``, their median); MAD is floored at 1 so flat baselines work."""
    centre = median(values)
    return Z_FACTOR * (x - centre) / max(mad(values, centre), 1.0), centre


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0..100) with linear interpolation between order statistics."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * min(max(p, 0.0), 100.0) / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
