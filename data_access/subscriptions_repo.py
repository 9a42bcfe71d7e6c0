"""Managers' subscriptions to the scheduled SLA reports (monthly, weekly), one per login and cadence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update

from data_access.schema.appdb import report_subscriptions as S
from domain.clock import utc_naive
from domain.report_schedule import CADENCES

EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")


class SubscriptionError(ValueError):
    """A subscription that cannot be kept; the message says why."""


@dataclass(frozen=True)
class Subscription:
    id: int
    login: str
    email: str
    cadence: str
    lang: str


class SubscriptionRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def subscribe(self, login: str, email: object, cadence: object, lang: object, now: float) -> int:
        """Subscribe ``login`` (or change its address and language) to a cadence's report."""
        if cadence not in CADENCES:
            raise SubscriptionError(f"cadence: one of {', '.join(CADENCES)}")
        address = email.strip() if isinstance(email, str) else ""
        if not EMAIL.fullmatch(address):
            raise SubscriptionError("e-mail: one address such as name@example.org")
        values = {"email": address, "lang": "en" if lang == "en" else "ru"}
        with self.engine.begin() as conn:
            row = conn.execute(select(S.c.id).where(S.c.login == login, S.c.cadence == cadence)).first()
            if row is not None:
                conn.execute(update(S).where(S.c.id == row.id).values(**values))
                return row.id
            return conn.execute(insert(S).values(login=login[:80], cadence=cadence, created_at=utc_naive(now),
                                                 **values)).inserted_primary_key[0]

    def unsubscribe(self, login: str, cadence: object) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(S).where(S.c.login == login, S.c.cadence == cadence)).rowcount == 1

    def all(self, cadence: str | None = None, login: str | None = None) -> list[Subscription]:
        query = select(S).order_by(S.c.login, S.c.cadence)
        if cadence is not None:
            query = query.where(S.c.cadence == cadence)
        if login is not None:
            query = query.where(S.c.login == login)
        with self.engine.connect() as conn:
            return [Subscription(r.id, r.login, r.email, r.cadence, r.lang) for r in conn.execute(query)]
