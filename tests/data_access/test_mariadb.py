"""MariaDB as the telephony source (FreePBX / Issabel / Asterisk ``asteriskcdrdb.queue_log``), on a real server.

Two tables: Asterisk's own layout (``time DATETIME(6)``, utf8mb4) and a FreePBX-era one (the NethVoice
``asteriskcdrdb.queue_log``: ``time char(26)``, 32-character columns, an extra ``data`` column) declared latin1 on
MyISAM, into which the "PBX" wrote Cyrillic member names as UTF-8 bytes (as Asterisk does through a latin1
connection) and a Spanish name as real latin1.
"""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import datetime

import orjson
import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import DBAPIError

from data_access.engines import make_engine
from data_access.schema.telephony import metadata, queue_log
from data_access.telephony import QueueLogSource

pytestmark = pytest.mark.mariadb

# The FreePBX-era table (NethVoice's asteriskcdrdb.queue_log), declared latin1 on MyISAM as old installs are.
FREEPBX_TABLE = """CREATE TABLE queue_log (
  id int(10) unsigned NOT NULL AUTO_INCREMENT,
  time char(26) DEFAULT NULL,
  callid varchar(32) NOT NULL DEFAULT '',
  queuename varchar(32) NOT NULL DEFAULT '',
  agent varchar(32) NOT NULL DEFAULT '',
  event varchar(32) NOT NULL DEFAULT '',
  data varchar(100) NOT NULL DEFAULT '',
  data1 varchar(100) NOT NULL DEFAULT '',
  data2 varchar(100) NOT NULL DEFAULT '',
  data3 varchar(100) NOT NULL DEFAULT '',
  data4 varchar(100) NOT NULL DEFAULT '',
  data5 varchar(100) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY idx_queue_log_time (time)
) ENGINE=MyISAM DEFAULT CHARSET={charset}"""
TEXTS = ("callid", "queuename", "agent", "event", "data1", "data2", "data3", "data4", "data5")
CYRILLIC = ["Иванова Мария", "Щукин Пётр", "Ёлкина Анна", "Шевчук Юлия", "Хвостов Эдуард", "Объедков Илья",
            "Жаркова Ольга", "Цой Виктор", "Чайкина Вера", "Гусев Ян"]
SPANISH = "José Núñez"  # real latin1 in the latin1 table


def _freepbx_insert(engine, rows: list[dict], *, pbx_utf8: bool = True) -> None:
    """Rows as a PBX writes them into the FreePBX table: ``time`` as Asterisk's text; text that latin1 cannot hold
    as its UTF-8 bytes (what a latin1 connection stores), the rest as characters (``pbx_utf8``: every non-ASCII
    value as UTF-8 bytes)."""
    values = []
    for row in rows:
        value = {"id": row["id"], "time": row["time"].strftime("%Y-%m-%d %H:%M:%S.%f") if row["time"] else None}
        for name in TEXTS:
            v = row[name] or ""
            fits_latin1 = all(ord(c) < 256 for c in v)
            value[name] = v.encode("utf-8") if (not v.isascii() and (pbx_utf8 and not fits_latin1)) else v
        values.append(value)
    columns = ", ".join(values[0])
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO queue_log ({columns}) VALUES ({', '.join(':' + c for c in values[0])})"),
                     values)


