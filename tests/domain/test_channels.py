from domain.channels import ChannelState, TicketFacts

T0 = 1_764_136_800.0


def test_waiting_oldest_and_first_response_service_level():
    state = ChannelState({"chat": 60, "email": 86400}, "UTC", T0)
    state.apply([TicketFacts(1, "chat", T0, T0 + 30, False), TicketFacts(2, "chat", T0, T0 + 120, False),
                 TicketFacts(3, "chat", T0 + 100, None, False), TicketFacts(4, "chat", T0 + 290, None, False),
                 TicketFacts(5, "phone", T0, None, False), TicketFacts(6, "email", T0, None, True)])
    chat = state.view(T0 + 300)["chat"]
    assert (chat["waiting"], chat["waiting_breached"], chat["oldest_wait_s"]) == (2, 1, 200)
    assert chat["created"] == 4 and chat["responded"] == 2
    assert chat["service_level"] == round(1 / 3, 4)  # 1 in target / (2 responded + 1 waiting past target)
    assert state.view(T0 + 300)["email"]["waiting"] == 0  # closed without response


def test_a_ticket_seen_again_is_not_counted_twice():
    state = ChannelState({"chat": 60}, "UTC", T0)
    state.apply([TicketFacts(1, "chat", T0, None, False)])
    state.apply([TicketFacts(1, "chat", T0, T0 + 20, False)])
    state.apply([TicketFacts(1, "chat", T0, T0 + 20, True)])
    chat = state.view(T0 + 60)["chat"]
    assert (chat["created"], chat["responded"], chat["waiting"], chat["service_level"]) == (1, 1, 0, 1.0)


def test_unanswered_tickets_survive_midnight():
    state = ChannelState({"email": 86400}, "UTC", T0)
    state.apply([TicketFacts(1, "email", T0, None, False)])
    state.tick(T0 + 86400)
    view = state.view(T0 + 86400)["email"]
    assert (view["waiting"], view["created"]) == (1, 0)
