"""Russian surnames match across their gendered forms, and only then."""

import pytest

from domain.detectors.surnames import same_surname, surname_key


@pytest.mark.parametrize("a, b", [
    ("Иванов", "Иванова"), ("Петровский", "Петровская"), ("Соколов", "Соколова"), ("Белых", "Белых"),
    ("Ильин", "Ильина"), ("Королёв", "Королева"), ("Толстой", "Толстая"), ("Крайний", "Крайняя"),
    ("Белый", "Белая"), ("Трубецкой", "Трубецкая"), ("Шевченко", "Шевченко"), ("  иванов ", "ИВАНОВА"),
    ("Римский-Корсаков", "Римская-Корсакова"), ("Лебедев", "Лебедева"), ("Ким", "Ким"),
])
def test_gendered_forms_match(a, b):
    assert same_surname(a, b) and same_surname(b, a)


@pytest.mark.parametrize("a, b", [
    ("Иванов", "Иванченко"), ("Белов", "Белая"), ("Белых", "Белова"), ("Петров", "Петровская"),
    ("Цой", "Цая"), ("Иванов", ""), ("", ""), (None, None), ("Смирнов", "Смирновский"),
])
def test_different_families_do_not_match(a, b):
    assert not same_surname(a, b)


def test_keys_are_stable():
    assert surname_key("Иванова") == "иванов"
    assert surname_key("Петровская") == surname_key("Петровский") == "петровск"
    assert surname_key("Белых") == "белых"
    assert surname_key("Цой") == "цой"
