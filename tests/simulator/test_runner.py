"""The runner: command line, back-fill determinism, population reuse, two-core writing, live play and resume."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from simulator import runner, state
from simulator.events import Batch
from tests.simulator.conftest import DAY0, backfill_run, make_settings

HOUR = 3600.0


def _dump(path: Path) -> dict[str, list]:
    out = {}
    for db, tables in (("telephony.db", ("queue_log",)),
                       ("crm.db", ("tickets", "ticket_status_history", "pd_access_log", "sign_in_events",
                                   "citizens", "operators", "shifts", "surveys", "incidents"))):
        with sqlite3.connect(path / db) as conn:
            for table in tables:
                out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    return out


def test_arguments():
    parser = argparse.ArgumentParser()
    runner.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.days, args.today, args.live, args.speed, args.scale, args.seed, args.start, args.end) == \
        (0.0, False, True, None, None, None, None, None)
    args = parser.parse_args(["--days", "1.5", "--no-live", "--speed", "10", "--scale", "0.2", "--seed", "3",
                              "--start", "2025-11-26T00:00:00Z", "--end", "2025-11-26T01:00:00Z", "--today"])
    assert (args.days, args.live, args.speed, args.scale, args.seed, args.today) == (1.5, False, 10.0, 0.2, 3, True)


def test_backfill_is_deterministic(tmp_path):
    a = backfill_run(tmp_path / "a", DAY0 + 9 * HOUR, DAY0 + 11 * HOUR, 0.01)
    b = backfill_run(tmp_path / "b", DAY0 + 9 * HOUR, DAY0 + 11 * HOUR, 0.01)
    assert a.counts == b.counts and a.counts["queue_log"] > 100
    assert _dump(tmp_path / "a") == _dump(tmp_path / "b")


def test_two_cores_write_the_same_rows(tmp_path):
    settings = make_settings(tmp_path / "split")
    counts = runner.backfill(settings, DAY0 + 9 * HOUR, DAY0 + 11 * HOUR, 0.01, two_cores=True)
    serial = backfill_run(tmp_path / "serial", DAY0 + 9 * HOUR, DAY0 + 11 * HOUR, 0.01)
    assert counts == serial.counts
    assert _dump(tmp_path / "split") == _dump(tmp_path / "serial")


def test_population_is_written_once_and_reused(tmp_path):
    first = backfill_run(tmp_path, DAY0, DAY0 + HOUR, 0.01)
    second = backfill_run(tmp_path, DAY0 + HOUR, DAY0 + 2 * HOUR, 0.01)
    assert first.counts["operators"] > 50 and first.counts["citizens"] >= 2000
    assert "operators" not in second.counts and "citizens" not in second.counts
    ids = [r["id"] for r in second.query("ticketing", "SELECT id FROM tickets ORDER BY id")]
    assert ids == list(range(1, len(ids) + 1)), "ticket ids continue after the first run's"
    shifts = second.query("ticketing", "SELECT operator_id, starts_at, COUNT(*) n FROM shifts "
                                       "GROUP BY operator_id, starts_at HAVING n > 1")
    assert not shifts


def test_databases_use_wal(day_run):
    for name in ("telephony.db", "crm.db"):
        with sqlite3.connect(Path(day_run.settings.data_dir) / name) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_run_backfills_an_exact_range(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    runner.add_arguments(parser)
    args = parser.parse_args(["--start", "2025-11-26T06:00:00Z", "--end", "2025-11-26T08:00:00Z", "--scale", "0.01"])
    assert runner.run(make_settings(tmp_path), args) == 0
    out = capsys.readouterr().out
    assert "queue_log=" in out and "tickets=" in out and "done:" in out


class FlakyWriter:
    """Fails its first write, then records batches."""

    def __init__(self) -> None:
        self.calls = 0
        self.written: list[Batch] = []

    def write(self, batch: Batch) -> dict[str, int]:
        self.calls += 1
        if self.calls == 1:
            raise OSError("database is locked")
        self.written.append(batch)
        return batch.counts()


def test_a_failed_write_is_retried_in_order(tmp_path):
    settings = make_settings(tmp_path)
    real = runner.Writer(settings)
    try:
        cfg = runner.config(settings, 0.01)
        pop, _ = runner.prepare(real, settings, cfg, DAY0)
    finally:
        real.close()
    sim = runner.HotlineSimulator(cfg, pop, DAY0 + 10 * HOUR)
    session = runner.Session(settings, FlakyWriter(), sim, persist=False)
    assert session.step(DAY0 + 10 * HOUR + 600) == {}
    assert len(session.pending) == 1
    counts = session.step(DAY0 + 10 * HOUR + 1200)
    assert not session.pending and len(session.writer.written) == 2
    assert session.writer.written[0].until < session.writer.written[1].until
    assert counts["queue_log"] > 0


def _wait_for(predicate, timeout: float = 45.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


@pytest.mark.slow
def test_background_plays_live_and_resumes(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="hotline.simulator")
    settings = make_settings(tmp_path, sim_scale=0.01, sim_speed=600.0)
    state_path = tmp_path / state.STATE_FILE

    def caught_up() -> bool:
        return state_path.exists() and json.loads(state_path.read_text())["written_until"] > time.time() - 5

    stop = threading.Event()
    thread = runner.start_background(settings, stop)
    _wait_for(caught_up)
    time.sleep(1.5)
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert (tmp_path / state.CHECKPOINT_FILE).exists()
    first_until = json.loads(state_path.read_text())["written_until"]
    with sqlite3.connect(tmp_path / "telephony.db") as conn:
        first_rows = conn.execute("SELECT COUNT(*) FROM queue_log").fetchone()[0]
    assert first_rows > 0

    stop = threading.Event()
    thread = runner.start_background(settings, stop)
    _wait_for(lambda: json.loads(state_path.read_text())["written_until"] > first_until + 1800)
    stop.set()
    thread.join(timeout=30)
    with sqlite3.connect(tmp_path / "telephony.db") as conn:
        dupes = conn.execute("SELECT callid, COUNT(*) n FROM queue_log WHERE event = 'ENTERQUEUE' "
                             "GROUP BY callid HAVING n > 1").fetchall()
        total = conn.execute("SELECT COUNT(*) FROM queue_log").fetchone()[0]
    assert not dupes and total > first_rows
    assert "simulator resumed" in caplog.text


@pytest.mark.parametrize("text", ["2025-11-26T00:00:00Z", "2025-11-26T03:00:00+03:00", "2025-11-26 00:00:00"])
def test_the_start_and_end_options_read_iso_times_with_or_without_a_zone(text):
    from domain.clock import parse_iso

    assert parse_iso(text).timestamp() == DAY0 + 3 * HOUR


def test_a_checkpoint_continues_exactly(tmp_path):
    """Pickling the simulation and advancing the copy gives the same rows as advancing the original."""
    settings = make_settings(tmp_path)
    writer = runner.Writer(settings)
    try:
        cfg = runner.config(settings, 0.01)
        pop, _ = runner.prepare(writer, settings, cfg, DAY0)
    finally:
        writer.close()
    sim = runner.HotlineSimulator(cfg, pop, DAY0 + 9 * HOUR)
    sim.advance_to(DAY0 + 10 * HOUR)
    state.save_checkpoint(str(tmp_path), sim)
    copy = state.load_checkpoint(str(tmp_path))
    assert copy.advance_to(DAY0 + 11 * HOUR).rows == sim.advance_to(DAY0 + 11 * HOUR).rows
