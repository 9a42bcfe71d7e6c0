"""The demand model and the staffing arithmetic."""

from __future__ import annotations

import pytest

from simulator import profile, staffing


def test_daily_profile_peaks_in_the_morning_and_evening_and_is_quiet_at_night():
    by_hour = [profile.intensity(h + 0.5) for h in range(24)]
    assert sum(by_hour) / 24 == pytest.approx(1.0, abs=0.01)
    top = sorted(range(24), key=by_hour.__getitem__, reverse=True)[:6]
    assert set(top) <= {9, 10, 11, 18, 19, 20}
    assert {9, 10, 11} & set(top) and {18, 19, 20} & set(top)
    assert min(by_hour[9:12]) > by_hour[14] > by_hour[3]
    assert min(by_hour[18:21]) > by_hour[15]
    assert max(by_hour[1:6]) < 0.3


def test_mixes():
    assert sum(profile.CATEGORY_MIX.values()) == pytest.approx(1)
    assert sum(profile.CHANNEL_MIX.values()) == pytest.approx(1)
    assert set(profile.CHANNEL_MIX) == {"chat", "telegram", "vk", "cabinet_msg", "email", "app"}
    for queues in profile.QUEUE_BY_CATEGORY.values():
        assert sum(queues.values()) == pytest.approx(1)
    assert max(profile.QUEUE_BY_CATEGORY["technical"], key=profile.QUEUE_BY_CATEGORY["technical"].get) == "technical"
    assert max(profile.QUEUE_BY_CATEGORY["forms"], key=profile.QUEUE_BY_CATEGORY["forms"].get) == "documents"
    assert max(profile.QUEUE_BY_CATEGORY["status"], key=profile.QUEUE_BY_CATEGORY["status"].get) == "general"
    assert all(share > 0.1 for share in profile.queue_shares().values())
    daily = sum(profile.contacts_per_s(1.0, h + 0.5, 3) * 3600 for h in range(24))
    assert daily == pytest.approx(150_000, rel=0.05)


def test_shift_cover_meets_every_hour_without_much_waste():
    for queue in profile.QUEUES:
        need = staffing.phone_required(queue, 1.0, 15, 20)
        shifts = staffing.cover(need)
        cov = [0] * 24
        for (start, hours), n in shifts.items():
            for i in range(hours):
                cov[(start + i) % 24] += n
        assert all(c >= r for c, r in zip(cov, need, strict=True))
        assert sum(cov) < 1.25 * sum(need)
