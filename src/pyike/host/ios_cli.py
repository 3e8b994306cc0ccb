"""An IOS command line for one logged-in user, whatever carries it (the SSH server of
`pyike.ssh`): the prompt by privilege (`Router1>` at level 1, `Router1#` above), `enable` and
`disable`, `terminal length|width|monitor`, `exit`/`logout`, the device's exec commands (with
their output filters), `configure terminal` (`pyike.host.config_mode`), `write memory` and
`copy running-config startup-config`.

Below privilege 15 only user EXEC commands are there (`show` without the configuration,
`ping`, `traceroute`, `enable`, `terminal`, `exit`): anything else gets IOS's marker, as
`configure terminal` does at `Router1>`. Output is not paged (`terminal length` is kept, not
acted on): pyike prints whole outputs, as IOS does after `terminal length 0`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pyike.config.login_model import PRIVILEGED_LEVEL, USER_LEVEL
from pyike.config.model import Config
from pyike.host.config_mode import ENTER_MESSAGE, Apply, ConfigMode, config_message
from pyike.node.exec.filters import run_line
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandNode, CommandTree, Token
from pyike.node.exec.terminal import terminal_value

NO_ENABLE_PASSWORD = "% No password set"
BAD_SECRETS = "% Bad secrets"
PASSWORD_PROMPT = "Password: "
CONFIGURE_QUESTION = "Configuring from terminal, memory, or network [terminal]? "
COPY_QUESTION = "Destination filename [startup-config]? "
_ENABLE_ATTEMPTS = 3
# What user EXEC keeps of the device's commands, and what it hides of `show`.
_USER_COMMANDS = ("ping", "show", "traceroute")
_PRIVILEGED_SHOWS = ("running-config", "startup-config")

LineSink = Callable[[list[str]], None]


class Device(Protocol):
    """What the command line needs of a gateway or a lab router."""

    @property
    def config(self) -> Config: ...

    @property
    def tree(self) -> CommandTree: ...

    def apply(self, config: Config) -> str | None:
        """Run `config` from now on (raises `ApplyError`); what to tell the session, if
        anything."""

    def save(self, config: Config) -> str:
        """Write `config` as the startup configuration; returns where (raises OSError)."""

    def log(self, message: str) -> None:
        """A console message (`%SYS-5-CONFIG_I`)."""

    def monitor(self, sink: LineSink) -> Callable[[], None] | None:
        """Send log and debug lines to `sink` (`terminal monitor`); returns how to stop,
        or None when the device cannot."""


@dataclass
class Reply:
    """What the carrier does after a line: print `output`, then follow `job` while it runs
    (its further output arrives on it)."""

    output: str = ""
    job: ExecJob | None = None


Question = Callable[[str], Reply]


class IosCli:
    def __init__(
        self,
        device: Device,
        user: str,
        privilege: int,
        *,
        line: str = "vty0",
        address: str = "",
        output: LineSink | None = None,
    ) -> None:
        self.device = device
        self.user = user
        self.privilege = privilege
        self.line = line
        self.address = address
        self.length = 24
        self.width = 80
        self.config_mode: ConfigMode | None = None
        self._question: Question | None = None
        self._question_prompt = ""
        self.closed = False  # `exit`: the carrier ends the session
        self._output = output  # where `terminal monitor` lines go
        self._stop_monitor: Callable[[], None] | None = None
        self._own = CommandTree()
        self._register_own()

    # -- the prompt ------------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        if self._question is not None:
            return self._question_prompt
        if self.config_mode is not None:
            return self.config_mode.prompt
        return self.device.config.hostname + ("#" if self.privilege > USER_LEVEL else ">")

    # -- a line --------------------------------------------------------------------------------

    def handle(self, text: str) -> Reply:
        question, self._question = self._question, None
        if question is not None:
            return question(text)
        if self.config_mode is not None:
            return self._configure(text)
        job = run_line(self._tree(), text, self.prompt)
        return Reply(job.text, None if job.done else job)

    def interrupt(self) -> Reply:
        """Ctrl-Z or Ctrl-C: out of configuration mode (or away from a question)."""
        self._question = None
        if self.config_mode is not None:
            return Reply(self._leave_config())
        return Reply()

    def close(self) -> None:
        """The session ends: configuration mode left (changes applied), monitor off."""
        if self.config_mode is not None:
            self._leave_config()
        if self._stop_monitor is not None:
            self._stop_monitor()
            self._stop_monitor = None

    # -- the command trees -------------------------------------------------------------------

    def _tree(self) -> CommandTree:
        """The device's commands and the session's own, as this user's privilege allows."""
        tree = CommandTree()
        device = self.device.tree.root.children
        if self.privilege >= PRIVILEGED_LEVEL:
            tree.root.children = {**device, **self._own.root.children}
            return tree
        kept = {word: node for word, node in device.items() if word in _USER_COMMANDS}
        if "show" in kept:
            show = kept["show"]
            children = {w: n for w, n in show.children.items() if w not in _PRIVILEGED_SHOWS}
            kept["show"] = CommandNode("show", children, show.handler, show.takes_args)
        own = {w: n for w, n in self._own.root.children.items() if w in _USER_LEVEL_OWN}
        tree.root.children = {**kept, **own}
        return tree

    def _register_own(self) -> None:
        t = self._own
        t.register("enable", self._enable)
        t.register("disable", lambda args: self._set_level(USER_LEVEL))
        for word in ("exit", "logout", "quit"):
            t.register(word, self._exit)
        t.register("terminal length", self._terminal("length"), takes_args=True)
        t.register("terminal width", self._terminal("width"), takes_args=True)
        t.register("terminal monitor", self._monitor_on)
        t.register("terminal no monitor", self._monitor_off)
        t.register("configure", self._configure_question)
        t.register("configure terminal", self._enter_config)
        t.register("write", self._write)
        t.register("write memory", self._write)
        t.register("copy running-config startup-config", self._copy_question)

    # -- privilege -----------------------------------------------------------------------------

    def _set_level(self, level: int) -> ExecJob:
        self.privilege = level
        return TextResult("")

    def _enable(self, args: Sequence[Token]) -> ExecJob:
        if self.privilege >= PRIVILEGED_LEVEL:
            return TextResult("")
        if self.device.config.login.enable_password() is None:
            return TextResult(NO_ENABLE_PASSWORD + "\n")
        self._ask_password(1)
        return TextResult("")

    def _ask_password(self, attempt: int) -> None:
        def answer(typed: str) -> Reply:
            stored = self.device.config.login.enable_password()
            if stored is not None and stored.matches(typed):
                self.privilege = PRIVILEGED_LEVEL
                return Reply()
            if attempt < _ENABLE_ATTEMPTS:
                self._ask_password(attempt + 1)
                return Reply()
            return Reply(BAD_SECRETS + "\n\n")

        self._ask(PASSWORD_PROMPT, answer)

    def _ask(self, prompt: str, answer: Question) -> None:
        self._question, self._question_prompt = answer, prompt

    @property
    def hidden(self) -> bool:
        """Whether the next line is a password (not to be echoed)."""
        return self._question is not None and self._question_prompt == PASSWORD_PROMPT

    def _exit(self, args: Sequence[Token]) -> ExecJob:
        self.closed = True
        return TextResult("")

    # -- terminal ------------------------------------------------------------------------------

    def _terminal(self, what: str) -> Callable[[Sequence[Token]], ExecJob]:
        def handler(args: Sequence[Token]) -> ExecJob:
            setattr(self, what, terminal_value(args, what))
            return TextResult("")

        return handler

    def _monitor_on(self, args: Sequence[Token]) -> ExecJob:
        if self._stop_monitor is None and self._output is not None:
            self._stop_monitor = self.device.monitor(self._output)
            if self._stop_monitor is None:
                return TextResult("% Monitoring is not available on this device\n")
        return TextResult("")

    def _monitor_off(self, args: Sequence[Token]) -> ExecJob:
        if self._stop_monitor is not None:
            self._stop_monitor()
            self._stop_monitor = None
        return TextResult("")

    # -- configuration mode --------------------------------------------------------------------

    def _configure_question(self, args: Sequence[Token]) -> ExecJob:
        def answer(typed: str) -> Reply:
            word = typed.strip().lower()
            if not word or "terminal".startswith(word):
                return Reply(self._start_config())
            return Reply("% pyike configures from the terminal only\n")

        self._ask(CONFIGURE_QUESTION, answer)
        return TextResult("")

    def _enter_config(self, args: Sequence[Token]) -> ExecJob:
        return TextResult(self._start_config())

    def _start_config(self) -> str:
        self.config_mode = ConfigMode(self.device.config)
        return ENTER_MESSAGE

    def _configure(self, text: str) -> Reply:
        assert self.config_mode is not None
        words = text.split()
        if words and words[0].lower() == "do" and len(words) > 1:
            command = text[text.lower().index("do") + 2 :].lstrip()
            prompt = self.config_mode.prompt
            job = run_line(self._tree(), command, prompt)
            return Reply(job.text, job if not job.done else None)
        step = self.config_mode.type(text)
        if step.ended:
            return Reply(step.output + self._leave_config())
        return Reply(step.output)

    def _leave_config(self) -> str:
        mode, self.config_mode = self.config_mode, None
        assert mode is not None
        apply: Apply = self.device.apply
        out = mode.finish(apply)
        self.device.log(config_message(self.user, self.line, self.address))
        return out

    # -- saving --------------------------------------------------------------------------------

    def _write(self, args: Sequence[Token]) -> ExecJob:
        return TextResult(self._save())

    def _copy_question(self, args: Sequence[Token]) -> ExecJob:
        def answer(typed: str) -> Reply:
            name = typed.strip()
            if name and name.lower() != "startup-config":
                return Reply("% pyike saves the startup-config only\n")
            return Reply(self._save())

        self._ask(COPY_QUESTION, answer)
        return TextResult("")

    def _save(self) -> str:
        try:
            self.device.save(self.device.config)
        except OSError as error:
            where = error.filename or "startup-config"
            return f"Building configuration...\n%Error opening {where} ({error.strerror})\n"
        return "Building configuration...\n[OK]\n"


_USER_LEVEL_OWN = ("enable", "disable", "exit", "logout", "quit", "terminal")
