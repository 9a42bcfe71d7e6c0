"""The audit trail: what is stored is exactly what is hashed, bounded details, and the incremental chain check."""

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from data_access import audit_repo
from data_access.appdb import open_app_db
from data_access.audit_repo import MAX_DETAILS, AuditEntry, AuditTrail
from data_access.schema.appdb import audit_log

T0 = 1_764_136_800.0


@pytest.fixture
def trail(settings):
    return AuditTrail(open_app_db(settings.url("app_db")))


def _stored(trail: AuditTrail) -> list:
    with trail.engine.connect() as conn:
        return conn.execute(select(audit_log).order_by(audit_log.c.id)).all()


def test_a_300_character_target_is_cut_to_200_before_hashing_and_the_chain_stays_intact(trail):
    trail.append(AuditEntry("sec", "security", "case_" + "x" * 35, "case:" + "7" * 295), T0)
    trail.append(AuditEntry("sec", "security", "case_view", "case:7"), T0 + 1)
    [first, _second] = _stored(trail)
    assert len(first.action) == 40 and len(first.target) == 200
    assert trail.verify() == (True, None)


def test_an_actor_of_500_characters_and_an_ip_of_100_are_cut_to_their_columns_before_hashing(trail):
    trail.append(AuditEntry("a" * 500, "security-officer-long-role", "sign_in_failed", "", None, "1" * 100), T0)
    [row] = _stored(trail)
    assert (len(row.actor), len(row.role), len(row.ip)) == (80, 20, 45)
    assert trail.verify() == (True, None)


def test_details_of_100000_characters_are_cut_to_the_cap_with_a_marker_and_stay_json(trail):
    trail.append(AuditEntry("adm", "admin", "audit_view", "audit_log", {"actor": "x" * 100_000}), T0)
    [row] = _stored(trail)
    assert len(row.details) <= MAX_DETAILS
    stored = json.loads(row.details)
    assert stored["truncated"] is True and stored["size"] > 100_000 and stored["head"].startswith('{"actor": "xxx')
    assert trail.verify() == (True, None)


def test_details_cut_twice_from_the_same_input_are_identical(trail):
    details = {"note": '"\\' * 40_000}  # escaping doubles the size of the kept head: still under the cap
    trail.append(AuditEntry("adm", "admin", "audit_view", "", details), T0)
    trail.append(AuditEntry("adm", "admin", "audit_view", "", details), T0)
    first, second = _stored(trail)
    assert first.details == second.details and len(first.details) <= MAX_DETAILS


def test_a_lone_surrogate_and_a_nul_character_are_stored_escaped_and_hashed_as_stored(trail):
    trail.append(AuditEntry("sec\ud800", "security", "access_log_view", "x\x00y", {"operator": "\udfff"}), T0)
    [row] = _stored(trail)
    assert row.actor == "sec\\ud800" and row.target == "x\\x00y"
    assert trail.verify() == (True, None)


@pytest.mark.parametrize("action", ["", "Case View", "case-view", "drop table", "x" * 41, 7])
def test_an_action_that_is_not_a_short_snake_case_name_is_refused(trail, action):
    with pytest.raises(ValueError, match="audit action"):
        trail.append(AuditEntry("sec", "security", action), T0)
    assert _stored(trail) == []


def _hash_calls(monkeypatch) -> list:
    calls = []
    real = audit_repo.row_hash

    def counting(*args):
        calls.append(args)
        return real(*args)
    monkeypatch.setattr(audit_repo, "row_hash", counting)
    return calls


def test_the_second_check_hashes_only_the_rows_after_the_checkpoint(trail, monkeypatch):
    for i in range(50):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"row {i}"), T0 + i)
    first = trail.check()
    assert (first.intact, first.checked, first.upto) == (True, 50, 50)
    for i in range(3):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"late {i}"), T0 + 100 + i)
    calls = _hash_calls(monkeypatch)
    second = trail.check()
    assert (second.intact, second.checked, second.upto) == (True, 4, 53)
    assert len(calls) == 4  # the checkpoint row itself, then the 3 new rows


def _tamper(trail: AuditTrail, row_id: int, target: str) -> None:
    """What an attacker with the database owner's rights could do: drop the guard, edit, restore the guard."""
    with trail.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit_log SET target = :t WHERE id = :i"), {"t": target, "i": row_id})
        conn.execute(text("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log "
                          "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))


def test_a_row_edited_before_the_checkpoint_is_found_by_the_full_check(trail):
    for i in range(20):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"row {i}"), T0 + i)
    assert trail.check().upto == 20
    _tamper(trail, 7, "nothing to see")
    assert trail.check().intact  # the incremental check starts at row 20: row 7 is not read again
    full = trail.check(full=True)
    assert (full.intact, full.broken_at, full.checked) == (False, 7, 7)
    assert trail.verify() == (False, 7)


def test_an_edited_checkpoint_row_is_found_by_the_incremental_check(trail):
    for i in range(10):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"row {i}"), T0 + i)
    trail.check()
    _tamper(trail, 10, "nothing to see")
    trail.append(AuditEntry("adm", "admin", "audit_view", "after"), T0 + 50)
    check = trail.check()
    assert (check.intact, check.broken_at) == (False, 10)


def test_a_broken_chain_does_not_move_the_checkpoint(trail):
    for i in range(10):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"row {i}"), T0 + i)
    assert trail.check().upto == 10
    for i in range(5):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"late {i}"), T0 + 20 + i)
    _tamper(trail, 12, "nothing to see")
    assert (trail.check().broken_at, trail.check().broken_at) == (12, 12)
    assert trail.checkpoint() == (10, _stored(trail)[9].hash)


def test_the_checkpoint_only_moves_forward_and_cannot_be_deleted(trail):
    for i in range(5):
        trail.append(AuditEntry("adm", "admin", "audit_view", f"row {i}"), T0 + i)
    trail.check()
    with pytest.raises(DatabaseError, match="forward"):
        with trail.engine.begin() as conn:
            conn.execute(text("UPDATE audit_checkpoint SET row_id = 1"))
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        with trail.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_checkpoint"))
    assert trail.checkpoint()[0] == 5


def test_an_empty_trail_is_intact_and_has_no_checkpoint(trail):
    check = trail.check()
    assert (check.intact, check.broken_at, check.checked, check.upto) == (True, None, 0, 0)
    assert trail.checkpoint() == (0, audit_repo.GENESIS)


@pytest.mark.postgres
def test_32_writers_appending_at_once_on_postgresql_all_land_and_the_chain_holds(postgres_url, tmp_path):
    """32 kiosk screens signing in together: each sign-in is audited; none may fail (they did, 500s, before the
    head row was locked)."""
    from concurrent.futures import ThreadPoolExecutor


    engine = open_app_db(postgres_url(f"audit_{tmp_path.name[-20:].lower()}"))
    trail = AuditTrail(engine)
    trail.append(AuditEntry("cli", "admin", "first", ""), 1_764_136_800.0)
    with ThreadPoolExecutor(32) as pool:
        hashes = list(pool.map(lambda i: trail.append(AuditEntry(f"wall{i}", "display", "sign_in_kiosk", f"wall{i}"),
                                                      1_764_136_801.0), range(32)))
    assert len(set(hashes)) == 32
    assert trail.verify() == (True, None) and trail.check(full=True).checked == 33
