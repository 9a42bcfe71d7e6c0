"""Shared fixtures: small simulated ranges written into temporary SQLite files, read back as plain rows."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest

from settings import Settings, load_settings
from simulator import runner

# 2025-11-26 00:00 Europe/Moscow (a Wednesday); the PBX runs in another zone to keep the zones honest.
DAY0 = 1764104400.0
TZ = "Europe/Moscow"
PBX_TZ = "Asia/Yekaterinburg"


def make_settings(path: Path, **overrides) -> Settings:
    """Settings on a temporary data folder with the zones of these tests."""
    values = {"data_dir": str(path), "tz": TZ, "pbx_tz": PBX_TZ, **overrides}
    return load_settings({}, **values)


@dataclass
class Run:
    """A finished back-fill: its settings, counts, ground truth and a way to query both databases."""

    settings: Settings
    counts: dict[str, int]
    start: float
    end: float

    def query(self, db: str, sql: str, *args) -> list[sqlite3.Row]:
        path = Path(self.settings.data_dir) / ("telephony.db" if db == "telephony" else "crm.db")
        with sqlite3.connect(path) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, args).fetchall()

    def truth(self) -> list[dict]:
        path = Path(self.settings.ground_truth_path)
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def backfill_run(path: Path, start: float, end: float, scale: float, **cfg_overrides) -> Run:
    settings = make_settings(path)
    cfg = replace(runner.config(settings, scale), **cfg_overrides)
    counts = runner.backfill(settings, start, end, cfg=cfg, two_cores=False)
    return Run(settings, counts, start, end)


@pytest.fixture(scope="session")
def day_run(tmp_path_factory) -> Run:
    """One local day at scale 0.02 with every anomaly scenario due that day."""
    return backfill_run(tmp_path_factory.mktemp("sim_day"), DAY0, DAY0 + 86400, 0.02, anomaly_period_days=1)


@pytest.fixture(scope="session")
def week_run(tmp_path_factory) -> Run:
    """Five local days at scale 0.01, every scenario every day (D15 needs three days to complete)."""
    return backfill_run(tmp_path_factory.mktemp("sim_week"), DAY0, DAY0 + 5 * 86400, 0.01, anomaly_period_days=1)


def parse_ts(text: str) -> datetime:
    """A datetime as SQLAlchemy stores it in SQLite."""
    return datetime.fromisoformat(text)
