from datetime import datetime

from sqlalchemy import insert

from data_access.engines import make_engine
from data_access.schema.telephony import metadata, queue_log
from data_access.telephony import QueueLogSource


def _table(settings, rows):
    engine = make_engine(settings.url("telephony"))
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(queue_log), rows)
    return engine


def _row(time, verb="ENTERQUEUE", callid="c1", **data):
    fields = {f"data{i}": "" for i in range(1, 6)} | data
    return {"time": time, "callid": callid, "queuename": "general", "agent": "NONE", "event": verb, **fields}


def test_reads_new_rows_after_the_cursor_in_the_pbx_zone(settings):
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 0)), _row(datetime(2026, 11, 26, 12, 0, 5), "ABANDON",
                                                                    data3="5")])
    source = QueueLogSource(settings.url("telephony"), "Europe/Moscow", batch_rows=1)
    result = source.fetch_new(0)
    events, cursor = result.data
    assert result.ok and cursor == 1 and len(events) == 1
    assert events[0].ts == datetime.fromisoformat("2026-11-26T09:00:00+00:00").timestamp()
    events, cursor = source.fetch_new(cursor).data
    assert cursor == 2 and events[0].verb == "ABANDON" and events[0].field(3) == "5"
    assert source.fetch_new(cursor).data == ([], 2)


def test_utc_zone_for_use_gmt_pbx(settings):
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 0))])
    events, _ = QueueLogSource(settings.url("telephony"), "UTC").fetch_new(0).data
    assert events[0].ts == datetime.fromisoformat("2026-11-26T12:00:00+00:00").timestamp()


def test_rows_without_time_or_event_are_counted_not_raised(settings):
    _table(settings, [_row(None), _row(datetime(2026, 11, 26, 12, 0), verb=" "),
                      _row(datetime(2026, 11, 26, 12, 0, 1))])
    result = QueueLogSource(settings.url("telephony"), "UTC").fetch_new(0)
    events, cursor = result.data
    assert len(events) == 1 and cursor == 3
    assert result.bad == {"bad_time": 1, "empty_event": 1}


def test_a_missing_database_is_an_error_value_and_is_not_created(settings, tmp_path):
    source = QueueLogSource(f"sqlite:///{tmp_path}/nope.db", "UTC")
    result = source.fetch_new(0)
    assert not result.ok and "does not exist" in result.error
    assert not (tmp_path / "nope.db").exists()


def test_an_unreachable_server_is_an_error_value():
    source = QueueLogSource("postgresql+psycopg://u:p@127.0.0.1:1/none", "UTC")
    result = source.fetch_new(0)
    assert not result.ok and result.error


def test_the_adapter_cannot_write(settings):
    import pytest
    from sqlalchemy.exc import OperationalError

    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 0))])
    source = QueueLogSource(settings.url("telephony"), "UTC")
    with pytest.raises(OperationalError, match="readonly|query_only|read-only"):
        with source.engine.begin() as conn:
            conn.execute(insert(queue_log), [_row(datetime(2026, 11, 26, 12, 0, 0))])


def test_first_id_since_starts_at_the_day(settings):
    _table(settings, [_row(datetime(2026, 11, 25, 23, 0)), _row(datetime(2026, 11, 26, 0, 10)),
                      _row(datetime(2026, 11, 26, 1, 0))])
    source = QueueLogSource(settings.url("telephony"), "UTC")
    assert source.first_id_since(datetime.fromisoformat("2026-11-26T00:00:00+00:00").timestamp()).data == 1


def _raw_insert(settings, time, callid, data2="", queue="general", verb="ENTERQUEUE", cast_text=False):
    """A row written behind SQLAlchemy's back, as a broken PBX or a hand edit can: any type in any column."""
    import sqlite3

    value = "CAST(? AS TEXT)" if cast_text else "?"
    with sqlite3.connect(settings.url("telephony")[len("sqlite:///"):]) as conn:
        conn.execute("INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2, data3, data4, data5)"
                     f" VALUES (?, {value}, ?, 'NONE', ?, '', ?, '1', '', '')", (time, callid, queue, verb, data2))


def test_a_row_with_invalid_utf8_is_counted_and_the_rows_around_it_are_read(settings):
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 0), callid="c1")])
    _raw_insert(settings, "2026-11-26 12:00:01", b"c2\xff\xfe", cast_text=True)
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 2), callid="c3")])
    result = QueueLogSource(settings.url("telephony"), "UTC").fetch_new(0)
    events, cursor = result.data
    assert result.ok and cursor == 3 and result.rows == 3
    assert [e.callid for e in events] == ["c1", "c2\ufffd\ufffd", "c3"]
    assert result.bad == {"bad_encoding": 1}


def test_a_blob_caller_number_is_counted_and_the_rows_after_it_are_read(settings):
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 0), callid="c1")])
    _raw_insert(settings, "2026-11-26 12:00:01", "c2", data2=b"+79160000002")
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 2), callid="c3")])
    result = QueueLogSource(settings.url("telephony"), "UTC").fetch_new(0)
    events, cursor = result.data
    assert cursor == 3 and [e.callid for e in events] == ["c1", "c2", "c3"]
    assert all(isinstance(v, str) for e in events for v in (e.callid, e.queue, e.agent, e.verb, *e.data))
    assert result.bad == {"not_text": 1}


def test_a_value_longer_than_its_column_rejects_that_row_only(settings):
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 0), callid="c1")])
    _raw_insert(settings, "2026-11-26 12:00:01", "c2", queue="q" * 100_000)
    _raw_insert(settings, "2026-11-26 12:00:02", "c3", verb=b"ABANDON")
    _table(settings, [_row(datetime(2026, 11, 26, 12, 0, 3), callid="c4")])
    result = QueueLogSource(settings.url("telephony"), "UTC").fetch_new(0)
    events, cursor = result.data
    assert cursor == 4 and [e.callid for e in events] == ["c1", "c3", "c4"]
    assert events[1].verb == "ABANDON"  # a BLOB where text belongs is decoded, and the row counted
    assert result.bad == {"too_long": 1, "not_text": 1}
