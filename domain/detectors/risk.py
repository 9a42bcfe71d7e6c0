"""Cumulative risk per operator: low signals that never make a case on their own add up over rolling days.

An operator-day's risk is the sum of the points of all its hits (each unexplained citizen's D01 counts, not only
the best), capped at 100, leaving out what is not a risk by itself: volume alone (D09, D10: a busy operator), an
explained watch-list access (D06 below medium) and the cumulative hits themselves. Days whose case is already
medium or above are left out too: an officer reviews them anyway. Over a rolling window the days add up with a
half-life (R07: 7 days, half-life 3.5; R30: 30 days, half-life 15). A window fires on a day the operator has hits
when its sum reaches the window's floor and stands out from the peers' sums of the same day (robust z >= 3.5 and
at least twice their median); its points are the floor of the band the sum reaches (medium 40, high 70...), and
its reason lists the contributing days. Its points never exceed the high band's floor (70). A recorded window
that fires only because of the operator's days since cleared (domain.cases.counts_as_cleared) is withdrawn, and
recorded again if such a day counts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Iterable, Mapping

from domain.bands import BOUNDS, at_least, band_of
from domain.clock import day_add
from domain.detectors.catalog import CUMULATIVE
from domain.detectors.robust import robust_z
from domain.detectors.scoring import points_score

NOT_RISK = frozenset({"D09", "D10"})
WATCH = "D06"
MAX_DAY = 100.0
MEDIUM = "medium"
TOP = "high"      # the highest band cumulative risk gives by itself


@dataclass(frozen=True)
class RiskWindow:
    """A rolling window: its detector id, length in days, half-life in days and the floor that opens a case."""

    detector: str
    days: int
    half_life: float
    floor: float


WINDOWS = (RiskWindow("R07", 7, 3.5, 40.0), RiskWindow("R30", 30, 15.0, 70.0))   # their ids: catalog.CUMULATIVE
WINDOW_OF = {w.detector: w for w in WINDOWS}
LOOK_BACK_DAYS = max(w.days for w in WINDOWS)
PEER_FACTOR = 2.0


@dataclass(frozen=True)
class RiskFinding:
    """A window that fired: the operator's sum, the peers' median and the contributing (day, risk) pairs."""

    window: RiskWindow
    total: float
    peers_median: float
    days: tuple[tuple[str, float], ...]

    @property
    def points(self) -> int:
        """The lower bound of the band the sum reaches, from medium up to high (low signals added up are never
        critical on their own)."""
        band = band_of(int(min(self.total, MAX_DAY)))
        band = MEDIUM if not at_least(band, MEDIUM) else TOP if at_least(band, TOP) else band
        return dict(BOUNDS)[band]


def day_risk(hits: Iterable[tuple[str, int]]) -> float:
    """One operator-day's risk from its hits' (detector, points); 0 when they make a medium case already (the
    cumulative hits left out)."""
    hits = list(hits)
    best: dict[str, int] = {}
    for d, p in hits:
        if d not in CUMULATIVE:
            best[d] = max(best.get(d, 0), p)
    if at_least(points_score(best)[1], MEDIUM):
        return 0.0
    total = sum(p for d, p in hits if d not in NOT_RISK and d not in CUMULATIVE and not (d == WATCH and p < 40))
    return min(float(total), MAX_DAY)


def cumulative(daily: Mapping[str, float], day: str, w: RiskWindow) -> tuple[float, list[tuple[str, float]]]:
    """The decayed sum of the window ending on ``day`` and the days that contribute (oldest first)."""
    parts = []
    for k in range(w.days):
        d = day_add(day, -k)
        if daily.get(d, 0.0) > 0:
            parts.append((d, daily[d] * 0.5 ** (k / w.half_life)))
    return sum(v for _, v in parts), sorted(parts)


def judge(operator_id: int, day: str, daily: Mapping[int, Mapping[str, float]], peers: list[int],
          w: RiskWindow, z_min: float = 3.5) -> RiskFinding | None:
    """The window's finding for the operator on ``day``, or None (below the floor or not above the peers)."""
    total, parts = cumulative(daily.get(operator_id, {}), day, w)
    if total < w.floor:
        return None
    sums = [cumulative(daily.get(p, {}), day, w)[0] for p in peers if p != operator_id]
    med = median(sums) if sums else 0.0
    if sums and (robust_z(total, sums)[0] < z_min or total < PEER_FACTOR * med):
        return None
    return RiskFinding(w, total, med, tuple((d, daily[operator_id][d]) for d, _ in parts))


