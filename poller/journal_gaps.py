"""D21 in the poller: journal rows and answered calls counted per slot, judged as the journal is read.

The calls come from the CRM's phone tickets, read incrementally by id up to the horizon the access journal has
been read to (domain.detectors.gaps). An operator gap is a hit of the operator-day's case; a journal gap is kept
for a day in :attr:`GapWatch.journal_gaps`, where the snapshot's compliance view (and its critical alert) finds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.detectors.config import DetectorConfig
from domain.detectors.days import DayClock
from domain.detectors.gaps import JournalGap, JournalGaps, gap_hit
from domain.detectors.model import AccessEvent, Hit

KEEP_S = 86400.0     # journal gaps are shown (and alerted on) for a day
CALL_BATCH = 20000


@dataclass
class GapWatch:
    """The gap detector's state between cycles: counts, the tickets cursor and the recent journal gaps."""

    source: object                      # SecuritySource (phone_calls)
    config: DetectorConfig
    gaps: JournalGaps = field(default_factory=JournalGaps)
    ticket_cursor: int | None = None    # None: not started (the first read takes the calls since the start)
    journal_gaps: list[JournalGap] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = DayClock(self.config.tz)

    def start(self, since: float) -> None:
        """Watch from ``since`` (the first row the pipeline reads): earlier slots are never judged."""
        self.gaps = JournalGaps(self.gaps.cfg)
        self.gaps.watch_from(since)
        calls, self.ticket_cursor, _ = self.source.phone_calls(since_ts=since, limit=10**7)
        self._count(calls)

    def observe(self, accesses: list[AccessEvent]) -> None:
        """Count the journal rows just read."""
        for a in accesses:
            self.gaps.observe(a.operator_id, a.ts)

    def judge(self, horizon: float, now: float) -> list[Hit]:
        """Read the calls up to ``horizon`` (the journal has been read that far) and judge the due slots."""
        self._read_calls(horizon)
        clock, hits = self.clock, []
        for start in self.gaps.due(horizon):
            journal, operators = self.gaps.judge(start)
            if journal is not None:
                self.journal_gaps.append(journal)
            hits += [gap_hit(g, clock.day(g.start), self.config.pts("D21"), clock.hhmm) for g in operators]
        self.gaps.prune(horizon)
        self.journal_gaps = [g for g in self.journal_gaps if g.end >= now - KEEP_S]
        return hits

    def _read_calls(self, horizon: float) -> None:
        """The calls after the cursor made before ``horizon``; the first later one stops the read (next time)."""
        while True:
            calls, last, full = self.source.phone_calls(after_id=self.ticket_cursor or 0, limit=CALL_BATCH)
            late = next((c[0] for c in calls if c[2] >= horizon), None)
            if late is not None:
                self._count([c for c in calls if c[0] < late])
                self.ticket_cursor = late - 1
                return
            self._count(calls)
            self.ticket_cursor = last
            if not full:
                return

    def _count(self, calls: list[tuple[int, int, float]]) -> None:
        for _tid, operator_id, ts in calls:
            self.gaps.observe_call(operator_id, ts)
