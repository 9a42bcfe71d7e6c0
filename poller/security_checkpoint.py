"""Fast restart of the detectors: the security pipeline's state, written to the app database and loaded back.

Without a checkpoint a restart (or a takeover) replays today's journal to rebuild the detectors' windows, which
takes about a minute at full scale. With one, the pipeline takes the state as it was after the cycle that wrote
it and replays only the rows read since (their copies, verdicts and hits are stored already), then goes on by id.

A checkpoint is not used - and today's journal is replayed instead - when it is missing, holds another day, was
written by other code or other detector settings (the fingerprint), fails its signature (HMAC-SHA256 under the
secret key), cannot be decoded, or is ahead of the saved journal cursors (an app database restored from an older
copy). Its row is the app database's checkpoint row 2 (row 1 is the live engine's, see poller/checkpoint.py).
"""

from __future__ import annotations

import logging
import pkgutil

from data_access.checkpoint_repo import SECURITY_ROW_ID, CheckpointRepository
from domain.clock import day_start
from poller.checkpoint import CheckpointRejected, Loaded, Periodic, code_fingerprint
from settings import Settings

log = logging.getLogger("hotline.security")
FORMAT = 1  # raise when the meaning of the state changes without its classes' source changing
PARTS = ("engine", "cursors", "awaiting", "gaps", "hr", "risk_told", "risk_withdrawn")


def state_modules() -> tuple[str, ...]:
    """Every detector module and the pipeline's: a change to any of them makes older checkpoints unusable."""
    import domain.detectors

    detectors = sorted(f"domain.detectors.{m.name}" for m in pkgutil.iter_modules(domain.detectors.__path__))
    return ("domain.detectors", *detectors, "domain.clock", "poller.security", "poller.journal_gaps",
            "poller.security_checkpoint")


def fingerprint(settings: Settings) -> str:
    from poller.security import detector_config

    return code_fingerprint(state_modules(), (settings.tz, detector_config(settings)), FORMAT)


class SecurityCheckpointer(Periodic):
    """Saves the pipeline's state every ``every_s`` (after a complete cycle) and gives it back at a start."""

    NAME = "detectors' checkpoint"

    def __init__(self, settings: Settings, repo: CheckpointRepository, every_s: float) -> None:
        super().__init__(settings, repo, every_s, fingerprint(settings), PARTS)

    def save(self, state: dict, now: float, lease=None) -> int:
        """Write ``state`` (the parts in PARTS, taken under the pipeline's lock); the payload's size in bytes."""
        return self._write(state, day_start(now, self.s.tz), now, lease)

    def load(self, now: float, saved_cursors: dict[str, int] | None) -> Loaded:
        """Today's checkpoint, when its cursors are not ahead of ``saved_cursors``; else CheckpointRejected."""
        loaded = self.sealed.read(int(day_start(now, self.s.tz)))
        cursors = loaded.state["cursors"]
        if saved_cursors is None:
            raise CheckpointRejected("no journal cursors are saved")
        if not isinstance(cursors, dict) or any(cursors.get(k, 2**63) > saved_cursors.get(k, -1)
                                                for k in ("access", "signin")):
            raise CheckpointRejected("it is ahead of the saved journal cursors")
        return loaded


def security_checkpointer(settings: Settings, app_db) -> SecurityCheckpointer | None:
    """The detectors' checkpoints in the app database (None when HOTLINE_SECURITY_CHECKPOINT_S is 0)."""
    if settings.security_checkpoint_s <= 0:
        return None
    repo = CheckpointRepository(app_db, SECURITY_ROW_ID)
    return SecurityCheckpointer(settings, repo, settings.security_checkpoint_s)
