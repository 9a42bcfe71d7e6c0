"""D16: an operator's access or successful sign-in from an address not seen for that operator in 28 days.

Worth 5 points (a note for the case) inside the corporate ranges, 35 outside them (a home or foreign address for
an operator whose journal has a unique code and a fixed workstation). Judged only when the operator has history in
the look-back (a new or dormant account has nothing to compare with; D19 is the dormant account's). Fires once
per operator, day and address (scope 'ip<address>'), and grows with that address's further rows of the day.
"""

from __future__ import annotations

import ipaddress
from typing import Hashable

from domain.detectors.config import DAY_S
from domain.detectors.env import Env
from domain.detectors.model import Hit


def corporate(ip: str, ranges: tuple[str, ...]) -> bool:
    """Whether ``ip`` falls in one of the corporate ranges (CIDR); an address that does not parse is not."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(r, strict=False) for r in ranges)


class NewAddress:
    """The operator's known addresses over the look-back (asked once per operator and day) and those seen since."""

    def __init__(self) -> None:
        self.known: dict[tuple[int, str], set[str] | None] = {}   # (operator, day) -> addresses (None: no history)

    def on_event(self, operator_id: int, ts: float, ip: str, ref: tuple[str, int], day: str, env: Env) -> Hit | None:
        """Feed an access row or a successful sign-in (ref = ('a', id) or ('s', id)); a hit for a new address."""
        cfg, scope = env.cfg, f"ip{ip}"
        if not ip or not env.wants_or_grows("D16", operator_id, day, scope):
            return None
        key = (operator_id, day)
        if key not in self.known:
            start = env.clock.start(day)
            seen = env.ctx.known_ips(operator_id, start - cfg.new_ip_days * DAY_S, start)
            self.known[key] = set(seen) if seen else None
        known = self.known[key]
        if known is None or ip in known:
            return None
        outside = not corporate(ip, cfg.corporate_ranges)
        where = ("вне корпоративной сети", "outside the corporate network") if outside else ("", "")
        refs: list[Hashable] = [ref]
        return env.hit("D16", operator_id, day, ts,
                       (f"новый адрес {ip}{' ' + where[0] if outside else ''}: за {cfg.new_ip_days} дн. оператор "
                        f"с него не работал",
                        f"new address {ip}{' ' + where[1] if outside else ''}: not used by the operator in "
                        f"{cfg.new_ip_days} days"),
                       points=cfg.pts("D16") + (cfg.new_ip_outside_bonus if outside else 0),
                       access_ids=[i for k, i in refs if k == "a"], signin_ids=[i for k, i in refs if k == "s"],
                       scope=scope)

    def prune(self, oldest_day: str) -> None:
        for key in [k for k in self.known if k[1] < oldest_day]:
            del self.known[key]
