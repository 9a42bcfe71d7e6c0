"""D07 off shift, D08 on leave / after termination / not active: should the operator be working at all?"""

from __future__ import annotations

from collections import Counter

from domain.detectors.config import DAY_S
from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit, OperatorInfo
from domain.detectors.words import LEAVE_KIND, STATUS, word

NIGHT = "night"   # the scope of D07 at night on a day off


def off_shift(a: AccessEvent, op: OperatorInfo | None, day: str, env: Env) -> Hit | None:
    """D07: the access is outside every shift +-margin; without a schedule, at an hour the operator rarely works.

    At night on a day off it fires again under scope 'night' (worth more) even when the day's D07 has fired.
    """
    cfg = env.cfg
    if op is None or not (env.wants_or_grows("D07", a.operator_id, day)
                          or env.wants_or_grows("D07", a.operator_id, day, NIGHT)):
        return None
    start = env.clock.start(day)
    shifts = day_shifts(a.operator_id, day, env)   # one window per operator-day: the per-call cache answers
    if not shifts:
        return _rare_hour(a, day, env) if env.wants_or_grows("D07", a.operator_id, day) else None
    m = cfg.shift_margin_s
    if any(s.start - m <= a.ts <= s.end + m for s in shifts):
        return None
    if not any(s.start < start + DAY_S and s.end > start for s in shifts):
        return _day_off(a, day, env)
    if not env.wants_or_grows("D07", a.operator_id, day):
        return None
    hhmm, margin = env.clock.hhmm(a.ts), round(m / 60)
    return env.hit("D07", a.operator_id, day, a.ts,
                   (f"доступ в {hhmm} вне смены (с запасом ±{margin} мин)",
                    f"access at {hhmm} outside every shift (±{margin} min)"), **_evidence(a))


def _evidence(a: AccessEvent) -> dict:
    return {"access_ids": (a.id,), "citizen_ids": () if a.citizen_id is None else (a.citizen_id,)}


def _day_off(a: AccessEvent, day: str, env: Env) -> Hit | None:
    """D07 on a day without any shift: a stronger signal than minutes outside a working shift, and at night a
    medium case on its own (``night_day_off_points``)."""
    cfg, hhmm = env.cfg, env.clock.hhmm(a.ts)
    if cfg.night(env.clock.hour_of_week(a.ts) % 24):
        if not env.wants_or_grows("D07", a.operator_id, day, NIGHT):
            return None
        return env.hit("D07", a.operator_id, day, a.ts,
                       (f"доступ ночью ({hhmm}) в выходной день оператора (смены в этот день нет)",
                        f"access at night ({hhmm}) on the operator's day off (no shift that day)"),
                       points=cfg.night_day_off_points, scope=NIGHT, **_evidence(a))
    if not env.wants_or_grows("D07", a.operator_id, day):
        return None
    return env.hit("D07", a.operator_id, day, a.ts,
                   (f"доступ в {hhmm} в выходной день оператора (смены в этот день нет)",
                    f"access at {hhmm} on the operator's day off (no shift that day)"),
                   points=cfg.day_off_points, **_evidence(a))


def _rare_hour(a: AccessEvent, day: str, env: Env) -> Hit | None:
    """D07 without a schedule: the access's hour of the week holds under 1 % of the operator's last 28 days."""
    cfg, key = env.cfg, ("D07-hours", a.operator_id, day)
    hours = env.derived.get(key)
    if hours is None:
        start = env.clock.start(day)
        past = env.ctx.access_times(a.operator_id, start - cfg.rare_hour_days * DAY_S, start)
        hours = env.derived[key] = Counter(env.clock.hour_of_week(t) for t in past)
    total = sum(hours.values())
    if total < cfg.rare_hour_min_history:
        env.stats["no_schedule"] += 1    # too little history to know the operator's hours
        return None
    share = hours[env.clock.hour_of_week(a.ts)] / total
    if share >= cfg.rare_hour_share:
        return None
    hhmm, pct = env.clock.hhmm(a.ts), f"{100 * share:.1f}"
    return env.hit("D07", a.operator_id, day, a.ts,
                   (f"доступ в {hhmm}: графика смен нет, а на этот час недели приходится {pct}% доступов "
                    f"оператора за {cfg.rare_hour_days} дн.",
                    f"access at {hhmm}: no shift schedule, and this hour of the week holds {pct}% of the "
                    f"operator's accesses over {cfg.rare_hour_days} days"),
                   access_ids=(a.id,), citizen_ids=() if a.citizen_id is None else (a.citizen_id,))


def day_shifts(operator_id: int, day: str, env: Env) -> list:
    """The operator's shifts around ``day`` (the same window for D07 and D08, so one lookup serves both)."""
    start, around = env.clock.start(day), env.cfg.schedule_lookaround_s
    return env.ctx.shifts(operator_id, start - around, start + DAY_S + around)


def _shift_before(ts: float, begun_before: float, shifts: list, margin: float) -> bool:
    """Whether ``ts`` falls in a shift (+-margin) that began before ``begun_before`` (an evening shift that runs
    past the midnight a leave starts at is still work)."""
    return any(s.start < begun_before and s.start - margin <= ts <= s.end + margin for s in shifts)


def _absence(ts: float, op: OperatorInfo, day: str, env: Env) -> tuple[str, str] | None:
    if op.terminated_at is not None and ts >= op.terminated_at:
        when = env.clock.date_text(op.terminated_at)
        return f"доступ после увольнения ({when})", f"access after termination ({when})"
    if op.status != "active":
        st_ru, st_en = word(STATUS, op.status)
        return f"доступ при статусе «{st_ru}»", f"access while the operator's status is '{st_en}'"
    for leave in env.ctx.leaves(op.id):
        if leave.start <= ts < leave.end and not _shift_before(ts, leave.start, day_shifts(op.id, day, env),
                                                               env.cfg.shift_margin_s):
            kind_ru, kind_en = word(LEAVE_KIND, leave.kind)
            return f"доступ во время отсутствия ({kind_ru})", f"access while on leave ({kind_en})"
    return None


def absent(a: AccessEvent, op: OperatorInfo | None, day: str, env: Env) -> Hit | None:
    """D08: the access happened during a leave, after termination, or while the status is not active."""
    if op is None or not env.wants_or_grows("D08", a.operator_id, day):
        return None
    reasons = _absence(a.ts, op, day, env)
    if reasons is None:
        return None
    return env.hit("D08", a.operator_id, day, a.ts, reasons,
                   access_ids=(a.id,), citizen_ids=() if a.citizen_id is None else (a.citizen_id,))
