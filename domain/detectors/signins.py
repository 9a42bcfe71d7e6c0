"""D17 failed sign-ins then a success, D18 one operator's events from several IP addresses at once."""

from __future__ import annotations

from typing import Hashable

from domain.detectors.config import DetectorConfig
from domain.detectors.env import Env
from domain.detectors.model import Hit, SignIn
from domain.detectors.spread import span_text
from domain.detectors.windows import Bursts, SlidingWindow


def login_key(login: str) -> str:
    """A login compared without case and surrounding spaces."""
    return login.strip().casefold()


class FailedThenSuccess:
    """D17: >= N failed sign-ins of one login followed by a successful one, all within the window."""

    def __init__(self, cfg: DetectorConfig) -> None:
        self.span = cfg.fail_window_s
        self.need = cfg.fail_min
        self.fails: dict[str, SlidingWindow] = {}

    def on_signin(self, s: SignIn, day: str, env: Env) -> Hit | None:
        """Feed a sign-in; a hit at the success that ends a run of failures (the failures are then consumed)."""
        window = self.fails.setdefault(login_key(s.login), SlidingWindow(self.span))
        if not s.success:
            window.add(s.ts, s.operator_id, s.id)
            return None
        failed = window.between(s.ts - self.span, s.ts)
        if len(failed) < self.need:
            return None
        window.drop_before(s.ts, inclusive=True)
        op_id = s.operator_id if s.operator_id is not None else next(
            (v for _, v, _ in failed if v is not None), None)
        if op_id is None:
            env.stats["unattributed_signin_burst"] += 1
            return None
        if not env.cfg.on("D17"):
            return None
        n, minutes = len(failed), round(self.span / 60)
        return env.hit("D17", op_id, day, s.ts,
                       (f"{n} неудачных попыток входа, затем успешный вход за {minutes} мин (логин {s.login})",
                        f"{n} failed sign-ins then a successful one within {minutes} min (login {s.login})"),
                       signin_ids=[ref for _, _, ref in failed] + [s.id], scope=f"s{s.id}")

    def prune(self, horizon: float) -> None:
        """Forget logins with no failure newer than ``horizon``."""
        for login in [k for k, w in self.fails.items() if w.newest < horizon or not w.items]:
            del self.fails[login]


class ConcurrentIps:
    """D18: one operator's access rows and sign-ins come from >= N distinct IP addresses within the window."""

    def __init__(self, cfg: DetectorConfig) -> None:
        self.bursts = Bursts(cfg.ip_window_s, cfg.ip_min)

    def on_event(self, operator_id: int, ts: float, ip: str, ref: tuple[str, int], day: str, env: Env) -> Hit | None:
        """Feed an event (ref = ('a', access id) or ('s', sign-in id)); a hit when a new burst starts."""
        if not ip or not env.cfg.on("D18"):
            return None
        burst = self.bursts.observe(operator_id, ts, ip, ref)
        if burst is None:
            return None
        items = burst.items
        refs: list[Hashable] = [r for _, _, r in items]
        ips = sorted({str(v) for _, v, _ in items})
        times = [t for t, _, _ in items]
        span_ru, span_en = span_text(min(times), max(times), env)
        start = burst.start[2]
        return env.hit("D18", operator_id, day, ts,
                       (f"{len(items)} событий с {len(ips)} разных IP-адресов подряд ({', '.join(ips)}): {span_ru}",
                        f"{len(items)} events from {len(ips)} distinct IP addresses in a row ({', '.join(ips)}): "
                        f"{span_en}"),
                       access_ids=[i for k, i in refs if k == "a"], signin_ids=[i for k, i in refs if k == "s"],
                       scope=f"{start[0]}{start[1]}")
