"""Fast restart: the active poller's live state, written to the app database every minute and loaded back.

A starting or taking-over poller loads the newest checkpoint and reads only the source rows after its cursors.
It falls back to the full rebuild from local midnight when the checkpoint is missing, holds another day, was
written by other code or settings (the fingerprint), fails its signature (HMAC-SHA256 under the secret key: the
payload is a pickle, never loaded unsigned), cannot be decoded, or no longer matches the telephony source.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import hmac
import importlib
import logging
import pickle
import sys
import time
import zlib
from dataclasses import dataclass

from data_access.checkpoint_repo import CheckpointRepository, StoredCheckpoint
from domain.clock import day_start
from settings import Settings

log = logging.getLogger("hotline.poller")
FORMAT = 1  # raise when the meaning of the state changes without its classes' source changing
# The modules whose classes make up the state: any change to their source makes older checkpoints unusable.
STATE_MODULES = ("domain.telephony", "domain.counters", "domain.channels", "domain.services", "domain.sources",
                 "domain.snapshot", "domain.lines", "data_access.ticketing", "poller.checkpoint")
PARTS = ("tel", "channels", "services", "directory", "tel_cursor", "crm_cursors", "status", "agent_views",
         "tel_origin")


class CheckpointRejected(ValueError):
    """A checkpoint that must not be used; the message says why (the poller then rebuilds from midnight)."""


def code_fingerprint(modules: tuple[str, ...], shaping: object, fmt: int) -> str:
    """What a state's shape depends on: its format, Python, its modules' source and the settings that shape it."""
    digest = hashlib.sha256(f"{fmt}|{sys.version_info[:2]}".encode())
    for name in modules:
        with open(importlib.import_module(name).__file__, "rb") as handle:
            digest.update(handle.read())
    digest.update(_stable(shaping).encode())
    return digest.hexdigest()


def _stable(value: object) -> str:
    """A repr that is the same in every process: sets sorted (their order changes with hash randomization)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = (type(value).__name__, {f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_stable(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_stable(k)}: {_stable(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_stable(v) for v in value) + "]"
    return repr(value)


def fingerprint(settings: Settings) -> str:
    """The live engine's state: its modules and the settings that shape the day's counters."""
    shaping = (settings.tz, settings.pbx_tz, settings.sl_threshold_s, settings.sl_goal, settings.sl_variant,
               settings.short_abandon_s, settings.lost_call_after_s, settings.wrapup_s, settings.max_call_duration_s,
               settings.service_down_after_checks, settings.queues(), settings.channels(),
               settings.telephony_charset)
    return code_fingerprint(STATE_MODULES, shaping, FORMAT)


@dataclass
class Loaded:
    state: dict
    taken_at: float
    day_start: int = 0


class SealedStates:
    """One checkpoint row: a state dict pickled, compressed and signed; read back only when every check passes."""

    def __init__(self, settings: Settings, repo: CheckpointRepository, fingerprint_: str, parts: tuple[str, ...]):
        self.repo, self.parts, self.fingerprint = repo, parts, fingerprint_
        self._key = settings.secret().encode()

    def write(self, state: dict, day_start_: int, now: float, lease=None) -> int:
        """Replace the row (refused by the fence of a poller that lost its lease); the payload's size in bytes."""
        payload = _dumps(state)
        token = lease.epoch if lease is not None else None
        self.repo.save(StoredCheckpoint(self.fingerprint, int(day_start_), now, token,
                                        self._sign(int(day_start_), payload), payload),
                       fence=lease.fence if lease is not None else None)
        return len(payload)

    def read(self, day_start_: int | None = None) -> Loaded:
        """The stored state; :class:`CheckpointRejected` says why it cannot be used. ``day_start_``: the local day
        it must hold (None: any day)."""
        stored = self.repo.load()
        if stored is None:
            raise CheckpointRejected("no checkpoint")
        if stored.fingerprint != self.fingerprint:
            raise CheckpointRejected("written by other code or settings")
        if day_start_ is not None and stored.day_start != int(day_start_):
            raise CheckpointRejected("it holds another day")
        if not hmac.compare_digest(stored.digest, self._sign(stored.day_start, stored.payload)):
            raise CheckpointRejected("its signature does not match (another secret key?)")
        try:
            state = _loads(stored.payload)
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, the rebuild is the answer
            raise CheckpointRejected(f"it cannot be decoded ({type(exc).__name__})") from exc
        if not isinstance(state, dict) or set(state) != set(self.parts):
            raise CheckpointRejected("its parts are not the expected ones")
        return Loaded(state, stored.taken_at, stored.day_start)

    def _sign(self, day_start_: int, payload: bytes) -> str:
        """The row, the fingerprint and the day are signed with the payload: none can be relabelled."""
        head = f"{self.repo.row_id}|{self.fingerprint}|{int(day_start_)}|".encode()
        return hmac.new(self._key, head + payload, hashlib.sha256).hexdigest()


class Periodic:
    """A kind of state checkpointed every ``every_s`` into its row (the live engine's, the detectors')."""

    NAME = "checkpoint"

    def __init__(self, settings: Settings, repo: CheckpointRepository, every_s: float, fingerprint_: str,
                 parts: tuple[str, ...]) -> None:
        self.s, self.every_s, self.repo = settings, every_s, repo
        self.sealed = SealedStates(settings, repo, fingerprint_, parts)
        self._saved_at = -1e18

    def due(self, now: float) -> bool:
        return now - self._saved_at >= self.every_s

    def _write(self, state: dict, day_start_: float, now: float, lease) -> int:
        began = time.perf_counter()
        size = self.sealed.write(state, int(day_start_), now, lease)
        self._saved_at = now
        log.info("%s written: %.1f MB in %.2f s", self.NAME, size / 1e6, time.perf_counter() - began)
        return size


class Checkpointer(Periodic):
    """Saves the engine's live state every ``every_s`` and restores it at a start or a takeover."""

    def __init__(self, settings: Settings, repo: CheckpointRepository, every_s: float) -> None:
        super().__init__(settings, repo, every_s, fingerprint(settings), PARTS)

    def save(self, engine, now: float) -> bool:
        """Write the engine's state (called under the engine's lock, after a complete cycle); False if not."""
        if engine.tel is None or engine.tel_cursor is None or engine.crm_cursors is None or engine._catching_up:
            return False
        self._write({name: getattr(engine, name) for name in PARTS}, engine.tel.day_start, now, engine.lease)
        return True

    def load(self, now: float) -> Loaded:
        """The newest usable checkpoint; :class:`CheckpointRejected` says why there is none."""
        return self.sealed.read(int(day_start(now, self.s.tz)))


def _dumps(state: dict) -> bytes:
    gc.disable()  # hundreds of thousands of small objects: the collector would walk them again and again
    try:
        return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)
    finally:
        gc.enable()


def _loads(payload: bytes) -> dict:
    gc.disable()
    try:
        return pickle.loads(zlib.decompress(payload))  # noqa: S301 - only after its HMAC was checked
    finally:
        gc.enable()
