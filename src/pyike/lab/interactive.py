"""`pyike lab --interactive`: an IOS exec prompt on each lab router, in real time.

The virtual clock runs in step with the wall clock (`--speed 10x`: ten times faster) through
`RealTimePacer`, so tunnels negotiate, rekey and time out while you type; debug and log lines of
every router appear as they happen, prefixed by the router's name. At the prompt:

- any exec command of the router, with IOS abbreviations (`sh cry ikev2 sa det`);
- `?` for the keywords that may follow (`sh cry ?`) or that complete a word (`sh cr?`);
- Tab completion and history (up/down arrows);
- output filters: `| include RE`, `| exclude RE`, `| begin RE`, `| section RE` (the router's
  shell applies them, as for `! lab: exec` lines);
- Ctrl-^ (IOS's escape sequence) or Ctrl-C stops a running command such as a long ping;
- `connect HOST` or just `HOST` to switch router; `exit` (or Ctrl-D) to leave.

`?` help and completion are plain functions of the command tree, tested without a terminal;
`run_console` drives them with prompt_toolkit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.lab.report import Report
from pyike.lab.topology_run import build_lab
from pyike.node.exec.job import ExecJob
from pyike.node.exec.parser import (
    CommandNode,
    CommandTree,
    ExecInputError,
    match_keyword,
    tokenize,
)
from pyike.sim.clock import RealTimePacer
from pyike.topology import TopologyError, load_topology
from pyike.topology.seed import seed_configs

CONSOLE_WORDS = ("connect", "exit")
UNRECOGNIZED = "% Unrecognized command"
# The longest the clock runs without a break for the prompt, and the longest nap between
# clock advances, in real seconds.
_TICK = 0.05
# The fastest clock accepted: the seed's routers (a rekey every 120 s) keep real time at 5000x
# on half of one core and fall behind beyond about 10000x; faster would only be a busy CPU.
MAX_SPEED = 5000.0

# What `?` says about a keyword; keywords not listed are shown without a description.
DESCRIPTIONS = {
    "clear": "Reset functions",
    "connect": "Open a terminal connection (to another lab router)",
    "crypto": "Encryption module",
    "debug": "Debugging functions (see also 'undebug')",
    "exit": "Exit from the EXEC",
    "ikev2": "Shows ikev2 information",
    "interface": "IP interface status and configuration",
    "interfaces": "Interface status and configuration",
    "ip": "IP information",
    "ipsec": "Show IPSEC information",
    "map": "Crypto maps",
    "ping": "Send echo messages",
    "policy": "Show policies",
    "profile": "Show profiles",
    "proposal": "Show proposals",
    "route": "IP routing table",
    "running-config": "Current operating configuration",
    "sa": "Shows ikev2 SAs",
    "session": "Show crypto sessions",
    "show": "Show running system information",
    "traceroute": "Trace route to destination",
    "undebug": "Disable debugging functions (see also 'debug')",
}


# --- `?` help and completion ----------------------------------------------------------------


def _walk(tree: CommandTree, words: Sequence[str], line: str) -> CommandNode:
    node = tree.root
    for token in tokenize(" ".join(words)):
        if not node.children:
            break
        node = node.children[match_keyword(token, list(node.children), line)]
    return node


def _root_words(node: CommandNode, tree: CommandTree, extra: Sequence[str]) -> list[str]:
    words = list(node.children)
    if node is tree.root:
        words += extra
    return sorted(set(words))


def help_text(tree: CommandTree, line: str, extra: Sequence[str] = CONSOLE_WORDS) -> str:
    """What IOS prints for `line?`: the keywords completing the last word, or (after a space)
    the keywords that may follow, with `<cr>` when the command is complete. `extra` adds the
    console's own top-level words."""
    words = line.split()
    partial = "" if not line or line[-1].isspace() else words.pop()
    try:
        node = _walk(tree, words, line)
    except ExecInputError:
        return UNRECOGNIZED + "\n"
    choices = [w for w in _root_words(node, tree, extra) if w.startswith(partial.lower())]
    if partial:
        if not choices:
            return UNRECOGNIZED + "\n"
        return "  ".join(choices) + "  \n"
    args = node.takes_args and node.handler is not None
    width = max((len(w) for w in [*choices, *(["LINE"] if args else [])]), default=0) + 2
    out = [f"  {w:<{width}}{DESCRIPTIONS.get(w, '')}".rstrip() for w in choices]
    if args:
        out.append(f"  {'LINE':<{width}}Arguments".rstrip())
    if node.handler is not None:
        out.append("  <cr>")
    return "\n".join(out) + "\n" if out else UNRECOGNIZED + "\n"


