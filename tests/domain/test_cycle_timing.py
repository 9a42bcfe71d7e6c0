"""The poller's cycle-duration histogram: Prometheus' bucket rule (le = at most), cumulative counts."""

from domain.cycle_timing import CycleHistogram


def test_buckets_are_cumulative_and_a_value_on_a_bound_counts_in_it():
    h = CycleHistogram(bounds=(0.1, 1.0), counts=[0, 0, 0])
    for seconds in (0.05, 0.1, 0.5, 3.0, -1.0):
        h.observe(seconds)
    view = h.view()
    assert view["buckets"] == [[0.1, 3], [1.0, 4], ["+Inf", 5]]
    assert view["count"] == 5 and view["sum"] == 3.65


def test_an_engine_cycle_publishes_the_histogram_of_the_cycles_before_it(settings):
    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.engine import LiveEngine

    engine = LiveEngine(settings, InMemorySnapshotStore())
    first = engine.cycle()
    second = engine.cycle()
    assert first["poller"]["cycle_seconds"]["count"] == 0
    assert second["poller"]["cycle_seconds"]["count"] == 1
    assert second["sources"]["telephony"]["errors"] >= 0