def _member_name(i: int, agent: str) -> str:
    if i % 7 == 3:
        return f"{SPANISH} {agent[-4:]}"
    return f"{CYRILLIC[i % len(CYRILLIC)]} {agent[-4:]}"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """An hour of the simulated hotline in SQLite, its queue members renamed to Cyrillic and Spanish names."""
    from domain.clock import day_start
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("mariadb")), sim_scale=0.02)
    now = day_start(time.time(), settings.tz) - 8 * 3600  # yesterday 16:00 local: the hour is inside one day
    backfill(settings, now - 3600, now, scale=0.02, two_cores=False)
    sqlite = make_engine(settings.url("telephony"))
    with sqlite.begin() as conn:
        agents = sorted(a for (a,) in conn.execute(select(queue_log.c.agent).distinct()) if a.startswith("PJSIP/"))
        for i, agent in enumerate(agents):
            conn.execute(queue_log.update().where(queue_log.c.agent == agent).values(agent=_member_name(i, agent)))
        rows = [dict(r._mapping) for r in conn.execute(select(queue_log).order_by(queue_log.c.id))]
    sqlite.dispose()
    assert len(agents) >= 5 and len(rows) > 300
    return settings, now, rows


def _snapshot(settings, now) -> tuple[dict, float]:
    from poller.replay import replay_snapshot

    started = time.perf_counter()
    snap = replay_snapshot(settings, now)
    return snap, time.perf_counter() - started


def _comparable(snap: dict) -> dict:
    snap = orjson.loads(orjson.dumps(snap))
    snap["sources"]["telephony"].pop("bad_rows")
    return snap


@pytest.mark.parametrize("layout", ["asterisk_utf8mb4", "freepbx_latin1"])
def test_replay_over_mariadb_gives_the_sqlite_snapshot(simulated, mariadb_url, layout):
    settings, now, rows = simulated
    url = mariadb_url(f"tel_{layout}", "latin1" if layout == "freepbx_latin1" else "utf8mb4")
    writer = make_engine(url)
    if layout == "freepbx_latin1":
        with writer.begin() as conn:
            conn.execute(text(FREEPBX_TABLE.format(charset="latin1")))
        _freepbx_insert(writer, rows)
    else:
        metadata.create_all(writer)
        with writer.begin() as conn:
            conn.execute(insert(queue_log), rows)
    writer.dispose()

    reference, sqlite_s = _snapshot(settings, now)
    snap, mariadb_s = _snapshot(replace(settings, telephony_url=url), now)
    print(f"\n{layout}: {len(rows)} rows; replay over SQLite {sqlite_s:.2f} s, over MariaDB {mariadb_s:.2f} s")
    assert snap["sources"]["telephony"]["ok"] and snap["sources"]["telephony"]["rows_read"] > 300
    assert sum(q["offered"] for q in snap["queues"].values()) > 20 and len(snap["agents"]) >= 5
    assert _comparable(snap) == _comparable(reference)
    names = {a["name"] for a in snap["agents"]}
    assert any(n.startswith(tuple(CYRILLIC)) for n in names) and any(n.startswith(SPANISH) for n in names)
    utf8_rows = sum(1 for r in rows if any(ord(c) > 255 for name in TEXTS for c in r[name]))
    bad = snap["sources"]["telephony"]["bad_rows"]
    if layout == "freepbx_latin1":  # the UTF-8 text in latin1 is repaired and counted, the Spanish name is not
        assert set(bad) == {"misdeclared_charset"} and 0 < bad["misdeclared_charset"] <= utf8_rows
    else:
        assert bad == reference["sources"]["telephony"]["bad_rows"] == {}


def _rows(*specs) -> list[dict]:
    out = []
    for i, (when, agent, verb, *data) in enumerate(specs, start=1):
        data = list(data) + [""] * (5 - len(data))
        out.append({"id": i, "time": when, "callid": f"c{i}", "queuename": "general", "agent": agent, "event": verb,
                    **{f"data{k + 1}": d for k, d in enumerate(data)}})
    return out


