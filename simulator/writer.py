"""The simulator's database side: creates the source tables, writes batches, reads the population back."""

from __future__ import annotations

import json
import logging
import os
from typing import Iterable

from sqlalchemy import Engine, bindparam, event, func, select

from data_access.engines import make_engine
from data_access.schema import crm, telephony
from domain.clock import from_utc_naive, local_to_epoch
from settings import Settings
from simulator import rows
from simulator.events import Batch
from simulator.population import Operator, Population, Service, Team, masculine

log = logging.getLogger("hotline.simulator")
TABLES = {t.name: t for t in (*telephony.metadata.sorted_tables, *crm.metadata.sorted_tables)}
ORDER = [t.name for t in telephony.metadata.sorted_tables] + [t.name for t in crm.metadata.sorted_tables]
# Rows the roster may publish again after a restart: written once, keyed by (operator, start).
ONCE = frozenset({"shifts", "leaves"})
STREAM_ROWS = 50_000
CACHE_KIB = 65536


class Writer:
    """Writes simulated rows into the telephony and ticketing databases (and labels into the truth file)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        os.makedirs(settings.data_dir, exist_ok=True)
        self.engines: dict[str, Engine] = {"telephony": make_engine(settings.url("telephony")),
                                           "ticketing": make_engine(settings.url("ticketing"))}
        for engine in self.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _bigger_cache)
        telephony.metadata.create_all(self.engines["telephony"])
        crm.metadata.create_all(self.engines["ticketing"])

    def close(self) -> None:
        """Release the connection pools."""
        for engine in self.engines.values():
            engine.dispose()

    @staticmethod
    def database_of(table: str) -> str:
        """'telephony' or 'ticketing': where a table lives."""
        return "telephony" if table in rows.TELEPHONY_TABLES else "ticketing"

    # -- batches -------------------------------------------------------------------------------------------------
    def write(self, batch: Batch, databases: tuple[str, ...] = ("telephony", "ticketing")) -> dict[str, int]:
        """Insert and update everything in ``batch``, one transaction per database; a retry skips done parts.

        The ground truth is appended once the ticketing database has its rows.
        """
        counts: dict[str, int] = {}
        for db in databases:
            if db in batch.done:
                continue
            with self.engines[db].begin() as conn:
                for name in ORDER:
                    if self.database_of(name) == db and batch.rows.get(name):
                        counts[name] = self._insert(conn, name, batch.rows[name])
                for name, changes in batch.updates.items():
                    if self.database_of(name) == db:
                        counts[f"{name}_updated"] = self._update(conn, name, changes)
            batch.done.add(db)
        if batch.truth and "truth" not in batch.done and "ticketing" in batch.done:
            self.append_truth(batch.truth)
            counts["ground_truth"] = len(batch.truth)
            batch.done.add("truth")
        return counts

    def _insert(self, conn, name: str, new: list[dict]) -> int:
        table = TABLES[name]
        if name in ONCE:
            new = _unseen(conn, table, new)
        if new:
            conn.execute(table.insert(), new)
        return len(new)

    @staticmethod
    def _update(conn, name: str, changes: dict[int, dict]) -> int:
        table = TABLES[name]
        groups: dict[tuple[str, ...], list[dict]] = {}
        for row_id, values in changes.items():
            keys = tuple(sorted(values))
            groups.setdefault(keys, []).append({"b_id": row_id, **{f"b_{k}": values[k] for k in keys}})
        for keys, params in groups.items():
            stmt = table.update().where(table.c.id == bindparam("b_id")).values(
                {k: bindparam(f"b_{k}") for k in keys})
            conn.execute(stmt, params)
        return len(changes)

    def append_truth(self, lines: list[dict]) -> None:
        """Append ground-truth labels, one JSON object per line (never written to the databases)."""
        path = self.settings.ground_truth_path
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")

    # -- population ------------------------------------------------------------------------------------------------
    def population_exists(self) -> bool:
        """Whether the CRM already has operators (the population is then read back, never rebuilt)."""
        with self.engines["ticketing"].connect() as conn:
            return conn.execute(select(crm.operators.c.id).limit(1)).first() is not None

    def write_population(self, chunks: Iterable[tuple[str, list[dict]]]) -> dict[str, int]:
        """Insert the population's rows (one transaction)."""
        counts: dict[str, int] = {}
        with self.engines["ticketing"].begin() as conn:
            for name, batch in chunks:
                if batch:
                    conn.execute(TABLES[name].insert(), batch)
                    counts[name] = counts.get(name, 0) + len(batch)
        return counts

    def load_population(self, seed: int) -> Population:
        """The population as an earlier run wrote it."""
        with self.engines["ticketing"].connect() as conn:
            teams = [Team(r.id, r.code, r.name, r.kind, r.queuename)
                     for r in conn.execute(select(crm.teams).order_by(crm.teams.c.id))]
            operators = _load_operators(conn)
            services = [Service(r.id, r.code, r.name_ru, r.name_en, r.line or "technical")
                        for r in conn.execute(select(crm.portal_services).order_by(crm.portal_services.c.id))]
            watch = [r[0] for r in conn.execute(select(crm.watchlist.c.citizen_id).order_by(crm.watchlist.c.id))]
            ids, phones, relatives, neighbours = _load_citizens(conn, operators)
        employee_of = {o.citizen_id: o.id for o in operators if o.citizen_id}
        return Population(teams, operators, services, ids, phones, employee_of, relatives, neighbours, watch,
                          seed=seed)

    def next_ids(self) -> tuple[int, int]:
        """The next free ticket and incident ids (the simulator numbers its own rows)."""
        with self.engines["ticketing"].connect() as conn:
            ticket = conn.execute(select(func.coalesce(func.max(crm.tickets.c.id), 0))).scalar()
            incident = conn.execute(select(func.coalesce(func.max(crm.incidents.c.id), 0))).scalar()
        return int(ticket) + 1, int(incident) + 1

    def last_pbx_ts(self) -> float | None:
        """Epoch of the newest queue_log row, None when the table is empty."""
        with self.engines["telephony"].connect() as conn:
            newest = conn.execute(select(func.max(telephony.queue_log.c.time))).scalar()
        return None if newest is None else local_to_epoch(newest, self.settings.pbx_tz)


