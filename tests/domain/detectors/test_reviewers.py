"""D20: a reviewer's reveals, journal views and exports outside the cases assigned to them."""

from domain.detectors.reviewers import Cover, ReviewerAct, findings

T = 1741590000.0
DAY = "2025-03-10"
MINE = Cover(operators=frozenset({7}), citizens=frozenset({150}))


def _act(i, action, operator=None, citizen=None, rows=0, actor="sec1"):
    return ReviewerAct(i, T + i * 60, DAY, actor, action, operator, citizen, rows)


def test_acts_inside_the_reviewers_own_cases_are_no_finding():
    acts = [_act(1, "reveal", citizen=150), _act(2, "access_log_view", operator=7),
            _act(3, "access_log_rows", operator=7, citizen=150), _act(4, "export", operator=7, rows=40),
            _act(5, "access_log_view")]                     # browsing without a subject
    assert findings(acts, lambda actor: MINE) == []


def test_a_reveal_and_a_journal_read_outside_every_case_are_50_point_findings_counted_once_a_day():
    acts = [_act(1, "reveal", citizen=999), _act(2, "access_log_view", operator=8),
            _act(3, "access_log_rows", operator=8), _act(4, "access_log_rows", operator=8)]
    found = findings(acts, lambda actor: MINE)
    assert [(f.act.entry_id, f.acts, f.points) for f in found] == [(2, 3, 50), (1, 1, 50)]
    assert found[0].reason_en == ("read the access journal of operator #8, and no case assigned to the reviewer "
                                  "concerns it (3 times that day)")
    assert found[1].reason_ru.startswith("раскрыт гражданин №999")


def test_an_export_with_no_operator_or_citizen_filter_is_a_finding_with_its_row_count():
    [f] = findings([_act(1, "export", rows=5000)], lambda actor: MINE)
    assert f.reason_en.startswith("exported the journal with no operator or citizen filter: 5000 rows")


def test_each_reviewer_is_judged_by_their_own_cases():
    acts = [_act(1, "reveal", citizen=150, actor="sec1"), _act(2, "reveal", citizen=150, actor="sec2")]
    found = findings(acts, lambda actor: MINE if actor == "sec1" else Cover())
    assert [f.act.actor for f in found] == ["sec2"]


def test_a_journal_read_whose_audited_filter_could_not_be_read_is_a_finding_by_itself():
    act = ReviewerAct(9, T, DAY, "petrova.sec", "access_log_rows", unreadable=True)
    [found] = findings([act], lambda actor: Cover(frozenset({1}), frozenset({2})))
    assert found.points == 50 and "could not be read" in found.reason_en and "no case" not in found.reason_en