def completions(
    tree: CommandTree,
    line: str,
    hostnames: Sequence[str] = (),
    extra: Sequence[str] = CONSOLE_WORDS,
) -> list[str]:
    """The words Tab may put in place of the last (partial) word of `line`."""
    words = line.split()
    partial = "" if not line or line[-1].isspace() else words.pop()
    if words[:1] and "connect".startswith(words[0].lower()) and len(words) == 1:
        return [h for h in hostnames if h.lower().startswith(partial.lower())]
    try:
        node = _walk(tree, words, line)
    except ExecInputError:
        return []
    candidates = _root_words(node, tree, [*extra, *hostnames])
    return [w for w in candidates if w.lower().startswith(partial.lower())]


# --- the console ----------------------------------------------------------------------------

Write = Callable[[str], None]
Sleep = Callable[[float], Awaitable[object]]


@dataclass
class ConsoleState:
    current: str
    running: bool = True


class LabConsole:
    """The terminal-independent half of the interactive lab: which router you are on, what a
    typed line does, and the clock running in real time."""

    def __init__(self, lab: Lab, pacer: RealTimePacer, write: Write) -> None:
        self.lab = lab
        self.pacer = pacer
        self.write = write
        self.state = ConsoleState(next(iter(lab.routers)))
        self._line_open = False  # the last output did not end its line (a ping's `!!!`)
        self._running: ExecJob | None = None  # the command being run
        lab.output = self._router_line

    def _out(self, text: str) -> None:
        if text:
            self._line_open = not text.endswith("\n")
            self.write(text)

    def _router_line(self, text: str) -> None:
        """A debug or log line of any router, on a line of its own."""
        self._out(("\n" if self._line_open else "") + text + "\n")

    @property
    def hostnames(self) -> list[str]:
        return list(self.lab.routers)

    @property
    def prompt(self) -> str:
        return self.lab.router(self.state.current).shell.prompt

    @property
    def tree(self) -> CommandTree:
        return self.lab.router(self.state.current).shell.tree

    def help(self, line: str) -> str:
        return help_text(self.tree, line)

    def complete(self, line: str) -> list[str]:
        return completions(self.tree, line, self.hostnames)

    def _host(self, word: str) -> str | None:
        return next((h for h in self.hostnames if h.lower() == word.lower()), None)

    async def execute(self, line: str, sleep: Sleep = asyncio.sleep) -> None:
        """Run one typed line: a console word, a router name, or an exec command (whose
        output comes after the clock has run it to completion in real time)."""
        words = line.split()
        if not words:
            return
        if line.rstrip().endswith("?"):
            self.write(self.help(line.rstrip()[:-1]))
            return
        host = self._host(words[0]) if len(words) == 1 else None
        if (
            host is None
            and len(words) <= 2
            and "connect".startswith(words[0].lower())
            and len(words[0]) >= 4
        ):
            if len(words) == 1:
                self.write("% Incomplete command.\n")
                return
            host = self._host(words[1])
            if host is None:
                self.write(f"% Unknown router {words[1]} (routers: {', '.join(self.hostnames)})\n")
                return
        if host is not None:
            self.state.current = host
            return
        if words[0].lower() in ("exit", "quit", "logout", "end"):
            self.state.running = False
            return
        await self._command(line, sleep)

    async def _command(self, line: str, sleep: Sleep) -> None:
        job = self.lab.router(self.state.current).shell.run(line)
        self._running = job
        self._out(job.text)
        try:
            await job.follow(self._out, lambda: self.wait(sleep))
        finally:
            self._running = None

    def interrupt(self) -> None:
        """The escape sequence: stop the command that is running, if any."""
        if self._running is not None:
            self._running.abort()

    async def wait(self, sleep: Sleep) -> None:
        """Advance the clock to the present (for at most a tick, so the prompt stays
        responsive when the clock cannot keep up), then nap until the next event is due."""
        self.pacer.advance(_TICK)
        pause = self.pacer.seconds_until_next()
        await sleep(_TICK if pause is None else min(pause, _TICK))

    async def tick_forever(self, sleep: Sleep = asyncio.sleep) -> None:
        while self.state.running:
            await self.wait(sleep)


