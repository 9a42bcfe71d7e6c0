"""Interface texts in Russian (default) and English, KPI definitions for tooltips, alert messages."""

from __future__ import annotations

LANGS = ("ru", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Горячая линия Госуслуг", "Gosuslugi hotline"),
    "nav_wall": ("Табло", "Wall"),
    "nav_queues": ("Очереди", "Queues"),
    "nav_operators": ("Операторы", "Operators"),
    "nav_services": ("Сервисы", "Services"),
    "nav_alerts": ("Оповещения", "Alerts"),
    "theme_dark": ("Тёмная тема", "Dark theme"),
    "theme_light": ("Светлая тема", "Light theme"),
    "data_age": ("Данные", "Data"),
    "ago": ("назад", "ago"),
    "stale_title": ("ДАННЫЕ УСТАРЕЛИ", "DATA IS STALE"),
    "stale_body": ("Последнее обновление {age} назад. Цифры на экране не текущие.",
                   "Last update {age} ago. The numbers on screen are not current."),
    "stale_source": ("Источник недоступен: {names}", "Source unavailable: {names}"),
    "no_data": ("Ожидание первых данных…", "Waiting for the first data…"),
    "waiting": ("В очереди", "Waiting"),
    "longest_wait": ("Макс. ожидание", "Longest wait"),
    "available": ("Свободны", "Available"),
    "available_of": ("Свободны (из {n})", "Available (of {n})"),
    "sl_today": ("SL сегодня", "SL today"),
    "sl_30m": ("SL 30 мин", "SL 30 min"),
    "abandon_rate": ("Потери", "Abandoned"),
    "asa": ("ASA", "ASA"),
    "aht": ("AHT", "AHT"),
    "occupancy": ("Загрузка", "Occupancy"),
    "offered": ("Поступило", "Offered"),
    "answered": ("Отвечено", "Answered"),
    "abandoned": ("Потеряно", "Abandoned"),
    "abandoned_short": ("Потеряно (коротких)", "Abandoned (short)"),
    "short_abandoned": ("Короткие сбросы", "Short abandons"),
    "timed_out": ("Таймаут/выход", "Timed out/exit"),
    "oldest_wait": ("Макс. ожид.", "Oldest"),
    "sl_first_response": ("SL ответа", "Response SL"),
    "logged_in": ("В системе", "Logged in"),
    "on_call": ("Разговор", "On a call"),
    "wrap_up": ("Постобработка", "Wrap-up"),
    "paused": ("Пауза", "Paused"),
    "offline": ("Не в сети", "Offline"),
    "services": ("Сервисы портала", "Portal services"),
    "alerts": ("Оповещения", "Alerts"),
    "no_alerts": ("Активных оповещений нет", "No active alerts"),
    "channels": ("Цифровые каналы", "Digital channels"),
    "status_up": ("работает", "up"),
    "status_degraded": ("с ошибками", "degraded"),
    "status_down": ("недоступен", "down"),
    "status_unknown": ("нет данных", "no data"),
    "since": ("с", "since"),
    "queue": ("Очередь", "Queue"),
    "waiting_callers": ("Ожидающие абоненты", "Waiting callers"),
    "abandoned_calls": ("Потерянные звонки сегодня (для перезвона)", "Today's abandoned calls (for call-backs)"),
    "position": ("Позиция", "Position"),
    "wait": ("Ожидание", "Wait"),
    "caller": ("Номер", "Caller"),
    "time": ("Время", "Time"),
    "short": ("Короткий", "Short"),
    "yes": ("да", "yes"),
    "intervals_chart": ("По 15-минутным интервалам", "Per 15-minute interval"),
    "goal": ("Цель", "Goal"),
    "queue_operators": ("Операторы очереди", "Operators of the queue"),
    "operator": ("Оператор", "Operator"),
    "state": ("Состояние", "State"),
    "in_state": ("В состоянии", "In state"),
    "reason": ("Причина", "Reason"),
    "team": ("Группа", "Team"),
    "queues": ("Очереди", "Queues"),
    "all": ("Все", "All"),
    "filter_team": ("Группа", "Team"),
    "filter_queue": ("Очередь", "Queue"),
    "filter_state": ("Состояние", "State"),
    "operators_total": ("Операторов", "Operators"),
    "incidents": ("Открытые инциденты", "Open incidents"),
    "no_incidents": ("Открытых инцидентов нет", "No open incidents"),
    "sources": ("Источники данных", "Data sources"),
    "source": ("Источник", "Source"),
    "last_poll": ("Последний опрос", "Last poll"),
    "lag": ("Задержка", "Lag"),
    "error": ("Ошибка", "Error"),
    "rows": ("Строк", "Rows"),
    "bad_rows": ("Плохих строк", "Bad rows"),
    "latency": ("Время ответа", "Latency"),
    "severity": ("Важность", "Severity"),
    "critical": ("Критично", "Critical"),
    "warning": ("Внимание", "Warning"),
    "fired_at": ("Возникло", "Fired"),
    "acknowledge": ("Принять", "Acknowledge"),
    "acknowledged_by": ("Принято: {who}, {when}", "Acknowledged by {who} at {when}"),
    "resolved_at": ("Снято", "Resolved"),
    "history": ("История за сутки", "Recent history"),
    "active_alerts": ("Активные оповещения", "Active alerts"),
    "state_firing": ("активно", "firing"),
    "state_acknowledged": ("принято", "acknowledged"),
    "state_resolved": ("снято", "resolved"),
    "telephony": ("Телефония (queue_log)", "Telephony (queue_log)"),
    "ticketing": ("CRM (обращения)", "CRM (tickets)"),
    "ok": ("в порядке", "ok"),
    "bad_input": ("Отброшено при чтении", "Rejected on input"),
    "title": ("Заголовок", "Title"),
    "no_rows": ("Нет строк", "No rows"),
    "ms": ("мс", "ms"),
    "last_hour": ("график за час", "chart: last hour"),
}

