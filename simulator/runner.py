"""Running the simulator: back-fill a range, catch up from where the last run stopped, then play live.

Public API: :func:`add_arguments`, :func:`run`, :func:`backfill`, :func:`start_background`.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from dataclasses import replace
from typing import Callable

from domain.clock import day_start, iso_utc, parse_iso
from settings import Settings
from simulator import population, profile, state
from simulator.engine import HotlineSimulator
from simulator.events import Batch
from simulator.split import PopulationJob, SplitWriter
from simulator.world import SimConfig
from simulator.writer import Writer

log = logging.getLogger("hotline.simulator")
CHUNK_S = 600.0              # back-fill in steps of 10 simulated minutes
LIVE_TICK_S = 1.0
CHECKPOINT_EVERY_S = 60.0
MAX_RESUME_GAP_S = 2 * 86400
RETRY_S = 5.0
TWO_CORES_CONTACTS = 20_000
Progress = Callable[[float, dict[str, int]], None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulator's command-line options."""
    parser.add_argument("--days", type=float, default=0.0, help="back-fill this many past days ending now")
    parser.add_argument("--today", action="store_true", help="back-fill from today's local midnight to now")
    parser.add_argument("--live", action=argparse.BooleanOptionalAction, default=True,
                        help="keep playing in real time after the back-fill (default: live)")
    parser.add_argument("--speed", type=float, default=None, help="live speed-up factor (default: settings)")
    parser.add_argument("--scale", type=float, default=None, help="1.0 = about 150,000 contacts a day")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: settings)")
    parser.add_argument("--start", default=None, help="back-fill an exact range from this ISO time (no live)")
    parser.add_argument("--end", default=None, help="end of the exact range (ISO time; default now)")


def config(settings: Settings, scale: float | None = None) -> SimConfig:
    """The simulation parameters from the settings."""
    return SimConfig(seed=settings.sim_seed, scale=settings.sim_scale if scale is None else scale,
                     tz=settings.tz, pbx_tz=settings.pbx_tz, wrapup_s=settings.wrapup_s,
                     sl_threshold_s=settings.sl_threshold_s, down_after_checks=settings.service_down_after_checks,
                     targets={c.name: c.target_s for c in settings.channels()})


def prepare(writer: Writer, settings: Settings, cfg: SimConfig,
            origin: float) -> tuple[population.Population, PopulationJob | None]:
    """The population: read back, or built when the CRM has no operators yet (then also the job that writes it)."""
    if writer.population_exists():
        return writer.load_population(cfg.seed), None
    labels = {q.name: q.label_ru for q in settings.queues()}
    job = (cfg.seed, cfg.scale, origin, labels, cfg.targets, cfg.wrapup_s, cfg.sl_threshold_s)
    return population.build(*job)[0], job


def write_population(writer: Writer, job: PopulationJob | None) -> dict[str, int]:
    """Write a freshly built population (nothing when it was read back)."""
    return writer.write_population(population.build(*job)[1]) if job is not None else {}


def backfill(settings: Settings, start_ts: float, end_ts: float, scale: float | None = None, *,
             progress: Progress | None = None, two_cores: bool | None = None,
             cfg: SimConfig | None = None) -> dict[str, int]:
    """Simulate [start_ts, end_ts) into the databases; rows written per table. Deterministic for seed/scale/range.

    Large ranges write the ticketing database from a second process (``two_cores``; default: when the range holds
    more than TWO_CORES_CONTACTS contacts). ``cfg`` overrides the parameters taken from the settings (tests).
    """
    cfg = cfg or config(settings, scale)
    if two_cores is None:
        two_cores = profile.CONTACTS_PER_DAY * cfg.scale * (end_ts - start_ts) / 86400 >= TWO_CORES_CONTACTS
    writer = Writer(settings)
    try:
        pop, job = prepare(writer, settings, cfg, start_ts)
        sim = HotlineSimulator(cfg, pop, start_ts, *writer.next_ids())
        if not two_cores:
            counts = write_population(writer, job)
            return _merge(counts, Session(settings, writer, sim, persist=False).fill(end_ts, progress=progress))
        split = SplitWriter(settings, writer, job)
        try:
            counts = Session(settings, split, sim, persist=False).fill(end_ts, progress=progress)
        finally:
            tail = split.close()
        return _merge(counts, tail)
    finally:
        writer.close()


