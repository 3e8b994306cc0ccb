"""A console no one reads is silent (`Console.silent`), so the gateway's log makes no line
for it: the control socket's connections are among its monitors only while one is under
`terminal monitor`, and the lines reach them as before while one is."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from pyike.net.console import Console
from pyike.net.control import MONITOR_OFF, MONITOR_ON, ControlServer, encode


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
