"""D11: many records opened without a reason in one day (curiosity browsing hides below a single D01)."""

from __future__ import annotations

from statistics import median

from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit


class UnexplainedVolume:
    """Distinct citizens opened without a call or ticket, per operator and day."""

    def __init__(self) -> None:
        self.days: dict[str, dict[int, dict[int, int]]] = {}   # day -> operator -> citizen -> access id

    def on_unexplained(self, a: AccessEvent, day: str, env: Env) -> Hit | None:
        """Feed a judged unexplained access; a hit when the day's count passes the threshold and the baseline."""
        seen = self.days.setdefault(day, {}).setdefault(a.operator_id, {})
        seen.setdefault(a.citizen_id, a.id)
        cfg, n = env.cfg, len(seen)
        if n < cfg.unexplained_day_min or not env.wants("D11", a.operator_id, day):
            return None
        past = env.ctx.daily_unexplained(a.operator_id, day, cfg.baseline_days)
        usual = median(past) if past else 0.0
        if n < cfg.unexplained_baseline_factor * usual + 2:
            return None
        return env.hit("D11", a.operator_id, day, a.ts,
                       (f"за день открыто {n} записей разных граждан без звонка или обращения "
                        f"(обычно {usual:g} в день)",
                        f"{n} distinct citizens' records opened today without a call or ticket "
                        f"(usually {usual:g} a day)"),
                       access_ids=seen.values(), citizen_ids=seen.keys())

    def prune(self, oldest_day: str) -> None:
        for day in [d for d in self.days if d < oldest_day]:
            del self.days[day]
