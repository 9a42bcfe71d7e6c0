"""KPI formulas over counter sums (DOMAIN.md, 'Metric definitions'). A KPI without a denominator is None."""

from __future__ import annotations

from typing import Mapping


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else num / den


def service_level(c: Mapping[str, float], variant: str = "default") -> float | None:
    """Share of calls answered within T.

    default: answered<=T / (answered + abandoned - short abandons); asterisk: answered<=T / answered;
    asterisk2 (Asterisk's SL2): (answered<=T + abandoned<=T) / (answered + abandoned).
    """
    answered, in_t = c.get("answered", 0), c.get("answered_in_t", 0)
    abandoned = c.get("abandoned", 0)
    if variant == "asterisk":
        return _ratio(in_t, answered)
    if variant == "asterisk2":
        return _ratio(in_t + c.get("abandoned_in_t", 0), answered + abandoned)
    return _ratio(in_t, answered + abandoned - c.get("short_abandoned", 0))


def abandon_rate(c: Mapping[str, float]) -> float | None:
    """(abandoned - short abandons) / (offered - short abandons)."""
    short = c.get("short_abandoned", 0)
    return _ratio(c.get("abandoned", 0) - short, c.get("offered", 0) - short)


def asa(c: Mapping[str, float]) -> float | None:
    """Average speed of answer: mean hold time of answered calls, seconds."""
    return _ratio(c.get("hold_sum", 0), c.get("answered", 0))


def aht(c: Mapping[str, float], wrapup_s: float) -> float | None:
    """Average handle time: mean talk time plus wrap-up of handled calls, seconds."""
    handled = c.get("handled", 0)
    return _ratio(c.get("talk_sum", 0) + wrapup_s * handled, handled)


def call_kpis(c: Mapping[str, float], variant: str, wrapup_s: float) -> dict[str, float | int | None]:
    """The counters and KPIs of one queue over one period, as the snapshot publishes them."""
    counts = {k: int(round(c.get(k, 0))) for k in
              ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "lost", "transferred")}
    return {
        **counts,
        "service_level": _round(service_level(c, variant)),
        "asa_s": _round(asa(c), 1),
        "aht_s": _round(aht(c, wrapup_s), 1),
        "abandon_rate": _round(abandon_rate(c)),
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
