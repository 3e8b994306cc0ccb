"""The exec command parser: keyword trees with IOS abbreviations and IOS's error messages."""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from pyike.config.params import interface_name
from pyike.node.exec.job import ExecJob

INVALID = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # column in the command line


class ExecInputError(Exception, abc.ABC):
    """Bad input; `render(prompt)` gives what IOS prints below the echoed command line."""

    @abc.abstractmethod
    def render(self, prompt: str) -> str: ...


class InvalidInput(ExecInputError):
    def __init__(self, column: int) -> None:
        super().__init__(INVALID)
        self.column = column

    def render(self, prompt: str) -> str:
        return " " * (len(prompt) + self.column) + "^\n" + INVALID + "\n"


class IncompleteCommand(ExecInputError):
    def __init__(self) -> None:
        super().__init__(INCOMPLETE)

    def render(self, prompt: str) -> str:
        return INCOMPLETE + "\n"


class AmbiguousCommand(ExecInputError):
    def __init__(self, typed: str) -> None:
        super().__init__(typed)
        self.typed = typed

    def render(self, prompt: str) -> str:
        return f'% Ambiguous command:  "{self.typed}"\n'


class ExecFailure(ExecInputError):
    """A command that parsed but cannot run, with IOS's message ("% Unrecognized host ...")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self, prompt: str) -> str:
        return self.message + "\n"


Handler = Callable[[Sequence[Token]], ExecJob]


@dataclass
class CommandNode:
    keyword: str
    children: dict[str, CommandNode] = field(default_factory=dict)
    handler: Handler | None = None
    takes_args: bool = False


def tokenize(line: str) -> list[Token]:
    return [Token(m.group(), m.start()) for m in re.finditer(r"\S+", line)]


def match_keyword(token: Token, keywords: Sequence[str], line: str) -> str:
    """The keyword `token` abbreviates; raises Ambiguous/Invalid as IOS would."""
    word = token.text.lower()
    exact = [k for k in keywords if k == word]
    if exact:
        return exact[0]
    found = [k for k in keywords if k.startswith(word)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise AmbiguousCommand(line[: token.start + len(token.text)].strip())
    raise InvalidInput(token.start + _common_prefix(word, keywords))


def _common_prefix(word: str, keywords: Sequence[str]) -> int:
    best = 0
    for k in keywords:
        n = 0
        while n < min(len(word), len(k)) and word[n] == k[n]:
            n += 1
        best = max(best, n)
    return best


class CommandTree:
    def __init__(self) -> None:
        self.root = CommandNode("")

    def register(self, words: str, handler: Handler, takes_args: bool = False) -> None:
        node = self.root
        for word in words.split():
            node = node.children.setdefault(word, CommandNode(word))
        node.handler = handler
        node.takes_args = takes_args

    def handler(self, words: str) -> Handler | None:
        """What `words` run now (None: nothing registered for them)."""
        node: CommandNode | None = self.root
        for word in words.split():
            node = node.children.get(word) if node is not None else None
        return node.handler if node is not None else None

    def keywords(self, path: str = "") -> list[str]:
        node = self.root
        for word in path.split():
            node = node.children[word]
        return sorted(node.children)

    def parse(self, line: str) -> tuple[CommandNode, list[Token]]:
        tokens = tokenize(line)
        node = self.root
        index = 0
        while index < len(tokens) and node.children:
            token = tokens[index]
            try:
                word = match_keyword(token, list(node.children), line)
            except InvalidInput:
                if node.handler is not None and node.takes_args:
                    break
                raise
            node = node.children[word]
            index += 1
        if node.handler is None:
            if index < len(tokens):
                raise InvalidInput(tokens[index].start)
            raise IncompleteCommand()
        rest = tokens[index:]
        if rest and not node.takes_args:
            raise InvalidInput(rest[0].start)
        return node, rest


def interface_arg(args: Sequence[Token], i: int, known: Container[str]) -> tuple[str, int]:
    """An interface name among `known`, as one token (`tu0`) or two (`tunnel 0`); (name,
    tokens used)."""
    if i >= len(args):
        raise IncompleteCommand()
    name = interface_name(args[i].text)
    used = 1
    if name is None and i + 1 < len(args):
        name = interface_name(args[i].text + args[i + 1].text)
        used = 2
    if name is None or name not in known:
        raise InvalidInput(args[i].start)
    return name, used


def an_address(token: Token) -> bool:
    """A word IOS reads as an address (a keyword never starts with a digit)."""
    return token.text[:1].isdigit()


def ipv4_arg(token: Token) -> IPv4Address:
    """An IPv4 address argument; invalid input at the word otherwise."""
    try:
        return IPv4Address(token.text)
    except ValueError:
        raise InvalidInput(token.start) from None


def prefix_arg(address: IPv4Address, mask: Token) -> IPv4Network:
    """`ADDRESS MASK` as a prefix (`show ip route|cef A M`); invalid input at a bad mask."""
    try:
        return IPv4Network(f"{address}/{IPv4Address(mask.text)}", strict=False)
    except ValueError:
        raise InvalidInput(mask.start) from None
