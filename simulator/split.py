"""Back-filling on two cores: the ticketing database is written by a second process while this one simulates.

The two source databases are separate files, so their writers never wait for each other. The child builds the
population rows itself (the build is deterministic), so only the simulated batches cross the process boundary.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
from typing import Any

from settings import Settings
from simulator import population
from simulator.events import Batch
from simulator.writer import Writer

log = logging.getLogger("hotline.simulator")
# The simulation runs ahead while the child writes the population: room for 16 simulated hours (memory-bound).
QUEUE_BATCHES = 96
PopulationJob = tuple[Any, ...]      # the arguments of population.build


class SplitWriter:
    """Writes the telephony part of each batch here and hands the ticketing part to a child process."""

    def __init__(self, settings: Settings, local: Writer, population_job: PopulationJob | None) -> None:
        ctx = mp.get_context("spawn")    # never fork: the dashboard process runs threads
        self.local = local
        self.inbox = ctx.Queue(maxsize=QUEUE_BATCHES)
        self.outbox = ctx.Queue()
        self.proc = ctx.Process(target=_child, args=(settings, population_job, self.inbox, self.outbox),
                                name="simulator-crm-writer", daemon=True)
        self.proc.start()

    def write(self, batch: Batch) -> dict[str, int]:
        """Telephony rows now, ticketing rows and labels queued; returns what both have written since last time."""
        counts = self.local.write(batch, ("telephony",))
        lean = Batch()
        lean.rows = {k: v for k, v in batch.rows.items() if Writer.database_of(k) == "ticketing"}
        lean.updates, lean.truth, lean.until = batch.updates, batch.truth, batch.until
        lean.done = {"telephony"}
        self._put(lean)
        return self._collect(counts, block=False)

    def close(self) -> dict[str, int]:
        """Wait for the child to finish; the rows it wrote since the last report. Raises what the child raised."""
        self._put(None)
        counts = self._collect({}, block=True)
        self.proc.join()
        return counts

    def _check_alive(self) -> None:
        # A child that died before it could report (e.g. it could not start) must not hang the parent forever.
        if not self.proc.is_alive() and self.outbox.empty():
            raise RuntimeError(f"ticketing writer process exited (code {self.proc.exitcode}) without finishing")

    def _put(self, item: Batch | None) -> None:
        while True:
            try:
                self.inbox.put(item, timeout=1.0)
                return
            except queue.Full:
                self._check_alive()

    def _collect(self, counts: dict[str, int], block: bool) -> dict[str, int]:
        while block or not self.outbox.empty():
            try:
                kind, payload = self.outbox.get(timeout=1.0)
            except queue.Empty:
                self._check_alive()
                continue
            if kind == "rows":
                _add(counts, payload)
            elif kind == "error":
                raise RuntimeError(f"ticketing writer process failed: {payload}")
            else:
                break
        return counts


def _child(settings: Settings, population_job: PopulationJob | None, inbox, outbox) -> None:
    """The second process: population rows first, then every batch in order."""
    writer = Writer(settings)
    try:
        if population_job is not None:
            _, chunks = population.build(*population_job)
            outbox.put(("rows", writer.write_population(chunks)))
        while (batch := inbox.get()) is not None:
            outbox.put(("rows", writer.write(batch, ("ticketing",))))
        outbox.put(("done", None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        outbox.put(("error", repr(exc)))
        while inbox.get() is not None:     # drain, so the parent never blocks on a full queue
            pass
    finally:
        writer.close()


def _add(into: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value
