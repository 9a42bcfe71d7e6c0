"""Schema versions of the app database: the release before versions (commit aaa2d45, its schema kept in
tests/fixtures/appdb_aaa2d45.py), with a row in every table, is upgraded by `python app.py db upgrade` keeping
every row; the web app and the poller refuse an unversioned, older, newer or unknown version with a clear message."""

from __future__ import annotations

import importlib.util
from datetime import datetime, timezone

import pytest
from sqlalchemy import Boolean, DateTime, Float, Integer, LargeBinary, String, create_engine, insert, select, text

from tests.conftest import ROOT

OLD_SCHEMA = ROOT / "tests" / "fixtures" / "appdb_aaa2d45.py"


def _old_metadata():
    spec = importlib.util.spec_from_file_location("appdb_aaa2d45", OLD_SCHEMA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.metadata


def _value(column):
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Float):
        return 1.5
    if isinstance(kind, DateTime):
        return datetime(2026, 11, 20, 10, 30)
    if isinstance(kind, LargeBinary):
        return b"\x00\x01"
    if isinstance(kind, String):
        return "x"[: kind.length or 1]
    raise AssertionError(f"no test value for {column}")


def _old_database(url: str) -> dict[str, dict]:
    """A database made by the old release's schema with one row in each of its tables; the rows written."""
    engine, metadata, rows = create_engine(url), _old_metadata(), {}
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            rows[table.name] = {c.name: _value(c) for c in table.columns}
            conn.execute(insert(table).values(**rows[table.name]))
    engine.dispose()
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def old_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/app.db"
    request.applymarker(pytest.mark.postgres)
    return request.getfixturevalue("postgres_url")(f"migrate_{tmp_path.name.replace('-', '_')[-20:].lower()}")


def test_the_previous_release_s_database_with_a_row_in_each_of_its_21_tables_is_upgraded_keeping_every_row(
        old_url, monkeypatch, capsys):
    import app
    from data_access.appdb import open_app_db
    from data_access.migrate import head
    from data_access.schema.appdb import metadata

    rows = _old_database(old_url)
    assert len(rows) == 21
    monkeypatch.setenv("HOTLINE_APP_DB_URL", old_url)
    assert app.main(["db", "upgrade"]) == 0
    assert f"upgraded from no version to {head()}" in capsys.readouterr().out
    engine = open_app_db(old_url)  # at the newest version now: opened without complaint
    old = _old_metadata()
    with engine.connect() as conn:
        for name, written in rows.items():
            kept = conn.execute(select(old.tables[name])).mappings().all()
            assert [dict(r) for r in kept] == [written], name
        assert set(metadata.tables) <= set(conn.dialect.get_table_names(conn))
    assert app.main(["db", "upgrade"]) == 0 and "already at" in capsys.readouterr().out


def test_an_unversioned_database_is_refused_until_db_upgrade_has_run(tmp_path):
    from data_access.appdb import open_app_db
    from data_access.migrate import SchemaVersionError

    _old_database(f"sqlite:///{tmp_path}/app.db")
    with pytest.raises(SchemaVersionError, match="run `python app.py db upgrade` once"):
        open_app_db(f"sqlite:///{tmp_path}/app.db")


def test_the_web_app_and_the_poller_refuse_a_database_of_an_unknown_newer_version(settings, monkeypatch, capsys):
    import app
    from data_access.appdb import open_app_db
    from data_access.migrate import SchemaVersionError

    engine = open_app_db(settings.url("app_db"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(SchemaVersionError, match="schema version 0099, which this code does not know"):
        open_app_db(settings.url("app_db"))
    monkeypatch.setenv("HOTLINE_DATA_DIR", settings.data_dir)
    for command in (["poller"], ["web"], ["db", "upgrade"]):
        assert app.main(command) == 4
        assert "which this code does not know (a newer release upgraded it?)" in capsys.readouterr().err


def test_a_new_empty_database_is_created_at_the_newest_version(settings):
    from data_access.appdb import open_app_db
    from data_access.migrate import current, head

    with open_app_db(settings.url("app_db")).connect() as conn:
        assert current(conn) == head() == "0003"


def test_a_case_closed_before_four_eyes_gets_its_closing_officer_from_its_history_so_they_cannot_confirm_it(
        tmp_path, monkeypatch, capsys):
    import app
    from data_access.appdb import open_app_db
    from data_access.case_repo import CaseRepository
    from domain.cases import TriageError

    url = f"sqlite:///{tmp_path}/app.db"
    engine, old = create_engine(url), _old_metadata()
    old.create_all(engine)
    cases, events = old.tables["cases"], old.tables["case_events"]
    at = datetime(2026, 11, 20, 10, 30)
    with engine.begin() as conn:
        for case_id, status in ((1, "closed"), (2, "new")):
            conn.execute(insert(cases).values(
                id=case_id, operator_id=7, day=f"2026-11-2{case_id}", score=10, band="info", status=status,
                created_at=at, updated_at=at, closure="false_positive" if status == "closed" else None,
                closed_at=at if status == "closed" else None, legal_hold=False))
        for actor, action in (("system", "created"), ("sec1", "closed"), ("system", "reopened"), ("sec3", "closed")):
            conn.execute(insert(events).values(case_id=1, ts=at, actor=actor, action=action, detail=""))
    engine.dispose()
    monkeypatch.setenv("HOTLINE_APP_DB_URL", url)
    assert app.main(["db", "upgrade"]) == 0
    repo = CaseRepository(open_app_db(url))
    assert (repo.get(1)["closed_by"], repo.get(2)["closed_by"]) == ("sec3", None)
    with pytest.raises(TriageError, match="cannot confirm"):
        repo.confirm_clearance(1, "sec3", 1_764_000_000.0, at.replace(tzinfo=timezone.utc).timestamp())
    repo.confirm_clearance(1, "sec1", 1_764_000_000.0, at.replace(tzinfo=timezone.utc).timestamp())
    assert repo.get(1)["confirmed_by"] == "sec1"
