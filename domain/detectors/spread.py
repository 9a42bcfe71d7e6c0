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
        self.hour_rows: dict[tuple[str, int], list] = {}             # the fired hour's rows, grown while it goes on

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
        return [h for h in (self._hour(a, day, hour, n_hour, env), self._day(a, day, seen, env)) if h is not None]

    def _hour(self, a: AccessEvent, day: str, hour: list, n: int, env: Env) -> Hit | None:
        """The hour's hit when it fires here, or grown by this row while the activity goes on (gaps under 1 h)."""
        det, key = self.rule.detector, (day, a.operator_id)
        rows = self.hour_rows.get(key)
        if rows is not None and env.grows(det, a.operator_id, day, "hour"):
            if a.ts - max(ts for ts, _, _ in rows) > HOUR_S:
                return None
            rows.append((a.ts, a.citizen_id, a.id))
        elif n >= self.rule.hour_min and env.wants_or_grows(det, a.operator_id, day, "hour") \
                and _above_peers(a.operator_id, n, self.best_hour[day], env):   # fires (or rebuilds after a restart)
            rows = self.hour_rows[key] = list(hour)
        else:
            return None
        times = [ts for ts, _, _ in rows]
        span = span_text(min(times), max(times), env)
        best = self.best_hour[day][a.operator_id]
        return env.hit(det, a.operator_id, day, a.ts,
                       (f"до {best} разных граждан {self.rule.did_ru} за час, всего {len({c for _, c, _ in rows})}"
                        f" подряд: {span[0]}",
                        f"up to {best} distinct citizens {self.rule.did_en} within an hour, "
                        f"{len({c for _, c, _ in rows})} in a row: {span[1]}"),
                       access_ids=[ref for _, _, ref in rows], citizen_ids=[cid for _, cid, _ in rows], scope="hour")

    def _day(self, a: AccessEvent, day: str, seen: dict[int, list[int]], env: Env) -> Hit | None:
        """The day's hit when it fires here, or grown by this row."""
        det = self.rule.detector
        if env.grows(det, a.operator_id, day, "day"):
            return self._day_hit(a, day, seen, env)
        if len(seen) < self.rule.day_min or not env.wants(det, a.operator_id, day, "day"):
            return None
        if not _above_peers(a.operator_id, len(seen), {op: len(cs) for op, cs in self.days[day].items()}, env):
            return None
        return self._day_hit(a, day, seen, env)

    def _day_hit(self, a: AccessEvent, day: str, seen: dict[int, list[int]], env: Env) -> Hit:
        span = span_text(self.first[(day, a.operator_id)], a.ts, env)
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
        for table in (self.first, self.hour_rows):
            for key in [k for k in table if k[0] < oldest_day]:
                del table[key]


def _above_peers(operator_id: int, n: int, counts: dict[int, int], env: Env) -> bool:
    """Whether ``n`` stands out from the peers' counts of the same window today (0 for a peer without one), by a
    robust z of at least ``robust_z``; True when the operator has no peers."""
    peers = [p for p in env.ctx.peers(operator_id) if p != operator_id]
    if not peers:
        return True
    return robust_z(n, [counts.get(p, 0) for p in peers])[0] >= env.cfg.robust_z


def span_text(lo: float, hi: float, env: Env) -> tuple[str, str]:
    """'10:02-10:58 (56 min)' in both languages: the real first and last row of the evidence."""
    minutes = round((hi - lo) / 60)
    text = f"{env.clock.hhmm(lo)}-{env.clock.hhmm(hi)}"
    return f"{text} ({minutes} мин)", f"{text} ({minutes} min)"
