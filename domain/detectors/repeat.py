"""D15: the operator opens the same citizen without a reason on several distinct days."""

from __future__ import annotations

from domain.clock import day_add
from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit


class Repeat:
    """Unexplained days per (operator, citizen) seen by this engine, joined with the stored ones of the context."""

    def __init__(self) -> None:
        self.days: dict[tuple[int, int], set[str]] = {}
        self.stored: dict[tuple[int, int, str], set[str]] = {}   # the context's answer, asked once per day

    def on_unexplained(self, a: AccessEvent, day: str, env: Env, rows: list[int]) -> Hit | None:
        """Feed a judged unexplained access (``rows``: the day's unexplained rows of that citizen so far); a hit when
        the citizen's unexplained days reach the threshold, grown by the day's later rows."""
        cfg, cid, key = env.cfg, a.citizen_id, (a.operator_id, a.citizen_id)
        self.days.setdefault(key, set()).add(day)
        if not env.wants_or_grows("D15", a.operator_id, day, f"c{cid}"):
            return None
        since = day_add(day, 1 - cfg.repeat_days)
        stored = self.stored.get((*key, day))
        if stored is None:
            stored = self.stored[(*key, day)] = set(env.ctx.unexplained_days(a.operator_id, cid, since))
        days = sorted(d for d in self.days[key] | stored if since <= d <= day)
        if len(days) < cfg.repeat_min_days:
            return None
        listed = ", ".join(days)
        return env.hit("D15", a.operator_id, day, a.ts,
                       (f"запись гражданина №{cid} открыта без основания в {len(days)} разных днях "
                        f"за {cfg.repeat_days} дн.: {listed}",
                        f"citizen #{cid}'s record opened without a reason on {len(days)} distinct days "
                        f"within {cfg.repeat_days} days: {listed}"),
                       access_ids=rows, citizen_ids=(cid,), scope=f"c{cid}")

    def prune(self, today: str, repeat_days: int) -> None:
        """Forget days that left the look-back and the context answers of past days."""
        oldest = day_add(today, 1 - repeat_days)
        for key in list(self.days):
            kept = {d for d in self.days[key] if d >= oldest}
            if kept:
                self.days[key] = kept
            else:
                del self.days[key]
        for key in [k for k in self.stored if k[2] < day_add(today, -1)]:
            del self.stored[key]
