import io

from sqlalchemy import func, select

from data_access.engines import make_engine
from data_access.queue_log_file import import_file
from data_access.schema.telephony import queue_log


def test_real_sample_imports_once(settings, queue_log_sample):
    engine = make_engine(settings.url("telephony"))
    with open(queue_log_sample) as f:
        first = import_file(engine, f, "UTC")
    assert (first.read, first.imported) == (278, 278)
    with open(queue_log_sample) as f:
        second = import_file(engine, f, "UTC")
    assert (second.read, second.imported) == (278, 0)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(queue_log)).scalar() == 278


def test_blank_malformed_duplicate_and_unknown_lines_are_reported(settings):
    text = "\n".join([
        "1700000000|c1|general|NONE|ENTERQUEUE||+79161234567|1",
        "",
        "1700000000|c1|general|NONE|ENTERQUEUE||+79161234567|1",   # duplicate line
        "garbage",
        "1700000005|c1|general|PJSIP/1|CONNECT|5",                 # 1.4-style: missing fields
        "1700000006|c1|general|NONE|DID|88005553535",
        "1700000007|c1|general|NONE|MYVERB|x",
        "1700000100|c1|general|PJSIP/1|COMPLETECALLER|5|95|1|",
    ])
    report = import_file(make_engine(settings.url("telephony")), io.StringIO(text), "Europe/Moscow")
    assert report.read == 7 and report.imported == 5
    assert report.skipped["blank line"] == 1
    assert report.skipped["already in the table or duplicate line"] == 1
    assert any(reason.startswith("malformed") for reason in report.skipped)
    assert report.notes == {"unknown verb MYVERB (imported)": 1}
    assert "imported: 5" in report.lines()


def test_time_is_written_in_the_pbx_zone(settings):
    engine = make_engine(settings.url("telephony"))
    import_file(engine, io.StringIO("1700000000|c1|general|NONE|ENTERQUEUE||1|1\n"), "Europe/Moscow")
    with engine.connect() as conn:
        written = conn.execute(select(queue_log.c.time)).scalar()
    assert str(written) == "2023-11-15 01:13:20"  # 22:13:20 UTC + 3 h