def test_latin1_table_with_non_ascii_member_names_reads_correctly(mariadb_url):
    from data_access import mysql_text

    url = mariadb_url("cdr_latin1", "latin1")
    writer = make_engine(url)
    with writer.begin() as conn:
        conn.execute(text(FREEPBX_TABLE.format(charset="latin1")))
    at = datetime(2026, 11, 26, 12, 0, 0)
    _freepbx_insert(writer, _rows((at, "Иванова Мария", "ADDMEMBER"), (at, "Щукин Пётр", "PAUSE", "", "", "Обед"),
                                  (at, SPANISH, "ADDMEMBER"), (at, "PJSIP/1001", "ADDMEMBER"),
                                  (at, "Ёлкина Анна-Мария Константиновна", "ADDMEMBER")))
    with writer.begin() as conn:  # what the server holds: the UTF-8 bytes, and real latin1 for José
        stored = dict(conn.execute(text("SELECT id, HEX(agent) FROM queue_log")).all())
        # 32 latin1 characters hold 32 bytes: the long name was cut by the column inside a character
        conn.execute(text("UPDATE queue_log SET agent = LEFT(agent, 31) WHERE id = 5"))
    assert stored[1] == "Иванова Мария".encode().hex().upper() and stored[3] == SPANISH.encode("latin1").hex().upper()

    result = QueueLogSource(url, "UTC").fetch_new(0)
    events, cursor = result.data
    assert result.ok and cursor == 5
    assert [e.agent for e in events] == ["Иванова Мария", "Щукин Пётр", SPANISH, "PJSIP/1001",
                                         "Ёлкина Анна-Мария Константиновна".encode()[:31].decode("utf-8", "ignore")]
    assert events[1].field(3) == "Обед"
    assert result.bad == {"misdeclared_charset": 3}  # rows 1, 2 and 5; José is latin1 and clean

    # ``declared``: the server's conversion is believed, and the UTF-8 names come back as latin1 mojibake.
    declared = QueueLogSource(url, "UTC", charset="declared").fetch_new(0)
    assert declared.data[0][0].agent == mysql_text.decode_declared("Иванова Мария".encode(), "latin1")[0]
    assert declared.data[0][2].agent == SPANISH and declared.bad == {}
    writer.dispose()


def test_our_latin1_table_is_mariadbs_and_cp1251_bytes_survive(mariadb_url):
    """Every byte of a latin1 column reads back as MariaDB itself converts it; a cp1251 column's 0x98 (the second
    byte of 'И'), which the server turns into '?', survives because the adapter reads the bytes."""
    from data_access import mysql_text

    url = mariadb_url("bytes", "utf8mb4")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE b (id int PRIMARY KEY, l varchar(4) CHARACTER SET latin1)"))
        conn.execute(text("INSERT INTO b VALUES (:i, :v)"), [{"i": i, "v": bytes([i])} for i in range(256)])
        served = dict(conn.execute(text("SELECT id, l FROM b")).all())
    assert all(served[i] == mysql_text.decode_declared(bytes([i]), "latin1")[0] for i in range(256))

    with engine.begin() as conn:
        conn.execute(text(FREEPBX_TABLE.format(charset="cp1251")))
    _freepbx_insert(engine, _rows((datetime(2026, 11, 26, 12, 0), "Иван Ильич", "ADDMEMBER"),
                                  (datetime(2026, 11, 26, 12, 0, 1), "Иван Ильич", "REMOVEMEMBER")), pbx_utf8=False)
    with engine.begin() as conn:  # row 1: as a PBX with a cp1251 connection and UTF-8 strings writes it
        conn.execute(text("UPDATE queue_log SET agent = :v WHERE id = 1"), {"v": "Иван Ильич".encode()})
        assert "?" in conn.execute(text("SELECT agent FROM queue_log WHERE id = 1")).scalar()
    result = QueueLogSource(url, "UTC").fetch_new(0)
    assert [e.agent for e in result.data[0]] == ["Иван Ильич", "Иван Ильич"]
    assert result.bad == {"misdeclared_charset": 1}  # row 2 is real cp1251
    engine.dispose()


