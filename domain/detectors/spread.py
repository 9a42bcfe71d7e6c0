"""D12 and D13 over windows that cannot be split: distinct citizens per rolling hour and per local day.

A burst split into batches just under the short window's threshold (19 exports every 5 minutes, 14 searches every
10) adds up within an hour and a day. Exports and prints count whatever explains them; searches count when no
ticket links the operator to the citizen found (judged once settled, as record accesses are). Each window fires
once per operator-day (scopes 'hour' and 'day') when the count reaches its floor and, against the peers' counts of
the same window today (same team and role), a robust z of at least ``robust_z``; without peers the floor decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit
from domain.detectors.robust import robust_z
from domain.detectors.windows import SlidingWindow

HOUR_S = 3600.0


@dataclass(frozen=True)
class SpreadRule:
    """One detector's floors and words: (ru, en) of what was done to the citizens."""

    detector: str
    hour_min: int
    day_min: int
    did_ru: str
    did_en: str


class Spread:
    """Per operator: a rolling hour of rows and the day's rows (citizen -> access ids), with the best hour so far."""

    def __init__(self, rule: SpreadRule) -> None:
        self.rule = rule
        self.hours: dict[int, SlidingWindow] = {}
        self.days: dict[str, dict[int, dict[int, list[int]]]] = {}   # day -> operator -> citizen -> access ids
        self.best_hour: dict[str, dict[int, int]] = {}               # day -> operator -> best hour's count
        self.first: dict[tuple[str, int], float] = {}                # (day, operator) -> first row's ts

    def observe(self, a: AccessEvent, day: str, env: Env) -> list[Hit]:
        """Feed a row with a citizen (in time order); the hits of the hour and the day windows it completes."""
        if not env.cfg.on(self.rule.detector):
            return []
        window = self.hours.setdefault(a.operator_id, SlidingWindow(HOUR_S))
        window.add(a.ts, a.citizen_id, a.id)
        hour = [item for item in window.between(a.ts - HOUR_S, a.ts) if env.clock.day(item[0]) == day]
        n_hour = len({cid for _, cid, _ in hour})
        best = self.best_hour.setdefault(day, {})
        best[a.operator_id] = max(best.get(a.operator_id, 0), n_hour)
        self.first.setdefault((day, a.operator_id), a.ts)
        seen = self.days.setdefault(day, {}).setdefault(a.operator_id, {})
        seen.setdefault(a.citizen_id, []).append(a.id)
        hits = []
        if n_hour >= self.rule.hour_min and env.wants(self.rule.detector, a.operator_id, day, "hour"):
            if _above_peers(a.operator_id, n_hour, best, env):
                hits.append(self._hour_hit(a, day, hour, n_hour, env))
        if len(seen) >= self.rule.day_min and env.wants(self.rule.detector, a.operator_id, day, "day"):
            if _above_peers(a.operator_id, len(seen), {op: len(cs) for op, cs in self.days[day].items()}, env):
                hits.append(self._day_hit(a, day, seen, env))
        return hits

    def _hour_hit(self, a: AccessEvent, day: str, hour: list, n: int, env: Env) -> Hit:
        lo, hi = hour[0][0], hour[-1][0]
        span = _span(lo, hi, env)
        return env.hit(self.rule.detector, a.operator_id, day, a.ts,
                       (f"{n} разных граждан {self.rule.did_ru} за час: {span[0]}",
                        f"{n} distinct citizens {self.rule.did_en} within an hour: {span[1]}"),
                       access_ids=[ref for _, _, ref in hour], citizen_ids=[cid for _, cid, _ in hour], scope="hour")

    def _day_hit(self, a: AccessEvent, day: str, seen: dict[int, list[int]], env: Env) -> Hit:
        span = _span(self.first[(day, a.operator_id)], a.ts, env)
        rows = sum(len(ids) for ids in seen.values())
        return env.hit(self.rule.detector, a.operator_id, day, a.ts,
                       (f"{len(seen)} разных граждан {self.rule.did_ru} за день ({rows} строк журнала): {span[0]}",
                        f"{len(seen)} distinct citizens {self.rule.did_en} in one day ({rows} journal rows): "
                        f"{span[1]}"),
                       access_ids=[i for ids in seen.values() for i in ids], citizen_ids=seen.keys(), scope="day")

    def prune(self, horizon: float, oldest_day: str) -> None:
        """Forget hour windows with nothing newer than ``horizon`` and days before ``oldest_day``."""
        for op in [o for o, w in self.hours.items() if w.newest < horizon]:
            del self.hours[op]
        for day in [d for d in self.days if d < oldest_day]:
            del self.days[day]
        for day in [d for d in self.best_hour if d < oldest_day]:
            del self.best_hour[day]
        for key in [k for k in self.first if k[0] < oldest_day]:
            del self.first[key]


def _above_peers(operator_id: int, n: int, counts: dict[int, int], env: Env) -> bool:
    """Whether ``n`` stands out from the peers' counts of the same window today (0 for a peer without one), by a
    robust z of at least ``robust_z``; True when the operator has no peers."""
    peers = [p for p in env.ctx.peers(operator_id) if p != operator_id]
    if not peers:
        return True
    return robust_z(n, [counts.get(p, 0) for p in peers])[0] >= env.cfg.robust_z


def _span(lo: float, hi: float, env: Env) -> tuple[str, str]:
    """'10:02-10:58 (56 min)' in both languages: the real first and last row of the evidence."""
    minutes = round((hi - lo) / 60)
    text = f"{env.clock.hhmm(lo)}-{env.clock.hhmm(hi)}"
    return f"{text} ({minutes} мин)", f"{text} ({minutes} min)"
