"""domain/erlang.py checked against an independent Erlang C: the textbook formula in exact rational arithmetic.

C(N, A) = (A^N / N!) (N / (N - A)) / (sum_{k<N} A^k / k! + (A^N / N!) (N / (N - A))), with fractions and exact
factorials (no recursion shared with the engine, no floating point until the exponential of the service level).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from domain import erlang


def textbook_c(n: int, a: Fraction) -> Fraction:
    top = a ** n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)


def textbook_sl(n: int, a: Fraction, aht_s: int, t_s: int) -> float:
    return 1 - float(textbook_c(n, a)) * math.exp(-float(n - a) * t_s / aht_s)


def textbook_agents(calls: int, interval_s: int, aht_s: int, target: float, t_s: int) -> int:
    a = Fraction(calls * aht_s, interval_s)
    n = math.floor(a) + 1
    while textbook_sl(n, a, aht_s, t_s) < target:
        n += 1
    return n


LOADS = [(calls, aht) for calls in (1, 3, 10, 25, 50, 120, 280, 400) for aht in (90, 180, 420)]


@pytest.mark.parametrize("calls, aht_s", LOADS)
def test_erlang_c_equals_the_exact_textbook_formula_over_a_grid_of_loads(calls, aht_s):
    a = Fraction(calls * aht_s, 900)
    for n in range(math.floor(a) + 1, math.floor(a) + 12):
        assert erlang.erlang_c(n, float(a)) == pytest.approx(float(textbook_c(n, a)), rel=1e-9, abs=1e-12)
        assert erlang.service_level(n, float(a), aht_s, 20) == pytest.approx(textbook_sl(n, a, aht_s, 20),
                                                                            rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("calls, aht_s", LOADS)
@pytest.mark.parametrize("target, t_s", [(0.8, 20), (0.9, 10), (0.8, 60), (0.95, 30)])
def test_agents_needed_equals_the_textbook_search(calls, aht_s, target, t_s):
    assert erlang.agents_needed(calls / 900, aht_s, target, t_s) == textbook_agents(calls, 900, aht_s, target, t_s)


def test_280_calls_in_a_quarter_hour_at_five_minutes_each_need_101_operators_at_80_in_20():
    # 280 x 300 s / 900 s = 93.3 erlangs: the textbook and the engine agree on the full-scale peak interval.
    assert erlang.agents_needed(280 / 900, 300, 0.8, 20) == textbook_agents(280, 900, 300, 0.8, 20) == 101


@pytest.mark.parametrize("calls, aht_s", LOADS)
def test_staffing_reports_the_textbook_figures_at_the_staffing_it_chose(calls, aht_s):
    s = erlang.staffing(calls, 900, aht_s, 0.8, 20, max_occupancy=0.85, shrinkage=0.3)
    a = Fraction(calls * aht_s, 900)
    assert s.agents >= textbook_agents(calls, 900, aht_s, 0.8, 20) and s.occupancy <= 0.85
    assert s.p_wait == pytest.approx(float(textbook_c(s.agents, a)), rel=1e-9)
    assert s.service_level == pytest.approx(textbook_sl(s.agents, a, aht_s, 20), rel=1e-9)
    assert s.asa_s == pytest.approx(float(textbook_c(s.agents, a)) * aht_s / float(s.agents - a), rel=1e-9)
    assert s.scheduled == math.ceil(s.agents / 0.7)
