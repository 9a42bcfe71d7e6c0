"""D16: an address the operator has not used in 28 days: 5 points inside the corporate ranges, 35 outside."""

from domain.detectors import case_score

from .factory import DAY, MIN, T0, acc, make_ctx, run, sign


def _ctx():
    ctx = make_ctx()
    ctx.ips[1].append((T0 - 3 * DAY, "10.0.0.1"))
    return ctx


def test_a_success_from_95_165_3_7_after_28_days_at_10_0_0_1_is_worth_35_and_grows_with_its_rows():
    out = run([acc(1, T0 + MIN, ip="95.165.3.7"), acc(2, T0 + 3 * MIN, cid=101, ip="95.165.3.7")], _ctx(),
              signins=[sign(1, T0, ip="95.165.3.7")])
    [hit] = [h for h in out.final() if h.detector == "D16"]
    assert hit.points == 35 and hit.scope == "ip95.165.3.7" and hit.signin_ids == (1,) and hit.access_ids == (1, 2)
    assert "new address 95.165.3.7 outside the corporate network" in hit.reason_en and "[3 rows:" in hit.reason_en


def test_another_workstation_10_20_1_9_is_a_note_of_5_points_and_the_usual_address_nothing():
    out = run([acc(1, T0, ip="10.20.1.9", action="search", cid=None),
               acc(2, T0 + 10 * MIN, ip="10.0.0.1", action="search", cid=None)], _ctx())
    [hit] = out.of("D16")
    assert hit.points == 5 and out.detectors() == {"D16"} and case_score(out.hits) == (5, "info")


def test_an_operator_without_any_address_in_28_days_is_not_judged():
    assert not run([acc(1, T0, ip="95.165.3.7")], make_ctx()).of("D16")
