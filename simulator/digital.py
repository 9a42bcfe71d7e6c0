"""Digital desks: chat, messengers and mail answered by digital operators, several contacts at a time."""

from __future__ import annotations

from collections import deque

from simulator import profile
from simulator.crm import Crm, Ticket
from simulator.population import Operator
from simulator.world import World


class Agent:
    """A digital operator on shift with free slots for concurrent contacts."""

    __slots__ = ("op", "free", "paused_until", "leaving")

    def __init__(self, op: Operator, slots: int) -> None:
        self.op = op
        self.free = slots
        self.paused_until = 0.0
        self.leaving = False


class Desk:
    __slots__ = ("name", "waiting", "agents", "teams", "next_team")

    def __init__(self, name: str, teams: list[int]) -> None:
        self.name = name
        self.waiting: deque[Ticket] = deque()
        self.agents: dict[int, Agent] = {}
        self.teams = teams
        self.next_team = 0


class Desks:
    """Every digital desk; tickets wait in arrival order until an operator takes them."""

    def __init__(self, world: World, crm: Crm) -> None:
        self.w = world
        self.crm = crm
        teams = {desk: [t.id for t in world.pop.teams if t.desk == desk] for desk in profile.DESKS}
        self.desks = {desk: Desk(desk, ids) for desk, ids in teams.items()}
        self.handle = {d: profile.lognormal_params(s, 0.6) for d, s in profile.DESK_HANDLE_S.items()}

    def arrive(self, channel: str, category: str, citizen: int) -> None:
        """A new message: a ticket waiting for its first response."""
        w = self.w
        desk = self.desks[profile.desk_of(channel)]
        team = desk.teams[desk.next_team % len(desk.teams)] if desk.teams else None
        desk.next_team += 1
        ticket = self.crm.open(channel, None, category, w.pop.citizen_ids[citizen], None, team, None,
                               w.now + w.cfg.targets.get(channel, 900))
        desk.waiting.append(ticket)
        self._dispatch(desk)

    def _dispatch(self, desk: Desk) -> None:
        now = self.w.now
        while desk.waiting:
            agent = max((a for a in desk.agents.values() if a.free > 0 and not a.leaving and a.paused_until <= now),
                        key=lambda a: a.free, default=None)
            if agent is None:
                return
            self._take(desk, agent, desk.waiting.popleft())

    def _take(self, desk: Desk, agent: Agent, ticket: Ticket) -> None:
        w, op = self.w, agent.op
        agent.free -= 1
        self.crm.touch(w.now + w.rng.uniform(2, 8), op, ticket.citizen_id, "search", ticket, None)
        self.crm.touch(w.now + w.rng.uniform(9, 14), op, ticket.citizen_id, "view", ticket, None)
        low, high = profile.DESK_THINK_S[desk.name]
        think = w.rng.uniform(low, high)
        w.loop.at(w.now + think, self.crm.first_response, ticket, op)
        mu, sigma = self.handle[desk.name]
        w.loop.at(w.now + think + w.rng.lognormvariate(mu, sigma), self._done, desk, agent, ticket)

    def _done(self, desk: Desk, agent: Agent, ticket: Ticket) -> None:
        resolved = self.crm.conclude(ticket, agent.op)
        self.crm.maybe_survey(ticket, resolved, self.w.now - ticket.created, None)
        agent.free += 1
        if agent.leaving and agent.free >= profile.DESK_CONCURRENCY[desk.name]:
            desk.agents.pop(agent.op.id, None)
        self._dispatch(desk)

    def _desk_of(self, op: Operator) -> Desk | None:
        team = self.w.pop.team_by_id[op.team_id]
        return self.desks.get(team.desk or "")

    def join(self, op: Operator) -> None:
        """Shift start: the operator starts taking contacts."""
        desk = self._desk_of(op)
        if desk is None:
            return
        agent = desk.agents.get(op.id)
        if agent is None:
            desk.agents[op.id] = Agent(op, profile.DESK_CONCURRENCY[desk.name])
        else:
            agent.leaving = False
        self._dispatch(desk)

    def leave(self, op: Operator) -> None:
        """Shift end: no new contacts; the open ones are finished."""
        desk = self._desk_of(op)
        agent = desk.agents.get(op.id) if desk else None
        if agent is None:
            return
        agent.leaving = True
        if agent.free >= profile.DESK_CONCURRENCY[desk.name]:
            del desk.agents[op.id]

    def pause(self, op: Operator, reason: str, seconds: float) -> None:
        """A break: no new contacts until it ends."""
        desk = self._desk_of(op)
        agent = desk.agents.get(op.id) if desk else None
        if agent is None:
            return
        agent.paused_until = self.w.now + seconds
        self.w.loop.at(agent.paused_until, self._dispatch, desk)
