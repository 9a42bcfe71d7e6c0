"""The people and things of the hotline: teams, operators, citizens, the watch-list and the portal services.

Built once (deterministically from the seed and scale) and written to the CRM; later runs read it back.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator

from simulator import names, profile, staffing
from simulator.timeconv import utc_naive

TEAM_SIZE = 25
DESK_LABELS = {"chat": ("Чат", "chat"), "messengers": ("Мессенджеры", "messengers"),
               "mail": ("Почта и формы", "mail")}
SECOND_QUEUE = {"general": "documents", "documents": "general", "cabinet": "technical", "technical": "cabinet"}
SERVICES = (
    ("esia", "Авторизация (ЕСИА)", "Sign-in (ESIA)", "cabinet"),
    ("cabinet", "Личный кабинет", "Personal cabinet", "cabinet"),
    ("payments", "Оплата пошлин", "Fee payments", "technical"),
    ("applications", "Подача заявлений", "Application submission", "technical"),
    ("uploads", "Загрузка документов", "Document upload", "technical"),
    ("appointments", "Запись на приём", "Appointment booking", "technical"),
    ("signature", "Электронная подпись", "Electronic signature", "technical"),
    ("mobile_api", "API мобильного приложения", "Mobile app API", "technical"),
    ("notifications", "Уведомления", "Notifications", "general"),
)
WATCH_REASONS = {
    "vip": ("Руководитель федерального органа", "Депутат Государственной думы"),
    "public_figure": ("Известный артист", "Олимпийский чемпион", "Телеведущий"),
    "victim": ("Потерпевший по уголовному делу", "Защищаемое лицо"),
}
BATCH = 20_000


@dataclass(slots=True)
class Team:
    id: int
    code: str
    name: str
    kind: str                   # phone | digital | backoffice
    queuename: str | None

    @property
    def desk(self) -> str | None:
        """The digital desk of a digital team (``digital-<desk>-NN``)."""
        return self.code.split("-")[1] if self.kind == "digital" else None


@dataclass(slots=True)
class Operator:
    id: int
    login: str
    full_name: str
    surname: str
    team_id: int
    role: str                   # operator | senior | supervisor | backoffice
    member_name: str | None     # PJSIP/<extension> for phone operators
    status: str                 # active | suspended | terminated
    hired_at: float
    terminated_at: float | None
    address: str
    citizen_id: int | None
    queues: list[tuple[str, int]] = field(default_factory=list)   # (queue, penalty)

    @property
    def ip(self) -> str:
        """The operator's own workstation address (stable)."""
        return workstation_ip(self.id)


@dataclass(slots=True)
class Service:
    id: int
    code: str
    name_ru: str
    name_en: str
    line: str


@dataclass
class Population:
    """Everything the simulation needs to know about people; citizens are kept as ids and phones only."""

    teams: list[Team]
    operators: list[Operator]
    services: list[Service]
    citizen_ids: list[int]
    phones: list[str]
    employee_of: dict[int, int]             # citizen id -> operator id
    relatives: dict[int, list[int]]         # operator id -> citizens of the same family at the same address
    neighbours: dict[int, list[int]]        # operator id -> other citizens at the same address
    watchlist: list[int]
    seed: int = 0
    dormant: frozenset[int] = frozenset()   # active accounts nobody uses (derived, never stored)

    def __post_init__(self) -> None:
        self.team_by_id = {t.id: t for t in self.teams}
        self.op_by_id = {o.id: o for o in self.operators}
        self.dormant = dormant_ids(self.operators, self.team_by_id, self.seed)

    def kind_of(self, op: Operator) -> str:
        """The kind of the operator's team."""
        return self.team_by_id[op.team_id].kind


def workstation_ip(operator_id: int) -> str:
    """10.20.x.y, one fixed workstation per operator."""
    return f"10.20.{1 + operator_id // 250}.{1 + operator_id % 250}"


def extension(operator_id: int) -> int:
    """The operator's phone extension (member PJSIP/<ext>, login op<ext>)."""
    return 1000 + operator_id


