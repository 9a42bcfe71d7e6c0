"""The detectors this package implements: ids, names in both languages and default points (README: detector table)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class DetectorInfo:
    """A detector's id, names and default points (the highest it can give)."""

    id: str
    name_ru: str
    name_en: str
    points: int

    def name(self, lang: str = "ru") -> str:
        """The detector's name in ``lang`` ('ru' or 'en')."""
        return self.name_en if lang == "en" else self.name_ru


# D17 and D19 are worth 40, the medium band's floor: a success after a password-guessing series, and a dormant
# account reading records, each deserve a review on their own (severity by meaning, not only by sum).
_ALL = (
    DetectorInfo("D01", "Доступ без основания", "Unexplained access", 10),
    DetectorInfo("D02", "Чужое обращение", "Ticket mismatch", 30),
    DetectorInfo("D03", "Собственная запись", "Own record", 60),
    DetectorInfo("D04", "Родственник или сосед", "Relative or neighbour", 60),
    DetectorInfo("D05", "Коллега", "Co-worker", 40),
    DetectorInfo("D06", "Список наблюдения", "Watch-list", 15),
    DetectorInfo("D07", "Вне смены", "Off shift", 15),
    DetectorInfo("D08", "Отпуск, увольнение или отстранение", "On leave, terminated or not active", 80),
    DetectorInfo("D09", "Объём выше своей нормы", "Volume above own baseline", 25),
    DetectorInfo("D10", "Объём выше, чем у коллег", "Volume above peers", 20),
    DetectorInfo("D11", "Много доступов без основания", "Many unexplained accesses", 30),
    DetectorInfo("D12", "Массовая выгрузка или печать", "Bulk export or print", 50),
    DetectorInfo("D13", "Серия поисков", "Search burst", 40),
    DetectorInfo("D14", "Редко открываемая запись", "Rarely opened record", 15),
    DetectorInfo("D15", "Повторный доступ к гражданину", "Repeated access to one citizen", 30),
    DetectorInfo("D16", "Новый адрес", "New address", 5),
    DetectorInfo("D17", "Неудачные входы, затем успешный", "Failed sign-ins then success", 40),
    DetectorInfo("D18", "Одновременные IP-адреса", "Concurrent IP addresses", 40),
    DetectorInfo("D19", "Спящая учётная запись", "Dormant account", 40),
    DetectorInfo("D21", "Пробел в журнале", "Gap in the journal", 20),
    # Cumulative risk over rolling days (risk.py): the points are those of the band the sum reaches.
    DetectorInfo("R07", "Накопленный риск за 7 дней", "Cumulative risk, 7 days", 40),
    DetectorInfo("R30", "Накопленный риск за 30 дней", "Cumulative risk, 30 days", 40),
)

DETECTORS: MappingProxyType[str, DetectorInfo] = MappingProxyType({d.id: d for d in _ALL})
DEFAULT_POINTS: MappingProxyType[str, int] = MappingProxyType({d.id: d.points for d in _ALL})
CUMULATIVE = frozenset({"R07", "R30"})    # judged by the poller over stored days (risk.py), not by the engine
BY_POLLER = CUMULATIVE | {"D21"}          # judged by the poller (D21: gaps.py, over the journal and the calls)
IMPLEMENTED = frozenset(DETECTORS) - BY_POLLER   # the engine's detectors

# Points of D04 by what matches (both, address only, surname only) and D06's bonus when the access is unexplained.
RELATIVE_POINTS = (60, 40, 15)
# D06: an explained access to a watched record is logged for review (15, below 'medium'); unexplained it is 60.
WATCH_UNEXPLAINED_BONUS = 45


def detector_name(detector: str, lang: str = "ru") -> str:
    """A detector's name in ``lang``; the bare id when the detector is unknown."""
    info = DETECTORS.get(detector)
    return info.name(lang) if info else detector
