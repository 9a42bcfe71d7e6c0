"""Open, overdue and escalated tickets as the SLA report counts them."""

from __future__ import annotations

from domain.tickets import TicketRecord, appeal_of, escalation_summary, overdue_summary

NOW = 1_790_000_000.0
H = 3600.0


def ticket(i: int, channel: str = "chat", status: str = "open", **kw) -> TicketRecord:
    return TicketRecord(i, channel, kw.pop("line", ""), "", "", status, kw.pop("escalated_to", ""), None,
                        kw.pop("created_ts", NOW - 10 * H), **kw)


def test_three_open_chat_tickets_two_past_due_give_two_overdue_and_the_oldest_five_hours():
    rows = overdue_summary([ticket(1, due_ts=NOW - 5 * H), ticket(2, due_ts=NOW - H), ticket(3, due_ts=NOW + H),
                            ticket(4, status="resolved", due_ts=NOW - 9 * H)], NOW)
    assert rows == [{"scope": "chat", "open": 3, "overdue": 2, "oldest_due_ts": NOW - 5 * H,
                     "overdue_share": 2 / 3, "hours_overdue": 5.0}]


def test_phone_tickets_are_counted_under_their_line_and_the_most_overdue_group_comes_first():
    rows = overdue_summary([ticket(1, "phone", line="technical", due_ts=NOW - 30 * H),
                            ticket(2, "email", due_ts=NOW - 2 * H), ticket(3, "phone", line="general")], NOW)
    assert [r["scope"] for r in rows] == ["technical", "email", "general"]
    assert rows[2]["overdue"] == 0 and rows[2]["hours_overdue"] is None


def test_escalations_of_the_period_per_department_with_the_median_hours_to_resolution():
    rows = escalation_summary([
        ticket(1, escalated_to="legal", escalated_ts=NOW - 10 * H, resolved_ts=NOW - 8 * H, status="resolved"),
        ticket(2, escalated_to="legal", escalated_ts=NOW - 9 * H, resolved_ts=NOW - 5 * H, status="closed"),
        ticket(3, escalated_to="legal", escalated_ts=NOW - 2 * H),
        ticket(4, escalated_to="tax", escalated_ts=NOW - 40 * H),           # before the period
        ticket(5, escalated_to="tax", created_ts=NOW - H),                   # no escalation time: its creation
        ticket(6)], NOW - 24 * H, NOW)
    assert rows == [{"department": "legal", "escalated": 3, "resolved": 2, "open": 1, "median_hours": 3.0},
                    {"department": "tax", "escalated": 1, "resolved": 0, "open": 1, "median_hours": None}]


def test_a_written_appeal_is_registered_by_its_first_response_and_answered_by_its_resolution():
    a = appeal_of(ticket(7, "email", first_response_ts=NOW - 9 * H, resolved_ts=NOW - H, status="resolved"))
    assert (a.ticket_id, a.channel, a.registered_ts, a.answered_ts) == (7, "email", NOW - 9 * H, NOW - H)
