"""D09 volume above the operator's own baseline, D10 above the peers': distinct citizens touched today."""

from __future__ import annotations

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit
from domain.detectors.robust import percentile, robust_z


class Volume:
    """Today's distinct citizens per operator (citizen -> access ids), judged at each new citizen; once D09 or D10
    fired, each further row of the day grows its evidence (every record-touching row of the day)."""

    def __init__(self) -> None:
        self.touched: dict[str, dict[int, dict[int, list[int]]]] = {}   # day -> operator -> citizen -> access ids
        self.baselines: dict[tuple[int, str], list[int]] = {}

    def count(self, day: str, operator_id: int) -> int:
        """Distinct citizens the operator touched on ``day`` (as far as this engine has seen)."""
        return len(self.touched.get(day, {}).get(operator_id, ()))

    def on_touch(self, a: AccessEvent, day: str, env: Env) -> list[Hit]:
        """Feed a record-touching access with a citizen; hits when today's count crosses a threshold."""
        seen = self.touched.setdefault(day, {}).setdefault(a.operator_id, {})
        new = a.citizen_id not in seen
        seen.setdefault(a.citizen_id, []).append(a.id)
        if len(seen) < env.cfg.volume_min:
            return []
        if not new and not (env.grows("D09", a.operator_id, day) or env.grows("D10", a.operator_id, day)):
            return []
        return [h for h in (self._own(a, day, seen, env), self._peers(a, day, seen, env)) if h is not None]

    def _baseline(self, operator_id: int, day: str, env: Env) -> list[int]:
        key = (operator_id, day)
        if key not in self.baselines:
            self.baselines[key] = list(env.ctx.daily_distinct_citizens(operator_id, day, env.cfg.baseline_days))
        return self.baselines[key]

    def _own(self, a: AccessEvent, day: str, seen: dict[int, list[int]], env: Env) -> Hit | None:
        cfg, n = env.cfg, len(seen)
        if not env.wants_or_grows("D09", a.operator_id, day):
            return None
        base = self._baseline(a.operator_id, day, env)
        if len(base) < cfg.baseline_min_days:
            return None
        z, med = robust_z(n, base)
        fires = z >= cfg.robust_z and n >= max(cfg.volume_min, cfg.volume_median_factor * med)
        if not fires and not env.grows("D09", a.operator_id, day):
            return None
        return env.hit("D09", a.operator_id, day, a.ts,
                       (f"за день {n} разных граждан при обычных {med:g} (медиана за {len(base)} раб. дн.), "
                        f"робастный z = {z:.1f}",
                        f"{n} distinct citizens today against a usual {med:g} (median of {len(base)} working days), "
                        f"robust z = {z:.1f}"),
                       access_ids=_rows(seen), citizen_ids=seen.keys())

    def _peers(self, a: AccessEvent, day: str, seen: dict[int, list[int]], env: Env) -> Hit | None:
        cfg, n = env.cfg, len(seen)
        if not env.wants_or_grows("D10", a.operator_id, day):
            return None
        today = self.touched.get(day, {})
        counts = [len(today[p]) for p in env.ctx.peers(a.operator_id) if p != a.operator_id and today.get(p)]
        if len(counts) < cfg.peers_min:
            return None
        z, med = robust_z(n, counts)
        top = percentile(counts, cfg.peers_percentile)
        fires = med >= cfg.peers_median_min and n >= cfg.volume_median_factor * med and (
            (n > top and len(counts) >= cfg.peers_p99_min) or z >= cfg.robust_z)
        if not fires and not env.grows("D10", a.operator_id, day):
            return None
        pct = f"{cfg.peers_percentile:g}"
        return env.hit("D10", a.operator_id, day, a.ts,
                       (f"за день {n} разных граждан; у {len(counts)} коллег медиана {med:g}, "
                        f"{pct}-й перцентиль {top:.0f}, робастный z = {z:.1f}",
                        f"{n} distinct citizens today; {len(counts)} peers: median {med:g}, "
                        f"{pct}th percentile {top:.0f}, robust z = {z:.1f}"),
                       access_ids=_rows(seen), citizen_ids=seen.keys())

    def prune(self, oldest_day: str) -> None:
        """Forget days before ``oldest_day``."""
        for day in [d for d in self.touched if d < oldest_day]:
            del self.touched[day]
        for key in [k for k in self.baselines if k[1] < oldest_day]:
            del self.baselines[key]


def _rows(seen: dict[int, list[int]]) -> list[int]:
    """Every access row of the citizens counted (by id)."""
    return sorted(i for ids in seen.values() for i in ids)
