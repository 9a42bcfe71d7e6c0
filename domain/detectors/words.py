"""Words the reasons are written with, in Russian and English."""

from __future__ import annotations

ACTION = {
    "view": ("просмотр", "view"), "edit": ("изменение", "edit"), "export": ("выгрузка", "export"),
    "print": ("печать", "print"), "search": ("поиск", "search"),
}
WATCH_CATEGORY = {
    "vip": ("VIP", "VIP"), "public_figure": ("публичное лицо", "public figure"),
    "victim": ("пострадавший", "victim"), "other": ("особый контроль", "special attention"),
}
LEAVE_KIND = {"vacation": ("отпуск", "vacation"), "sick": ("больничный", "sick leave"),
              "other": ("отсутствие", "absence")}
STATUS = {"suspended": ("отстранён", "suspended"), "terminated": ("уволен", "terminated"),
          "active": ("активен", "active")}


def word(table: dict[str, tuple[str, str]], key: str | None) -> tuple[str, str]:
    """The (ru, en) words for ``key``; the key itself in both languages when the table lacks it."""
    return table.get(key or "", (key or "?", key or "?"))


def no_link() -> tuple[str, str]:
    """The central reason of an unexplained access."""
    return ("нет звонка или обращения, связывающего оператора с гражданином",
            "no call or ticket links the operator to the citizen")
