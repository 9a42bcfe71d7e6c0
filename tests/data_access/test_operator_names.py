"""The CRM's operators: one OperatorInfo for the live screens, the detectors and the review pages."""

from datetime import datetime

from sqlalchemy import insert

from data_access.appdb import open_app_db
from data_access.engines import make_engine
from data_access.operator_names import OperatorNames
from data_access.schema import crm
from data_access.security_source import SecuritySource
from domain.operators import OperatorInfo


def test_the_live_screens_the_detectors_and_the_pages_share_one_operator_record():
    import domain.detectors.model as detectors
    import domain.snapshot as snapshot

    assert snapshot.OperatorInfo is detectors.OperatorInfo is OperatorInfo


def test_an_operator_of_team_3_is_read_with_every_field_the_three_users_need(settings):
    engine = make_engine(settings.url("ticketing"))
    crm.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(crm.teams), [{"id": 3, "code": "general", "name": "Линия 1", "kind": "phone"}])
        conn.execute(insert(crm.operators), [{"id": 7, "login": "op7", "full_name": "Иванова Анна Петровна",
                                              "surname": "Иванова", "team_id": 3, "role": "operator",
                                              "member_name": "PJSIP/1007", "status": "active",
                                              "hired_at": datetime(2024, 1, 1), "address": "г. Москва"}])
    [op] = SecuritySource(settings.url("ticketing")).operators()
    assert op == OperatorInfo(7, member_name="PJSIP/1007", full_name="Иванова Анна Петровна", team="general",
                              team_name="Линия 1", team_id=3, login="op7", role="operator", status="active",
                              hired_at=1704067200.0, surname="Иванова", address="г. Москва")


def test_the_names_copy_keeps_login_name_and_team(settings):
    names = OperatorNames(open_app_db(settings.url("app_db")))
    names.replace_all([OperatorInfo(7, login="op7", full_name="Иванова Анна Петровна", team_id=3, team_name="Линия 1",
                                    role="operator", surname="not copied")])
    assert names.all() == {7: OperatorInfo(7, login="op7", full_name="Иванова Анна Петровна", team_id=3,
                                           team_name="Линия 1", role="operator")}
    assert names.find("Анна") == [7] and names.find("op7") == [7] and names.find("op") == []
