"""python app.py report sla: the real FreePBX sample, rebuilt into history, gives the snapshot's counts, and service
level recomputed for any T equals a count made from the raw CONNECT rows."""

from __future__ import annotations

import csv
import io
import json

import pytest

import app


@pytest.fixture
def rebuilt(monkeypatch, tmp_path, queue_log_sample, capsys):
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOTLINE_PBX_TZ", "UTC")
    monkeypatch.setenv("HOTLINE_TZ", "UTC")
    from data_access.appdb import open_app_db
    from data_access.history_repo import HistoryRepository
    from poller.history import rebuild_days
    from settings import load_settings

    assert app.main(["import-queue-log", str(queue_log_sample)]) == 0
    settings = load_settings()
    # What `python app.py history rebuild --from 2010-02-22 --to 2010-02-22` runs (its progress to a buffer).
    rebuild_days(settings, HistoryRepository(open_app_db(settings.url("app_db"))), "2010-02-22", "2010-02-22",
                 out=io.StringIO())
    capsys.readouterr()
    holds = [int(line.split("|")[5]) for line in queue_log_sample.read_text().splitlines() if "|CONNECT|" in line]
    return holds


def report(capsys, *extra: str) -> dict:
    assert app.main(["report", "sla", "--from", "2010-02-22", "--queue", "9000", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_day_of_the_sample_has_the_snapshots_21_offered_8_answered_12_abandoned(rebuilt, capsys):
    doc = report(capsys)
    day, total = doc["rows"][0], doc["totals"][0]
    assert (day["offered"], day["answered"], day["abandoned"]) == (21, 8, 12)
    assert total["scope"] == "9000" and (total["offered"], total["answered"]) == (21, 8)


@pytest.mark.parametrize("threshold", [5, 10, 20, 30])
def test_service_level_for_t_is_recomputed_from_the_waits_of_the_raw_connect_rows(rebuilt, capsys, threshold):
    total = report(capsys, "--threshold", str(threshold))["totals"][0]
    within = sum(1 for h in rebuilt if h <= threshold)
    assert total["answered_in_t"] == within
    # default variant: answered within T / (answered + abandoned - short abandons)
    assert total["service_level"] == pytest.approx(within / (8 + 12 - total["short_abandoned"]))


def test_the_table_and_csv_formats_print_the_same_day(rebuilt, capsys):
    args = ["report", "sla", "--from", "2010-02-22", "--queue", "9000", "--lang", "en"]
    assert app.main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["Period", "Queue", "Offered"] and lines[1].split()[:5] == [
        "2010-02-22", "9000", "21", "21", "8"]
    assert app.main([*args, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert rows[1][:5] == ["2010-02-22", "9000", "21", "21", "8"] and rows[-1][0] == "total"


def test_a_backwards_period_is_refused_with_exit_code_2(rebuilt, capsys):
    assert app.main(["report", "sla", "--from", "2010-02-23", "--to", "2010-02-22"]) == 2
    assert "ends before it starts" in capsys.readouterr().err
