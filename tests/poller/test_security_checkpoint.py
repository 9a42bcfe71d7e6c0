"""The detectors' checkpoint: a restart resumes from it and reads only the journal rows after it."""

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from data_access.appdb import open_app_db
from data_access.checkpoint_repo import SECURITY_ROW_ID, CheckpointRepository
from data_access.engines import make_engine
from data_access.schema.appdb import access_events, case_hits, cases
from domain.clock import utc_naive
from poller.security import SecurityPipeline
from poller.security_checkpoint import SecurityCheckpointer


class GrowingJournal:
    """The CRM as it stood when its journals ended at access id / sign-in id ``top`` (later rows not written yet)."""

    def __init__(self, source, top: tuple[int, int]):
        self.source, self.top = source, top

    def __getattr__(self, name):
        return getattr(self.source, name)

    def accesses(self, **kw):
        return [a for a in self.source.accesses(**kw) if a.id <= self.top[0]]

    def signins(self, **kw):
        return [s for s in self.source.signins(**kw) if s.id <= self.top[1]]

    def max_ids(self):
        return tuple(min(a, b) for a, b in zip(self.source.max_ids(), self.top, strict=True))


def _tops(settings, *times: float) -> list[tuple[int, int]]:
    """The journals' last ids at each of ``times``."""
    crm = make_engine(settings.url("ticketing"), read_only=True)
    with crm.connect() as conn:
        out = []
        for t in times:
            out.append(tuple(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table} WHERE ts <= :t"),
                                          {"t": str(utc_naive(t))}).scalar()
                             for table in ("pd_access_log", "sign_in_events")))
    return out


def _pipeline(settings, app_db, top, every_s: float | None = 86400.0):
    """A pipeline over the journals up to ``top``, with checkpoints every ``every_s`` (None: none)."""
    checkpoints = None if every_s is None else SecurityCheckpointer(
        settings, CheckpointRepository(app_db, SECURITY_ROW_ID), every_s)
    pipeline = SecurityPipeline(settings, app_db, checkpoints=checkpoints)
    pipeline.source = pipeline.ctx.source = GrowingJournal(pipeline.source, top)
    return pipeline


def _state(app_db):
    """What the detectors stored: every copy's verdict and every hit with its evidence and points."""
    with app_db.connect() as conn:
        verdicts = conn.execute(select(access_events.c.id, access_events.c.explained, access_events.c.reason)
                                .order_by(access_events.c.id)).all()
        hits = conn.execute(select(cases.c.operator_id, cases.c.day, case_hits.c.detector, case_hits.c.scope,
                                   case_hits.c.points, case_hits.c.access_ids, cases.c.score, cases.c.band)
                            .join(cases, cases.c.id == case_hits.c.case_id)
                            .order_by(cases.c.operator_id, cases.c.day, case_hits.c.detector,
                                      case_hits.c.scope)).all()
    return verdicts, hits


@pytest.fixture(scope="module")
def restarted(security_day, tmp_path_factory):
    """Three hours before the day's end a poller judges the journals and writes its checkpoint; it goes on for an
    hour, stops, and a new one starts 10 minutes after the day's end. Beside it, a poller that never stopped."""
    settings, end = security_day
    cut, later = end - 3 * 3600, end - 2 * 3600
    tops = _tops(settings, cut, later, end + 600)
    folder = tmp_path_factory.mktemp("restart")
    app_db = open_app_db(f"sqlite:///{folder}/app.db")
    first = _pipeline(settings, app_db, tops[0])
    assert first.cycle(cut + 5).error is None                 # the checkpoint: journals read up to 13:00
    first.source.top = tops[1]
    assert first.cycle(later + 5).error is None               # an hour more is judged, no checkpoint (not due)
    shutil.copy(f"{folder}/app.db", f"{folder}/replay.db")    # the same app database for a restart without it
    second = _pipeline(settings, app_db, tops[2])
    second.cycle(end + 600)                                   # the rows up to the saved cursors: replayed
    status = second.cycle(end + 610)                          # the rows after them: new
    never = open_app_db(f"sqlite:///{folder}/never.db")
    steady = _pipeline(settings, never, tops[0], every_s=None)
    for top, at in zip(tops + tops[2:], (cut + 5, later + 5, end + 600, end + 610), strict=True):
        steady.source.top = top
        assert steady.cycle(at).error is None
    return settings, app_db, never, folder, status, tops, (cut, end)


def test_a_restart_resumes_from_the_detectors_checkpoint_and_reads_only_the_rows_after_it(restarted):
    settings, app_db, _, _, status, tops, (cut, _) = restarted
    assert status.error is None
    assert status.checkpoint_taken_at == pytest.approx(cut + 5)
    assert tops[0][0] > 1000 and status.rows == (tops[2][0] - tops[0][0]) + (tops[2][1] - tops[0][1])


def test_the_resumed_detectors_store_the_same_verdicts_and_hits_as_a_poller_that_never_stopped(restarted):
    _, app_db, never, _, _, tops, _ = restarted
    verdicts, hits = _state(app_db)
    assert len(verdicts) > 3000 and hits
    assert (verdicts, hits) == _state(never)


