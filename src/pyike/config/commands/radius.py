"""RADIUS commands (config/radius_model.py): `radius server NAME` with `address ipv4 A
[auth-port N] [acct-port N]` and `key [0|6|7] KEY`, and `aaa group server radius NAME` with
`server name X`. Their other sub-commands (config/vocabulary.py) are kept as typed."""

from __future__ import annotations

from dataclasses import replace

from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import keep_line, named_object, setting
from pyike.config.commands.unmodelled import keep_vocabulary
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Secret
from pyike.config.modes import RADIUS_GROUP, RADIUS_SERVER
from pyike.config.radius_model import (
    DEFAULT_ACCT_PORT,
    DEFAULT_AUTH_PORT,
    DEFAULT_RETRANSMIT,
    DEFAULT_TIMEOUT,
    RadiusGroup,
    RadiusServerConfig,
)
from pyike.crypto import passwords

_update_server = named_object(
    "radius server $ <name:WORD>",
    RADIUS_SERVER,
    lambda b: b.config.radius.servers,
    RadiusServerConfig,
)
named_object(
    "aaa group server radius $ <name:WORD>",
    RADIUS_GROUP,
    lambda b: b.config.radius.groups,
    RadiusGroup,
)


@RADIUS_SERVER.command(
    "address ipv4 $ <address:IPV4> [auth-port <auth:INT(0,65535)>] [acct-port <acct:INT(0,65535)>]"
)
def _address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _update_server(b, address=None, auth_port=DEFAULT_AUTH_PORT, acct_port=DEFAULT_ACCT_PORT)
        return
    _update_server(
        b,
        address=m.get("address"),
        auth_port=m.get("auth", DEFAULT_AUTH_PORT),
        acct_port=m.get("acct", DEFAULT_ACCT_PORT),
    )


@RADIUS_SERVER.command("key $ [0|6|7] <key:SECRET>")
def _key(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """The shared secret: clear, type 7 (decoded: IOS can), or type 6 (kept, unusable
    without the master key)."""
    if negate:
        _update_server(b, key=None)
        return
    text: str = m.get("key")
    if m.has("7"):
        try:
            text = passwords.type7_decode(text)
        except passwords.PasswordFormatError:
            raise Rejected("% Invalid encrypted key") from None
    _update_server(b, key=Secret(text, 6 if m.has("6") else 0))


for _pattern, _attr, _value, _default in (
    ("timeout $ <seconds:INT(1,1000)>", "timeout", "seconds", DEFAULT_TIMEOUT),
    ("retransmit $ <times:INT(0,100)>", "retransmit", "times", DEFAULT_RETRANSMIT),
):
    setting(RADIUS_SERVER, _pattern, _update_server, _attr, _value, _default)


@RADIUS_GROUP.command("server name $ <server:WORD>")
def _group_server(b: Builder, m: Match, line: Line, negate: bool) -> None:
    groups = b.config.radius.groups
    group = groups[b.key()]
    kept = tuple(s for s in group.servers if s != m.get("server"))
    groups[b.key()] = replace(group, servers=kept if negate else (*kept, m.get("server")))


def _keep_in_server(b: Builder, m: Match, line: Line, negate: bool) -> None:
    keep_line(b, b.config.radius.servers, line)


def _keep_in_group(b: Builder, m: Match, line: Line, negate: bool) -> None:
    keep_line(b, b.config.radius.groups, line)


keep_vocabulary(
    RADIUS_SERVER,
    "radius server ...",
    _keep_in_server,
    frozenset({"address", "key", "timeout", "retransmit"}),
)
keep_vocabulary(RADIUS_GROUP, "aaa group server ...", _keep_in_group)
