"""/services names the active poller from its lease: host, process and since when; nothing personal."""



def test_the_services_page_names_the_active_poller_and_since_when(web):
    from pages.services import poller_line

    snap = {"poller": {"active": {"kind": "advisory", "host": "dash-poller-2", "pid": 4242,
                                  "since": "2026-12-04T16:05:07Z", "token": 7}}}
    assert poller_line(snap, "en", "Europe/Moscow").children == (
        "Active poller: dash-poller-2, pid 4242, since 04.12 19:05:07 (PostgreSQL advisory lock, token 7)")
    assert "аренда в базе приложения" in poller_line({"poller": {"active": {**snap["poller"]["active"],
                                                                            "kind": "row"}}}, "ru", "UTC").children


def test_a_poller_inside_the_web_process_is_said_to_be_one(web):
    from pages.services import poller_line

    assert poller_line({"poller": {"cycle_seconds": {}}}, "en", "UTC").children == \
        "The poller runs inside the web process"
