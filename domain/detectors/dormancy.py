"""D19: an account with no activity for weeks wakes up and touches a citizen record."""

from __future__ import annotations

from domain.detectors.config import DetectorConfig
from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit, OperatorInfo


class Dormancy:
    """Remembers each operator's latest activity (access rows, successful sign-ins) and pending wake-ups."""

    def __init__(self, cfg: DetectorConfig) -> None:
        self.cfg = cfg
        self.last: dict[int, float] = {}
        self.wake: dict[int, tuple[float, float]] = {}  # operator -> (ts of the waking event, idle seconds before)

    def _idle(self, operator_id: int, ts: float, op: OperatorInfo | None, env: Env) -> float | None:
        prev = self.last.get(operator_id)
        if prev is None:
            prev = env.ctx.last_activity_before(operator_id, ts)
        if prev is None and op is not None:
            # Nothing in the journal: idle since the journal starts (a fresh install is not a dormancy),
            # and hiring counts as activity (a new account is not a dormant one).
            prev = max((t for t in (env.ctx.journal_start(), op.hired_at) if t is not None), default=None)
        return None if prev is None else ts - prev

    def seen(self, operator_id: int, ts: float, op: OperatorInfo | None, env: Env) -> None:
        """Record an activity; it wakes the account when the idle time before it reaches the threshold."""
        idle = self._idle(operator_id, ts, op, env)
        self.last[operator_id] = max(self.last.get(operator_id, ts), ts)
        if idle is not None and idle >= self.cfg.dormant_s:
            self.wake[operator_id] = (ts, idle)

    def on_touch(self, a: AccessEvent, day: str, env: Env) -> Hit | None:
        """After ``seen``: the D19 hit when this record-touching access follows a wake-up closely enough."""
        woke = self.wake.get(a.operator_id)
        if woke is None or not 0 <= a.ts - woke[0] <= self.cfg.wake_window_s:
            return None
        del self.wake[a.operator_id]
        if not env.wants("D19", a.operator_id, day):
            return None
        days = int(woke[1] // 86400)
        return env.hit("D19", a.operator_id, day, a.ts,
                       (f"нет активности {days} дн., затем открыта запись гражданина",
                        f"no activity for {days} days, then a citizen record was opened"),
                       access_ids=(a.id,), citizen_ids=() if a.citizen_id is None else (a.citizen_id,))

    def prune(self, horizon: float) -> None:
        """Forget wake-ups older than ``horizon``."""
        for op_id in [k for k, (ts, _) in self.wake.items() if ts < horizon]:
            del self.wake[op_id]
