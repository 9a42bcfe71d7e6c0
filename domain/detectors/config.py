"""Thresholds of the detectors (defaults in the README's detector table; every one can be set)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.detectors.catalog import DEFAULT_POINTS, IMPLEMENTED, RELATIVE_POINTS, WATCH_UNEXPLAINED_BONUS

DAY_S = 86400.0
TEAM_COVERS = ("worked", "shift", "team")   # narrowest first (DetectorConfig.team_cover)


@dataclass(frozen=True)
class DetectorConfig:
    """Every threshold and window of the detectors; times in seconds."""

    tz: str = "Europe/Moscow"                  # 'day' = local calendar day in this zone
    enabled: frozenset[str] = IMPLEMENTED
    points: Mapping[str, int] = field(default_factory=lambda: DEFAULT_POINTS, compare=False, hash=False)
    relative_points: tuple[int, int, int] = RELATIVE_POINTS     # D04: surname+address, address, surname
    watch_unexplained_bonus: int = WATCH_UNEXPLAINED_BONUS      # D06 + this when D01 holds
    # Record-touching rows are judged (D01, D04-D06, D15) only once they are this old, so that a ticket opened
    # up to ticket_before_s after the access, and written to the CRM a little later, can still explain it.
    settle_s: float = 420.0
    ticket_before_s: float = 300.0             # D01: a ticket explains accesses from opened_at - 5 min
    ticket_after_s: float = 3 * DAY_S          # ... to (closed_at or +inf) + 3 days (own tickets: a call-back)
    # A ticket of the operator's team explains an access only while it is open (+- ticket_before_s), and with
    # team_cover 'worked' only when the operator is on shift (+- shift_margin_s) and has already answered, that
    # day, a ticket of the same queue (phone) or channel; 'shift' drops the queue condition, 'team' both.
    team_cover: str = "worked"
    shift_margin_s: float = 900.0              # D07: +-15 min around every shift
    day_off_points: int = 30                   # D07 on a day without any shift (instead of 15)
    # D07 at night on a day without any shift: a medium case on its own (the medium band starts at 40).
    night_day_off_points: int = 40
    night_from_h: int = 22                     # local night: from this hour ...
    night_to_h: int = 6                        # ... to this one (the hour itself is day again)
    schedule_lookaround_s: float = 7 * DAY_S   # D07: no shift within +-7 days of the access = no schedule
    rare_hour_days: int = 28                   # D07 without a schedule: the operator's own hours of the week
    rare_hour_share: float = 0.01              # ... an hour of the week with under 1 % of those accesses is rare
    rare_hour_min_history: int = 200           # ... judged only with this many accesses in the look-back
    baseline_days: int = 28                    # D09
    baseline_min_days: int = 5
    robust_z: float = 3.5                      # D09, D10
    volume_min: int = 20                       # D09, D10: n >= 20
    # D09: n >= 2.5 x median. At 2 x a legitimate double shift fires; the usual starting point is 2.
    volume_median_factor: float = 2.5
    peers_min: int = 5                         # D10: active peers with counts today
    # D10: the peers' median must be this high (early in a shift everyone's count is low, and the first to
    # reach 20 is not unusual) and n must be at least volume_median_factor x that median.
    peers_median_min: int = 10
    peers_percentile: float = 99.0
    # The p99 branch needs this many active peers. With small teams p99 is about the maximum, so at 5 the day's
    # busiest operator fires once past every peer and 20 citizens; ~100 keeps only the z branch for small teams.
    peers_p99_min: int = 100
    unexplained_day_min: int = 4               # D11: distinct citizens opened without a reason in one day
    unexplained_baseline_factor: float = 2.0   # D11: ... and at least 2 x the operator's median + 2
    export_window_s: float = 300.0             # D12
    export_min_citizens: int = 20
    search_window_s: float = 600.0             # D13
    search_min_citizens: int = 15
    # D12/D13 over windows that cannot be split (spread.py): distinct citizens per rolling hour and per local day,
    # above these floors and the peers' counts. Ordinary simulated days: exports at most 3 an hour and 7 a day,
    # searches of citizens no ticket links to at most 1 a day.
    export_hour_min: int = 15
    export_day_min: int = 20
    search_hour_min: int = 12
    search_day_min: int = 20
    call_max_age_s: float = 3600.0             # D13: a phone ticket opened longer ago is no longer a live call
    rare_record_days: int = 28                 # D14: nobody opened the record in this many days before the day
    repeat_days: int = 14                      # D15
    repeat_min_days: int = 3
    fail_window_s: float = 3600.0              # D17
    fail_min: int = 5
    new_ip_days: int = 28                      # D16: an address the operator has not used in this many days
    new_ip_outside_bonus: int = 30             # ... outside the corporate ranges: 5 + 30
    corporate_ranges: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    ip_window_s: float = 300.0                 # D18
    ip_min: int = 2
    dormant_s: float = 21 * DAY_S              # D19
    wake_window_s: float = 12 * 3600.0         # D19: record-touching this soon after the waking event still counts
    evidence_cap: int = 10000                  # at most this many ids per evidence list (a whole busy day)
    max_future_s: float = 3600.0               # rows dated further after `now` are invalid (a broken clock)

    def pts(self, detector: str) -> int:
        """The points of ``detector`` (0 when unknown)."""
        return int(self.points.get(detector, DEFAULT_POINTS.get(detector, 0)))

    def night(self, hour: int) -> bool:
        """Whether the local ``hour`` (0-23) is night (the window may wrap past midnight)."""
        lo, hi = self.night_from_h % 24, self.night_to_h % 24
        return lo <= hour < hi if lo <= hi else hour >= lo or hour < hi

    def on(self, detector: str) -> bool:
        """Whether ``detector`` is enabled."""
        return detector in self.enabled
