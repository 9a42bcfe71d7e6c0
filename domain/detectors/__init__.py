"""Personal-data access anomaly detectors: pure functions and an incremental engine.

Entry points: ``DetectorEngine(DetectorConfig()).process(accesses, signins, ctx, now)``, the ``DetectorContext``
protocol the data-access side implements (``InMemoryContext`` for tests and benches), and ``scoring``.
"""

from domain.detectors.catalog import DETECTORS, IMPLEMENTED, detector_name
from domain.detectors.config import DetectorConfig
from domain.detectors.context import DetectorContext, InMemoryContext
from domain.detectors.engine import DetectorEngine
from domain.detectors.model import (
    AccessEvent,
    AllowRule,
    CitizenInfo,
    Hit,
    Leave,
    OperatorInfo,
    Result,
    Shift,
    SignIn,
    TicketLink,
    WatchEntry,
)
from domain.detectors.scoring import case_reasons, case_score, group_cases

__all__ = [
    "DETECTORS", "IMPLEMENTED", "AccessEvent", "AllowRule", "CitizenInfo", "DetectorConfig", "DetectorContext",
    "DetectorEngine", "Hit", "InMemoryContext", "Leave", "OperatorInfo", "Result", "Shift", "SignIn", "TicketLink",
    "WatchEntry", "case_reasons", "case_score", "detector_name", "group_cases",
]
