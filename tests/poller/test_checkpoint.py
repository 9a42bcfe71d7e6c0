"""Fast restart: a poller that loads the newest checkpoint and reads only the rows after it shows what a full
rebuild from midnight shows; an unusable checkpoint falls back to that rebuild."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from data_access.appdb import open_app_db
from data_access.checkpoint_repo import CheckpointRepository
from data_access.snapshot_store import InMemorySnapshotStore
from poller.checkpoint import Checkpointer, CheckpointRejected
from poller.engine import LiveEngine

START = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")).timestamp()
VOLATILE = ("generated_at", "generated_ts", "version", "poller")


@pytest.fixture
def world(tmp_path):
    """Half an hour of the simulated hotline in SQLite, a poller that checkpointed at its end, then a second
    half hour of rows written after the checkpoint."""
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path), pbx_tz="Europe/Moscow", tz="Europe/Moscow")
    backfill(settings, START, START + 1800, scale=0.02, two_cores=False)
    checkpoints = Checkpointer(settings, CheckpointRepository(open_app_db(settings.url("app_db"))), 60)
    first = LiveEngine(settings, InMemorySnapshotStore(), checkpoints=checkpoints)
    first.cycle(START + 1800)
    assert checkpoints.repo.load() is not None  # the first cycle's checkpoint
    backfill(settings, START + 1800, START + 3600, scale=0.02, two_cores=False)
    return settings, checkpoints


def _figures(snapshot: dict) -> dict:
    """Everything a screen shows; of the sources their health (the CRM's rebuild counts the rows it read in its
    own way: 621 there, 879 by the incremental reads that follow a checkpoint)."""
    figures = {k: v for k, v in snapshot.items() if k not in VOLATILE}
    figures["sources"] = {n: (s["ok"], s["error"], s["bad_rows"]) for n, s in snapshot["sources"].items()}
    return figures


def test_a_restart_from_the_checkpoint_shows_the_same_figures_as_a_full_rebuild(world, caplog):
    settings, checkpoints = world
    restarted = LiveEngine(settings, InMemorySnapshotStore(), checkpoints=checkpoints)
    with caplog.at_level("INFO", logger="hotline.poller"):
        from_checkpoint = restarted.cycle(START + 3600)
    assert "restored the checkpoint taken 1800 s ago" in caplog.text
    rebuilt = LiveEngine(settings, InMemorySnapshotStore()).cycle(START + 3600)
    assert restarted.tel_origin is not None and restarted.status["telephony"].rows_read > 0
    offered = sum(q["offered"] for q in rebuilt["queues"].values())
    assert offered > 50 and sum(q["offered"] for q in from_checkpoint["queues"].values()) == offered
    assert _figures(from_checkpoint) == _figures(rebuilt)
    assert from_checkpoint["sources"]["telephony"]["rows_read"] == rebuilt["sources"]["telephony"]["rows_read"]


def test_a_checkpoint_of_another_day_or_with_a_wrong_signature_is_not_used(world, caplog):
    settings, checkpoints = world
    with pytest.raises(CheckpointRejected, match="another day"):
        checkpoints.load(START + 86400)
    stored = checkpoints.repo.load()
    checkpoints.repo.save(type(stored)(stored.fingerprint, stored.day_start, stored.taken_at, stored.token,
                                       "0" * 64, stored.payload))
    with pytest.raises(CheckpointRejected, match="signature"):
        checkpoints.load(START + 3600)
    engine = LiveEngine(settings, InMemorySnapshotStore(), checkpoints=checkpoints)
    with caplog.at_level("INFO", logger="hotline.poller"):
        rebuilt = engine.cycle(START + 3600)
    assert "the checkpoint was not used: its signature does not match" in caplog.text
    assert sum(q["offered"] for q in rebuilt["queues"].values()) > 50  # rebuilt from midnight instead


def test_a_checkpoint_written_by_other_settings_is_not_used(world):
    from dataclasses import replace

    settings, checkpoints = world
    other = Checkpointer(replace(settings, sl_threshold_s=30), checkpoints.repo, 60)
    with pytest.raises(CheckpointRejected, match="other code or settings"):
        other.load(START + 3600)
