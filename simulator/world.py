"""What every part of the simulation shares: configuration, clock, random source, population and output."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.events import Batch, EventLoop
from simulator.population import Population
from simulator.timeconv import LocalTime


@dataclass(frozen=True)
class SimConfig:
    """The simulation's parameters (taken from the settings, overridable in tests and benches)."""

    seed: int = 7
    scale: float = 0.05
    tz: str = "Europe/Moscow"
    pbx_tz: str = "Europe/Moscow"
    wrapup_s: float = 15.0
    sl_threshold_s: float = 20.0
    down_after_checks: int = 2
    targets: dict[str, int] = field(default_factory=lambda: {
        "chat": 60, "telegram": 900, "vk": 900, "cabinet_msg": 900, "email": 86400, "app": 86400})
    anomaly_period_days: int | None = None    # None: derived from the scale; 1: every scenario every day
    anomalies: bool = True
    # The adversarial insider (simulator/adversary.py): knows the thresholds and stays under each; off unless a
    # bench asks for it, so the demo and the tests see only the anomalies the detectors were built on.
    adversary: bool = False
    # Every n-th day's evening (SURGE_HOURS, local) brings SURGE_FACTOR times the usual calls to operators rostered
    # for the usual load: the demo's past gets understaffed evenings. None: never (the live demo, tests).
    surge_every_days: int | None = None


class World:
    """The shared state of one simulation."""

    def __init__(self, cfg: SimConfig, pop: Population, start: float) -> None:
        self.cfg = cfg
        self.pop = pop
        self.loop = EventLoop(start)
        self.rng = random.Random(f"{cfg.seed}:world:{start}")
        self.out = Batch()
        self.local = LocalTime(cfg.tz)
        self.pbx_time = LocalTime(cfg.pbx_tz)

    @property
    def now(self) -> float:
        """The simulated time."""
        return self.loop.now

    def emit(self, table: str, row: dict) -> None:
        """Write ``row`` now."""
        self.out.add(table, row)

    def emit_at(self, ts: float, table: str, row: dict) -> None:
        """Write ``row`` when the simulation reaches ``ts`` (rows go out in time order)."""
        self.loop.at(ts, self.emit, table, row)
