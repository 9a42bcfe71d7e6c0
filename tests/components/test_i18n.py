"""Every name the case policy and the band list define has its label in Russian and English."""

from components.i18n import STRINGS
from domain.bands import BANDS
from domain.cases import CLOSURES, STATUSES, TRIAGE_ACTIONS


def test_the_5_bands_4_states_6_list_filters_4_closures_and_7_triage_actions_have_both_labels():
    keys = ([f"band_{b}" for b in BANDS] + [f"case_{s}" for s in STATUSES]
            + [f"cases_{s}" for s in ("open", *STATUSES, "to_confirm")] + [f"closure_{c}" for c in CLOSURES]
            + [f"do_{a}" for a in TRIAGE_ACTIONS] + ["event_confirmed", "event_rejudged"])
    assert len(keys) == 5 + 4 + 6 + 4 + 7 + 2
    missing = [k for k in keys if k not in STRINGS or not all(STRINGS[k])]
    assert missing == []


def test_the_5_journal_actions_and_9_case_events_read_in_both_languages_and_an_unknown_code_reads_as_is():
    from components.i18n import t_code
    from domain.detectors.model import ACTIONS

    events = ("created", "reopened", "assigned", "review", "closed", "hold", "hold_released", "escalated",
              "allow_rule")
    assert [t_code("action", a, "ru") for a in ACTIONS] == ["поиск", "просмотр", "изменение", "выгрузка", "печать"]
    assert [e for e in events if f"event_{e}" not in STRINGS] == []
    assert t_code("reason", "call", "ru") == "свой звонок" and t_code("reason", "someday", "ru") == "someday"