def _bigger_cache(dbapi_conn, _record) -> None:
    # Random-key indexes (citizen, address) thrash SQLite's default 2 MB page cache during bulk writes.
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cur.close()


def _unseen(conn, table, new: list[dict]) -> list[dict]:
    """Drop rows whose (operator_id, starts_at) is already stored."""
    low = min(r["starts_at"] for r in new)
    high = max(r["starts_at"] for r in new)
    have = {tuple(r) for r in conn.execute(select(table.c.operator_id, table.c.starts_at)
                                           .where(table.c.starts_at.between(low, high)))}
    return [r for r in new if (r["operator_id"], r["starts_at"]) not in have]


def _load_operators(conn) -> list[Operator]:
    o = crm.operators
    queues: dict[int, list[tuple[str, int]]] = {}
    for r in conn.execute(select(crm.operator_queues).order_by(crm.operator_queues.c.operator_id,
                                                               crm.operator_queues.c.penalty)):
        queues.setdefault(r.operator_id, []).append((r.queuename, int(r.penalty)))
    return [Operator(r.id, r.login, r.full_name, r.surname, r.team_id, r.role, r.member_name, r.status,
                     from_utc_naive(r.hired_at), from_utc_naive(r.terminated_at) if r.terminated_at else None,
                     r.address or "", r.citizen_id, queues.get(r.id, []))
            for r in conn.execute(select(o).order_by(o.c.id))]


def _load_citizens(conn, operators: list[Operator]) -> tuple[list[int], list[str], dict, dict]:
    """Citizen ids and phones; operators' relatives (same family stem and address) and flatmates."""
    at_address: dict[str, list[Operator]] = {}
    for op in operators:
        if op.address:
            at_address.setdefault(op.address, []).append(op)
    ids: list[int] = []
    phones: list[str] = []
    relatives: dict[int, list[int]] = {}
    neighbours: dict[int, list[int]] = {}
    c = crm.citizens
    result = conn.execution_options(yield_per=STREAM_ROWS).execute(
        select(c.c.id, c.c.phone, c.c.surname, c.c.address).order_by(c.c.id))
    for cid, phone, surname, address in result:
        ids.append(cid)
        phones.append(phone or "")
        for op in at_address.get(address, ()):
            if cid == op.citizen_id:
                continue
            same = masculine(surname) == masculine(op.surname)
            (relatives if same else neighbours).setdefault(op.id, []).append(cid)
    return ids, phones, relatives, neighbours

