"""D14: an unexplained access to a rarely opened record, one that nobody at all opened in the 28 days before.

A citizen whose record nobody touched for weeks has no open matter at the hotline; opening it without a call or
ticket is curiosity more often than an ordinary unexplained access (research 5.1: D01 and nobody touched the
citizen in the look-back). Judged only when the journal reaches back over the whole look-back (a fresh install
knows nothing about the weeks before it). One hit per operator-day, growing with every such record of the day.
"""

from __future__ import annotations

from domain.detectors.config import DAY_S
from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit


class RareRecord:
    """Which citizens were untouched before each day (asked once per citizen and day) and the day's rare rows."""

    def __init__(self) -> None:
        self.untouched: dict[tuple[int, str], bool] = {}              # (citizen, day) -> nobody in the look-back
        self.rows: dict[tuple[int, str], dict[int, list[int]]] = {}   # (operator, day) -> citizen -> access ids

    def on_unexplained(self, a: AccessEvent, day: str, env: Env) -> Hit | None:
        """After D01 for ``a``: the operator-day's D14 hit when the citizen's record was untouched before today."""
        cfg, cid = env.cfg, a.citizen_id
        if cid is None or not env.wants_or_grows("D14", a.operator_id, day):
            return None
        start = env.clock.start(day)
        lo = start - cfg.rare_record_days * DAY_S
        key = (cid, day)
        if key not in self.untouched:
            since = env.ctx.journal_start()
            if since is None or since > lo:
                env.stats["rare_no_history"] += 1
                return None
            self.untouched[key] = not env.ctx.record_touched(cid, lo, start)
        if not self.untouched[key]:
            return None
        seen = self.rows.setdefault((a.operator_id, day), {})
        seen.setdefault(cid, []).append(a.id)
        n = len(seen)
        return env.hit("D14", a.operator_id, day, a.ts,
                       (f"открыто без основания записей граждан, которые никто не открывал {cfg.rare_record_days} "
                        f"дн.: {n}",
                        f"records opened without a reason that nobody had opened in {cfg.rare_record_days} days: "
                        f"{n}"),
                       access_ids=[i for ids in seen.values() for i in ids], citizen_ids=seen.keys())

    def prune(self, oldest_day: str) -> None:
        """Forget days before ``oldest_day``."""
        self.untouched = {k: v for k, v in self.untouched.items() if k[1] >= oldest_day}
        self.rows = {k: v for k, v in self.rows.items() if k[1] >= oldest_day}
