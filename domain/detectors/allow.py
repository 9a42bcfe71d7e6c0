"""Allow-rules: a reviewer's approved explanation silences one detector for an operator or a team until it expires."""

from __future__ import annotations

from typing import Iterable

from domain.detectors.model import AllowRule, Hit, OperatorInfo


def matches(rule: AllowRule, hit: Hit, op: OperatorInfo | None) -> bool:
    """Whether ``rule`` silences ``hit``: same detector, in force at the hit's time (made before it, not expired),
    operator and/or team match.

    A rule naming neither an operator nor a team matches nothing; one naming both needs both.
    """
    return covers(rule, hit.detector, hit.operator_id, hit.ts, op)


def covers(rule: AllowRule, detector: str, operator_id: int, ts: float, op: OperatorInfo | None) -> bool:
    """Whether ``rule`` silences ``detector`` for the operator at ``ts`` (see ``matches``)."""
    if rule.detector != detector or not rule.starts_at <= ts < rule.expires_at:
        return False
    if rule.operator_id is None and rule.team_id is None:
        return False
    if rule.operator_id is not None and rule.operator_id != operator_id:
        return False
    return rule.team_id is None or (op is not None and op.team_id == rule.team_id)


def silencing_rule(hit: Hit, op: OperatorInfo | None, rules: Iterable[AllowRule]) -> AllowRule | None:
    """The first rule that silences ``hit``, or None."""
    return next((r for r in rules if matches(r, hit, op)), None)


def rule_for(detector: str, operator_id: int, ts: float, op: OperatorInfo | None,
             rules: Iterable[AllowRule]) -> AllowRule | None:
    """The first rule that would silence ``detector`` for the operator at ``ts``, or None."""
    return next((r for r in rules if covers(r, detector, operator_id, ts, op)), None)