def test_bad_rows_of_a_varchar_time_are_counted_and_the_neighbours_kept(mariadb_url):
    url = mariadb_url("cdr_bad", "latin1")
    writer = make_engine(url)
    with writer.begin() as conn:
        conn.execute(text(FREEPBX_TABLE.format(charset="latin1")))
        conn.execute(text("INSERT INTO queue_log (time, callid, queuename, agent, event) VALUES "
                          "('2026-11-26 12:00:00.000000', 'c1', 'general', 'NONE', 'ENTERQUEUE'), "
                          "('0000-00-00 00:00:00', 'c2', 'general', 'NONE', 'ENTERQUEUE'), "
                          "('', 'c3', 'general', 'NONE', 'ENTERQUEUE'), (NULL, 'c4', 'general', 'NONE', 'DID'), "
                          "('2026-11-26 12:00:01.500000', 'c5', 'general', 'NONE', ' '), "
                          "('2026-11-26 12:00:02.000000', 'c6', 'general', 'NONE', 'ENTERQUEUE')"))
    writer.dispose()
    result = QueueLogSource(url, "UTC").fetch_new(0)
    assert [e.callid for e in result.data[0]] == ["c1", "c6"] and result.data[1] == 6
    assert result.bad == {"bad_time": 3, "empty_event": 1}


def test_time_bounds_on_a_char_time_column(mariadb_url):
    """Asterisk's text in a char(26) ``time`` compares right with the bounds (midnight, a replay's end)."""
    url = mariadb_url("cdr_bounds", "latin1")
    writer = make_engine(url)
    with writer.begin() as conn:
        conn.execute(text(FREEPBX_TABLE.format(charset="latin1")))
    _freepbx_insert(writer, _rows((datetime(2026, 11, 25, 23, 59, 59, 999999), "NONE", "ENTERQUEUE"),
                                  (datetime(2026, 11, 26, 0, 0), "NONE", "ENTERQUEUE"),
                                  (datetime(2026, 11, 26, 12, 0), "NONE", "ENTERQUEUE"),
                                  (datetime(2026, 11, 26, 12, 0, 0, 1), "NONE", "ENTERQUEUE")))
    writer.dispose()
    source = QueueLogSource(url, "UTC")
    midnight = datetime.fromisoformat("2026-11-26T00:00:00+00:00").timestamp()
    assert source.first_id_since(midnight).data == 1
    assert [e.callid for e in source.fetch_new(0, until_ts=midnight + 12 * 3600).data[0]] == ["c1", "c2", "c3"]
    assert [e.callid for e in source.fetch_time_range(midnight, midnight + 12 * 3600).data] == ["c2"]


def test_the_source_is_read_only(mariadb_url):
    url = mariadb_url("ro", "utf8mb4")
    writer = make_engine(url)
    metadata.create_all(writer)
    writer.dispose()
    source = QueueLogSource(url, "UTC")
    for _ in range(2):  # a connection back from the pool is still read-only
        with pytest.raises(DBAPIError, match="READ ONLY"):
            with source.engine.begin() as conn:
                conn.execute(insert(queue_log).values(callid="x", queuename="q", agent="a", event="DID"))
    with pytest.raises(DBAPIError, match="READ ONLY"):
        with source.engine.begin() as conn:
            conn.execute(text("DROP TABLE queue_log"))
    with source.engine.connect() as conn:
        assert conn.execute(text("SELECT @@tx_read_only, @@character_set_connection")).one() == (1, "utf8mb4")
    assert source.fetch_new(0).ok