def test_a_restart_without_the_checkpoint_replays_the_day_and_stores_no_copy_or_hit_twice(restarted):
    settings, app_db, _, folder, resumed, tops, (_, end) = restarted
    replay_db = open_app_db(f"sqlite:///{folder}/replay.db")
    with replay_db.begin() as conn:
        conn.execute(text("DELETE FROM poller_checkpoint"))
    pipeline = _pipeline(settings, replay_db, tops[2])
    pipeline.cycle(end + 600)
    status = pipeline.cycle(end + 610)
    assert status.error is None and status.checkpoint_taken_at is None
    assert status.rows > 3 * resumed.rows                     # the whole day read again
    with replay_db.connect() as conn:
        copies = conn.execute(select(func.count(), func.count(func.distinct(access_events.c.id)))
                              .select_from(access_events)).one()
        assert copies[0] == copies[1] == len(_state(app_db)[0])
    hits = _state(replay_db)[1]
    assert len(hits) == len({h[:4] for h in hits})            # one hit per operator, day, detector and scope


@pytest.mark.parametrize("spoil, why", [
    ("day", "it holds another day"),
    ("settings", "written by other code or settings"),
    ("signature", "its signature does not match"),
    ("cursors", "it is ahead of the saved journal cursors"),
    ("relabelled", "its signature does not match"),
])
def test_a_checkpoint_that_must_not_be_used_is_refused_with_the_reason_logged(security_day, tmp_path, caplog,
                                                                              spoil, why):
    settings, end = security_day
    top = _tops(settings, end - 3600)[0]
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    assert _pipeline(settings, app_db, top).cycle(end - 3600).error is None
    repo = CheckpointRepository(app_db, SECURITY_ROW_ID)
    stored = repo.load()
    restart_at, later = end, settings
    if spoil == "day":
        restart_at = end + 86400
    elif spoil == "settings":
        later = replace(settings, security_night_day_off_points=31)
    elif spoil == "signature":
        repo.save(replace(stored, payload=stored.payload[:-1] + bytes([stored.payload[-1] ^ 1])))
    elif spoil == "relabelled":   # yesterday's signed checkpoint passed off as today's
        restart_at = end + 86400
        repo.save(replace(stored, day_start=stored.day_start + 86400))
    else:
        with app_db.begin() as conn:
            conn.execute(text("UPDATE poller_cursors SET value = value - 10 WHERE name = 'access'"))
    with caplog.at_level(logging.INFO, logger="hotline.security"):
        status = _pipeline(later, app_db, top).cycle(restart_at)
    assert status.error is None and status.checkpoint_taken_at is None
    assert f"the detectors' checkpoint was not used: {why}" in caplog.text


def test_a_graceful_stop_writes_the_last_checkpoint(security_day, tmp_path):
    settings, end = security_day
    top = _tops(settings, end - 3600)[0]
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    pipeline = _pipeline(settings, app_db, top, every_s=10**9)
    pipeline.cycle(end - 3600)
    taken = CheckpointRepository(app_db, SECURITY_ROW_ID).load().taken_at
    pipeline.cycle(end - 3500)
    pipeline.stop(end - 3490)
    assert taken == pytest.approx(end - 3600, abs=1)
    assert CheckpointRepository(app_db, SECURITY_ROW_ID).load().taken_at == pytest.approx(end - 3490, abs=1)


def test_the_fingerprint_is_the_same_in_every_process_whatever_the_hash_seed(tmp_path):
    code = ("from settings import load_settings; from poller.security_checkpoint import fingerprint; "
            "from poller.checkpoint import fingerprint as live; "
            f"s = load_settings({{}}, data_dir={str(tmp_path)!r}); print(fingerprint(s), live(s))")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(seen) == 1 and len(seen.pop().split()) == 2


def test_a_cycle_that_fails_after_judging_is_never_checkpointed_and_the_next_one_resumes_from_the_last_good(
        security_day, tmp_path):
    settings, end = security_day
    tops = _tops(settings, end - 3600, end - 1800)
    app_db = open_app_db(f"sqlite:///{tmp_path}/app.db")
    pipeline = _pipeline(settings, app_db, tops[0], every_s=10**9)
    assert pipeline.cycle(end - 3600).error is None
    pipeline.source.top = tops[1]
    real = pipeline.cases.record_hits
    pipeline.cases.record_hits = lambda *a: (_ for _ in ()).throw(RuntimeError("app database gone"))
    assert "app database gone" in pipeline.cycle(end - 1800).error and pipeline.cursors is None
    pipeline.stop(end - 1790)                        # no last checkpoint of a state ahead of the stored one
    assert CheckpointRepository(app_db, SECURITY_ROW_ID).load().taken_at == pytest.approx(end - 3600, abs=1)
    pipeline.cases.record_hits = real
    status = pipeline.cycle(end - 1780)
    assert status.error is None and status.checkpoint_taken_at == pytest.approx(end - 3600, abs=1)
