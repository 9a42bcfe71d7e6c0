"""Number, duration and time formatting for the screens (times shown in the configured zone)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from components.i18n import ALERT_TEXT, t
from domain.clock import parse_iso

DASH = "—"


def pct(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def duration(seconds: float | None) -> str:
    """``45`` -> ``0:45``; ``3723`` -> ``1:02:03``."""
    if seconds is None:
        return DASH
    s = max(int(round(seconds)), 0)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def duration_short(seconds: float | None, lang: str = "ru") -> str:
    """At most five characters for wall tiles: ``0:45``, ``12:03``, then ``1ч05м`` / ``1h05m``."""
    if seconds is None:
        return DASH
    s = max(int(round(seconds)), 0)
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    h, m = divmod(s // 60, 60)
    return f"{h}h{m:02d}m" if lang == "en" else f"{h}ч{m:02d}м"


def format_value(metric, value: float | int | None, lang: str, short: bool = False) -> str:
    """A catalogue metric's value as its kind says (``short``: the wall's at-most-five-character durations)."""
    if metric.fmt == "pct":
        return pct(value)
    if metric.fmt == "duration":
        return duration_short(value, lang) if short else duration(value)
    return DASH if value is None else str(value)


def num(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def local_time(iso: str | None, tz: str, fmt: str = "%H:%M:%S") -> str:
    """An ISO UTC time from the snapshot as wall-clock time in ``tz``."""
    if not iso:
        return DASH
    return parse_iso(iso).astimezone(ZoneInfo(tz)).strftime(fmt)


def hours(value: float | None, lang: str) -> str:
    """``1.5`` -> ``1.5 ч`` / ``1.5 h``; a missing duration is the dash alone."""
    return DASH if value is None else t("hours", lang).format(h=f"{value:.1f}")


def label(item: dict | None, lang: str, fallback: str = "") -> str:
    """The Russian or English label of a queue, channel or service entry."""
    if not item:
        return fallback
    return item.get("label_en" if lang == "en" else "label_ru") or item.get(
        "name_en" if lang == "en" else "name_ru") or fallback


def alert_message(alert: dict, snapshot: dict | None, lang: str) -> str:
    """The alert's text in ``lang``, made from its rule and numbers."""
    p = alert.get("params") or {}
    scope = alert["scope"]
    if snapshot:
        entry = (snapshot.get("queues", {}).get(scope) or snapshot.get("channels", {}).get(scope))
        if alert["rule"] == "source_stale":
            scope = t(scope, lang)
        elif entry:
            scope = label(entry, lang, scope)
    values = {"scope": scope, "value": num(p.get("value")), "warn": num(p.get("warn")),
              "value_dur": duration(p.get("value")), "warn_dur": duration(p.get("warn")),
              "value_pct": pct(p.get("value")), "warn_pct": pct(p.get("warn")),
              "waiting": p.get("waiting", ""), "error": p.get("error") or t("stale_title", lang).lower(),
              "name": p.get("name_en" if lang == "en" else "name_ru") or scope,
              "days": p.get("days", ""), "oldest": p.get("oldest") or "", "span": p.get("span", ""),
              "calls": p.get("calls", ""), "gaps": p.get("gaps", "")}
    template = ALERT_TEXT.get(alert["rule"], ("{scope}: " + alert["rule"], "{scope}: " + alert["rule"]))
    return template[1 if lang == "en" else 0].format(**values)


def short_name(full: str | None) -> str:
    """"Иванова Анна Сергеевна" -> "Иванова А. С." (a tile's width); other shapes are returned as they are."""
    parts = (full or "").split()
    if len(parts) < 2:
        return full or ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])


def in_state(agent: dict, snapshot: dict | None) -> float | None:
    """Seconds the operator has been in the current state, as of the snapshot."""
    since = agent.get("since_ts")
    if since is None or not snapshot:
        return None
    return max(snapshot.get("generated_ts", since) - since, 0.0)
