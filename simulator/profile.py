"""The demand model: daily arrival profile in local time, contact mixes and handling-time parameters."""

from __future__ import annotations

import bisect
import math

CONTACTS_PER_DAY = 150_000          # at scale 1.0
PHONE_SHARE = 0.70
QUEUES = ("general", "cabinet", "technical", "documents")
CHANNELS = ("chat", "telegram", "vk", "cabinet_msg", "email", "app")

# Relative contacts per local hour 00..23: peaks 09-12 and 18-21, a quiet night (callers span Russia's zones).
HOURLY = (1.6, 1.0, 0.7, 0.6, 0.6, 0.8, 1.4, 2.8, 4.8, 7.2, 7.9, 7.6,
          6.2, 5.6, 5.4, 5.3, 5.3, 5.7, 6.9, 7.4, 7.0, 5.0, 3.3, 2.2)
_MEAN_HOURLY = sum(HOURLY) / 24
# Monday..Sunday, mean 1.
_WEEKDAY_RAW = (1.06, 1.03, 1.01, 1.0, 0.98, 0.94, 0.92)
WEEKDAY = tuple(w * 7 / sum(_WEEKDAY_RAW) for w in _WEEKDAY_RAW)

CATEGORY_MIX = {"technical": 0.42, "forms": 0.35, "status": 0.23}
QUEUE_BY_CATEGORY = {
    "technical": {"technical": 0.70, "cabinet": 0.25, "general": 0.05},
    "forms": {"documents": 0.75, "general": 0.15, "cabinet": 0.10},
    "status": {"general": 0.80, "documents": 0.15, "cabinet": 0.05},
}
CHANNEL_MIX = {"chat": 0.35, "telegram": 0.15, "vk": 0.08, "cabinet_msg": 0.17, "email": 0.12, "app": 0.13}
# Digital desks: which channels one team of digital operators answers, and how many at once.
DESKS = {"chat": ("chat",), "messengers": ("telegram", "vk", "cabinet_msg"), "mail": ("email", "app")}
DESK_CONCURRENCY = {"chat": 3, "messengers": 2, "mail": 1}
# Seconds an operator spends on one digital contact (while holding one of its concurrent slots).
DESK_HANDLE_S = {"chat": 420.0, "messengers": 300.0, "mail": 240.0}
# Seconds from picking a contact to the first answer.
DESK_THINK_S = {"chat": (15.0, 40.0), "messengers": (30.0, 150.0), "mail": (60.0, 200.0)}

TALK_MEAN_S = {"technical": 330.0, "forms": 380.0, "status": 170.0}
TALK_SIGMA = 0.55
REPEAT_WINDOW_S = 48 * 3600
REPEAT_SHARE = 0.75                  # share of status questions that follow the citizen's own earlier contact


def intensity(local_hour: float) -> float:
    """Relative arrival intensity at a fractional local hour (mean 1 over the day), linear between hour middles."""
    x = (local_hour - 0.5) % 24
    i = int(x)
    frac = x - i
    return (HOURLY[i] * (1 - frac) + HOURLY[(i + 1) % 24] * frac) / _MEAN_HOURLY


def contacts_per_s(scale: float, local_hour: float, weekday: int) -> float:
    """Expected contacts per second (all channels) at this local time."""
    return CONTACTS_PER_DAY * scale * WEEKDAY[weekday] * intensity(local_hour) / 86400


def queue_shares() -> dict[str, float]:
    """Share of phone calls per queue implied by the category mix."""
    out = dict.fromkeys(QUEUES, 0.0)
    for cat, share in CATEGORY_MIX.items():
        for queue, part in QUEUE_BY_CATEGORY[cat].items():
            out[queue] += share * part
    return out


def talk_mean_by_queue() -> dict[str, float]:
    """Mean talk seconds per queue, weighted by the categories it receives."""
    num = dict.fromkeys(QUEUES, 0.0)
    den = dict.fromkeys(QUEUES, 0.0)
    for cat, share in CATEGORY_MIX.items():
        for queue, part in QUEUE_BY_CATEGORY[cat].items():
            num[queue] += share * part * TALK_MEAN_S[cat]
            den[queue] += share * part
    return {q: num[q] / den[q] for q in QUEUES}


def desk_of(channel: str) -> str:
    """The digital desk that answers ``channel``."""
    return next(desk for desk, channels in DESKS.items() if channel in channels)


def desk_shares() -> dict[str, float]:
    """Share of digital contacts per desk."""
    return {desk: sum(CHANNEL_MIX[c] for c in channels) for desk, channels in DESKS.items()}


class Chooser:
    """Weighted choice by bisection over cumulative weights (faster than random.choices in a hot loop)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, weights: dict) -> None:
        self.items = list(weights)
        self.cum: list[float] = []
        acc = 0.0
        for w in weights.values():
            acc += w
            self.cum.append(acc)
        self.total = acc

    def pick(self, u: float):
        """The item for a uniform ``u`` in [0, 1)."""
        return self.items[min(bisect.bisect_right(self.cum, u * self.total), len(self.items) - 1)]


def phone_pairs() -> dict[tuple[str, str], float]:
    """Weights of (category, queue) pairs of phone calls."""
    return {(cat, q): share * part for cat, share in CATEGORY_MIX.items()
            for q, part in QUEUE_BY_CATEGORY[cat].items()}


def lognormal_params(mean: float, sigma: float) -> tuple[float, float]:
    """(mu, sigma) of a log-normal with the given mean."""
    return math.log(mean) - sigma * sigma / 2, sigma
