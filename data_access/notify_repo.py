"""Notifications in the app database: routes, what each announced, silences, and the outbox of messages.

The outbox is the only way out: the poller's dispatcher writes a message and the route's new state in one
transaction (a message is never planned twice, and a unique idempotency key refuses a second copy whoever writes
it), then delivers what is due, at least once, with retries and back-off. The web app only writes routes, silences
and test messages; it never sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from data_access.schema.appdb import notify_groups as G
from data_access.schema.appdb import notify_outbox as O
from data_access.schema.appdb import notify_routes as R
from data_access.schema.appdb import notify_silences as S
from domain.clock import from_utc_naive, iso_utc, utc_naive
from domain.notify import GroupState, Route, Silence

ERROR_WIDTH = 300


@dataclass(frozen=True)
class OutMessage:
    """A message to write to the outbox."""

    idem_key: str
    route_id: int | None
    channel: str
    target: str
    kind: str
    subject: str
    body: str
    payload: dict
    attachment_name: str | None = None
    attachment: bytes | None = None


@dataclass(frozen=True)
class Due:
    """A message of the outbox to deliver now."""

    id: int
    idem_key: str
    channel: str
    target: str
    subject: str
    body: str
    payload: dict
    attempts: int
    attachment_name: str | None = None
    attachment: bytes | None = None


def _route(r) -> Route:
    split = lambda v: tuple(x for x in (v or "").split(",") if x)  # noqa: E731
    return Route(r.id, r.name, r.channel, r.target, r.audience, split(r.rules), split(r.scopes), r.min_severity,
                 r.min_band, r.quiet_from, r.quiet_to, r.group_wait_s, r.repeat_s, bool(r.send_resolved),
                 bool(r.enabled))


def _t(value) -> float | None:
    return from_utc_naive(value) if value is not None else None


def _values(message: OutMessage, now: float) -> dict:
    return {"idem_key": message.idem_key[:200], "route_id": message.route_id, "channel": message.channel,
            "target": message.target[:500], "kind": message.kind, "subject": message.subject[:300],
            "body": message.body, "payload": json.dumps(message.payload, ensure_ascii=False, default=str),
            "attachment_name": message.attachment_name, "attachment": message.attachment, "status": "pending",
            "attempts": 0, "next_at": utc_naive(now), "created_at": utc_naive(now)}


class NotifyRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- routes -------------------------------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        with self.engine.connect() as conn:
            return [_route(r) for r in conn.execute(select(R).order_by(R.c.name))]

    def route(self, route_id: int) -> Route | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(R).where(R.c.id == route_id)).first()
        return _route(row) if row else None

    def save_route(self, values: dict, actor: str, now: float) -> int:
        """Insert a route, or update the one of the same name (values as domain.notify.route_values gives)."""
        stamp = {"updated_by": actor[:80], "updated_at": utc_naive(now)}
        with self.engine.begin() as conn:
            row = conn.execute(select(R.c.id).where(R.c.name == values["name"])).first()
            if row is not None:
                conn.execute(update(R).where(R.c.id == row.id).values(**values, **stamp))
                return row.id
            return conn.execute(insert(R).values(**values, **stamp)).inserted_primary_key[0]

    def delete_route(self, route_id: int) -> bool:
        """Remove a route with its state and silences; its delivered messages stay (their route is forgotten)."""
        with self.engine.begin() as conn:
            conn.execute(delete(G).where(G.c.route_id == route_id))
            conn.execute(delete(S).where(S.c.route_id == route_id))
            conn.execute(update(O).where(O.c.route_id == route_id, O.c.status != "sent")
                         .values(status="dead", last_error="the route was deleted"))
            conn.execute(update(O).where(O.c.route_id == route_id).values(route_id=None))
            return conn.execute(delete(R).where(R.c.id == route_id)).rowcount == 1

    # -- state of a route and the messages it plans ------------------------------------------------------------------
    def states(self) -> dict[int, GroupState]:
        with self.engine.connect() as conn:
            return {r.route_id: GroupState(json.loads(r.announced), _t(r.pending_since), _t(r.last_sent_at), r.seq)
                    for r in conn.execute(select(G))}

    def commit_plan(self, route_id: int, before: GroupState, after: GroupState, message: OutMessage | None,
                    now: float) -> bool:
        """Store the route's new state and its message in one transaction, if the state is still ``before``
        (another dispatcher did not move it meanwhile). False: nothing written."""
        values = {"announced": json.dumps(after.announced, sort_keys=True), "seq": after.seq,
                  "pending_since": utc_naive(after.pending_since) if after.pending_since is not None else None,
                  "last_sent_at": utc_naive(after.last_sent_at) if after.last_sent_at is not None else None}
        try:
            with self.engine.begin() as conn:
                if not self._move_state(conn, route_id, before, values):
                    return False
                if message is not None:
                    conn.execute(insert(O).values(**_values(message, now)))
        except IntegrityError:  # the same message (idempotency key) exists already
            return False
        return True

    @staticmethod
    def _move_state(conn, route_id: int, before: GroupState, values: dict) -> bool:
        row = conn.execute(select(G.c.seq).where(G.c.route_id == route_id)).first()
        if row is None:
            conn.execute(insert(G).values(route_id=route_id, **values))
            return True
        return conn.execute(update(G).where(G.c.route_id == route_id, G.c.seq == before.seq)
                            .values(**values)).rowcount == 1

    def enqueue(self, message: OutMessage, now: float) -> bool:
        """A message outside any route's plan (a test, a report). False: its idempotency key was used already."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(O).values(**_values(message, now)))
        except IntegrityError:
            return False
        return True

    def known(self, keys: list[str]) -> set[str]:
        """Which of these idempotency keys the outbox holds already."""
        with self.engine.connect() as conn:
            return {k for (k,) in conn.execute(select(O.c.idem_key).where(O.c.idem_key.in_(keys)))} if keys else set()

    # -- delivery -----------------------------------------------------------------------------------------------------
    def due(self, now: float, limit: int = 50, claim_timeout_s: float = 300) -> list[Due]:
        """Pending messages whose time has come, and claimed ones abandoned by a dispatcher that stopped."""
        stale = utc_naive(now - claim_timeout_s)
        with self.engine.connect() as conn:
            rows = conn.execute(select(O).where(or_(O.c.status == "pending", (O.c.status == "sending")
                                                    & (O.c.claimed_at < stale)), O.c.next_at <= utc_naive(now))
                                .order_by(O.c.id).limit(limit)).all()
        return [Due(r.id, r.idem_key, r.channel, r.target, r.subject, r.body, json.loads(r.payload), r.attempts,
                    r.attachment_name, r.attachment) for r in rows]

    def claim(self, message_id: int, attempts: int, now: float) -> bool:
        """Take a message for delivery (False: another dispatcher took it or it was delivered)."""
        with self.engine.begin() as conn:
            return conn.execute(update(O).where(O.c.id == message_id, O.c.attempts == attempts,
                                                O.c.status.in_(("pending", "sending")))
                                .values(status="sending", claimed_at=utc_naive(now))).rowcount == 1

    def delivered(self, message_id: int, now: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(O).where(O.c.id == message_id).values(status="sent", sent_at=utc_naive(now),
                                                                       attempts=O.c.attempts + 1, last_error=None))

    def failed(self, message_id: int, error: str, next_at: float | None) -> None:
        """A failed try: again at ``next_at``, or never (None: the message is dead)."""
        values = {"status": "dead" if next_at is None else "pending", "attempts": O.c.attempts + 1,
                  "last_error": error[:ERROR_WIDTH], "claimed_at": None}
        if next_at is not None:
            values["next_at"] = utc_naive(next_at)
        with self.engine.begin() as conn:
            conn.execute(update(O).where(O.c.id == message_id).values(**values))

    def purge(self, before: float) -> int:
        """Forget delivered and given-up messages created before ``before`` (their attachments with them)."""
        with self.engine.begin() as conn:
            return conn.execute(delete(O).where(O.c.status.in_(("sent", "dead")),
                                                O.c.created_at < utc_naive(before))).rowcount

    def recent(self, limit: int = 100) -> list[dict]:
        """The latest messages with their delivery status (the alerts page's table)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(O.c.id, O.c.kind, O.c.channel, O.c.subject, O.c.status, O.c.attempts,
                                       O.c.last_error, O.c.created_at, O.c.sent_at, R.c.name)
                                .outerjoin(R, R.c.id == O.c.route_id).order_by(O.c.id.desc()).limit(limit)).all()
        return [{"id": r.id, "route": r.name or "", "kind": r.kind, "channel": r.channel, "subject": r.subject,
                 "status": r.status, "attempts": r.attempts, "error": r.last_error or "",
                 "created_at": iso_utc(_t(r.created_at)), "sent_at": iso_utc(_t(r.sent_at))} for r in rows]

    # -- silences -----------------------------------------------------------------------------------------------------
    def add_silence(self, matcher: str, route_id: int | None, reason: str, actor: str, now: float,
                    expires_at: float) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(S).values(matcher=matcher, route_id=route_id, reason=reason[:500],
                                                 created_by=actor[:80], created_at=utc_naive(now),
                                                 expires_at=utc_naive(expires_at))).inserted_primary_key[0]

    def end_silence(self, silence_id: int, now: float) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(update(S).where(S.c.id == silence_id, S.c.ended_at.is_(None))
                                .values(ended_at=utc_naive(now), expires_at=utc_naive(now))).rowcount == 1

    def silences(self, now: float) -> list[Silence]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S).where(S.c.expires_at > utc_naive(now))).all()
        return [Silence(r.id, r.matcher, r.route_id, from_utc_naive(r.expires_at)) for r in rows]

    def silence_rows(self, now: float) -> list[dict]:
        """Live silences with who set them and why (the alerts page)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(S, R.c.name).outerjoin(R, R.c.id == S.c.route_id)
                                .where(S.c.expires_at > utc_naive(now)).order_by(S.c.expires_at)).all()
        return [{"id": r.id, "matcher": r.matcher, "route": r.name or "*", "reason": r.reason,
                 "created_by": r.created_by, "expires_at": iso_utc(from_utc_naive(r.expires_at))} for r in rows]
