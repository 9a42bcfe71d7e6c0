"""The hotline's lines (telephony queues) and digital channels, with their service goals and colour thresholds.

These are domain types: the alert rules, the colour levels, the snapshot and the reports read them. The settings
(``HOTLINE_QUEUE_OVERRIDES``, ``HOTLINE_CHANNEL_OVERRIDES``, ``HOTLINE_SL_*``) only choose their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class QueueConfig:
    """One telephony line (Asterisk queue) with its service goals and colour thresholds."""

    name: str
    label_ru: str
    label_en: str
    number: str = ""
    sl_threshold_s: int = 20
    sl_goal: float = 0.80
    sl_warn: float = 0.70
    waiting_warn: int = 5
    waiting_crit: int = 15
    longest_wait_warn_s: int = 60
    longest_wait_crit_s: int = 180
    abandon_rate_warn: float = 0.05
    abandon_rate_crit: float = 0.10
    asa_warn_s: int = 20
    asa_crit_s: int = 60
    available_warn: int = 1


@dataclass(frozen=True)
class ChannelConfig:
    """A digital channel of the CRM with its first-response target."""

    name: str
    label_ru: str
    label_en: str
    target_s: int
    sl_goal: float = 0.80
    sl_warn: float = 0.70
    waiting_warn: int = 20
    waiting_crit: int = 50


DEFAULT_QUEUES: tuple[QueueConfig, ...] = (
    QueueConfig("general", "Общие вопросы", "General questions", "8 800 555 35 35"),
    QueueConfig("cabinet", "Личный кабинет", "Personal cabinet", "8 800 100 10 10"),
    QueueConfig("technical", "Технические сбои", "Technical failures", "8 800 200 30 30"),
    QueueConfig("documents", "Документы", "Documents", "8 800 300 40 40"),
)

DEFAULT_CHANNELS: tuple[ChannelConfig, ...] = (
    ChannelConfig("chat", "Чат", "Chat", 60),
    ChannelConfig("telegram", "Telegram", "Telegram", 900),
    ChannelConfig("vk", "ВКонтакте", "VK", 900),
    ChannelConfig("cabinet_msg", "Сообщения в ЛК", "Cabinet messages", 900),
    ChannelConfig("email", "Эл. почта", "E-mail", 86400, waiting_warn=500, waiting_crit=2000),
    ChannelConfig("app", "Форма в приложении", "App form", 86400, waiting_warn=500, waiting_crit=2000),
)


@dataclass(frozen=True)
class Lines:
    """The configured queues and channels by name, as the snapshot and the alert rules take them."""

    queues: Mapping[str, QueueConfig]
    channels: Mapping[str, ChannelConfig]

    @classmethod
    def of(cls, queues: tuple[QueueConfig, ...], channels: tuple[ChannelConfig, ...]) -> "Lines":
        return cls({q.name: q for q in queues}, {c.name: c for c in channels})
