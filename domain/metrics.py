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
    max_occupancy: float = 0.85   # staffing (the SLA report): Erlang C's occupancy cap
    shrinkage: float = 0.30       # staffing: the share of scheduled time not on the phones
    register_days: int = 3        # written appeals (59-FZ): registered within this many days of arrival
    answer_days: int = 30         # written appeals: answered within this many days of registration
    warn_days: int = 5            # written appeals: at risk this many days before the answer deadline
    register_warn_days: int = 1   # written appeals: at risk this many days before the registration deadline

    def texts(self, lang: str) -> dict[str, str]:
        """The values a help text may quote, formatted for people."""
        values = {"threshold_s": str(self.threshold_s), "goal_pct": f"{self.goal * 100:.0f}",
                  "short_s": str(self.short_abandon_s), "wrapup_s": str(self.wrapup_s),
                  "target": _duration_words(self.target_s, lang),
                  "max_occupancy_pct": f"{self.max_occupancy * 100:.0f}",
                  "shrinkage_pct": f"{self.shrinkage * 100:.0f}",
                  "register_days": str(self.register_days), "answer_days": str(self.answer_days),
                  "warn_days": str(self.warn_days), "register_warn_days": str(self.register_warn_days)}
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


def fcr(c: Counts) -> float | None:
    """First-contact resolution: tickets resolved on first contact / tickets resolved."""
    return ratio(c.get("fcr", 0), c.get("resolved", 0))


def survey_resolved(c: Counts) -> float | None:
    """Share of survey answers saying the question was resolved."""
    return ratio(c.get("survey_resolved_yes", 0), c.get("survey_resolved_answers", 0))


def csat(c: Counts) -> float | None:
    """Mean survey score, 1 to 5."""
    return ratio(c.get("csat_sum", 0), c.get("surveys", 0))


def csat_top(c: Counts) -> float | None:
    """Share of survey scores of 4 and 5."""
    return ratio(c.get("csat_top", 0), c.get("surveys", 0))


def resolved_by_due(c: Counts) -> float | None:
    """Tickets resolved by their due time / tickets resolved."""
    return ratio(c.get("resolved_by_due", 0), c.get("resolved", 0))


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
    _m("blocked", ("Отклонено", "Blocked"),
       ("Вызовы, не попавшие в очередь с полуночи (FULL, JOINEMPTY, JOINUNAVAIL, CLOSED, DIVERT_*): очередь была "
        "полна, пуста или без доступных операторов. В «Поступило» не входят.",
        "Callers turned away before joining the queue since midnight (FULL, JOINEMPTY, JOINUNAVAIL, CLOSED, "
        "DIVERT_*): the queue was full, empty or had no reachable operator. Not part of offered."),
       higher_is_bad=True),
    _m("answered_in_t", ("Отвечено за T", "Answered within T"),
       ("Отвеченные с ожиданием не дольше {threshold_s} с (по гистограмме ожиданий интервала).",
        "Answered after waiting at most {threshold_s} s (from the interval's histogram of waits).")),
    _m("received", ("Всего вызовов", "Received"),
       ("Все вызовы в очередь с полуночи: поступившие + отклонённые до входа в очередь (в скобках — отклонённые).",
        "Every call for the queue since midnight: offered plus those turned away before joining (in brackets the "
        "blocked ones).")),
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

# The SLA report (history over a chosen period). Where the live definition reads the same over any period, the
# report uses the live entry (ASA, AHT, abandonment rate, occupancy, answered, abandoned, short abandons).
_EVENT_RULE = ("Событие учитывается в интервале, когда оно произошло: поступление — по ENTERQUEUE, ответ — по "
               "CONNECT, потеря — по ABANDON.",
               "An event counts in the interval in which it happened: offered at ENTERQUEUE, answered at CONNECT, "
               "abandoned at ABANDON.")