KPI_HELP: dict[str, tuple[str, str]] = {
    "waiting": ("Абоненты в очереди сейчас: вошли (ENTERQUEUE) и ещё не соединены и не вышли.",
                "Callers in the queue now: entered (ENTERQUEUE), not yet connected and not gone."),
    "longest_wait": ("Сколько ждёт абонент, стоящий в очереди дольше всех.",
                     "How long the caller who has waited longest has been waiting."),
    "available": ("Операторы очереди, которые в системе, не на паузе, не разговаривают и не в постобработке.",
                  "Members of the queue logged in, not paused, not on a call and not in wrap-up."),
    "sl": ("Уровень сервиса: отвеченные за T секунд / (отвеченные + потерянные после короткого сброса). "
           "Цель по умолчанию: 80 % за 20 с.",
           "Service level: answered within T seconds / (answered + abandoned after the short-abandon limit). "
           "Default goal: 80 % within 20 s."),
    "sl_30m": ("Уровень сервиса за последние 30 минут (скользящее окно).",
               "Service level over the last 30 minutes (rolling window)."),
    "abandon_rate": ("Доля потерянных: (потерянные − короткие сбросы) / (поступившие − короткие сбросы). "
                     "Короткий сброс — абонент ушёл быстрее 5 с.",
                     "Abandonment rate: (abandoned − short abandons) / (offered − short abandons). "
                     "A short abandon left within 5 s."),
    "on_call": ("Операторы очереди, которые сейчас разговаривают.", "Members of the queue on a call now."),
    "asa": ("Среднее время ожидания ответа отвеченных звонков (ASA).",
            "Average speed of answer: mean wait of answered calls."),
    "aht": ("Среднее время обработки: разговор + постобработка (AHT).",
            "Average handle time: talk plus wrap-up."),
    "occupancy": ("Загрузка: (разговор + постобработка) / время в системе без пауз.",
                  "Occupancy: (talk + wrap-up) / logged-in time not paused."),
    "offered": ("Поступившие звонки: уникальные вызовы с ENTERQUEUE с полуночи.",
                "Offered: distinct calls with ENTERQUEUE since midnight."),
    "answered": ("Отвеченные: вызовы с CONNECT.", "Answered: calls with CONNECT."),
    "abandoned": ("Потерянные: абонент положил трубку в очереди (ABANDON).",
                  "Abandoned: the caller hung up in the queue (ABANDON)."),
    "ch_waiting": ("Обращения без первого ответа оператора.", "Tickets without a first response yet."),
    "ch_oldest": ("Сколько ждёт самое старое обращение без ответа.", "Age of the oldest unanswered ticket."),
    "ch_sl": ("Доля первых ответов в пределах целевого времени канала (чат 60 с, мессенджеры 15 мин, почта 24 ч).",
              "First responses within the channel's target (chat 60 s, messengers 15 min, e-mail 24 h)."),
    "data_age": ("Сколько секунд назад опрошены источники. Если больше порога — экран помечается как устаревший.",
                 "Seconds since the sources were polled. Beyond the threshold the screen shows a stale state."),
}

ALERT_TEXT: dict[str, tuple[str, str]] = {
    "queue_waiting": ("{scope}: в очереди {value} абонентов (порог {warn})",
                      "{scope}: {value} callers waiting (threshold {warn})"),
    "queue_longest_wait": ("{scope}: абонент ждёт {value_dur} (порог {warn_dur})",
                           "{scope}: a caller has waited {value_dur} (threshold {warn_dur})"),
    "queue_sl_30m": ("{scope}: уровень сервиса за 30 мин {value_pct} (цель {warn_pct})",
                     "{scope}: 30-min service level {value_pct} (goal {warn_pct})"),
    "queue_no_agent": ("{scope}: нет свободных операторов, в очереди {waiting}",
                       "{scope}: no operator available, {waiting} waiting"),
    "channel_waiting": ("{scope}: без ответа {value} обращений (порог {warn})",
                        "{scope}: {value} tickets without a response (threshold {warn})"),
    "service_down": ("Сервис «{name}» недоступен", "Service '{name}' is down"),
    "source_stale": ("Источник «{scope}» не отвечает: {error}", "Source '{scope}' is not answering: {error}"),
}


def t(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (Russian when the language is unknown); the key itself if missing."""
    pair = STRINGS.get(key) or KPI_HELP.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def kpi_help(key: str, lang: str) -> str:
    pair = KPI_HELP[key]
    return pair[1] if lang == "en" else pair[0]


def norm_lang(lang: str | None, default: str = "ru") -> str:
    return lang if lang in LANGS else default
