"""`show logging` on the lab's routers and the gateway: IOS's header, then the logging
buffer, the newest BUFFER_BYTES of what the router logged (its `%FACILITY-SEVERITY-MNEMONIC`
messages and the output of its debugs, as IOS buffers at level debugging), the oldest dropped
first."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence

from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token

# IOS's default size depends on the platform (`logging buffered SIZE`, which pyike does not
# model, sets it): the lab keeps as much as a router configured for troubleshooting would.
BUFFER_BYTES = 102_400
_SEVERITY = re.compile(r"%[A-Z0-9_]+-([0-7])-[A-Z0-9_]+:")
_TRAP_LEVEL = 6  # informational: what `Trap logging` counts


class LogBuffer:
    """The lines a router logged, bounded by their size in bytes (each with its newline)."""

    def __init__(self, size: int = BUFFER_BYTES) -> None:
        self.size = size
        self.logged = 0  # every message logged, including those the buffer dropped since
        self.trapped = 0  # those of severity informational or more severe
        self._lines: deque[str] = deque()
        self._bytes = 0

    def add(self, line: str) -> None:
        self.logged += 1
        found = _SEVERITY.search(line)
        if found is not None and int(found.group(1)) <= _TRAP_LEVEL:
            self.trapped += 1
        self._lines.append(line)
        self._bytes += len(line) + 1
        while self._bytes > self.size:
            self._bytes -= len(self._lines.popleft()) + 1

    def lines(self) -> list[str]:
        return list(self._lines)


def render(buffer: LogBuffer) -> str:
    logged = buffer.logged
    head = [
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes,"
        " 0 overruns, xml disabled, filtering disabled)",
        "",
        "No Active Message Discriminator.",
        "",
        "",
        "",
        "No Inactive Message Discriminator.",
        "",
        "",
        f"    Console logging: level debugging, {logged} messages logged, xml disabled,",
        "                     filtering disabled",
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,",
        "                     filtering disabled",
        f"    Buffer logging:  level debugging, {logged} messages logged, xml disabled,",
        "                    filtering disabled",
        "    Exception Logging: size (4096 bytes)",
        "    Count and timestamp logging messages: disabled",
        "    Persistent logging: disabled",
        "",
        "No active filter modules.",
        "",
        f"    Trap logging: level informational, {buffer.trapped} message lines logged",
        "        Logging Source-Interface:       VRF Name:",
        "",
        f"Log Buffer ({buffer.size} bytes):",
        "",
    ]
    return "\n".join(head + buffer.lines()) + "\n"


def register(tree: CommandTree, buffer: LogBuffer) -> None:
    def show(args: Sequence[Token]) -> ExecJob:
        if args:
            raise InvalidInput(args[0].start)
        return TextResult(render(buffer))

    tree.register("show logging", show, takes_args=True)
