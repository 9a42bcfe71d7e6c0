"""What every detector is handed: the config, the day clock, a per-call cache of the context, stats, hit making."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable

from domain.detectors.config import DetectorConfig
from domain.detectors.context import DetectorContext
from domain.detectors.days import DayClock
from domain.detectors.model import CitizenInfo, Hit, Leave, OperatorInfo, Shift, TicketLink

_MISSING = object()


class CachedContext:
    """The caller's context with the lookups that cannot change within one engine call remembered for that call."""

    def __init__(self, ctx: DetectorContext) -> None:
        self.raw = ctx
        self._memo: dict[tuple, object] = {}

    def _cached(self, name: str, *args: object):
        key = (name, *args)
        value = self._memo.get(key, _MISSING)
        if value is _MISSING:
            value = self._memo[key] = getattr(self.raw, name)(*args)
        return value

    def operator(self, operator_id: int) -> OperatorInfo | None:
        """The operator (cached)."""
        return self._cached("operator", operator_id)

    def citizen(self, citizen_id: int) -> CitizenInfo | None:
        """The citizen (cached)."""
        return self._cached("citizen", citizen_id)

    def ticket(self, ticket_id: int) -> TicketLink | None:
        """The ticket (cached)."""
        return self._cached("ticket", ticket_id)

    def ticket_by_call(self, call_id: str) -> TicketLink | None:
        """The phone ticket of a call (cached)."""
        return self._cached("ticket_by_call", call_id)

    def tickets_of_citizen(self, citizen_id: int) -> list[TicketLink]:
        """The citizen's recent tickets (cached)."""
        return self._cached("tickets_of_citizen", citizen_id)

    def leaves(self, operator_id: int) -> list[Leave]:
        """The operator's leaves (cached)."""
        return self._cached("leaves", operator_id)

    def shifts(self, operator_id: int, lo: float, hi: float) -> list[Shift]:
        """The operator's shifts overlapping [lo, hi] (cached per exact window)."""
        return self._cached("shifts", operator_id, lo, hi)

    def access_times(self, operator_id: int, lo: float, hi: float) -> list[float]:
        """The operator's access times in [lo, hi) (cached per exact window)."""
        return self._cached("access_times", operator_id, lo, hi)

    def peers(self, operator_id: int) -> list[int]:
        """The operator's peers (cached)."""
        return self._cached("peers", operator_id)

    def journal_start(self) -> float | None:
        """The oldest kept journal row (cached)."""
        return self._cached("journal_start")

    def __getattr__(self, name: str):
        # Lookups that depend on a moment (watch, calls, activity, baselines) go straight through.
        return getattr(self.raw, name)


@dataclass
class Env:
    """The per-call environment of the detectors."""

    cfg: DetectorConfig
    clock: DayClock
    ctx: CachedContext
    fired: Callable[[tuple], bool]
    stats: Counter = field(default_factory=Counter)
    derived: dict[tuple, object] = field(default_factory=dict)   # values computed once per call (D07's hours)
    # (operator, day) -> the queues and channels the operator answered through own tickets (kept by the engine)
    worked: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    # key -> the latest version of each hit that fired and was not silenced (kept by the engine): a detector that
    # sees more of what it fired on returns the grown hit, which the engine passes on as an update
    live: dict[tuple[str, int, str, str], Hit] = field(default_factory=dict)

    def wants(self, detector: str, operator_id: int, day: str, scope: str = "") -> bool:
        """Whether ``detector`` is enabled and has not yet fired for this key (so it is worth evaluating)."""
        return self.cfg.on(detector) and not self.fired((detector, operator_id, day, scope))

    def grows(self, detector: str, operator_id: int, day: str, scope: str = "") -> Hit | None:
        """The live hit of this key when it fired and was not silenced (its evidence may grow), else None."""
        return self.live.get((detector, operator_id, day, scope))

    def wants_or_grows(self, detector: str, operator_id: int, day: str, scope: str = "") -> bool:
        """Whether a hit of this key is worth computing: it may fire, or it fired and its evidence may grow."""
        key = (detector, operator_id, day, scope)
        return self.wants(*key) or key in self.live

    def hit(self, detector: str, operator_id: int, day: str, ts: float, reasons: tuple[str, str], *,
            points: int | None = None, access_ids: Iterable[int] = (), citizen_ids: Iterable[int] = (),
            signin_ids: Iterable[int] = (), scope: str = "") -> Hit:
        """A hit with the detector's configured points (unless given) and evidence capped at ``evidence_cap``."""
        cap = self.cfg.evidence_cap
        return Hit(detector, operator_id, day, ts, self.cfg.pts(detector) if points is None else points,
                   reasons[0], reasons[1], _cap(access_ids, cap), _cap(citizen_ids, cap), _cap(signin_ids, cap),
                   scope)


def _cap(ids: Iterable[int], cap: int) -> tuple[int, ...]:
    return tuple(islice(dict.fromkeys(ids), cap))