def dormant_ids(operators: list[Operator], teams: dict[int, Team], seed: int) -> frozenset[int]:
    """A few active phone operators whose accounts sit unused (chosen from the seed, so reload agrees)."""
    pool = [o.id for o in operators if o.status == "active" and o.role == "operator"
            and teams[o.team_id].kind == "phone"]
    k = min(len(pool) // 10, max(4, round(len(pool) * 0.012)))
    return frozenset(random.Random(f"{seed}:dormant").sample(pool, k)) if k else frozenset()


def gender_of(full_name: str) -> str:
    """'F' when the patronymic is a daughter's (-вна, -чна), else 'M'."""
    return "F" if full_name.endswith("на") else "M"


def masculine(surname: str) -> str:
    """The family stem of a surname: Иванова -> Иванов, Покровская -> Покровский."""
    if surname.endswith(("ова", "ева", "ёва", "ина", "ына")):
        return surname[:-1]
    if surname.endswith(("ская", "цкая")):
        return surname[:-2] + "ий"
    return surname


# -- building --------------------------------------------------------------------------------------------------

def team_plan(scale: float, wrapup_s: float, sl_t: float, targets: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, queue or desk, operators) for each pool, sized by :mod:`staffing` for ``scale``."""
    plan = [("phone", q, staffing.pool_size(staffing.cover(staffing.phone_required(q, scale, wrapup_s, sl_t))))
            for q in profile.QUEUES]
    for desk, channels in profile.DESKS.items():
        target = min(targets.get(c, 900) for c in channels)
        plan.append(("digital", desk, staffing.pool_size(staffing.cover(staffing.desk_required(desk, scale, target)))))
    plan.append(("backoffice", "backoffice", staffing.pool_size(staffing.cover(staffing.backoffice_required(scale)))))
    return plan


def build(seed: int, scale: float, origin: float, labels: dict[str, str], targets: dict[str, int],
          wrapup_s: float = 15, sl_t: float = 20) -> tuple[Population, Iterator[tuple[str, list[dict]]]]:
    """A new population and the rows that write it (teams, citizens, operators, queues, watch-list, services)."""
    rng = random.Random(f"{seed}:population")
    teams, operators = _staff(rng, team_plan(scale, wrapup_s, sl_t, targets), origin, labels)
    n_citizens = max(2000, round(400_000 * scale))
    special_rows, relatives, neighbours = _place(rng, _special_citizens(rng, operators), n_citizens)
    phones = [names.mobile(rng) for _ in range(n_citizens)]
    for cid, row in special_rows.items():
        phones[cid - 1] = row["phone"]
    watch = rng.sample([c for c in range(1, n_citizens + 1) if c not in special_rows],
                       max(5, round(n_citizens * 0.0005)))
    employee_of = {o.citizen_id: o.id for o in operators if o.citizen_id}
    services = [Service(i + 1, *s) for i, s in enumerate(SERVICES)]
    pop = Population(teams, operators, services, list(range(1, n_citizens + 1)), phones, employee_of,
                     relatives, neighbours, watch, seed=seed)
    return pop, _rows(pop, special_rows, origin, random.Random(f"{seed}:citizens"))


def _staff(rng: random.Random, plan: list[tuple[str, str, int]], origin: float,
           labels: dict[str, str]) -> tuple[list[Team], list[Operator]]:
    """Teams of about TEAM_SIZE with a supervisor each; a few terminated, suspended and spare accounts."""
    teams: list[Team] = []
    operators: list[Operator] = []
    for kind, name, size in plan:
        extra = math.ceil(size * 0.045) + (4 if kind == "phone" else 0)
        n_teams = max(1, round((size + extra) / TEAM_SIZE))
        for t in range(n_teams):
            code = f"{name}-{t + 1:02d}" if kind == "backoffice" else f"{kind}-{name}-{t + 1:02d}"
            label = labels.get(name) or DESK_LABELS.get(name, ("Бэк-офис",))[0]
            team = Team(len(teams) + 1, code, f"{label}: группа {t + 1}", kind, name if kind == "phone" else None)
            teams.append(team)
            members = (size + extra) // n_teams + (1 if t < (size + extra) % n_teams else 0)
            operators.append(_operator(rng, len(operators) + 1, team, "supervisor", origin))
            for _ in range(members):
                role = "backoffice" if kind == "backoffice" else ("senior" if rng.random() < 0.1 else "operator")
                operators.append(_operator(rng, len(operators) + 1, team, role, origin))
    return teams, operators


def _operator(rng: random.Random, op_id: int, team: Team, role: str, origin: float) -> Operator:
    gender = "F" if rng.random() < 0.7 else "M"
    surname, given, patronymic = names.person(rng, gender)
    ext = extension(op_id)
    hired = origin - (rng.uniform(1, 25) if rng.random() < 0.05 else rng.uniform(60, 2500)) * 86400
    status, terminated = "active", None
    u = rng.random()
    if role in ("operator", "backoffice") and u < 0.03:
        status, terminated = "terminated", origin - rng.uniform(1, 45) * 86400
    elif role == "operator" and u < 0.035:
        status = "suspended"
    queues: list[tuple[str, int]] = []
    if team.kind == "phone" and team.queuename:
        queues.append((team.queuename, 0))
        if role == "senior":
            queues.append((SECOND_QUEUE[team.queuename], 1))
    return Operator(op_id, f"op{ext}", f"{surname} {given} {patronymic}", surname, team.id, role,
                    f"PJSIP/{ext}" if team.kind == "phone" else None, status, hired, terminated,
                    names.address(rng, names.STAFF_CITIES), None, queues)


def _special_citizens(rng: random.Random, operators: list[Operator]) -> list[tuple[dict, Operator, str]]:
    """Citizen rows tied to operators: their own records, relatives and flatmates (at least three of each)."""
    out = []
    staff = [o for o in operators if o.status != "suspended"]
    for i, op in enumerate(staff):
        stem = masculine(op.surname)
        gender = gender_of(op.full_name)
        if rng.random() < 0.6:
            surname, given, patronymic = op.full_name.split(" ", 2)
            out.append((_citizen(rng, gender, surname, given, patronymic, op.address, True), op, "self"))
        if rng.random() < 0.12 or i < 3:
            for _ in range(rng.randint(1, 2)):
                g = rng.choice("MF")
                out.append((_citizen(rng, g, *names.person(rng, g, stem), op.address, False), op, "relative"))
        if rng.random() < 0.08 or 3 <= i < 6:
            g = rng.choice("MF")
            other = rng.choice([s for s in names.SURNAMES if s != stem])
            out.append((_citizen(rng, g, *names.person(rng, g, other), op.address, False), op, "neighbour"))
    return out


_BORN_FROM = date(1940, 1, 1).toordinal()
_BORN_SPAN = date(2006, 12, 31).toordinal() - _BORN_FROM


def _place(rng: random.Random, specials: list[tuple[dict, Operator, str]],
           n_citizens: int) -> tuple[dict[int, dict], dict[int, list[int]], dict[int, list[int]]]:
    """Random citizen ids for the operator-related citizens; links operators to their records and relatives."""
    rows: dict[int, dict] = {}
    relatives: dict[int, list[int]] = {}
    neighbours: dict[int, list[int]] = {}
    ids = rng.sample(range(1, n_citizens + 1), len(specials))
    for cid, (row, op, relation) in zip(ids, specials, strict=True):
        rows[cid] = row
        if relation == "self":
            op.citizen_id = cid
        else:
            (relatives if relation == "relative" else neighbours).setdefault(op.id, []).append(cid)
    return rows, relatives, neighbours


def _citizen(rng: random.Random, gender: str, surname: str, given: str, patronymic: str, address: str,
             employee: bool, phone: str | None = None) -> dict:
    born = date.fromordinal(_BORN_FROM + int(rng.random() * _BORN_SPAN))
    return {"surname": surname, "given_name": given, "patronymic": patronymic, "gender": gender,
            "birth_date": born, "phone": phone or names.mobile(rng),
            "passport": names.passport(rng), "inn": names.inn(rng), "address": address, "is_employee": employee}


def _rows(pop: Population, specials: dict[int, dict], origin: float,
          rng: random.Random) -> Iterator[tuple[str, list[dict]]]:
    """The population's rows in foreign-key order, citizens in batches."""
    yield "teams", [{"id": t.id, "code": t.code, "name": t.name, "kind": t.kind, "queuename": t.queuename}
                    for t in pop.teams]
    batch: list[dict] = []
    for cid, phone in zip(pop.citizen_ids, pop.phones, strict=True):
        row = specials.get(cid)
        if row is None:
            gender = "F" if rng.random() < 0.54 else "M"
            row = _citizen(rng, gender, *names.person(rng, gender), names.address(rng), False, phone)
        row["id"] = cid
        row["created_at"] = utc_naive(origin - (1 + rng.random() * 2000) * 86400)
        batch.append(row)
        if len(batch) >= BATCH:
            yield "citizens", batch
            batch = []
    if batch:
        yield "citizens", batch
    yield "operators", [_operator_row(o) for o in pop.operators]
    yield "operator_queues", [{"operator_id": o.id, "queuename": q, "penalty": p}
                              for o in pop.operators for q, p in o.queues]
    yield "watchlist", _watch_rows(pop.watchlist, origin, rng)
    yield "portal_services", [{"id": s.id, "code": s.code, "name_ru": s.name_ru, "name_en": s.name_en,
                               "line": s.line} for s in pop.services]


def _operator_row(o: Operator) -> dict:
    return {"id": o.id, "login": o.login, "full_name": o.full_name, "surname": o.surname, "team_id": o.team_id,
            "role": o.role, "member_name": o.member_name, "status": o.status, "hired_at": utc_naive(o.hired_at),
            "terminated_at": utc_naive(o.terminated_at) if o.terminated_at else None, "address": o.address,
            "citizen_id": o.citizen_id}


def _watch_rows(citizens: list[int], origin: float, rng: random.Random) -> list[dict]:
    rows = []
    for cid in citizens:
        category = rng.choices(list(WATCH_REASONS), weights=(4, 4, 2))[0]
        rows.append({"citizen_id": cid, "category": category, "reason": rng.choice(WATCH_REASONS[category]),
                     "added_at": utc_naive(origin - rng.uniform(10, 400) * 86400), "until": None})
    return rows
