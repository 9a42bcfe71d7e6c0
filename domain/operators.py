"""An operator as the CRM records them: the one record the live screens, the detectors and the review pages share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    """An employee of the hotline (never a citizen's data); times are UTC epochs.

    Each reader fills the fields its users need: the live screens name the queue member (member name, name, team),
    the detectors judge the employee (team id, role, status, dates, surname, address, own citizen record), the
    review pages name them ("Name (login)", team). Build it with keywords.
    """

    id: int
    member_name: str = ""              # as written to queue_log.agent
    full_name: str = ""
    team: str = ""                     # the team's code
    team_name: str = ""
    team_id: int | None = None
    login: str = ""                    # the unique operator code (152-FZ)
    role: str = ""                     # operator | senior | supervisor | backoffice
    status: str = ""                   # active | suspended | terminated (the current one)
    hired_at: float | None = None
    terminated_at: float | None = None
    surname: str = ""
    address: str | None = None         # home address, normalised (neighbour detection)
    citizen_id: int | None = None      # the operator's own citizen record, if any


def operator_label(name: str | None, login: str) -> str:
    """How the review pages name an operator: "Name (login)", or the login alone when no name is known."""
    return f"{name} ({login})" if name else login
