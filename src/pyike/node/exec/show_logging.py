"""`show logging` on the lab's routers and the gateway: IOS's header, then the logging
buffer: the newest of what the router logged (its `%FACILITY-SEVERITY-MNEMONIC` messages and
the output of its debugs, which are of level debugging), the oldest dropped first, as
`logging buffered [SIZE] [LEVEL]` sets it (BUFFER_BYTES and debugging without it); `no logging
buffered` empties it and keeps nothing."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence

from pyike.config.model import DEBUGGING, SEVERITIES, LoggingBuffer
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token

# IOS's default size depends on the platform: without `logging buffered SIZE` the lab keeps
# as much as a router configured for troubleshooting would.
BUFFER_BYTES = 102_400
_SEVERITY = re.compile(r"%[A-Z0-9_]+-([0-7])-[A-Z0-9_]+:")
_TRAP_LEVEL = 6  # informational: what `Trap logging` counts


class LogBuffer:
    """The lines a router logged, bounded by their size in bytes (each with its newline), as
    its configuration in force (`setting`, read at each line) sets the buffer."""

    def __init__(self, setting: Callable[[], LoggingBuffer] = LoggingBuffer) -> None:
        self.setting = setting
        self.logged = 0  # every message logged, buffered or not
        self.buffered = 0  # those the buffer took, including those it dropped since
        self.trapped = 0  # those of severity informational or more severe
        self._lines: deque[str] = deque()
        self._bytes = 0

    @property
    def size(self) -> int:
        size = self.setting().size
        return BUFFER_BYTES if size is None else size

    def add(self, line: str) -> None:
        self.logged += 1
        found = _SEVERITY.search(line)
        severity = int(found.group(1)) if found is not None else DEBUGGING
        if severity <= _TRAP_LEVEL:
            self.trapped += 1
        setting = self.setting()
        if setting.enabled and severity <= setting.level:
            self.buffered += 1
            self._lines.append(line)
            self._bytes += len(line) + 1
        self._fit(setting)

    def lines(self) -> list[str]:
        self._fit(self.setting())
        return list(self._lines)

    def _fit(self, setting: LoggingBuffer) -> None:
        """Drops the oldest lines that no longer fit (all of them, once it is turned off)."""
        size = (BUFFER_BYTES if setting.size is None else setting.size) if setting.enabled else 0
        while self._bytes > size:
            self._bytes -= len(self._lines.popleft()) + 1


def render(buffer: LogBuffer) -> str:
    logged, setting = buffer.logged, buffer.setting()
    if setting.enabled:
        buffered = f"level {SEVERITIES[setting.level]}, {buffer.buffered} messages logged,"
    else:
        buffered = "disabled,"
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
        f"    Buffer logging:  {buffered} xml disabled,",
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
    ]
    if not setting.enabled:
        return "\n".join(head) + "\n"
    head += [f"Log Buffer ({buffer.size} bytes):", ""]
    return "\n".join(head + buffer.lines()) + "\n"


def register(tree: CommandTree, buffer: LogBuffer) -> None:
    def show(args: Sequence[Token]) -> ExecJob:
        if args:
            raise InvalidInput(args[0].start)
        return TextResult(render(buffer))

    tree.register("show logging", show, takes_args=True)
