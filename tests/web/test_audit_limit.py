"""Anonymous audit writes: repeats aggregated per key, a cap per minute, what was held back reported."""

from web.audit_limit import AnonymousAuditLimiter


def test_repeats_of_one_key_are_written_once_a_minute_with_their_count():
    limiter = AnonymousAuditLimiter(window_s=60, cap=30)
    key = ("kiosk_token_refused", "10.0.0.7", "")
    assert limiter.admit(key, 0.0) == {}
    assert all(limiter.admit(key, 1.0 + i) is None for i in range(58))
    assert limiter.admit(key, 61.0) == {"repeats": 58}


def test_over_the_cap_nothing_is_written_and_a_summary_names_what_was_held_back():
    limiter = AnonymousAuditLimiter(window_s=60, cap=30)
    written = [limiter.admit(("sign_in_failed", "10.0.0.8", f"user{i % 10}"), 5.0, aggregate=False)
               for i in range(100)]
    assert sum(w is not None for w in written) == 30
    assert limiter.admit(("sign_in_failed", "10.0.0.31", "security"), 6.0, aggregate=False) is None
    assert limiter.held_back(30.0) is None  # the window that held them back is not over yet
    summary = limiter.held_back(66.0)
    assert summary["held_back"] == 71 and summary["by_key"]["sign_in_failed 10.0.0.31 security"] == 1
    assert summary["by_key"]["sign_in_failed 10.0.0.8 user0"] == 7
    assert limiter.held_back(67.0) is None


def test_the_limiter_remembers_a_bounded_number_of_keys():
    limiter = AnonymousAuditLimiter(window_s=60, cap=10**9, max_keys=100)
    for i in range(10_000):
        limiter.admit(("kiosk_token_refused", f"10.0.{i // 256}.{i % 256}", ""), float(i))
    assert len(limiter._keys) == 100
