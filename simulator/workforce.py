"""Shifts being worked: sign-in, joining the phone queues or a digital desk, breaks and the end of the shift."""

from __future__ import annotations

from typing import Protocol

from simulator import rows
from simulator.population import Operator
from simulator.roster import Shift
from simulator.world import World

SIGN_IN = "sign_in_events"
TYPO_P = 0.03                # a mistyped password first
WRONG_LOGIN_P = 0.01         # a mistyped login first (matches nobody: operator_id is null)


class Station(Protocol):
    """Where an operator works during a shift (the PBX queues or a digital desk)."""

    def join(self, op: Operator) -> None:
        """The operator's shift starts."""

    def leave(self, op: Operator) -> None:
        """The operator's shift ends."""

    def pause(self, op: Operator, reason: str, seconds: float) -> None:
        """A break of ``seconds`` with a reason."""


class Workforce:
    """Runs the planned shifts and knows who is on shift right now."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.stations: dict[str, Station] = {}          # team kind -> station
        self.on_shift: dict[int, Shift] = {}
        self.by_kind: dict[str, dict[int, Operator]] = {}

    def schedule(self, shift: Shift, not_before: float) -> None:
        """Put a planned shift on the clock; parts before ``not_before`` already happened (or never will)."""
        w = self.w
        if shift.end <= not_before:
            return
        sign_in = shift.start - w.rng.uniform(60, 420)
        if sign_in >= not_before:
            w.loop.at(sign_in, self.sign_in, shift.op)
        w.loop.at(max(shift.start, not_before), self._start, shift)
        for at, seconds, reason in shift.breaks:
            if at >= not_before:
                w.loop.at(at, self._pause, shift.op, reason, seconds)
        w.loop.at(shift.end, self._end, shift)

    def sign_in(self, op: Operator, ip: str | None = None) -> None:
        """A successful sign-in, now and then after one mistyped password."""
        w = self.w
        ip = ip or op.ip
        u = w.rng.random()
        if u < TYPO_P + WRONG_LOGIN_P:
            wrong = u < WRONG_LOGIN_P
            w.emit(SIGN_IN, rows.sign_in(w.now, None if wrong else op.id, f"{op.login}0" if wrong else op.login,
                                         False, ip))
            ok_at = w.now + w.rng.uniform(4, 30)
            w.emit_at(ok_at, SIGN_IN, rows.sign_in(ok_at, op.id, op.login, True, ip))
            return
        w.emit(SIGN_IN, rows.sign_in(w.now, op.id, op.login, True, ip))

    def _station(self, op: Operator) -> Station | None:
        return self.stations.get(self.w.pop.kind_of(op))

    def _start(self, shift: Shift) -> None:
        op = shift.op
        self.on_shift[op.id] = shift
        self.by_kind.setdefault(self.w.pop.kind_of(op), {})[op.id] = op
        station = self._station(op)
        if station is not None:
            station.join(op)

    def _pause(self, op: Operator, reason: str, seconds: float) -> None:
        station = self._station(op)
        if station is not None and op.id in self.on_shift:
            station.pause(op, reason, seconds)

    def _end(self, shift: Shift) -> None:
        op = shift.op
        if self.on_shift.get(op.id) is not shift:
            return
        del self.on_shift[op.id]
        self.by_kind.get(self.w.pop.kind_of(op), {}).pop(op.id, None)
        station = self._station(op)
        if station is not None:
            station.leave(op)

    def pick(self, kind: str) -> Operator | None:
        """A random operator of that team kind on shift now, None when nobody is."""
        ops = self.by_kind.get(kind)
        if not ops:
            return None
        return list(ops.values())[int(self.w.rng.random() * len(ops))]
