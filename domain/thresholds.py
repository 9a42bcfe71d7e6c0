"""Green / amber / red levels of a number against its warning and critical thresholds."""

from __future__ import annotations

OK, WARN, CRIT = "ok", "warn", "crit"


def level(value: float | None, warn: float, crit: float, higher_is_bad: bool = True,
          margin: float = 0.0) -> str | None:
    """``ok``, ``warn`` or ``crit``; None when there is no value.

    ``margin`` (a fraction) moves both thresholds towards 'good' so that an active alert clears only when the
    value is clearly back (hysteresis).
    """
    if value is None:
        return None
    if higher_is_bad:
        warn, crit = warn * (1 - margin), crit * (1 - margin)
        return CRIT if value >= crit else WARN if value >= warn else OK
    warn, crit = warn * (1 + margin), crit * (1 + margin)
    return CRIT if value < crit else WARN if value < warn else OK


def queue_levels(q: dict, cfg) -> dict[str, str | None]:
    """Colour level of each wall-screen number of one queue (``cfg``: a domain.lines.QueueConfig)."""
    available = q["agents"]["available"]
    if q["waiting"] and not available:
        available_level = CRIT
    else:
        available_level = WARN if available < cfg.available_warn and q["agents"]["logged_in"] else OK
    sl30 = q["windows"]["30"]["service_level"]
    return {
        "waiting": level(q["waiting"], cfg.waiting_warn, cfg.waiting_crit),
        "longest_wait_s": level(q["longest_wait_s"], cfg.longest_wait_warn_s, cfg.longest_wait_crit_s),
        "available": available_level,
        "service_level": level(q["service_level"], cfg.sl_goal, cfg.sl_warn, higher_is_bad=False),
        "service_level_30m": level(sl30, cfg.sl_goal, cfg.sl_warn, higher_is_bad=False),
        "abandon_rate": level(q["abandon_rate"], cfg.abandon_rate_warn, cfg.abandon_rate_crit),
        "asa_s": level(q["asa_s"], cfg.asa_warn_s, cfg.asa_crit_s),
    }


def channel_levels(c: dict, cfg) -> dict[str, str | None]:
    """Colour level of each wall-screen number of one digital channel (``cfg``: a domain.lines.ChannelConfig)."""
    return {
        "waiting": level(c["waiting"], cfg.waiting_warn, cfg.waiting_crit),
        "oldest_wait_s": level(c["oldest_wait_s"], cfg.target_s, cfg.target_s * 2),
        "service_level": level(c["service_level"], cfg.sl_goal, cfg.sl_warn, higher_is_bad=False),
    }
