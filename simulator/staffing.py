"""Staffing: agents needed per local hour (Erlang C: domain.erlang), covered by 8 h / 12 h shift templates."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from domain.erlang import agents_needed
from simulator import profile

BREAK_SHRINKAGE = 0.14       # share of a shift spent in PAUSE (breaks, lunch, training)
LEAVE_SHARE = 0.11           # share of operators on vacation or sick leave on an average day
TARGET_SL = 0.70             # the plan aims a little under the 80 % goal: WFM plans are never generous
PEAK_TARGET_SL = 0.60        # and thinner at the peaks, where the service level dips
RING_S = 3.0                 # mean ring time before an answer, part of the handle time the PBX sees


@dataclass(frozen=True)
class Template:
    """A recurring shift: starts at ``start_h`` local time for ``hours``; worked ``on`` days of every ``cycle``."""

    start_h: int
    hours: int
    cycle: int
    on: int

    @property
    def duty(self) -> float:
        """Share of days worked."""
        return self.on / self.cycle

    def works(self, day_ordinal: int, offset: int) -> bool:
        """Whether an operator on this template with rotation ``offset`` works on that day."""
        return (day_ordinal + offset) % self.cycle < self.on


def template(start_h: int, hours: int) -> Template:
    """12 h shifts rotate two days on, two off; shorter ones five on, two off."""
    return Template(start_h, hours, 4, 2) if hours == 12 else Template(start_h, hours, 7, 5)


def cover(required: list[int]) -> Counter[tuple[int, int]]:
    """Shifts per (start hour, hours) whose coverage meets ``required[h]`` for every local hour (greedy).

    A 20:00 night shift covers the small hours; each later shortfall gets, one shift at a time, the length
    (12 h in the morning, 8 h, or a part-time 6 h / 4 h shift for the peaks) that overshoots the need least.
    """
    cov = [0] * 24
    out: Counter[tuple[int, int]] = Counter()

    def add(start: int, hours: int, n: int) -> None:
        out[(start, hours)] += n
        for i in range(hours):
            cov[(start + i) % 24] += n

    def overshoot(start: int, hours: int) -> int:
        return sum(cov[(start + i) % 24] >= required[(start + i) % 24] for i in range(hours))

    night = max(required[0:7])
    if night:
        add(20, 12, night)
    for h in range(7, 24):
        lengths = (12, 8, 4) if 8 <= h <= 11 else ((8, 6, 4) if h >= 14 else (8, 4))
        while cov[h] < required[h]:
            add(h, min(lengths, key=lambda n: (overshoot(h, n), -n)), 1)
    return out


def phone_required(queue: str, scale: float, wrapup_s: float, t_s: float) -> list[int]:
    """Operators to schedule per local hour on ``queue`` (Erlang C for the target service level, plus breaks)."""
    share = profile.queue_shares()[queue] * profile.PHONE_SHARE
    aht = profile.talk_mean_by_queue()[queue] + wrapup_s + RING_S
    out = []
    for h in range(24):
        rate = profile.CONTACTS_PER_DAY * scale * share * profile.intensity(h + 0.5) / 86400
        target = PEAK_TARGET_SL if profile.intensity(h + 0.5) > 1.5 else TARGET_SL
        out.append(math.ceil(agents_needed(rate, aht, target, t_s) / (1 - BREAK_SHRINKAGE)))
    return out


def desk_required(desk: str, scale: float, target_s: float) -> list[int]:
    """Digital operators to schedule per local hour on a desk (mail: daytime only, clearing the day's volume)."""
    conc = profile.DESK_CONCURRENCY[desk]
    handle = profile.DESK_HANDLE_S[desk] + sum(profile.DESK_THINK_S[desk]) / 2   # a slot is held from pick-up
    daily = profile.CONTACTS_PER_DAY * scale * (1 - profile.PHONE_SHARE) * profile.desk_shares()[desk]
    if target_s >= 6 * 3600:
        n = math.ceil(daily * handle / 3600 / 12 / 0.85 / conc / (1 - BREAK_SHRINKAGE))
        return [n if 8 <= h < 20 else 0 for h in range(24)]
    wait_t = max(target_s - profile.DESK_THINK_S[desk][1], 10.0)
    out = []
    for h in range(24):
        rate = daily * profile.intensity(h + 0.5) / 86400
        slots = agents_needed(rate, handle, 0.90, wait_t)
        out.append(math.ceil(slots / conc / (1 - BREAK_SHRINKAGE)))
    return out


def backoffice_required(scale: float) -> list[int]:
    """The small back office works 08:00-20:00."""
    n = max(2, math.ceil(12 * scale))
    return [n if 8 <= h < 20 else 0 for h in range(24)]


def pool_size(shifts: Counter[tuple[int, int]]) -> int:
    """Operators needed to staff these daily shifts through rotation days off and leave."""
    return math.ceil(sum(n / template(s, h).duty for (s, h), n in shifts.items()) / (1 - LEAVE_SHARE))
