"""Contacts arriving: a non-homogeneous Poisson process following the local daily profile, plus outage floods."""

from __future__ import annotations

import bisect
from array import array
from typing import TYPE_CHECKING

from simulator import profile
from simulator.world import World

if TYPE_CHECKING:
    from simulator.digital import Desks
    from simulator.pbx import Pbx
    from simulator.portal import Portal

TICK_S = 60.0
REPEAT_MEAN_AGE_S = 12 * 3600
SURGE_HOURS = (18, 21)
SURGE_FACTOR = 1.6


class Arrivals:
    """Generates every contact of the hotline, minute by minute."""

    def __init__(self, world: World, pbx: "Pbx", desks: "Desks", portal: "Portal") -> None:
        self.w = world
        self.pbx = pbx
        self.desks = desks
        self.portal = portal
        self.pairs = profile.Chooser(profile.phone_pairs())
        self.channels = profile.Chooser(profile.CHANNEL_MIX)
        self.categories = profile.Chooser(profile.CATEGORY_MIX)
        self.queue_share = profile.queue_shares()
        # Citizens' recent non-status contacts (time, citizen index), oldest first: status questions follow them.
        self.recent_ts = array("d")
        self.recent_who = array("l")
        self.head = 0

    def start(self) -> None:
        """Begin generating at the current time."""
        self.tick()

    def tick(self) -> None:
        """Schedule the next minute's arrivals."""
        w, now = self.w, self.w.now
        rate = profile.contacts_per_s(w.cfg.scale, w.local.hour(now + TICK_S / 2), w.local.date(now).weekday())
        phone = rate * profile.PHONE_SHARE
        self._stream(now, phone * self._surge(now), self._call)
        self._stream(now, rate - phone, self._message)
        for queue, extra in self.portal.floods(now):
            self._stream(now, phone * self.queue_share.get(queue, 0.0) * extra, self._outage_call, queue)
        w.loop.at(now + TICK_S, self.tick)

    def _surge(self, now: float) -> float:
        """The calls' multiplier of a surge evening (SimConfig.surge_every_days), else 1."""
        every, local = self.w.cfg.surge_every_days, self.w.local
        if not every or local.date(now).toordinal() % every:
            return 1.0
        return SURGE_FACTOR if SURGE_HOURS[0] <= local.hour(now) < SURGE_HOURS[1] else 1.0

    def _stream(self, start: float, rate: float, fn, *args) -> None:
        if rate <= 0:
            return
        w = self.w
        t = start + w.rng.expovariate(rate)
        while t < start + TICK_S:
            w.loop.at(t, fn, *args)
            t += w.rng.expovariate(rate)

    def _call(self) -> None:
        category, queue = self.pairs.pick(self.w.rng.random())
        self.pbx.enter(queue, category, self.citizen(category))

    def _outage_call(self, queue: str) -> None:
        self.pbx.enter(queue, "technical", self.citizen("technical"))

    def _message(self) -> None:
        rng = self.w.rng
        channel = self.channels.pick(rng.random())
        category = self.categories.pick(rng.random())
        self.desks.arrive(channel, category, self.citizen(category))

    def citizen(self, category: str) -> int:
        """Who contacts: status questions mostly come from citizens who contacted in the last 48 h."""
        w, now = self.w, self.w.now
        rng = w.rng
        self._forget(now - profile.REPEAT_WINDOW_S)
        if category == "status" and len(self.recent_ts) > self.head and rng.random() < profile.REPEAT_SHARE:
            age = min(rng.expovariate(1 / REPEAT_MEAN_AGE_S), profile.REPEAT_WINDOW_S)
            # Older than every contact known (the simulation's first hours): a new caller, not the very first
            # contact over and over (which gave one citizen thousands of tickets).
            if now - age >= self.recent_ts[self.head]:
                i = bisect.bisect_left(self.recent_ts, now - age, self.head)
                return self.recent_who[min(i, len(self.recent_who) - 1)]
        who = int(rng.random() * len(w.pop.citizen_ids))
        for _ in range(5):  # the hotline's own employees seldom call it: re-draw (an operator never gets own call)
            if w.pop.citizen_ids[who] not in w.pop.employee_of:
                break
            who = int(rng.random() * len(w.pop.citizen_ids))
        if category != "status":
            self.recent_ts.append(now)
            self.recent_who.append(who)
        return who

    def _forget(self, before: float) -> None:
        ts = self.recent_ts
        while self.head < len(ts) and ts[self.head] < before:
            self.head += 1
        if self.head > 50_000 and self.head * 2 > len(ts):
            del ts[: self.head]
            del self.recent_who[: self.head]
            self.head = 0
