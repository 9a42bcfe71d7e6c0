"""Callers turned away before the queue: the wall tile shows 'received' (with the blocked in brackets) only when
some were."""

from components.wall import queue_tile


def _queue(blocked: int) -> dict:
    counts = {"offered": 40, "blocked": blocked, "received": 40 + blocked}
    return {"waiting": 2, "longest_wait_s": 31.0, "service_level": 0.8, "abandon_rate": 0.05, "asa_s": 9.0,
            "agents": {"available": 3, "logged_in": 9, "on_call": 5}, "windows": {"30": {"service_level": 0.75}},
            "levels": {}, **counts}


def _metrics(tile) -> dict[str, str]:
    grid = tile.children[1].children
    return {m.to_plotly_json()["props"]["data-metric"]: m.children[1].children for m in grid}


def test_a_tile_without_blocked_callers_shows_no_received_number():
    assert "received" not in _metrics(queue_tile("technical", _queue(0), {}, "ru"))


def test_a_tile_with_7_blocked_callers_shows_47_received_with_the_7_in_brackets():
    assert _metrics(queue_tile("technical", _queue(7), {}, "en"))["received"] == "47 (7)"
