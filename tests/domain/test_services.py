from domain.services import Incident, ServiceCheck, ServiceHealth

T0 = 1_764_136_800.0


def test_a_service_goes_down_after_failed_checks_in_a_row_and_recovers():
    h = ServiceHealth(down_after_checks=2)
    h.describe("esia", "Авторизация", "Sign-in", "cabinet")
    h.add_checks([ServiceCheck("esia", T0, True, 120, None)])
    assert h.view(T0)[0]["status"] == "up"
    h.add_checks([ServiceCheck("esia", T0 + 60, False, None, "HTTP 502")])
    assert h.view(T0 + 60)[0]["status"] == "degraded"
    h.add_checks([ServiceCheck("esia", T0 + 120, False, None, "HTTP 502")])
    view = h.view(T0 + 120)[0]
    assert (view["status"], view["error"], view["since"]) == ("down", "HTTP 502", "2025-11-26T06:02:00Z")
    assert view["latency_history"] == [120, None, None]
    h.add_checks([ServiceCheck("esia", T0 + 180, True, 90, None)])
    assert h.view(T0 + 180)[0]["status"] == "up"


def test_no_recent_check_means_unknown_and_slow_means_degraded():
    h = ServiceHealth()
    h.add_checks([ServiceCheck("pay", T0, True, 5000, None)])
    assert h.view(T0 + 10)[0]["status"] == "degraded"
    assert h.view(T0 + 1000)[0]["status"] == "unknown"


def test_open_incidents_newest_first_and_resolved_ones_drop_out():
    h = ServiceHealth()
    h.add_incidents([Incident(1, T0, None, "esia", "major", "ЕСИА недоступна", "open"),
                     Incident(2, T0 + 60, None, None, "minor", "Медленно", "open")])
    assert [i["id"] for i in h.open_incidents()] == [2, 1]
    h.add_incidents([Incident(1, T0, T0 + 600, "esia", "major", "ЕСИА недоступна", "resolved")])
    assert [i["id"] for i in h.open_incidents()] == [2]
