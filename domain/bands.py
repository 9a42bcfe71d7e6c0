"""The bands of a case's score: the one list the detectors' scoring, the case policy and the pages use.

A band holds the scores from its lower bound up to the next band's: info 0-19, low 20-39, medium 40-69,
high 70-90, critical 91-100 (critical is strictly above 90).
"""

from __future__ import annotations

BOUNDS = (("info", 0), ("low", 20), ("medium", 40), ("high", 70), ("critical", 91))  # (band, lowest score)
BANDS = tuple(name for name, _ in BOUNDS)  # lowest first


def band_of(score: int) -> str:
    """The band of a score: <20 info, 20-39 low, 40-69 medium, 70-90 high, >90 critical."""
    return next(name for name, lowest in reversed(BOUNDS) if score >= lowest or lowest == 0)


def band_rank(band: str) -> int:
    """0 for info up to 4 for critical; ValueError for a name that is not a band."""
    return BANDS.index(band)


def at_least(band: str, floor: str) -> bool:
    """Whether ``band`` is ``floor`` or above."""
    return band_rank(band) >= band_rank(floor)


def bands_from(floor: str) -> tuple[str, ...]:
    """``floor`` and every band above it, lowest first."""
    return BANDS[band_rank(floor):]