def daily_risks(rows: Iterable[tuple[int, str, str, str, int]]) -> dict[int, dict[str, float]]:
    """operator -> day -> risk from stored (operator, day, case band, detector, points) rows."""
    grouped: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for op, day, _band, detector, points in rows:
        grouped.setdefault((op, day), []).append((detector, points))
    out: dict[int, dict[str, float]] = {}
    for (op, day), hits in grouped.items():
        if (risk := day_risk(hits)) > 0:
            out.setdefault(op, {})[day] = risk
    return out


def findings(day: str, rows: Iterable[tuple[int, str, str, str, int]], active: Iterable[int],
             peers_of) -> list[tuple[int, RiskFinding]]:
    """Every window that fires on ``day`` for the ``active`` operators (those with hits that day);
    ``peers_of(op)`` gives the operator's peers."""
    daily = daily_risks(rows)
    out = []
    for op in sorted(set(active)):
        for w in WINDOWS:
            if (f := judge(op, day, daily, peers_of(op), w)) is not None:
                out.append((op, f))
    return out


def withdrawn(stored: Iterable[tuple[str, int, str]], rows: list[tuple[int, str, str, str, int]],
              cleared_rows: list[tuple[int, str, str, str, int]], peers_of) -> list[tuple[str, int, str, list[str]]]:
    """The stored cumulative hits (detector, operator, day) that fire only because of the operator's own days
    since cleared: they fire with those days' risk added back (the peers as they are) and not without it. Each
    comes with the cleared days of its window. A hit that stops firing for another reason (the peers' sums grew)
    is kept: withdrawing it would flap."""
    without = daily_risks(rows)
    own_cleared: dict[int, list[tuple]] = {}
    for row in cleared_rows:
        own_cleared.setdefault(row[0], []).append(row)
    out = []
    for detector, op, day in stored:
        w = WINDOW_OF[detector]
        window = {day_add(day, -k) for k in range(w.days)}
        gone = sorted(window & {r[1] for r in own_cleared.get(op, [])})
        if not gone or judge(op, day, without, peers_of(op), w) is not None:
            continue
        own = daily_risks([r for r in rows if r[0] == op] + own_cleared[op]).get(op, {})
        if judge(op, day, {**without, op: own}, peers_of(op), w) is not None:
            out.append((detector, op, day, gone))
    return out


def refired(keys: Iterable[tuple[str, int, str]], rows: list[tuple[int, str, str, str, int]],
            peers_of) -> list[tuple[int, str, RiskFinding]]:
    """Of withdrawn hits (detector, operator, day), those that fire again from ``rows`` (a cleared day they rested
    on counts again: its case reopened on new evidence): (operator, day, finding)."""
    daily = daily_risks(rows)
    return [(op, day, found) for detector, op, day in keys
            if (found := judge(op, day, daily, peers_of(op), WINDOW_OF[detector])) is not None]


def reasons(f: RiskFinding) -> tuple[str, str]:
    """The finding in words: the sum, the peers' median and every contributing day with its risk."""
    listed = ", ".join(f"{d} ({v:g})" for d, v in f.days)
    w = f.window
    return (f"накопленный риск за {w.days} дн. {f.total:.0f} (порог {w.floor:g}, медиана коллег {f.peers_median:.0f}),"
            f" полупериод {w.half_life:g} дн.; дни: {listed}",
            f"cumulative risk over {w.days} days {f.total:.0f} (floor {w.floor:g}, peers' median "
            f"{f.peers_median:.0f}), half-life {w.half_life:g} days; days: {listed}")
