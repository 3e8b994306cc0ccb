"""Configuration modes and the commands each one knows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyike.config.grammar import Grammar, Match
from pyike.config.lexer import Line
from pyike.config.params import PARAM_TYPES

if TYPE_CHECKING:
    from pyike.config.build import Builder

Handler = Callable[["Builder", Match, Line, bool], None]


@dataclass(frozen=True)
class Command:
    pattern: str
    handler: Handler
    modelled: bool = True


@dataclass
class Mode:
    """A configuration mode (`config`, `config-ikev2-proposal`, ...) and its command set."""

    name: str
    prompt: str
    commands: list[Command] = field(default_factory=list)
    opaque: bool = False  # an unmodelled block: takes any indented line
    _grammar: Grammar | None = None

    def command(self, pattern: str, modelled: bool = True) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(pattern, handler, modelled)
            return handler

        return register

    def add(self, pattern: str, handler: Handler, modelled: bool = True) -> None:
        self.commands.append(Command(pattern, handler, modelled))
        self._grammar = None

    @property
    def grammar(self) -> Grammar:
        if self._grammar is None:
            grammar = Grammar(PARAM_TYPES)
            for cmd in self.commands:
                grammar.add(cmd.pattern)
            self._grammar = grammar
        return self._grammar


GLOBAL = Mode("config", "(config)")
IKEV2_PROPOSAL = Mode("config-ikev2-proposal", "(config-ikev2-proposal)")
IKEV2_POLICY = Mode("config-ikev2-policy", "(config-ikev2-policy)")
IKEV2_KEYRING = Mode("config-ikev2-keyring", "(config-ikev2-keyring)")
IKEV2_KEYRING_PEER = Mode("config-ikev2-keyring-peer", "(config-ikev2-keyring-peer)")
IKEV2_PROFILE = Mode("config-ikev2-profile", "(config-ikev2-profile)")
TRANSFORM_SET = Mode("cfg-crypto-trans", "(cfg-crypto-trans)")
IPSEC_PROFILE = Mode("ipsec-profile", "(ipsec-profile)")
CRYPTO_MAP = Mode("config-crypto-map", "(config-crypto-map)")
INTERFACE = Mode("config-if", "(config-if)")
EXT_ACL = Mode("config-ext-nacl", "(config-ext-nacl)")
OPAQUE = Mode("opaque", "(config-*)", opaque=True)

# The modes a global command enters; `exit` leaves each of them.
SUB_MODES = (
    IKEV2_PROPOSAL,
    IKEV2_POLICY,
    IKEV2_KEYRING,
    IKEV2_KEYRING_PEER,
    IKEV2_PROFILE,
    TRANSFORM_SET,
    IPSEC_PROFILE,
    CRYPTO_MAP,
    INTERFACE,
    EXT_ACL,
)
