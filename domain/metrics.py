"""The metric catalogue: every KPI the screens, tooltips, alerts and reports show, defined once.

One entry per metric: its key (the same name in the snapshot, the colour levels, the labels and the help texts),
its labels and definition in both languages (the definition quotes the live threshold, goal and short-abandon
limit), how it is formatted, which direction is bad, and the formula that computes it from counts. A newcomer
who wants to know what "service level" means on the wall reads one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

Counts = Mapping[str, float]
SL_VARIANTS = ("default", "asterisk", "asterisk2")


@dataclass(frozen=True)
class MetricParams:
    """The numbers a definition depends on, as the snapshot publishes them for one queue or channel."""

    threshold_s: int = 20
    goal: float = 0.80
    short_abandon_s: int = 5
    wrapup_s: int = 15
    variant: str = "default"
    target_s: int = 60

    def texts(self, lang: str) -> dict[str, str]:
        """The values a help text may quote, formatted for people."""
        values = {"threshold_s": str(self.threshold_s), "goal_pct": f"{self.goal * 100:.0f}",
                  "short_s": str(self.short_abandon_s), "wrapup_s": str(self.wrapup_s),
                  "target": _duration_words(self.target_s, lang)}
        ru, en = SL_DEFINITIONS.get(self.variant, SL_DEFINITIONS["default"])
        values["sl_definition"] = (en if lang == "en" else ru).format(**values)
        return values


# -- formulas ------------------------------------------------------------------------------------------------
def ratio(num: float, den: float) -> float | None:
    """``num / den``; None without a denominator (a KPI with nothing to measure is shown as "—")."""
    return None if den <= 0 else num / den


def service_level(c: Counts, variant: str = "default") -> float | None:
    """Share of calls answered within T.

    default: answered<=T / (answered + abandoned - short abandons); asterisk: answered<=T / answered;
    asterisk2 (Asterisk's SL2): (answered<=T + abandoned<=T) / (answered + abandoned).
    """
    answered, in_t = c.get("answered", 0), c.get("answered_in_t", 0)
    abandoned = c.get("abandoned", 0)
    if variant == "asterisk":
        return ratio(in_t, answered)
    if variant == "asterisk2":
        return ratio(in_t + c.get("abandoned_in_t", 0), answered + abandoned)
    return ratio(in_t, answered + abandoned - c.get("short_abandoned", 0))


def abandon_rate(c: Counts) -> float | None:
    """(abandoned - short abandons) / (offered - short abandons)."""
    short = c.get("short_abandoned", 0)
    return ratio(c.get("abandoned", 0) - short, c.get("offered", 0) - short)


def asa(c: Counts) -> float | None:
    """Average speed of answer: mean hold time of answered calls, seconds."""
    return ratio(c.get("hold_sum", 0), c.get("answered", 0))


def aht(c: Counts, wrapup_s: float) -> float | None:
    """Average handle time: mean talk time plus wrap-up of handled calls, seconds."""
    handled = c.get("handled", 0)
    return ratio(c.get("talk_sum", 0) + wrapup_s * handled, handled)


def occupancy(busy_s: float, staffed_s: float) -> float | None:
    """(talk + wrap-up) / logged-in time not paused; None under one staffed second."""
    return None if staffed_s < 1 else busy_s / staffed_s


def longest_wait(oldest_entered_at: float | None, now: float) -> float:
    """now - the oldest waiting caller's ENTERQUEUE; 0 when nobody waits."""
    return 0.0 if oldest_entered_at is None else max(now - oldest_entered_at, 0.0)


def first_response_sl(responded_in_t: float, responded: float, waiting_breached: float) -> float | None:
    """Digital channels: first responses within the target / (responded + still waiting past the target)."""
    return ratio(responded_in_t, responded + waiting_breached)


# -- the catalogue -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """One KPI: key, labels, definition, format, colour direction and formula."""

    key: str
    label_ru: str
    label_en: str
    help_ru: str
    help_en: str
    fmt: str = "count"                 # count | pct | duration | ratio
    higher_is_bad: bool | None = None  # None: shown without a colour level
    compute: Callable[[Counts, MetricParams], float | None] | None = None

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_ru

    def help(self, lang: str, params: MetricParams | None = None) -> str:
        """The definition, with the live numbers it depends on filled in."""
        template = self.help_en if lang == "en" else self.help_ru
        return template.format(**(params or MetricParams()).texts(lang))


def _m(key: str, label: tuple[str, str], help_text: tuple[str, str], **kw) -> Metric:
    return Metric(key, label[0], label[1], help_text[0], help_text[1], **kw)


SL_DEFINITIONS: dict[str, tuple[str, str]] = {
    "default": ("отвеченные за {threshold_s} с / (отвеченные + потерянные после короткого сброса, {short_s} с). "
                "Цель {goal_pct} %.",
                "answered within {threshold_s} s / (answered + abandoned after the short-abandon limit of "
                "{short_s} s). Goal {goal_pct} %."),
    "asterisk": ("отвеченные за {threshold_s} с / отвеченные (вариант Asterisk SL). Цель {goal_pct} %.",
                 "answered within {threshold_s} s / answered (Asterisk's SL). Goal {goal_pct} %."),
    "asterisk2": ("(отвеченные за {threshold_s} с + потерянные за {threshold_s} с) / (отвеченные + потерянные) "
                  "(вариант Asterisk SL2). Цель {goal_pct} %.",
                  "(answered within {threshold_s} s + abandoned within {threshold_s} s) / (answered + abandoned) "
                  "(Asterisk's SL2). Goal {goal_pct} %."),
}

QUEUE_METRICS: tuple[Metric, ...] = (
    _m("waiting", ("В очереди", "Waiting"),
       ("Абоненты в очереди сейчас: вошли (ENTERQUEUE) и ещё не соединены и не вышли.",
        "Callers in the queue now: entered (ENTERQUEUE), not yet connected and not gone."), higher_is_bad=True),
    _m("longest_wait_s", ("Макс. ожидание", "Longest wait"),
       ("Сколько ждёт абонент, стоящий в очереди дольше всех: сейчас − его ENTERQUEUE.",
        "How long the caller who has waited longest has been waiting: now − their ENTERQUEUE."),
       fmt="duration", higher_is_bad=True),
    _m("available", ("Свободны", "Available"),
       ("Операторы очереди в системе, не на паузе, не в разговоре и не в постобработке ({wrapup_s} с).",
        "Members of the queue logged in, not paused, not on a call and not in wrap-up ({wrapup_s} s)."),
       higher_is_bad=False),
    _m("on_call", ("Разговор", "On a call"),
       ("Операторы очереди, которые сейчас разговаривают.", "Members of the queue on a call now.")),
    _m("service_level", ("SL сегодня", "SL today"),
       ("Уровень сервиса с полуночи: {sl_definition}", "Service level since midnight: {sl_definition}"),
       fmt="pct", higher_is_bad=False, compute=lambda c, p: service_level(c, p.variant)),
    _m("service_level_30m", ("SL 30 мин", "SL 30 min"),
       ("Уровень сервиса за последние 30 минут (скользящее окно): {sl_definition}",
        "Service level over the last 30 minutes (rolling window): {sl_definition}"),
       fmt="pct", higher_is_bad=False, compute=lambda c, p: service_level(c, p.variant)),
    _m("abandon_rate", ("Доля потерь", "Abandon rate"),
       ("Доля потерянных: (потерянные − короткие сбросы) / (поступившие − короткие сбросы). Короткий сброс — "
        "абонент ушёл быстрее {short_s} с.",
        "Abandonment rate: (abandoned − short abandons) / (offered − short abandons). A short abandon left "
        "within {short_s} s."), fmt="pct", higher_is_bad=True, compute=lambda c, p: abandon_rate(c)),
    _m("asa_s", ("ASA", "ASA"),
       ("Среднее время ожидания ответа отвеченных звонков (ASA): сумма ожидания до CONNECT / отвеченные.",
        "Average speed of answer: total wait before CONNECT / answered calls."),
       fmt="duration", higher_is_bad=True, compute=lambda c, p: asa(c)),
    _m("aht_s", ("AHT", "AHT"),
       ("Среднее время обработки: разговор + постобработка ({wrapup_s} с) на обработанный звонок (AHT).",
        "Average handle time: talk plus wrap-up ({wrapup_s} s) per handled call."),
       fmt="duration", compute=lambda c, p: aht(c, p.wrapup_s)),
    _m("occupancy", ("Загрузка", "Occupancy"),
       ("Загрузка: (разговор + постобработка) / время в системе без пауз.",
        "Occupancy: (talk + wrap-up) / logged-in time not paused."), fmt="pct"),
    _m("offered", ("Поступило", "Offered"),
       ("Поступившие звонки: уникальные вызовы с ENTERQUEUE с полуночи.",
        "Offered: distinct calls with ENTERQUEUE since midnight.")),
    _m("answered", ("Отвечено", "Answered"), ("Отвеченные: вызовы с CONNECT.", "Answered: calls with CONNECT.")),
    _m("abandoned", ("Потеряно", "Abandoned"),
       ("Потерянные: абонент положил трубку в очереди (ABANDON); в скобках — короткие сбросы (до {short_s} с).",
        "Abandoned: the caller hung up in the queue (ABANDON); in brackets the short abandons (under "
        "{short_s} s).")),
    _m("short_abandoned", ("Короткие сбросы", "Short abandons"),
       ("Потерянные быстрее {short_s} с: не входят в уровень сервиса и долю потерь.",
        "Abandoned within {short_s} s: left out of service level and abandonment rate.")),
    _m("timed_out", ("Таймаут/выход", "Timed out/exit"),
       ("Вышли из очереди по таймауту, пустой очереди или клавише (EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY).",
        "Left by time-out, empty queue or key (EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY).")),
)

CHANNEL_METRICS: tuple[Metric, ...] = (
    _m("waiting", ("В очереди", "Waiting"),
       ("Обращения без первого ответа оператора.", "Tickets without a first response yet."), higher_is_bad=True),
    _m("oldest_wait_s", ("Макс. ожид.", "Oldest"),
       ("Сколько ждёт самое старое обращение без ответа (цель первого ответа — {target}).",
        "Age of the oldest unanswered ticket (first-response target {target})."),
       fmt="duration", higher_is_bad=True),
    _m("service_level", ("SL ответа", "Response SL"),
       ("Первые ответы в пределах {target} / (ответившие + ждущие дольше {target}). Цель {goal_pct} %.",
        "First responses within {target} / (responded + waiting past {target}). Goal {goal_pct} %."),
       fmt="pct", higher_is_bad=False),
)

QUEUE = {m.key: m for m in QUEUE_METRICS}
CHANNEL = {m.key: m for m in CHANNEL_METRICS}


def call_kpis(c: Counts, params: MetricParams) -> dict[str, float | int | None]:
    """The counts and the computed KPIs of one queue over one period, as the snapshot publishes them."""
    counts = {k: int(round(c.get(k, 0))) for k in
              ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "lost", "transferred")}
    return {**counts,
            "service_level": _round(service_level(c, params.variant)),
            "asa_s": _round(asa(c), 1),
            "aht_s": _round(aht(c, params.wrapup_s), 1),
            "abandon_rate": _round(abandon_rate(c))}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _duration_words(seconds: int, lang: str) -> str:
    """``86400`` -> "24 ч" / "24 h"; ``900`` -> "15 мин" / "15 min"; ``60`` -> "60 с" / "60 s"."""
    units = (("h", "ч", 3600), ("min", "мин", 60)) if seconds >= 600 else ()
    for en, ru, size in units:
        if seconds % size == 0:
            return f"{seconds // size} {en if lang == 'en' else ru}"
    return f"{seconds} {'s' if lang == 'en' else 'с'}"


def params_of(snapshot: Mapping, entry: Mapping) -> MetricParams:
    """The parameters a queue's or channel's definitions quote, read from the snapshot that carries them."""
    default = MetricParams()
    return MetricParams(threshold_s=entry.get("sl_threshold_s", default.threshold_s),
                        goal=entry.get("sl_goal", default.goal),
                        short_abandon_s=snapshot.get("short_abandon_s", default.short_abandon_s),
                        wrapup_s=snapshot.get("wrapup_s", default.wrapup_s),
                        variant=snapshot.get("sl_variant", default.variant),
                        target_s=entry.get("target_s", default.target_s))
