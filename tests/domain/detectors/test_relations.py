"""D02 ticket mismatch, D03 own record, D04 relative or neighbour, D05 co-worker, D06 watch-list."""

import pytest

from domain.detectors import WatchEntry

from .factory import DAY, HOME, MIN, T0, acc, citizen, make_ctx, operator, run, ticket


def test_d02_ticket_of_another_citizen():
    ctx = make_ctx().add(ticket(500, 101, assignee=1))
    out = run([acc(1, T0, cid=100, ticket_id=500)], ctx)
    [hit] = out.of("D02")
    assert hit.points == 30 and hit.citizen_ids == (100, 101)
    assert "обращение №500 относится к другому гражданину (№101)" in hit.reason_ru
    assert "ticket #500 belongs to another citizen (#101)" in hit.reason_en


def test_d02_call_of_another_citizen():
    ctx = make_ctx().add(ticket(500, 101, assignee=1, call="c-9"))
    out = run([acc(1, T0, cid=100, call="c-9")], ctx)
    [hit] = out.of("D02")
    assert "звонок c-9" in hit.reason_ru and "call c-9" in hit.reason_en


def test_d02_silent_when_ticket_matches_or_is_unknown():
    ctx = make_ctx().add(ticket(500, 100, assignee=1))
    out = run([acc(1, T0, cid=100, ticket_id=500), acc(2, T0, cid=100, ticket_id=999)], ctx)
    assert not out.of("D02")


def test_d03_own_record_even_when_explained():
    ctx = make_ctx()
    ctx.add(operator(1, citizen_id=150), ticket(500, 150, assignee=1))
    out = run([acc(1, T0, cid=150)], ctx)
    assert [h.detector for h in out.hits] == ["D03"]
    assert out.hits[0].points == 60
    assert "собственную" in out.hits[0].reason_ru and "own citizen record" in out.hits[0].reason_en


@pytest.mark.parametrize("surname, address, points, words_ru, words_en", [
    ("Смирнова", HOME, 60, "та же фамилия (Смирнов/Смирнова) и тот же адрес", "same surname (Смирнов/Смирнова) and"),
    ("Кузнецова", "г. москва ул. ленина д. 1 кв. 1", 40, "тот же адрес", "same address"),
    ("Смирнова", "г. Тула", 15, "та же фамилия (Смирнов/Смирнова)", "same surname"),
])
def test_d04_relative_or_neighbour(surname, address, points, words_ru, words_en):
    ctx = make_ctx().add(citizen(150, surname=surname, gender="F", address=address))
    out = run([acc(1, T0, cid=150)], ctx)
    [hit] = out.of("D04")
    assert hit.points == points and words_ru in hit.reason_ru and words_en in hit.reason_en
    assert out.of("D01")


def test_d04_needs_d01():
    ctx = make_ctx().add(citizen(150, surname="Смирнова", address=HOME), ticket(500, 150, assignee=1))
    assert not run([acc(1, T0, cid=150)], ctx).of("D04")


def test_d04_unrelated_citizen_is_silent():
    assert not run([acc(1, T0, cid=150)], make_ctx()).of("D04")


def test_d05_coworker_only_when_unexplained_and_not_self():
    ctx = make_ctx().add(citizen(150, is_employee=True), citizen(151, is_employee=True), ticket(500, 151, assignee=1))
    ctx.add(operator(1, citizen_id=152), citizen(152, is_employee=True))
    out = run([acc(1, T0, cid=150), acc(2, T0, cid=151), acc(3, T0, cid=152)], ctx)
    [hit] = out.of("D05")
    assert hit.citizen_ids == (150,) and hit.points == 40
    assert "сотрудник" in hit.reason_ru and "hotline employee" in hit.reason_en


def test_d06_watch_list_points_depend_on_d01():
    ctx = make_ctx().add(WatchEntry(150, "vip", None), WatchEntry(151, "victim", T0 + DAY),
                         WatchEntry(152, "vip", None), ticket(500, 151, assignee=1), ticket(501, 152, team=1))
    out = run([acc(1, T0, cid=150), acc(2, T0, cid=151), acc(3, T0, cid=152)], ctx)
    points = {h.citizen_ids[0]: h.points for h in out.of("D06")}
    # The operator's own ticket: logged below 'medium'; no link, or only a ticket of the team: 60.
    assert points == {150: 60, 151: 15, 152: 60}
    reasons = {h.citizen_ids[0]: (h.reason_ru, h.reason_en) for h in out.of("D06")}
    assert "VIP" in reasons[150][0] and "нет звонка" in reasons[150][0] and "no call" in reasons[150][1]
    assert "пострадавший" in reasons[151][0] and "victim" in reasons[151][1]


def test_d06_an_unexplained_access_after_an_explained_one_still_counts_more():
    ctx = make_ctx().add(WatchEntry(150, "vip", None), ticket(500, 150, assignee=1, opened=T0, closed=T0 + 60))
    out = run([acc(1, T0, cid=150), acc(2, T0 + 8 * DAY, cid=150), acc(3, T0 + 8 * DAY + 60, cid=150)], ctx)
    assert [(h.day, h.points) for h in out.of("D06")] == [("2025-03-10", 15), ("2025-03-18", 60)]
    out = run([acc(1, T0 - 6 * MIN, cid=150), acc(2, T0, cid=150), acc(3, T0 + 30, cid=150)], ctx)
    assert sorted(h.points for h in out.of("D06")) == [15, 60]


def test_d06_expired_watch_entry_is_silent():
    ctx = make_ctx().add(WatchEntry(150, "vip", T0 - 1))
    assert not run([acc(1, T0, cid=150)], ctx).of("D06")


def test_d06_searches_do_not_count():
    ctx = make_ctx().add(WatchEntry(150, "vip", None))
    assert not run([acc(1, T0, cid=150, action="search")], ctx).hits
