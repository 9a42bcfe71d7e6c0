"""Where a previous run stopped: a small JSON state file and a pickled checkpoint in the data folder.

Never in the source databases: they hold only what a real PBX and CRM would hold.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from typing import Any

log = logging.getLogger("hotline.simulator")
STATE_FILE = "simulator_state.json"
CHECKPOINT_FILE = "simulator_checkpoint.pickle"
VERSION = 1


def _atomic_write(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def load_state(data_dir: str) -> dict[str, Any] | None:
    """The saved state, None when missing, unreadable or of another version."""
    try:
        with open(os.path.join(data_dir, STATE_FILE), encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("version") == VERSION else None


def save_state(data_dir: str, **values: Any) -> None:
    """Save the state (seed, scale, written_until, ...)."""
    payload = json.dumps({"version": VERSION, **values}, indent=1).encode()
    _atomic_write(os.path.join(data_dir, STATE_FILE), payload)


def save_checkpoint(data_dir: str, sim: object) -> None:
    """Pickle the whole simulation (it holds no connections, only plain objects)."""
    _atomic_write(os.path.join(data_dir, CHECKPOINT_FILE), pickle.dumps(sim, protocol=pickle.HIGHEST_PROTOCOL))


def load_checkpoint(data_dir: str) -> Any | None:
    """The pickled simulation, None when missing or written by incompatible code."""
    path = os.path.join(data_dir, CHECKPOINT_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception as exc:  # noqa: BLE001 - any unpickling problem means "start afresh"
        log.warning("simulator checkpoint %s is unusable (%s); starting afresh", path, exc)
        return None
