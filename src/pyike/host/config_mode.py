"""`configure terminal` on a gateway or a lab router: IOS's configuration mode.

Lines are read by the configuration reader itself (`pyike.config.parser.LineReader`: the same
modes, abbreviations and errors as a file, with IOS's `^` marker under the line as typed), on
top of the running configuration. The prompt follows the mode (`Router1(config-if)#`). The
changes take effect when the session leaves configuration mode (`end`, `exit` at the top,
Ctrl-Z): the whole configuration, validated, is handed to the device's `apply`, the function
SIGHUP reload uses on the gateway. A configuration with errors is not applied (the errors are
printed and the running configuration stays as it was).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyike.config import writer
from pyike.config.diagnostics import Diagnostic, Severity
from pyike.config.model import Config
from pyike.config.parser import LineReader

ENTER_MESSAGE = "Enter configuration commands, one per line.  End with CNTL/Z.\n"


class ApplyError(Exception):
    """The device cannot run the new configuration (the message says why)."""


# Returns what the session should print once applied (a lab router: what waits for a restart).
Apply = Callable[[Config], str | None]


def config_message(user: str, line: str, address: str) -> str:
    """IOS's log line when a session leaves configuration mode."""
    return f"%SYS-5-CONFIG_I: Configured from console by {user} on {line} ({address})"


def _finding(diagnostic: Diagnostic) -> str:
    message = diagnostic.message
    if diagnostic.severity is Severity.ERROR or message.startswith(("%", "ERROR")):
        return message + "\n"
    return f"% {message}\n"


@dataclass
class Step:
    """What typing one line did: the text to print, and whether configuration mode ended."""

    output: str
    ended: bool = False


class ConfigMode:
    """One configuration session: lines in, IOS's answers out, `finish` to apply."""

    def __init__(self, running: Config) -> None:
        self._reader = LineReader(writer.render(running, show_keys=True), running.file)
        self.changed = False

    @property
    def hostname(self) -> str:
        """The hostname as configured so far (IOS's prompt changes at `hostname`)."""
        return self._reader.hostname

    @property
    def prompt(self) -> str:
        return f"{self.hostname}{self._reader.prompt}#"

    def type(self, line: str) -> Step:
        prompt = self.prompt
        typed = self._reader.feed(line)
        self.changed = self.changed or bool(line.strip())
        out = ""
        for finding in typed.findings:
            if finding.severity is Severity.NOTE:
                continue
            if finding.column is not None and typed.marker is not None:
                out += " " * (len(prompt) + typed.marker) + "^\n"
            out += _finding(finding)
        return Step(out, typed.leaves)

    def finish(self, apply: Apply) -> str:
        """Apply what was configured (nothing when nothing was typed); IOS's messages for a
        configuration that is refused."""
        if not self.changed:
            return ""
        config, findings = self._reader.result()
        errors = [d for d in findings if d.is_error]
        if errors:
            listed = "".join(f"% {d.message}\n" for d in errors)
            return listed + "% Configuration not applied: the running configuration is unchanged\n"
        try:
            said = apply(config)
        except ApplyError as error:
            return f"% Configuration not applied: {error}\n"
        return said or ""
