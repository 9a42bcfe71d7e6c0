"""Synthetic interval history: deterministic rows for tests, browser tests and benches of the SLA report.

Not the simulator's event stream (that is played into the sources and rebuilt by the history core): these are
ready-made :class:`domain.history.IntervalCounts`, :class:`ChannelInterval` and :class:`OperatorDay` rows with
realistic wait histograms, written straight into the app database through ``HistoryRepository``, so a test or a
bench has a month of full-scale history in seconds. The shape follows the simulator's demand model: peaks 09-12
and 18-21 local time, a quieter weekend, a bad evening now and then (too few operators, long waits, callers
turned away).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator
from zoneinfo import ZoneInfo

from domain import erlang
from domain.history import INTERVAL_S, ChannelInterval, IntervalCounts, OperatorDay, response_bucket, wait_bucket
from simulator.profile import HOURLY, PHONE_SHARE, QUEUES, WEEKDAY

CALLS_PER_DAY = 108_000           # phone calls a day at scale 1.0, over the four lines
QUEUE_SHARE = {"general": 0.27, "cabinet": 0.22, "technical": 0.33, "documents": 0.18}
CHANNEL_TARGETS = {"chat": 60, "telegram": 900, "vk": 900, "cabinet_msg": 900, "email": 86400, "app": 86400}
CHANNEL_SHARE = {"chat": 0.35, "telegram": 0.15, "vk": 0.08, "cabinet_msg": 0.17, "email": 0.12, "app": 0.13}
TALK_S = 190.0
WRAPUP_S = 15.0
PAUSE_REASONS = ("Обед", "Перерыв", "Обучение")


@dataclass(frozen=True)
class Shape:
    """How one synthetic hotline behaves: its scale, seed, and which local days have a bad evening."""

    scale: float = 0.05
    seed: int = 7
    bad_every_days: int = 6      # every n-th day has an understaffed evening (18:00-21:00)
    operators_per_queue: int = 12


def intervals(start: float, end: float, tz: str, shape: Shape = Shape()) -> Iterator[IntervalCounts]:
    """Queue intervals of every line starting in [start, end)."""
    rng = random.Random(shape.seed)
    first = int(start - start % INTERVAL_S)
    for ts in range(first, int(end), INTERVAL_S):
        local = datetime.fromtimestamp(ts, ZoneInfo(tz))
        load = HOURLY[local.hour] / (sum(HOURLY) / 24) * WEEKDAY[local.weekday()]
        bad = local.toordinal() % shape.bad_every_days == 0 and 18 <= local.hour < 21
        for queue in QUEUES:
            mean = CALLS_PER_DAY * shape.scale * QUEUE_SHARE[queue] / 96 * load
            yield _interval(rng, queue, ts, max(int(rng.gauss(mean, mean ** 0.5 + 0.5)), 0), bad)


def _interval(rng: random.Random, queue: str, ts: int, offered: int, bad: bool) -> IntervalCounts:
    fast, tail = (0.45, 120.0) if bad else (0.9, 35.0)
    answer: dict[int, int] = {}
    abandon: dict[int, int] = {}
    hold = talk = 0.0
    for _ in range(offered):
        wait = rng.uniform(0, 18) if rng.random() < fast else 18 + rng.expovariate(1 / tail)
        if rng.random() < (0.18 if bad else 0.04):
            key = wait_bucket(min(wait, rng.expovariate(1 / 40)))
            abandon[key] = abandon.get(key, 0) + 1
        else:
            key = wait_bucket(wait)
            answer[key] = answer.get(key, 0) + 1
            hold += key
            talk += rng.lognormvariate(5.1, 0.5)
    answered, abandoned = sum(answer.values()), sum(abandon.values())
    short = sum(n for s, n in abandon.items() if s < 5)
    counts = {"offered": offered, "answered": answered, "abandoned": abandoned, "handled": answered,
              "hold_sum": hold, "talk_sum": round(talk), "short_abandoned": short,
              "blocked": int(offered * 0.12) if bad else 0, "timed_out": 1 if bad and offered > 20 else 0}
    busy = talk + WRAPUP_S * answered
    # Logged in: what Erlang C says the calls needed (80 % in 20 s), a few more on a normal day, a third fewer
    # on a bad evening; never less than the time the calls kept operators busy.
    aht = busy / answered if answered else TALK_S + WRAPUP_S
    needed = erlang.staffing(offered, INTERVAL_S, aht, 0.8, 20).agents
    staffed = max(needed * (0.65 if bad else rng.uniform(0.95, 1.15)) * INTERVAL_S, busy / 0.97, INTERVAL_S * 1.0)
    paused = staffed * 0.08
    longest = max((s for h in (answer, abandon) for s in h), default=0)
    return IntervalCounts(queue, ts, counts, answer, abandon, float(longest),
                          {"staffed_s": staffed + paused, "available_s": max(staffed - busy, 0.0), "busy_s": busy,
                           "paused_s": paused},
                          {PAUSE_REASONS[0]: paused * 0.6, PAUSE_REASONS[1]: paused * 0.4})


def channel_intervals(start: float, end: float, tz: str, shape: Shape = Shape()) -> Iterator[ChannelInterval]:
    """Digital-channel intervals starting in [start, end): created, first responses with their waits, resolved."""
    rng = random.Random(shape.seed + 1)
    digital_per_day = CALLS_PER_DAY / PHONE_SHARE * (1 - PHONE_SHARE) * shape.scale
    first = int(start - start % INTERVAL_S)
    for ts in range(first, int(end), INTERVAL_S):
        local = datetime.fromtimestamp(ts, ZoneInfo(tz))
        load = HOURLY[local.hour] / (sum(HOURLY) / 24) * WEEKDAY[local.weekday()]
        for channel, share in CHANNEL_SHARE.items():
            created = max(int(rng.gauss(digital_per_day * share / 96 * load, 1.0)), 0)
            yield _channel(rng, channel, ts, created)


def _channel(rng: random.Random, channel: str, ts: int, created: int) -> ChannelInterval:
    target = CHANNEL_TARGETS[channel]
    waits: dict[int, int] = {}
    total = 0.0
    for _ in range(created):
        wait = rng.expovariate(1 / (target * 0.45))
        total += wait
        key = response_bucket(wait)
        waits[key] = waits.get(key, 0) + 1
    resolved = sum(rng.random() < 0.9 for _ in range(created))
    by_due = sum(rng.random() < 0.95 for _ in range(resolved))
    return ChannelInterval(channel, ts, created=created, responded=created,
                           responded_in_t=sum(n for b, n in waits.items() if 0 <= b <= target), response_sum=total,
                           backlog=rng.randint(0, 3), resolved=resolved, resolved_by_due=by_due,
                           response_waits=waits)


def operator_days(days: list[str], shape: Shape = Shape()) -> Iterator[OperatorDay]:
    """Per operator (queue member names ``general-01``...) and local day: calls, talk, wrap-up, states, pauses."""
    rng = random.Random(shape.seed + 2)
    for day in days:
        for queue in QUEUES:
            for k in range(1, shape.operators_per_queue + 1):
                answered = rng.randint(40, 110)
                talk = answered * rng.uniform(150, 260)
                staffed = rng.uniform(7.5, 8.5) * 3600
                paused = {PAUSE_REASONS[0]: 2700.0, PAUSE_REASONS[1]: rng.uniform(600, 1800)}
                if rng.random() < 0.3:
                    paused[PAUSE_REASONS[2]] = 3600.0
                yield OperatorDay(f"{queue}-{k:02d}", day, answered=answered, handled=answered, talk_s=talk,
                                  wrapup_s=WRAPUP_S * answered, staffed_s=staffed, busy_s=talk + WRAPUP_S * answered,
                                  paused_s=sum(paused.values()), paused_by_reason=paused)
