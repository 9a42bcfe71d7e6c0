"""Erlang C staffing: probability of waiting, service level, ASA, and agents needed.

Traffic A = calls per interval x AHT / interval length (erlangs); with N agents, P(wait) is Erlang C,
SL(T) = 1 - P(wait) e^(-(N-A) T / AHT) and ASA = P(wait) AHT / (N - A). Reference case (tested): 100 calls per
30 min, AHT 3 min, 80 % within 20 s, occupancy at most 85 %, shrinkage 30 % -> 14 agents (20 scheduled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def erlang_c(n: int, a: float) -> float:
    """Probability that a call waits, with ``n`` agents and ``a`` erlangs of traffic (via Erlang B)."""
    if n <= a:
        return 1.0
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1 - b))


def service_level(n: int, a: float, aht_s: float, t_s: float) -> float:
    """Share of calls answered within ``t_s`` seconds: 1 - P(wait) e^(-(N-A) T / AHT)."""
    if n <= a:
        return 0.0
    return 1 - erlang_c(n, a) * math.exp(-(n - a) * t_s / aht_s)


def asa(n: int, a: float, aht_s: float) -> float:
    """Average speed of answer: P(wait) AHT / (N - A)."""
    return math.inf if n <= a else erlang_c(n, a) * aht_s / (n - a)


def agents_needed(rate_per_s: float, aht_s: float, target: float, t_s: float) -> int:
    """Fewest agents that reach service level ``target`` within ``t_s`` for Poisson arrivals."""
    a = rate_per_s * aht_s
    if a <= 0:
        return 0
    n = max(1, math.ceil(a))
    while service_level(n, a, aht_s, t_s) < target:
        n += 1
    return n


@dataclass(frozen=True)
class Staffing:
    """What an interval needs: agents on the phones, agents scheduled, and the figures at that staffing."""

    agents: int
    scheduled: int
    service_level: float
    occupancy: float
    p_wait: float
    asa_s: float


def staffing(calls: float, interval_s: float, aht_s: float, target: float, t_s: float,
             max_occupancy: float = 0.85, shrinkage: float = 0.30) -> Staffing:
    """Agents for ``calls`` per interval: the SL target first, then the occupancy cap, then shrinkage."""
    a = calls * aht_s / interval_s
    n = agents_needed(calls / interval_s, aht_s, target, t_s)
    while n and a / n > max_occupancy:
        n += 1
    return Staffing(n, math.ceil(n / (1 - shrinkage)) if n else 0, service_level(n, a, aht_s, t_s),
                    a / n if n else 0.0, erlang_c(n, a), asa(n, a, aht_s))
