"""`show running-config` and `show running-config interface IF`, for the lab's routers and
the gateway alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyike.config import writer
from pyike.config.model import Config
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import CommandTree, InvalidInput, Token, interface_arg


def register(tree: CommandTree, config: Callable[[], Config]) -> None:
    """The two commands on `tree`, reading the configuration `config()` gives at each run."""

    def whole(args: Sequence[Token]) -> ExecJob:
        return TextResult(_built(writer.render(config())))

    def interface(args: Sequence[Token]) -> ExecJob:
        cfg = config()
        name, used = interface_arg(args, 0, cfg.interfaces)
        if len(args) > used:
            raise InvalidInput(args[used].start)
        return TextResult(_built(writer.render_interface(cfg, name)) + "\n")

    tree.register("show running-config", whole)
    tree.register("show running-config interface", interface, takes_args=True)


def _built(text: str) -> str:
    return f"Building configuration...\n\nCurrent configuration : {len(text)} bytes\n{text}"