REPORT_METRICS: tuple[Metric, ...] = (
    _m("service_level", ("SL", "SL"),
       ("Уровень сервиса за период, пересчитанный из суммы счётчиков (не среднее процентов): {sl_definition} "
        + _EVENT_RULE[0],
        "Service level over the period, recomputed from its summed counts (never an average of percentages): "
        "{sl_definition} " + _EVENT_RULE[1]),
       fmt="pct", higher_is_bad=False, compute=lambda c, p: service_level(c, p.variant)),
    _m("service_level_blocked", ("SL с отказами", "SL incl. blocked"),
       ("Уровень сервиса, где отклонённые до очереди (FULL, JOINEMPTY, JOINUNAVAIL) считаются поступившими и не "
        "отвеченными за {threshold_s} с. Цель {goal_pct} %.",
        "Service level counting the callers turned away before the queue (FULL, JOINEMPTY, JOINUNAVAIL) as offered "
        "and not answered within {threshold_s} s. Goal {goal_pct} %."), fmt="pct", higher_is_bad=False),
    _m("offered", ("Поступило", "Offered"),
       ("Поступившие звонки за период: уникальные вызовы с ENTERQUEUE. " + _EVENT_RULE[0],
        "Offered calls in the period: distinct calls with ENTERQUEUE. " + _EVENT_RULE[1])),
    _m("received", ("Всего вызовов", "Received"),
       ("Поступившие + отклонённые до входа в очередь.", "Offered plus the callers turned away before the queue.")),
    _m("blocked", ("Отклонено", "Blocked"),
       ("Вызовы, не попавшие в очередь (FULL, JOINEMPTY, JOINUNAVAIL, CLOSED, DIVERT_*): очередь полна или нет "
        "операторов.", "Callers who never joined the queue (FULL, JOINEMPTY, JOINUNAVAIL, CLOSED, DIVERT_*): the "
        "queue was full or had no operators."), higher_is_bad=True),
    _m("fcr", ("FCR", "FCR"),
       ("Решено при первом обращении: обращения с отметкой first_contact_resolution / решённые обращения за период "
        "(CRM).", "First-contact resolution: tickets marked first_contact_resolution / tickets resolved in the "
        "period (CRM)."), fmt="pct", higher_is_bad=False, compute=lambda c, p: fcr(c)),
    _m("survey_resolved", ("Решено (опрос)", "Resolved (survey)"),
       ("Доля ответов «вопрос решён» в опросах после обращения за период.",
        "Share of post-contact survey answers saying the question was resolved, in the period."),
       fmt="pct", higher_is_bad=False, compute=lambda c, p: survey_resolved(c)),
    _m("csat", ("CSAT", "CSAT"),
       ("Удовлетворённость: средняя оценка опросов после обращения (1–5) за период.",
        "Satisfaction: the mean post-contact survey score (1 to 5) in the period."),
       fmt="score", higher_is_bad=False, compute=lambda c, p: csat(c)),
    _m("csat_top", ("CSAT 4–5", "CSAT 4–5"),
       ("Доля оценок 4 и 5 среди ответов опроса за период.", "Share of survey scores of 4 and 5 in the period."),
       fmt="pct", higher_is_bad=False, compute=lambda c, p: csat_top(c)),
    _m("logged_in", ("В системе (ср.)", "Logged in (avg)"),
       ("Среднее число операторов линии в системе: их время в системе / длительность интервалов.",
        "Average operators of the line logged in: their logged-in time / the intervals' length."), fmt="ratio"),
    _m("available", ("Свободны (ср.)", "Available (avg)"),
       ("Среднее число свободных операторов линии (в системе, не на паузе, не в разговоре и не в постобработке).",
        "Average operators of the line available (logged in, not paused, not on a call, not in wrap-up)."),
       fmt="ratio"),
    _m("needed", ("Нужно (Erlang C)", "Needed (Erlang C)"),
       ("Операторов на линии, которых по Erlang C хватило бы на поступившие звонки с AHT интервала для цели "
        "{goal_pct} % за {threshold_s} с, при загрузке не выше {max_occupancy_pct} %.",
        "Operators on the phones Erlang C says the offered calls at the interval's AHT needed for {goal_pct} % "
        "within {threshold_s} s, at most {max_occupancy_pct} % occupancy.")),
    _m("scheduled", ("В графике", "Scheduled"),
       ("Нужно по Erlang C / (1 − {shrinkage_pct} % на перерывы, обучение и отсутствия).",
        "Needed by Erlang C / (1 − {shrinkage_pct} % shrinkage for breaks, training and absence).")),
    _m("gap", ("Нехватка", "Short of"),
       ("Нужно по Erlang C − в системе (ср.): сколько операторов не хватало.",
        "Needed by Erlang C − logged in (avg): how many operators were missing."), fmt="ratio", higher_is_bad=True),
    _m("usual_offered", ("Обычно", "Usual"),
       ("Медиана поступивших в тот же день недели и интервал за 4 предыдущие недели.",
        "Median offered calls in the same weekday and interval over the 4 weeks before."), fmt="ratio"),
    _m("shortfall", ("Недобор", "Short by"),
       ("Поступившие × (цель − уровень сервиса): на сколько звонков интервал не дотянул до цели {goal_pct} %.",
        "Offered × (goal − service level): by how many calls the interval fell short of the {goal_pct} % goal."),
       fmt="ratio", higher_is_bad=True),
    _m("days_missed", ("Дней ниже цели", "Days missed"),
       ("Дни (по местному времени), где уровень сервиса за день ниже цели {goal_pct} %, из дней со звонками.",
        "Local days whose service level was below the {goal_pct} % goal, of the days with calls.")),
    _m("intervals_missed", ("Интервалов ниже цели", "Intervals missed"),
       ("15-минутные интервалы с уровнем сервиса ниже цели {goal_pct} %, из интервалов со звонками.",
        "15-minute intervals whose service level was below the {goal_pct} % goal, of those with calls.")),
    _m("pause_s", ("Пауза", "Pause"),
       ("Время на паузе (PAUSE … UNPAUSE), по причине из data1 паузы.",
        "Time paused (PAUSE … UNPAUSE), by the reason in the pause's data1."), fmt="duration"),
)

