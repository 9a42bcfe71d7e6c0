import pytest

from domain.erlang import agents_needed, staffing


def test_reference_case_of_the_domain_brief():
    # 100 calls per 30 min, AHT 3 min, 80 % within 20 s, max occupancy 85 %, shrinkage 30 %.
    s = staffing(100, 1800, 180, 0.80, 20, max_occupancy=0.85, shrinkage=0.30)
    assert (s.agents, s.scheduled) == (14, 20)
    assert s.service_level == pytest.approx(0.8884, abs=1e-4)
    assert s.occupancy == pytest.approx(0.7143, abs=1e-4)
    assert s.p_wait == pytest.approx(0.1741, abs=1e-4)
    assert s.asa_s == pytest.approx(7.84, abs=0.01)


def test_occupancy_cap_adds_agents_and_no_traffic_needs_nobody():
    assert staffing(1000, 1800, 180, 0.50, 20, max_occupancy=0.85).occupancy <= 0.85
    assert agents_needed(0, 180, 0.8, 20) == 0
