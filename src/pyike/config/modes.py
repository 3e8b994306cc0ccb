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
DataHandler = Callable[["Builder", Line, bool], bool]


@dataclass(frozen=True)
class Command:
    pattern: str
    handler: Handler
    modelled: bool = True
    # The mode the command enters (its handler calls `Builder.enter` with it). Declared so that
    # when IOS would refuse the command, the lines of its block can still be told apart.
    enters: Mode | None = None


@dataclass(eq=False)
class Mode:
    """A configuration mode (`config`, `config-ikev2-proposal`, ...) and its command set."""

    name: str
    prompt: str = ""  # as IOS's prompt shows the mode; by default `(NAME)`
    commands: list[Command] = field(default_factory=list)
    # An unmodelled block (`router bgp`, `line vty`): it also keeps the indented lines it has no
    # vocabulary for, since pyike knows only the common sub-commands of such blocks.
    opaque: bool = False
    # A block of data rather than commands (a certificate's hex lines): every line up to this
    # word belongs to it.
    data_until: str | None = None
    # What reads a data block's lines (the parser keeps them verbatim without one): called with
    # each line and whether it is the closing word; returns False for a line that is not the
    # block's (the block then ends without its closing word, and the line is read as a command).
    data_handler: DataHandler | None = None
    _grammar: Grammar | None = None

    def __post_init__(self) -> None:
        self.prompt = self.prompt or f"({self.name})"

    def command(
        self, pattern: str, modelled: bool = True, enters: Mode | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(pattern, handler, modelled, enters)
            return handler

        return register

    def add(
        self, pattern: str, handler: Handler, modelled: bool = True, enters: Mode | None = None
    ) -> None:
        self.commands.append(Command(pattern, handler, modelled, enters))
        self._grammar = None

    @property
    def grammar(self) -> Grammar:
        if self._grammar is None:
            grammar = Grammar(PARAM_TYPES)
            for cmd in self.commands:
                grammar.add(cmd.pattern, fallback=not cmd.modelled)
            self._grammar = grammar
        return self._grammar


GLOBAL = Mode("config")
IKEV2_PROPOSAL = Mode("config-ikev2-proposal")
IKEV2_POLICY = Mode("config-ikev2-policy")
IKEV2_KEYRING = Mode("config-ikev2-keyring")
IKEV2_KEYRING_PEER = Mode("config-ikev2-keyring-peer")
IKEV2_PROFILE = Mode("config-ikev2-profile")
TRANSFORM_SET = Mode("cfg-crypto-trans")
IPSEC_PROFILE = Mode("ipsec-profile")
CRYPTO_MAP = Mode("config-crypto-map")
INTERFACE = Mode("config-if")
EXT_ACL = Mode("config-ext-nacl")
VRF_DEFINITION = Mode("config-vrf")
VRF_ADDRESS_FAMILY = Mode("config-vrf-af")
IP_VRF = Mode("config-vrf")  # `ip vrf NAME`: no address families
ISAKMP_POLICY = Mode("config-isakmp")
IKEV1_KEYRING = Mode("conf-keyring")
ISAKMP_PROFILE = Mode("conf-isa-prof")
IKEV2_AUTHOR_POLICY = Mode("config-ikev2-author-policy")
AAA_ATTR_LIST = Mode("config-attr-list")
IKEV2_FLEXVPN = Mode("config-ikev2-flexvpn")
IKEV2_NAME_MANGLER = Mode("config-ikev2-name-mangler")
RADIUS_SERVER = Mode("config-radius-server")
RADIUS_GROUP = Mode("config-sg-radius")
STD_ACL = Mode("config-std-nacl")
IP_SLA = Mode("config-ip-sla")
IP_SLA_ECHO = Mode("config-ip-sla-echo")
TRACK = Mode("config-track")
TRUSTPOINT = Mode("ca-trustpoint")
CERT_CHAIN = Mode("config-cert-chain")
CERT_DATA = Mode("config-pubkey", data_until="quit")  # a certificate's hex, up to `quit`
CERT_MAP = Mode("ca-certificate-map")
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
    VRF_DEFINITION,
    VRF_ADDRESS_FAMILY,
    IP_VRF,
    ISAKMP_POLICY,
    IKEV1_KEYRING,
    ISAKMP_PROFILE,
    TRUSTPOINT,
    CERT_CHAIN,
    CERT_MAP,
    IKEV2_AUTHOR_POLICY,
    AAA_ATTR_LIST,
    IKEV2_FLEXVPN,
    IKEV2_NAME_MANGLER,
    RADIUS_SERVER,
    RADIUS_GROUP,
    STD_ACL,
    IP_SLA,
    IP_SLA_ECHO,
    TRACK,
)
