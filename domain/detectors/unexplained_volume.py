"""D11: many records opened without a reason in one day (curiosity browsing hides below a single D01)."""

from __future__ import annotations

from statistics import median

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit


class UnexplainedVolume:
    """Distinct citizens opened without a call or ticket, per operator and day (with every such row)."""

    def __init__(self) -> None:
        self.days: dict[str, dict[int, dict[int, list[int]]]] = {}   # day -> operator -> citizen -> access ids
        self.usual: dict[tuple[int, str], float] = {}

    def record(self, a: AccessEvent, day: str) -> list[int]:
        """Note a judged unexplained access; the day's unexplained rows of the operator and that citizen so far."""
        rows = self.days.setdefault(day, {}).setdefault(a.operator_id, {}).setdefault(a.citizen_id, [])
        rows.append(a.id)
        return rows

    def on_unexplained(self, a: AccessEvent, day: str, env: Env) -> Hit | None:
        """After ``record``: a hit when the day's count passes the threshold and the baseline (grown afterwards)."""
        seen = self.days[day][a.operator_id]
        cfg, n = env.cfg, len(seen)
        if n < cfg.unexplained_day_min or not env.wants_or_grows("D11", a.operator_id, day):
            return None
        key = (a.operator_id, day)
        if key not in self.usual:
            past = env.ctx.daily_unexplained(a.operator_id, day, cfg.baseline_days)
            self.usual[key] = median(past) if past else 0.0
        usual = self.usual[key]
        if n < cfg.unexplained_baseline_factor * usual + 2 and not env.grows("D11", a.operator_id, day):
            return None
        return env.hit("D11", a.operator_id, day, a.ts,
                       (f"за день открыто {n} записей разных граждан без звонка или обращения "
                        f"(обычно {usual:g} в день)",
                        f"{n} distinct citizens' records opened today without a call or ticket "
                        f"(usually {usual:g} a day)"),
                       access_ids=sorted(i for ids in seen.values() for i in ids), citizen_ids=seen.keys())

    def prune(self, oldest_day: str) -> None:
        for day in [d for d in self.days if d < oldest_day]:
            del self.days[day]
        for key in [k for k in self.usual if k[1] < oldest_day]:
            del self.usual[key]
