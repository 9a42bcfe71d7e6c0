"""The access review shows which link explained each access."""


def test_the_link_column_names_the_kind_and_the_id_in_both_languages(web):
    from pages.security_access import columns, link_label

    assert link_label({"link": "team_ticket", "link_id": 34}, "en") == "team's ticket №34"
    assert link_label({"link": "call", "link_id": 12}, "ru") == "свой звонок №12"
    assert link_label({"link": "allow_rule", "link_id": 5}, "en") == "allow-rule №5"
    assert link_label({"link": "", "link_id": None}, "en") == ""
    assert "link_label" in {c["field"] for c in columns("en")}