def test_the_importer_into_mariadb(mariadb_url, queue_log_sample, monkeypatch, capsys, tmp_path):
    """``python app.py import-queue-log`` into Asterisk's table on MariaDB, then the snapshot of the real FreePBX
    sample holds its known counts (tests/test_app_cli.py has them on SQLite)."""
    import app

    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOTLINE_PBX_TZ", "UTC")
    monkeypatch.setenv("HOTLINE_TZ", "UTC")
    monkeypatch.setenv("HOTLINE_TELEPHONY_URL", mariadb_url("imported", "utf8mb4"))
    assert app.main(["import-queue-log", str(queue_log_sample)]) == 0
    assert "imported: 278" in capsys.readouterr().out
    assert app.main(["import-queue-log", str(queue_log_sample)]) == 0
    assert "imported: 0" in capsys.readouterr().out
    assert app.main(["snapshot", "--now", "1266839779", "--json"]) == 0
    snap = orjson.loads(capsys.readouterr().out)
    q = snap["queues"]["9000"]
    assert (q["offered"], q["answered"], q["abandoned"], q["short_abandoned"]) == (21, 8, 12, 2)
    assert q["waiting"] == 1 and q["agents"]["on_call"] == 1 and snap["sources"]["telephony"]["ok"]


def test_the_importer_into_a_freepbx_latin1_table(mariadb_url):
    from data_access.queue_log_file import import_file

    url = mariadb_url("imported_latin1", "latin1")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(FREEPBX_TABLE.format(charset="latin1")))
    long_name = "Константинопольская Анна-Мария"  # 30 characters, 57 bytes: more than the column's 32
    lines = ["1764158400|NONE|general|Иванова Мария|ADDMEMBER|",
             f"1764158401|NONE|general|{SPANISH}|ADDMEMBER|",
             f"1764158402|NONE|general|{long_name}|ADDMEMBER|",
             "1764158403|NONE|general|Иванова Мария|PAUSE|Обед",
             "1764158404|c1|general|NONE|ENTERQUEUE||+79161234567|1"]
    report = import_file(engine, io.StringIO("\n".join(lines)), "UTC")
    assert (report.read, report.imported) == (5, 5)
    assert report.notes["agent written as UTF-8 bytes (the column is latin1)"] == 3
    assert report.notes["agent cut to the table's width"] == 1
    assert import_file(engine, io.StringIO("\n".join(lines)), "UTC").imported == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT time FROM queue_log WHERE id = 1")).scalar() == "2025-11-26 12:00:00.000000"
    events, _ = QueueLogSource(url, "UTC").fetch_new(0).data
    cut = long_name.encode()[:32].decode("utf-8", "ignore")
    assert [e.agent for e in events] == ["Иванова Мария", SPANISH, cut, "Иванова Мария", "NONE"]
    assert events[3].field(1) == "Обед" and events[4].field(2) == "+79161234567"
    engine.dispose()


@pytest.fixture
def own_mariadb(mariadb_url):
    """A server of this test's own, to stop (``mariadb_url`` only for its skip and marker)."""
    from tools.servers import ThrowawayMariaDB

    server = ThrowawayMariaDB().start()
    yield server
    server.stop()


def test_a_stopped_mariadb_is_an_error_value_not_an_exception(own_mariadb, settings):
    url = own_mariadb.database("asterisk")
    writer = create_engine(url)
    metadata.create_all(writer)
    with writer.begin() as conn:
        conn.execute(insert(queue_log), _rows((datetime(2026, 11, 26, 12, 0), "NONE", "ENTERQUEUE")))
    writer.dispose()
    source = QueueLogSource(url, "UTC")
    assert source.fetch_new(0).ok and source.test_connection() is None
    own_mariadb.stop()

    started = time.perf_counter()
    results = [source.fetch_new(1), source.first_id_since(0.0), source.fetch_time_range(0.0, 1e9),
               source.fetch_agent_events(0.0, 1e9)]
    took = time.perf_counter() - started
    assert not any(r.ok for r in results)
    assert all("Can't connect" in r.error or "Lost connection" in r.error for r in results), [r.error for r in results]
    assert source.test_connection()
    assert took < 5, took
    # The poller goes on: its snapshot says the source is down.
    snap, _ = _snapshot(replace(settings, telephony_url=url), datetime(2026, 11, 26, 12, 5).timestamp())
    assert snap["sources"]["telephony"]["ok"] is False and snap["sources"]["telephony"]["error"]