CHANNEL_REPORT_METRICS: tuple[Metric, ...] = (
    _m("service_level", ("SL ответа", "Response SL"),
       ("Первые ответы в пределах {target} / первые ответы за период (ответ учитывается в интервале, когда он "
        "дан). Цель {goal_pct} %.",
        "First responses within {target} / first responses in the period (a response counts in the interval in "
        "which it was given). Goal {goal_pct} %."), fmt="pct", higher_is_bad=False),
    _m("created", ("Создано", "Created"), ("Обращения, созданные за период.", "Tickets created in the period.")),
    _m("responded", ("Первых ответов", "First responses"),
       ("Первые ответы оператора за период.", "Operators' first responses in the period.")),
    _m("backlog_end", ("Без ответа на конец", "Waiting at end"),
       ("Обращения без первого ответа на конец периода.", "Tickets without a first response at the period's end."),
       higher_is_bad=True),
    _m("resolved", ("Решено", "Resolved"), ("Обращения, решённые за период.", "Tickets resolved in the period.")),
    _m("resolved_by_due", ("Решено в срок", "Resolved by due"),
       ("Решённые не позже срока due_at / решённые за период.", "Resolved by their due_at / resolved in the period."),
       fmt="pct", higher_is_bad=False, compute=lambda c, p: resolved_by_due(c)),
    _m("registered_in_time", ("Зарегистрировано в срок", "Registered in time"),
       ("Письменные обращения (эл. почта, форма приложения), зарегистрированные не позже {register_days} дней "
        "после поступления (59-ФЗ), из поступивших за период. Регистрация — первый ответ оператора в CRM.",
        "Written appeals (e-mail, app form) registered within {register_days} days of arrival (59-FZ), of those "
        "that arrived in the period. Registration is an operator's first response in the CRM."),
       fmt="pct", higher_is_bad=False),
    _m("answered_in_time", ("Отвечено в срок", "Answered in time"),
       ("Письменные обращения, отвеченные (решённые) не позже {answer_days} дней после регистрации (59-ФЗ), из "
        "поступивших за период, по которым срок наступил или дан ответ.",
        "Written appeals answered (resolved) within {answer_days} days of registration (59-FZ), of those that "
        "arrived in the period and are answered or past their deadline."), fmt="pct", higher_is_bad=False),
    _m("at_risk", ("Под угрозой", "At risk"),
       ("Открытые письменные обращения, до срока регистрации ({register_days} дн.) по которым осталось не больше "
        "{register_warn_days} дн., или до срока ответа ({answer_days} дн.) — не больше {warn_days} дн., или срок уже "
        "прошёл.",
        "Open written appeals within {register_warn_days} day(s) of their registration deadline ({register_days} "
        "days) or within {warn_days} days of their answer deadline ({answer_days} days), or past it."),
       higher_is_bad=True),
)

QUEUE = {m.key: m for m in QUEUE_METRICS}
CHANNEL = {m.key: m for m in CHANNEL_METRICS}
REPORT = {**{k: QUEUE[k] for k in ("asa_s", "aht_s", "abandon_rate", "occupancy", "answered", "abandoned",
                                   "short_abandoned", "answered_in_t")}, **{m.key: m for m in REPORT_METRICS}}
CHANNEL_REPORT = {m.key: m for m in CHANNEL_REPORT_METRICS}


def call_kpis(c: Counts, params: MetricParams) -> dict[str, float | int | None]:
    """The counts and the computed KPIs of one queue over one period, as the snapshot publishes them."""
    counts = {k: int(round(c.get(k, 0))) for k in
              ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "lost", "transferred", "blocked")}
    return {**counts,
            "received": counts["offered"] + counts["blocked"],
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
