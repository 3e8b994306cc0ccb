"""`pyike lab --interactive`: filters, `?` help, completion, and the prompt loop driven
through prompt_toolkit's pipe input with a dummy output (no terminal)."""

from __future__ import annotations

import asyncio
import re

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from pyike.ike.config_policy import policy_for_config
from pyike.lab.interactive import (
    FilterError,
    LabConsole,
    apply_filter,
    completions,
    help_text,
    parse_speed,
    run_console,
    split_filters,
)
from pyike.lab.lab import Lab
from pyike.lab.seed import seed_configs
from pyike.node.exec.parser import CommandTree
from pyike.sim.clock import RealTimePacer

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


def rx(text: str) -> re.Pattern[str]:
    return re.compile(text)


def test_include_exclude_begin() -> None:
    assert apply_filter(RUNNING, "include", rx("address")) == (
        " ip address 192.168.1.1 255.255.255.0\n ip address 10.0.0.1 255.255.255.0\n"
    )
    assert "address" not in apply_filter(RUNNING, "exclude", rx("address"))
    assert apply_filter(RUNNING, "begin", rx("^crypto")).splitlines() == [
        "crypto ikev2 profile IKEV2-SETUP",
        " lifetime 120",
        "ip route 0.0.0.0 0.0.0.0 10.0.0.2",
    ]


def test_section_keeps_whole_sections_that_match() -> None:
    assert apply_filter(RUNNING, "section", rx("Ethernet")) == (
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    )
    assert apply_filter(RUNNING, "section", rx("lifetime")) == (
        "crypto ikev2 profile IKEV2-SETUP\n lifetime 120\n"
    )


def test_filters_split_with_abbreviations_and_chain() -> None:
    command, filters = split_filters("sh run | sec interface | inc 10\\.0")
    assert command.strip() == "sh run"
    assert [kind for kind, _ in filters] == ["section", "include"]
    with pytest.raises(FilterError, match="Invalid input"):
        split_filters("sh run | frob x")
    with pytest.raises(FilterError, match="Invalid regular expression"):
        split_filters("sh run | include (")


def tree() -> CommandTree:
    t = CommandTree()
    noop = lambda args: None  # noqa: E731
    t.register("show crypto ikev2 sa", noop, takes_args=True)  # type: ignore[arg-type]
    t.register("show crypto session", noop)  # type: ignore[arg-type]
    t.register("show ip route", noop)  # type: ignore[arg-type]
    t.register("ping", noop, takes_args=True)  # type: ignore[arg-type]
    return t


def test_question_mark_lists_what_may_follow() -> None:
    assert help_text(tree(), "sh cry ") == (
        "  ikev2    Shows ikev2 information\n  session  Show crypto sessions\n"
    )
    assert help_text(tree(), "sh cry ikev2 sa ") == "  LINE  Arguments\n  <cr>\n"
    assert help_text(tree(), "show crypto session ") == "  <cr>\n"
    root = help_text(tree(), "")
    assert "  connect" in root and "  ping" in root and "  show" in root


def test_question_mark_completes_a_word_and_rejects_nonsense() -> None:
    assert help_text(tree(), "show crypto s") == "session  \n"
    assert help_text(tree(), "s") == "show  \n"
    assert help_text(tree(), "show bogus ") == "% Unrecognized command\n"


def test_tab_completion() -> None:
    assert completions(tree(), "sh cr") == ["crypto"]
    assert completions(tree(), "show crypto ") == ["ikev2", "session"]
    assert completions(tree(), "", ["Router1", "Router2"])[:2] == ["Router1", "Router2"]
    assert completions(tree(), "connect R", ["Router1", "Router2"]) == ["Router1", "Router2"]
    assert completions(tree(), "show nonsense ") == []


def test_speed() -> None:
    assert parse_speed("10x") == 10.0
    assert parse_speed("0.5") == 0.5
    for bad in ("fast", "0x", "-2x"):
        with pytest.raises(ValueError, match="Invalid speed"):
            parse_speed(bad)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def console_for_seed(speed: float = 1.0) -> tuple[LabConsole, list[str], FakeTime]:
    lab = Lab(seed_configs(), policy_for_config)
    fake = FakeTime()
    out: list[str] = []
    console = LabConsole(lab, RealTimePacer(lab.clock, fake, speed), out.append)
    lab.bring_up_tunnels()
    return console, out, fake


def test_console_switches_routers_and_runs_commands_in_real_time() -> None:
    console, out, fake = console_for_seed()

    asyncio.run(console.execute("ping 192.168.2.1 source Loopback0", fake.sleep))
    text = "".join(out)
    assert "Success rate is 100 percent (5/5)" in text
    # Tunnel0 came up during the ping: its log line interrupts the `!`s on a line of its own.
    assert (
        "\nRouter1: *Nov 11 19:30:34.813: %LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0"
        in text
    )
    out.clear()
    # An echo that times out takes its 2 s of (fake) real time.
    before = fake.now
    asyncio.run(console.execute("ping 10.0.0.77 repeat 1", fake.sleep))
    assert "Success rate is 0 percent (0/1)" in "".join(out)
    assert fake.now - before == pytest.approx(2.0, abs=0.06)
    assert console.lab.clock.now == pytest.approx(fake.now, abs=0.1)
    out.clear()
    asyncio.run(console.execute("Router2", fake.sleep))
    assert console.prompt == "Router2#"
    asyncio.run(console.execute("sh cry ikev2 sa | include READY", fake.sleep))
    assert out == [
        "1         10.0.0.2/500          10.0.0.1/500          none/none            READY \n"
    ]
    out.clear()
    asyncio.run(console.execute("connect router1", fake.sleep))
    assert console.prompt == "Router1#"
    asyncio.run(console.execute("connect Router9", fake.sleep))
    assert "Unknown router Router9" in out[-1]
    asyncio.run(console.execute("show ip interface brief | sec Tunnel", fake.sleep))
    assert out[-1].startswith("Tunnel0")
    asyncio.run(console.execute("exit", fake.sleep))
    assert not console.state.running


def test_speed_makes_the_clock_run_faster() -> None:
    console, _out, fake = console_for_seed(speed=10.0)
    fake.now = 3.0
    console.pacer.advance()
    assert console.lab.clock.now == pytest.approx(30.0)


def test_the_prompt_loop_through_a_pipe() -> None:
    console, out, _fake = console_for_seed(speed=1000.0)
    console.lab.run_for(5.0)

    async def drive() -> None:
        with create_pipe_input() as pipe:
            pipe.send_text("sh cry ses | inc status\r")
            pipe.send_text("Router2\r")
            pipe.send_text("show crypto ?")
            pipe.send_text("\x15")  # Ctrl-U: discard the line
            pipe.send_text("sh ip route | begin Gateway\r")
            pipe.send_text("exit\r")
            await asyncio.wait_for(run_console(console, input=pipe, output=DummyOutput()), 20)

    asyncio.run(drive())
    text = "".join(out)
    assert "Session status: UP-ACTIVE\n" in text
    assert "Router2#show crypto ?\n" in text
    assert "  ikev2" in text and "  session" in text
    assert "Gateway of last resort is 10.0.0.1 to network 0.0.0.0" in text
    assert not console.state.running
