"""Operational alert rules over the live view, and their hysteresis (raise after / clear after)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from domain.lines import Lines
from domain.thresholds import CRIT, WARN, level

SEVERITY = {WARN: "warning", CRIT: "critical"}
HYSTERESIS_MARGIN = 0.2
MIN_CALLS_FOR_SL = 5


@dataclass(frozen=True)
class Condition:
    """A rule that holds right now for one scope (a queue, channel, service or source)."""

    rule: str
    scope: str
    severity: str
    params: dict = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.scope}"


def evaluate(view: dict, lines: Lines, active: set[str]) -> list[Condition]:
    """Every condition that holds in ``view`` (a snapshot without alerts). ``active``: keys already firing."""
    out: list[Condition] = []
    for name, q in view.get("queues", {}).items():
        cfg = lines.queues.get(name)
        if cfg is not None:
            out += _queue_rules(name, q, cfg, active)
    for name, c in view.get("channels", {}).items():
        cfg = lines.channels.get(name)
        if cfg is not None:
            out += _threshold("channel_waiting", name, c["waiting"], cfg.waiting_warn, cfg.waiting_crit, active)
    for s in view.get("services", []):
        if s["status"] == "down":
            out.append(Condition("service_down", s["code"], "critical",
                                 {"since": s["since"], "name_ru": s["name_ru"], "name_en": s["name_en"],
                                  "line": s["line"], "error": s["error"]}))
    compliance = view.get("compliance") or {}
    if compliance.get("over_retention"):
        out.append(Condition("journal_retention", "pd_access_log", "critical",
                             {"oldest": compliance["journal_oldest_at"], "days": compliance["retention_days"]}))
    gaps = compliance.get("journal_gaps") or []
    if gaps:   # D21: calls were answered and the access journal recorded nothing (newest gap first)
        out.append(Condition("journal_gap", "pd_access_log", "critical",
                             {"span": gaps[0]["span"], "calls": gaps[0]["calls"], "gaps": len(gaps)}))
    for name, src in view.get("sources", {}).items():
        if not src["ok"]:
            out.append(Condition("source_stale", name, "critical", {"lag_s": src["lag_s"], "error": src["error"]}))
    return out


def _queue_rules(name: str, q: dict, cfg, active: set[str]) -> Iterator[Condition]:
    yield from _threshold("queue_waiting", name, q["waiting"], cfg.waiting_warn, cfg.waiting_crit, active)
    yield from _threshold("queue_longest_wait", name, q["longest_wait_s"], cfg.longest_wait_warn_s,
                          cfg.longest_wait_crit_s, active)
    w30 = q["windows"]["30"]
    if w30["answered"] + w30["abandoned"] >= MIN_CALLS_FOR_SL:
        yield from _threshold("queue_sl_30m", name, w30["service_level"], cfg.sl_goal, cfg.sl_warn, active,
                              higher_is_bad=False)
    if q["waiting"] > 0 and q["agents"]["available"] == 0:
        yield Condition("queue_no_agent", name, "critical", {"waiting": q["waiting"],
                                                             "logged_in": q["agents"]["logged_in"]})


def _threshold(rule: str, scope: str, value, warn, crit, active: set[str],
               higher_is_bad: bool = True) -> Iterable[Condition]:
    """The condition at its true severity; an active alert stays (as a warning) until clearly back (hysteresis)."""
    lvl = level(value, warn, crit, higher_is_bad)
    if lvl not in SEVERITY and f"{rule}:{scope}" in active:
        margin = HYSTERESIS_MARGIN if higher_is_bad else HYSTERESIS_MARGIN / 4  # ratios near 1: 5 % is clear
        if level(value, warn, crit, higher_is_bad, margin) in SEVERITY:
            lvl = WARN
    if lvl in SEVERITY:
        return [Condition(rule, scope, SEVERITY[lvl], {"value": value, "warn": warn, "crit": crit})]
    return []


@dataclass
class _Tracked:
    condition: Condition
    last_true: float


@dataclass
class Changes:
    """What one evaluation changed: new alerts, alerts whose severity or numbers changed, resolved keys."""

    fired: list[Condition] = field(default_factory=list)
    changed: list[Condition] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


class AlertTracker:
    """Fires a condition that held ``raise_after_s``; resolves an alert clear for ``clear_after_s``."""

    def __init__(self, raise_after_s: float, clear_after_s: float) -> None:
        self.raise_after_s = raise_after_s
        self.clear_after_s = clear_after_s
        self.pending: dict[str, float] = {}
        self.active: dict[str, _Tracked] = {}

    def restore(self, conditions: Iterable[Condition], now: float) -> None:
        """Alerts that were firing before a restart stay firing."""
        for c in conditions:
            self.active[c.key] = _Tracked(c, now)

    def update(self, conditions: Iterable[Condition], now: float) -> Changes:
        changes = Changes()
        holding = {c.key: c for c in conditions}
        for key, cond in holding.items():
            tracked = self.active.get(key)
            if tracked is not None:
                if cond.severity != tracked.condition.severity:
                    changes.changed.append(cond)
                tracked.condition, tracked.last_true = cond, now
                continue
            since = self.pending.setdefault(key, now)
            if now - since >= self.raise_after_s:
                del self.pending[key]
                self.active[key] = _Tracked(cond, now)
                changes.fired.append(cond)
        for key in [k for k in self.pending if k not in holding]:
            del self.pending[key]
        for key, tracked in list(self.active.items()):
            if key not in holding and now - tracked.last_true >= self.clear_after_s:
                del self.active[key]
                changes.resolved.append(key)
        return changes
