"""`pyike lab --interactive`: `?` help, completion, the console, and the prompt loop driven
through prompt_toolkit's pipe input with a dummy output (no terminal). The output filters
themselves are tested in tests/node/test_filters.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.interactive import (
    MAX_SPEED,
    LabConsole,
    completions,
    help_text,
    parse_speed,
    run_console,
)
from pyike.lab.lab import Lab
from pyike.node.exec.parser import CommandTree
from pyike.sim.clock import RealTimePacer
from pyike.topology.seed import seed_configs


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
    assert parse_speed(f"{MAX_SPEED:g}x") == MAX_SPEED
    for bad in ("fast", "0x", "-2x", "nan"):
        with pytest.raises(ValueError, match="Invalid speed"):
            parse_speed(bad)
    for too_fast in ("100000x", "1000000x", "inf"):
        with pytest.raises(
            ValueError, match=f"faster than the lab's clock can keep .*{MAX_SPEED:g}x"
        ):
            parse_speed(too_fast)


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


def test_a_filter_takes_the_rest_of_the_line_as_its_expression() -> None:
    console, out, fake = console_for_seed()
    console.lab.run_for(5.0)
    out.clear()  # the tunnel's log lines
    asyncio.run(console.execute("show crypto session | include Peer|Session", fake.sleep))
    lines = "".join(out).splitlines()
    assert lines and all("Peer" in line or "Session" in line for line in lines)
    assert any(line.startswith("Peer: 10.0.0.2") for line in lines)
    assert "Session status: UP-ACTIVE" in lines


def real_time_console(speed: float) -> tuple[LabConsole, list[str]]:
    lab = Lab(seed_configs(), policy_for_config)
    out: list[str] = []
    console = LabConsole(lab, RealTimePacer(lab.clock, time.monotonic, speed), out.append)
    lab.bring_up_tunnels()
    lab.run_for(5.0)
    return console, out


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), seconds)


@pytest.mark.parametrize("escape", ["\x1e", "\x03"], ids=["ctrl-^", "ctrl-c"])
def test_the_escape_sequence_stops_a_long_ping_and_the_session_goes_on(escape: str) -> None:
    console, out = real_time_console(speed=100.0)

    async def drive() -> None:
        with create_pipe_input() as pipe:
            pipe.send_text("ping 192.168.2.1 source Loopback0 repeat 2147483647\r")
            session = asyncio.create_task(run_console(console, input=pipe, output=DummyOutput()))
            await until(lambda: "!" in "".join(out))
            pipe.send_text("Router2\r")  # typed while the ping runs: kept for the prompt
            pipe.send_text(escape)
            await until(lambda: "Success rate" in "".join(out))
            pipe.send_text("exit\r")
            await asyncio.wait_for(session, 20)

    asyncio.run(drive())
    text = "".join(out)
    replies = text.count("!")
    assert f"Success rate is 100 percent ({replies}/{replies})" in text
    assert console.prompt == "Router2#"
    assert not console.state.running


def test_exit_is_honoured_at_once_when_the_clock_cannot_keep_up() -> None:
    console, _out = real_time_console(speed=MAX_SPEED)
    clock = console.lab.clock
    busy_until = time.monotonic() + 3.0

    def heavy_event() -> None:  # 2 ms of work every virtual millisecond: far behind
        end = time.monotonic() + 0.002
        while time.monotonic() < end:
            pass
        if end < busy_until:
            clock.call_later(0.001, heavy_event)

    clock.call_later(0.001, heavy_event)

    async def drive() -> float:
        with create_pipe_input() as pipe:
            pipe.send_text("exit\r")
            start = time.monotonic()
            await asyncio.wait_for(run_console(console, input=pipe, output=DummyOutput()), 20)
            return time.monotonic() - start

    assert asyncio.run(drive()) < 1.0