class Session:
    """A simulator bound to a writer: advances, writes (retrying failed batches in order) and saves its place."""

    def __init__(self, settings: Settings, writer: "Writer | SplitWriter", sim: HotlineSimulator,
                 persist: bool) -> None:
        self.settings = settings
        self.writer = writer
        self.sim = sim
        self.persist = persist
        self.pending: list[Batch] = []
        self.written_until = sim.now
        self.checkpoint_at = 0.0

    def step(self, until: float) -> dict[str, int]:
        """Advance to ``until`` and write; a failed write is logged and retried on the next step."""
        self.pending.append(self.sim.advance_to(until))
        counts: dict[str, int] = {}
        while self.pending:
            batch = self.pending[0]
            try:
                _merge(counts, self.writer.write(batch))
            except Exception as exc:  # noqa: BLE001 - the simulator must survive a busy or missing database
                log.warning("simulator write failed (%s); %d batch(es) kept for retry", exc, len(self.pending))
                return counts
            self.pending.pop(0)
            self.written_until = batch.until or self.written_until
        self.save()
        return counts

    def fill(self, end: float, stop: threading.Event | None = None, progress: Progress | None = None) -> dict:
        """Back-fill up to ``end`` in CHUNK_S steps."""
        counts: dict[str, int] = {}
        while self.sim.now < end and not (stop and stop.is_set()):
            _merge(counts, self.step(min(self.sim.now + CHUNK_S, end)))
            if progress:
                progress(self.sim.now, counts)
        return counts

    def live(self, stop: threading.Event, speed: float, progress: Progress | None = None) -> None:
        """Follow the wall clock (times ``speed``) until ``stop`` is set."""
        wall0, sim0 = time.time(), self.sim.now
        counts: dict[str, int] = {}
        while not stop.is_set():
            try:
                _merge(counts, self.step(sim0 + (time.time() - wall0) * speed))
                if progress:
                    progress(self.sim.now, counts)
            except Exception:  # noqa: BLE001 - a live simulator logs and carries on
                log.exception("simulator step failed")
            stop.wait(LIVE_TICK_S)
        self.save(force=True)

    def save(self, force: bool = False) -> None:
        """Record how far the databases are written (and, every minute or when forced, a checkpoint)."""
        if not self.persist:
            return
        data_dir = self.settings.data_dir
        cfg = self.sim.cfg
        if not self.pending and (force or time.monotonic() - self.checkpoint_at >= CHECKPOINT_EVERY_S):
            state.save_checkpoint(data_dir, self.sim)
            self.checkpoint_at = time.monotonic()
        state.save_state(data_dir, seed=cfg.seed, scale=cfg.scale, written_until=self.written_until)


def open_session(settings: Settings, cfg: SimConfig, now: float, start: float | None = None) -> Session:
    """A persistent session: resumed from the last checkpoint, or fresh from ``start`` (default: today's local
    midnight); a fresh start never goes back before the newest row already written."""
    writer = Writer(settings)
    origin = day_start(now, settings.tz) if start is None else start
    pop, job = prepare(writer, settings, cfg, origin)
    write_population(writer, job)
    if start is None and job is None:
        resumed = _resume(settings, writer, cfg, now)
        if resumed is not None:
            return resumed
    last = writer.last_pbx_ts()
    if last is not None and last >= origin:
        log.info("the databases already hold rows up to %s: the simulation starts after them", iso_utc(last))
        origin = last + 1.0
    sim = HotlineSimulator(cfg, pop, origin, *writer.next_ids())
    return Session(settings, writer, sim, persist=True)


def _resume(settings: Settings, writer: Writer, cfg: SimConfig, now: float) -> Session | None:
    saved = state.load_state(settings.data_dir)
    if not saved or saved.get("seed") != cfg.seed or saved.get("scale") != cfg.scale:
        return None
    until = float(saved.get("written_until", 0))
    if now - until > MAX_RESUME_GAP_S:
        return None
    sim = state.load_checkpoint(settings.data_dir)
    if not isinstance(sim, HotlineSimulator) or sim.cfg != cfg or sim.now > until:
        return None
    sim.advance_to(until)      # replays what was already written after the checkpoint; the rows are dropped
    log.info("simulator resumed at %s", iso_utc(until))
    return Session(settings, writer, sim, persist=True)


def start_background(settings: Settings, stop: threading.Event) -> threading.Thread:
    """For `make run`: catch up from today's midnight (or the last stop) to now, then play live until ``stop``."""
    thread = threading.Thread(target=_serve, args=(settings, stop), name="simulator", daemon=True)
    thread.start()
    return thread


def _serve(settings: Settings, stop: threading.Event) -> None:
    session = None
    while session is None and not stop.is_set():
        try:
            session = open_session(settings, config(settings), time.time())
        except Exception:  # noqa: BLE001 - e.g. the database folder is not writable yet
            log.exception("simulator could not start; retrying in %.0f s", RETRY_S)
            stop.wait(RETRY_S)
    if session is None:
        return
    try:
        session.fill(time.time(), stop=stop)
        session.live(stop, settings.sim_speed)
    finally:
        session.writer.close()


def run(settings: Settings, args: argparse.Namespace) -> int:
    """The command line: back-fill (an exact range, some days, or today) and then play live unless --no-live."""
    settings = replace(settings, **{k: v for k, v in (("sim_seed", args.seed), ("sim_speed", args.speed),
                                                      ("sim_scale", args.scale)) if v is not None})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    now = time.time()
    if args.start:
        end = parse_iso(args.end).timestamp() if args.end else now
        counts = backfill(settings, parse_iso(args.start).timestamp(), end, progress=_printer())
        print("done:", _fmt(counts), flush=True)
        return 0
    start = now - args.days * 86400 if args.days else (day_start(now, settings.tz) if args.today else None)
    session = open_session(settings, config(settings), now, start)
    try:
        session.fill(time.time(), progress=_printer())
        print(f"caught up at {iso_utc(session.sim.now)}", flush=True)
        if args.live:
            stop = threading.Event()
            try:
                session.live(stop, settings.sim_speed, progress=_printer(every_s=60.0))
            except KeyboardInterrupt:
                stop.set()
                session.save(force=True)
    finally:
        session.writer.close()
    return 0


def _printer(every_s: float = 3600.0) -> Progress:
    """Prints the rows written so far once per ``every_s`` of simulated time."""
    last = [0.0]

    def show(ts: float, counts: dict[str, int]) -> None:
        if ts - last[0] >= every_s:
            last[0] = ts
            print(f"{iso_utc(ts)} {_fmt(counts)}", flush=True)
    return show


def _fmt(counts: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items()))


def _merge(into: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value
    return into


