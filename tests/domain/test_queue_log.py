import pytest

from domain.queue_log import MalformedLine, pad_data, parse_pipe_line


def test_parses_a_full_line():
    ev = parse_pipe_line("1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000\n")
    assert (ev.ts, ev.callid, ev.queue, ev.agent, ev.verb) == (1366720340, "1366720340.303267", "MYQUEUE",
                                                                "SIP/8007", "RINGNOANSWER")
    assert ev.data == ("1000", "", "", "", "")
    assert ev.int_field(1) == 1000 and ev.int_field(2) is None


def test_trailing_pipe_and_missing_fields_of_old_logs():
    assert parse_pipe_line("1266833361|NONE|NONE|NONE|QUEUESTART|").data == ("",) * 5
    connect = parse_pipe_line("1266833912|1266833905.2|9000|Local/2004@from-internal/n|CONNECT|1|1266833911.7")
    assert connect.data == ("1", "1266833911.7", "", "", "")
    enter = parse_pipe_line("1266833911|1266833905.2|9000|NONE|ENTERQUEUE||01773597776")
    assert enter.field(2) == "01773597776"


def test_member_names_with_spaces_and_crlf():
    ev = parse_pipe_line("1700000000|1.2|q|Анна Иванова|PAUSE|Обед\r\n")
    assert ev.agent == "Анна Иванова" and ev.field(1) == "Обед"


def test_sixth_parameter_stays_glued_into_data5():
    assert pad_data(["a", "b", "c", "d", "e", "f"]) == ("a", "b", "c", "d", "e|f")


@pytest.mark.parametrize("line, reason", [
    ("", "blank"), ("   \n", "blank"), ("1|2|3", "fields"), ("abc|x|q|a|ENTERQUEUE", "epoch"),
    ("1700000000|x|q|a|", "verb"), ("-5|x|q|a|CONNECT", "range"),
])
def test_malformed_lines_say_why(line, reason):
    with pytest.raises(MalformedLine, match=reason):
        parse_pipe_line(line)
