"""Erlang C staffing: probability of waiting, service level, ASA, and agents needed.

Traffic A = calls per interval x AHT / interval length (erlangs); with N agents, P(wait) is Erlang C,
SL(T) = 1 - P(wait) e^(-(N-A) T / AHT) and ASA = P(wait) AHT / (N - A). Reference case (tested): 100 calls per
30 min, AHT 3 min, 80 % within 20 s, occupancy at most 85 %, shrinkage 30 % -> 14 agents (20 scheduled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _next_b(b: float, k: int, a: float) -> float:
    """Erlang B with ``k`` agents from Erlang B with ``k - 1``: B(k) = A B(k-1) / (k + A B(k-1)), B(0) = 1."""
    return a * b / (k + a * b)


def _c_from_b(n: int, a: float, b: float) -> float:
    """Erlang C from Erlang B: C = N B / (N - A (1 - B)), for N > A."""
    return n * b / (n - a * (1 - b))


def _level(n: int, a: float, p_wait: float, aht_s: float, t_s: float) -> float:
    return 1 - p_wait * math.exp(-(n - a) * t_s / aht_s)


def erlang_c(n: int, a: float) -> float:
    """Probability that a call waits, with ``n`` agents and ``a`` erlangs of traffic (via Erlang B)."""
    if n <= a:
        return 1.0
    b = 1.0
    for k in range(1, n + 1):
        b = _next_b(b, k, a)
    return _c_from_b(n, a, b)


def service_level(n: int, a: float, aht_s: float, t_s: float) -> float:
    """Share of calls answered within ``t_s`` seconds: 1 - P(wait) e^(-(N-A) T / AHT)."""
    if n <= a:
        return 0.0
    return _level(n, a, erlang_c(n, a), aht_s, t_s)


def asa(n: int, a: float, aht_s: float) -> float:
    """Average speed of answer: P(wait) AHT / (N - A)."""
    return _speed(n, a, erlang_c(n, a), aht_s)


def _speed(n: int, a: float, p_wait: float, aht_s: float) -> float:
    return math.inf if n <= a else p_wait * aht_s / (n - a)


def agents_needed(rate_per_s: float, aht_s: float, target: float, t_s: float) -> int:
    """Fewest agents that reach service level ``target`` within ``t_s`` for Poisson arrivals.

    Erlang B is carried from one staffing level to the next, so the search is one pass up to the answer (a
    staffing table of a month's intervals stays fast) instead of one pass per level tried.
    """
    return _search(rate_per_s * aht_s, aht_s, target, t_s)[0]


def _search(a: float, aht_s: float, target: float, t_s: float) -> tuple[int, float]:
    """(fewest agents reaching ``target``, Erlang B at that many) for ``a`` erlangs; (0, 1.0) without traffic."""
    if a <= 0:
        return 0, 1.0
    n = max(1, math.ceil(a))
    b = 1.0
    for k in range(1, n + 1):
        b = _next_b(b, k, a)
    while (_level(n, a, _c_from_b(n, a, b), aht_s, t_s) if n > a else 0.0) < target:
        n += 1
        b = _next_b(b, n, a)
    return n, b


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
    n, b = _search(a, aht_s, target, t_s)
    while n and a / n > max_occupancy:
        n += 1
        b = _next_b(b, n, a)
    p_wait = _c_from_b(n, a, b) if n > a else 1.0  # erlang_c(n, a), from the B carried along
    level = _level(n, a, p_wait, aht_s, t_s) if n > a else 0.0
    return Staffing(n, math.ceil(n / (1 - shrinkage)) if n else 0, level, a / n if n else 0.0, p_wait,
                    _speed(n, a, p_wait, aht_s))