async def run_console(
    console: LabConsole,
    *,
    input: object | None = None,
    output: object | None = None,
) -> None:
    """The prompt_toolkit loop: a prompt per line, `?` help on the key, Tab completion,
    history; the clock runs between and during commands. `input`/`output` are prompt_toolkit
    Input/Output objects (tests pass a pipe input and a dummy output)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.application import run_in_terminal
    from prompt_toolkit.completion import CompleteEvent, Completer, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input.typeahead import store_typeahead
    from prompt_toolkit.key_binding import KeyBindings, KeyPress, KeyPressEvent
    from prompt_toolkit.keys import Keys

    class TreeCompleter(Completer):
        def get_completions(
            self, document: Document, complete_event: CompleteEvent
        ) -> Iterable[Completion]:
            text = document.text_before_cursor
            partial = "" if not text or text[-1].isspace() else text.split()[-1]
            for word in console.complete(text):
                yield Completion(word, start_position=-len(partial))

    bindings = KeyBindings()

    @bindings.add("?")
    def _help(event: KeyPressEvent) -> None:
        text = event.app.current_buffer.text
        shown = f"{console.prompt}{text}?\n{console.help(text)}"
        run_in_terminal(lambda: console.write(shown))

    session: PromptSession[str] = PromptSession(
        history=InMemoryHistory(),
        completer=TreeCompleter(),
        key_bindings=bindings,
        input=input,  # type: ignore[arg-type]
        output=output,  # type: ignore[arg-type]
    )
    keyboard = session.input
    escape = (Keys.ControlCircumflex, Keys.ControlC)  # IOS's escape sequence, and Ctrl-C

    async def execute(line: str) -> None:
        """Run the line with the keyboard watched for the escape sequence; other keys typed
        meanwhile wait for the next prompt, as on IOS."""
        typed: list[KeyPress] = []

        def on_keys() -> None:
            for key in keyboard.read_keys():
                if key.key in escape:
                    console.interrupt()
                else:
                    typed.append(key)

        with keyboard.raw_mode(), keyboard.attach(on_keys):
            await console.execute(line)
        store_typeahead(keyboard, typed)

    ticker = asyncio.create_task(console.tick_forever())
    try:
        while console.state.running:
            try:
                line = await session.prompt_async(console.prompt)
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            await execute(line)
    finally:
        console.state.running = False
        ticker.cancel()


def parse_speed(text: str) -> float:
    """`10x`, `10` or `0.5x`, up to MAX_SPEED."""
    try:
        speed = float(text.lower().removesuffix("x"))
    except ValueError:
        raise ValueError(f"% Invalid speed {text!r} (use e.g. 10x)") from None
    if speed > MAX_SPEED:
        raise ValueError(
            f"% Speed {text} is faster than the lab's clock can keep (at most {MAX_SPEED:g}x)"
        )
    if not speed > 0:
        raise ValueError(f"% Invalid speed {text!r} (use e.g. 10x)")
    return speed


def run_cli(args: argparse.Namespace, serve: Callable[[LabConsole], int] | None = None) -> int:
    """`pyike lab --interactive [--speed Nx] [CONFIG...]`: the seed's routers by default;
    `serve` runs the console instead of the local prompt (`--ssh`: lab.ssh_access)."""
    from prompt_toolkit.patch_stdout import patch_stdout

    try:
        speed = parse_speed(args.speed or "1x")
        if args.configs:
            topology = load_topology(args.configs)
            Report(as_json=False).loading(topology)
            lab, _nats = build_lab(topology, policy_for_config, seed=args.seed)
        else:
            lab = Lab(seed_configs(), policy_for_config, seed=args.seed)
    except (TopologyError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    pacer = RealTimePacer(lab.clock, time.monotonic, speed)

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    console = LabConsole(lab, pacer, write)
    write(
        f"pyike lab: {', '.join(console.hostnames)} (clock at {speed:g}x real time). "
        "Type `?` for help, `connect HOST` to switch, `exit` to leave.\n"
    )
    lab.bring_up_tunnels()
    if serve is not None:
        return serve(console)
    with patch_stdout(raw=True):
        asyncio.run(run_console(console))
    return 0


__all__ = [
    "LabConsole",
    "completions",
    "help_text",
    "parse_speed",
    "run_cli",
    "run_console",
]
