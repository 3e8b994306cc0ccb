"""`show startup-config` on lab routers and the gateway: the configuration file the router
starts from (and `write memory` writes), read when asked, its keys masked as `show
running-config` masks them, under IOS's line of how much of the NVRAM it uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyike.config.writer import masked
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token

NVRAM_BYTES = 262_136  # what an ISR's `show startup-config` counts against
NOT_PRESENT = "startup-config is not present\n"


def render(text: str | None) -> str:
    if text is None:
        return NOT_PRESENT
    body = masked(text)
    if not body.endswith("\n"):
        body += "\n"
    return f"Using {len(text.encode())} out of {NVRAM_BYTES} bytes\n{body}"


def register(tree: CommandTree, startup: Callable[[], str | None]) -> None:
    """`startup()`: the file's text now, or None when the router has none (OSError when it
    cannot be read)."""

    def show(args: Sequence[Token]) -> ExecJob:
        if args:
            raise InvalidInput(args[0].start)
        try:
            return TextResult(render(startup()))
        except OSError as error:
            return TextResult(f"%Error opening nvram:startup-config ({error.strerror})\n")

    tree.register("show startup-config", show, takes_args=True)


def file_text(path: str) -> str | None:
    """A startup configuration file's text; None when there is no such file."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except FileNotFoundError:
        return None
