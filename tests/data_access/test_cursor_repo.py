"""The poller's saved cursors and the officers cases are assigned to, in the app database."""

from sqlalchemy import update

from data_access.appdb import open_app_db
from data_access.cursor_repo import CursorRepository
from data_access.schema.appdb import users as users_table
from data_access.users_repo import UserRepository


def test_cursors_saved_at_120_and_7_are_loaded_back_and_one_missing_name_loads_nothing(settings):
    cursors = CursorRepository(open_app_db(settings.url("app_db")))
    assert cursors.load(("access", "signin")) is None
    cursors.save({"access": 120})
    assert cursors.load(("access", "signin")) is None
    cursors.save({"access": 120, "signin": 7})
    cursors.save({"access": 121, "signin": 7})
    assert cursors.load(("access", "signin")) == {"access": 121, "signin": 7}


def test_the_active_security_officers_are_the_2_reviewers_of_4_users(settings):
    users = UserRepository(open_app_db(settings.url("app_db")))
    for login, role in (("sec1", "security"), ("sec2", "security"), ("boss", "manager"), ("gone", "security")):
        users.create(login, login, role, "hash", 0.0)
    with users.engine.begin() as conn:
        conn.execute(update(users_table).where(users_table.c.login == "gone").values(active=False))
    assert sorted(users.active_logins("security")) == ["sec1", "sec2"]


def test_a_cursor_saved_at_500_is_not_moved_back_to_480_by_a_poller_that_read_less(settings):
    cursors = CursorRepository(open_app_db(settings.url("app_db")))
    cursors.save({"access": 500, "signin": 9})
    cursors.save({"access": 480, "signin": 12})  # the poller that lost its lease, saving late
    assert cursors.load(("access", "signin")) == {"access": 500, "signin": 12}
