"""The documentation keeps up with the code (as Datasette does): every snapshot key and every setting is documented."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from settings import PREFIX, describe
from tests.conftest import ROOT

# Maps whose keys are names (queues, channels, reasons...), not part of the layout: their values are walked.
NAMED_MAPS = {"queues", "channels", "windows", "sources", "bad_rows", "unknown_verbs", "params", "levels",
              "journal_bad_rows"}


def _keys(value, path: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if path.rsplit(".", 1)[-1] in NAMED_MAPS:
                found |= _keys(item, path + ".<name>")
            else:
                found.add(key)
                found |= _keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value[:50]:
            found |= _keys(item, path)
    return found


@pytest.fixture(scope="module")
def busy_snapshot(tmp_path_factory) -> dict:
    """The snapshot of a simulated half hour of the whole hotline (calls, tickets, checks, incidents, alerts)."""
    from poller.replay import replay_snapshot
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("docs")), pbx_tz="Europe/Moscow",
                             tz="Europe/Moscow")
    start = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")).timestamp()
    backfill(settings, start, start + 1800, scale=0.02, two_cores=False)
    return replay_snapshot(settings, start + 1800)


def test_every_key_of_a_built_snapshot_is_in_docs_snapshot_md(busy_snapshot):
    documented = (ROOT / "docs" / "snapshot.md").read_text(encoding="utf-8")
    keys = _keys(busy_snapshot)
    assert len(keys) > 60 and busy_snapshot["queues"] and busy_snapshot["agents"] and busy_snapshot["channels"]
    missing = sorted(k for k in keys if not re.search(rf"[`.]{re.escape(k)}[`.\[,\s]", documented))
    assert not missing, f"keys of the snapshot missing from docs/snapshot.md: {missing}"


def test_every_setting_has_a_help_text_and_is_printed_by_the_settings_command(capsys):
    import app

    assert app.main(["settings"]) == 0
    printed = capsys.readouterr().out
    for variable, _default, help_text in describe():
        assert help_text.strip() and variable in printed, variable


def test_every_setting_the_readme_names_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    known = {variable for variable, _d, _h in describe()}
    named = set(re.findall(rf"{PREFIX}[A-Z0-9_]+", readme)) - {f"{PREFIX}TEST_STRICT"}
    assert not named - known, f"README names settings that do not exist: {sorted(named - known)}"
