"""Cases (operator x local day): score, band and the reasons in words.

score = sum over distinct detectors of the highest points each gave in the case, capped at 100; its band comes
from the one band list (domain.bands). A case where 3 or more distinct detectors fired is at least 'high',
whatever its score, and one with 2 distinct weak signals (15-39 points each) at least 'medium'. A detector that
only refines another one's finding (D14: the unexplained access of D01 was to a record nobody opens) adds its
points but is neither a distinct detector nor a weak signal of its own.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from domain.bands import BOUNDS, at_least, band_of
from domain.detectors.catalog import detector_name
from domain.detectors.model import Hit

MAX_SCORE = 100
MIN_DETECTORS_FOR_HIGH = 3
MEDIUM = "medium"
MEDIUM_FLOOR = dict(BOUNDS)[MEDIUM]
# Severity by meaning: a detector whose best points in the case are at least WEAK_MIN_POINTS but below the medium
# band is a weak signal; WEAK_SIGNALS_FOR_MEDIUM distinct weak signals on one operator-day make the case medium.
# D01 alone (10) is not one: an unexplained access is what most other detectors build on. Nor is D06 below medium:
# that is an explained access to a watched record, logged for review (with D10, the most common low case of an
# ordinary day, it would make false alarms).
WEAK_MIN_POINTS = 15
WEAK_SIGNALS_FOR_MEDIUM = 2
NOT_WEAK = frozenset({"D06"})
REFINES = {"D14": "D01"}   # refining detector -> the one whose finding it refines (never fires without it)


def detector_points(hits: Iterable[Hit]) -> dict[str, int]:
    """The highest points each detector gave among ``hits``."""
    best: dict[str, int] = {}
    for h in hits:
        best[h.detector] = max(best.get(h.detector, 0), h.points)
    return best


def case_score(hits: Iterable[Hit]) -> tuple[int, str]:
    """(score, band) of one case's hits; 3+ distinct detectors lift the band to at least 'high'."""
    return points_score(detector_points(hits))


def points_score(points: dict[str, int]) -> tuple[int, str]:
    """(score, band) from each detector's best points (the rules of ``case_score``)."""
    score = min(sum(points.values()), MAX_SCORE)
    band = band_of(score)
    distinct = {REFINES.get(d, d) for d in points}
    if len(distinct) >= MIN_DETECTORS_FOR_HIGH and not at_least(band, "high"):
        band = "high"
    if len(weak_signals(points)) >= WEAK_SIGNALS_FOR_MEDIUM and not at_least(band, MEDIUM):
        band = MEDIUM
    return score, band


def weak_signals(points: dict[str, int]) -> list[str]:
    """The detectors whose best points are a weak signal (WEAK_MIN_POINTS up to below the medium band)."""
    return sorted(d for d, p in points.items()
                  if WEAK_MIN_POINTS <= p < MEDIUM_FLOOR and d not in NOT_WEAK and d not in REFINES)


def group_cases(hits: Iterable[Hit]) -> dict[tuple[int, str], list[Hit]]:
    """Hits grouped into cases by (operator id, day), in the order given."""
    cases: dict[tuple[int, str], list[Hit]] = defaultdict(list)
    for h in hits:
        cases[(h.operator_id, h.day)].append(h)
    return dict(cases)


def case_reasons(hits: Iterable[Hit], lang: str = "ru") -> list[str]:
    """One line per detector, strongest first: 'D04 Relative or neighbour (+60): same surname ... (+2 more)'."""
    by_detector: dict[str, list[Hit]] = defaultdict(list)
    for h in hits:
        by_detector[h.detector].append(h)
    lines = []
    for det, group in sorted(by_detector.items(), key=lambda kv: (-max(h.points for h in kv[1]), kv[0])):
        top = max(group, key=lambda h: (h.points, -h.ts))
        more = len(group) - 1
        tail = "" if not more else (f" (+{more} more)" if lang == "en" else f" (ещё {more})")
        lines.append(f"{det} {detector_name(det, lang)} (+{top.points}): {top.reason(lang)}{tail}")
    return lines

