"""A console no one reads is silent (`Console.silent`), so the gateway's log makes no line
for it: the control socket's connections are among its monitors only while one is under
`terminal monitor`, and the lines reach them as before while one is. The crypto host makes
the line it logs for every SA (%CRYPTO-5-IKEV2_SESSION_STATUS) only when the log is read."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from pyike.config import load
from pyike.net.console import Console
from pyike.net.control import MONITOR_OFF, MONITOR_ON, ControlServer, encode
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import SEED_CONFIGS


def test_a_console_with_no_terminal_file_syslog_or_monitor_is_silent() -> None:
    assert Console(terminal=None).silent
    assert not Console(terminal=io.StringIO()).silent
    console = Console(terminal=None)
    console.monitors.append(lambda lines: None)
    assert not console.silent


def test_the_control_socket_monitors_the_console_only_while_asked(tmp_path: Path) -> None:
    console = Console(terminal=None)
    server = ControlServer(
        tmp_path / "control.sock",
        lambda line: "",
        lambda: "Router#",
        monitors=console.monitors,
    )

    async def talk() -> list[dict[str, object]]:
        await server.start()
        reader, writer = await asyncio.open_unix_connection(str(server.path))

        async def ask(command: str) -> dict[str, object]:
            writer.write(encode({"command": command}))
            await writer.drain()
            answer: dict[str, object] = json.loads(await reader.readline())
            return answer

        assert console.silent
        await ask(MONITOR_ON)
        assert console.monitors == [server.broadcast] and not console.silent
        console.lines(["*Dec  5 12:00:00.000: %CRYPTO-5-IKEV2_SESSION_STATUS: ..."])
        heard = [json.loads(await reader.readline())]
        await ask(MONITOR_OFF)
        assert console.silent
        await ask(MONITOR_ON)
        writer.close()
        await writer.wait_closed()
        for _ in range(100):  # the server sees the connection go
            if console.silent:
                break
            await asyncio.sleep(0.01)
        await server.stop()
        return heard

    heard = asyncio.run(talk())
    assert heard == [{"log": "*Dec  5 12:00:00.000: %CRYPTO-5-IKEV2_SESSION_STATUS: ..."}]
    assert console.silent


def test_the_session_status_is_logged_only_while_the_log_is_read() -> None:
    """Router1's log is read, Router2's (a quiet gateway no one monitors) is not."""
    logs: dict[str, list[str]] = {"r1": [], "r2": []}
    configs = [load((SEED_CONFIGS / f"router{n}.cfg").read_text()).config for n in (1, 2)]
    pair = GatewayPair(
        *configs,
        names=("r1", "r2"),
        options=(
            {"log": logs["r1"].append, "log_read": lambda: True},
            {"log": logs["r2"].append, "log_read": lambda: False},
        ),
    )
    pair.a.start_all()
    pair.pump()
    assert pair.a.sad.tunnel("Tunnel0").current is not None
    status = {
        name: [line for line in lines if "SESSION_STATUS" in line] for name, lines in logs.items()
    }
    up = "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.  Peer 10.0.0.2:500"
    assert len(status["r1"]) == 1 and status["r1"][0].startswith(up)
    assert status["r2"] == []


def test_the_buffer_keeps_what_the_console_was_given() -> None:
    """`show logging` on the gateway: the lines the console wrote; a silent one is given
    none, so `--quiet` costs nothing for the buffer either."""
    console = Console(terminal=io.StringIO())
    console.lines(
        [
            "*Dec  6 05:23:16.172: %LINEPROTO-5-UPDOWN: Line protocol on Interface"
            " Tunnel0, changed state to up"
        ],
        debug=False,
    )
    console.lines(["*Dec  6 05:23:16.171: IKEv2:Parse Vendor Specific Payload: pyike"])
    assert console.buffer.logged == 2 and console.buffer.trapped == 1
    assert console.buffer.lines()[1].endswith("Parse Vendor Specific Payload: pyike")
