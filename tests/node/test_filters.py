"""IOS output filters (`| include|exclude|begin|section|count REGEX`) on exec lines, as the lab's
routers and the gateway's shell apply them."""

from __future__ import annotations

import re

import pytest

from pyike.node.exec.commands import ExecShell
from pyike.node.exec.filters import OutputFilter, parse_filter, run_line
from pyike.node.exec.job import ExecJob
from pyike.node.exec.parser import CommandTree, ExecInputError
from tests.support.router_lab import chain

RUNNING = """\
hostname Router1
interface Loopback0
 ip address 192.168.1.1 255.255.255.0
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
crypto ikev2 profile IKEV2-SETUP
 lifetime 120
ip route 0.0.0.0 0.0.0.0 10.0.0.2
"""


def apply(kind: str, regex: str, text: str = RUNNING) -> str:
    return OutputFilter(kind, re.compile(regex)).apply(text)


def test_include_exclude_begin() -> None:
    assert apply("include", "address") == (
        " ip address 192.168.1.1 255.255.255.0\n ip address 10.0.0.1 255.255.255.0\n"
    )
    assert "address" not in apply("exclude", "address")
    assert apply("begin", "^crypto").splitlines() == [
        "crypto ikev2 profile IKEV2-SETUP",
        " lifetime 120",
        "ip route 0.0.0.0 0.0.0.0 10.0.0.2",
    ]


def test_section_keeps_whole_sections_that_match() -> None:
    assert apply("section", "Ethernet") == (
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    )
    assert apply("section", "lifetime") == "crypto ikev2 profile IKEV2-SETUP\n lifetime 120\n"


def test_count_says_how_many_lines_matched() -> None:
    assert apply("count", "address") == "Number of lines which match regexp = 2\n"
    assert apply("count", "^no such line") == "Number of lines which match regexp = 0\n"
    # a last line without its newline is a line, as for the other filters
    assert apply("count", "route", RUNNING.rstrip("\n")) == (
        "Number of lines which match regexp = 1\n"
    )
    assert shell_text("ping 2.2.2.2 repeat 3 | count ^Success") == (
        "Number of lines which match regexp = 1\n"
    )


def test_output_fed_in_pieces_is_filtered_as_a_whole() -> None:
    whole = apply("section", "10\\.0")
    tree = CommandTree()
    pieces = ExecJob()
    tree.register("show running-config", lambda args: pieces)
    job = run_line(tree, "show running-config | section 10\\.0", "R#")
    for start in range(0, len(RUNNING), 7):
        pieces.write(RUNNING[start : start + 7])
    assert not job.done
    pieces.finish()
    assert job.done and job.text == whole


def test_the_rest_of_the_line_is_the_regular_expression_bar_included() -> None:
    spec = parse_filter("show run | include Loopback|Ethernet")
    assert spec is not None and spec.kind == "include"
    assert spec.apply(RUNNING) == "interface Loopback0\ninterface Ethernet0/0\n"
    # A second `|` is not a second filter: IOS reads it as part of the expression.
    chained = parse_filter("sh run | sec interface | inc 10\\.0")
    assert chained is not None and chained.kind == "section"
    assert chained.regex.pattern == "interface | inc 10\\.0"


@pytest.mark.parametrize(
    "word", ["i", "inc", "INCLUDE", "e", "ex", "b", "beg", "s", "sec", "c", "cou"]
)
def test_abbreviations(word: str) -> None:
    spec = parse_filter(f"show run | {word} x")
    assert spec is not None and spec.kind.startswith(word.lower())


def render(line: str) -> str:
    try:
        parse_filter(line)
    except ExecInputError as error:
        return error.render("R#")
    return "accepted"


def test_bad_filters_in_ios_words() -> None:
    caret_under_frob = " " * len("R#sh run | ") + "^\n"
    assert (
        render("sh run | frob x") == caret_under_frob + "% Invalid input detected at '^' marker.\n"
    )
    assert render("sh run | include") == "% Incomplete command.\n"
    assert render("sh run |") == "% Incomplete command.\n"
    assert render("sh run | include (") == "% Invalid regular expression\n"


def shell_text(line: str) -> str:
    lab = chain()
    job: ExecJob = ExecShell(lab["R1"]).run(line)
    lab.clock.run_while(lambda: not job.done, 60)
    return job.text


def test_a_router_filters_a_running_ping_as_it_goes() -> None:
    lab = chain()
    live: list[str] = []
    job = ExecShell(lab["R1"]).run("ping 2.2.2.2 repeat 3 | include Success|Sending")
    job.on_output = live.append
    lab.clock.run_while(lambda: not job.done, 60)
    sending, success = job.text.splitlines()
    assert sending == "Sending 3, 100-byte ICMP Echos to 2.2.2.2, timeout is 2 seconds:"
    assert success.startswith("Success rate is 100 percent (3/3), round-trip")
    assert "".join(live) == success + "\n"  # what came after the terminal started listening


def test_a_filter_on_a_bad_command_or_without_command() -> None:
    assert shell_text("show bogus | include x").endswith(
        "% Invalid input detected at '^' marker.\n"
    )
    assert shell_text("| include x") == "   ^\n% Invalid input detected at '^' marker.\n"
    assert shell_text("show ip interface brief | exclude unassigned").startswith("Interface")


def test_a_command_that_fails_inside_pyike_says_so_and_the_shell_goes_on() -> None:
    tree = CommandTree()

    def broken(args: object) -> ExecJob:
        raise KeyError("flow 7")

    tree.register("show broken", broken)
    text = run_line(tree, "show broken | include x", "R1#").text
    assert text == "% pyike internal error: KeyError: 'flow 7' (please report it)\n"
