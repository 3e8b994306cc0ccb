"""Top-level commands IOS running-configs commonly carry that pyike keeps but does not model.

Each is accepted with any arguments, kept verbatim (so `config show` prints it back) and counted
in the "not modelled" summary. Block commands (`line vty 0 4`, `router ospf 1`, ...) also keep the
indented lines that follow them.
"""

from __future__ import annotations

from pyike.config.build import Builder
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.modes import GLOBAL, OPAQUE, Handler

LINES = (
    "aaa",
    "access-list <num:INT(1,99)>",
    "access-list <num:INT(1300,1999)>",
    "alias",
    "boot",
    "boot-end-marker",
    "boot-start-marker",
    "cdp",
    "clock",
    "crypto ca",
    "crypto ikev2 certificate-cache",
    "crypto ikev2 diagnose",
    "crypto ikev2 http-url",
    "crypto ikev2 redirect",
    "crypto ipsec client",
    "crypto ipsec df-bit",
    "crypto ipsec nat-transparency",
    "crypto ipsec optional",
    "crypto isakmp enable",
    "crypto isakmp identity",
    "crypto isakmp invalid-spi-recovery",
    "crypto isakmp keepalive",
    "crypto isakmp key",
    "crypto isakmp nat",
    "crypto key",
    "crypto logging",
    "crypto map <map:WORD> local-address",
    "crypto map <map:WORD> <seq:INT(1,65535)> ipsec-isakmp dynamic",
    "crypto map <map:WORD> <seq:INT(1,65535)> ipsec-manual",
    "crypto pki import",
    "diagnostic",
    "enable",
    "errdisable",
    "file",
    "hw-module",
    "ip bgp-community",
    "ip cef",
    "ip classless",
    "ip community-list",
    "ip default-gateway",
    "ip dhcp excluded-address",
    "ip domain",
    "ip domain-lookup",
    "ip domain-name",
    "ip finger",
    "ip flow-cache",
    "ip flow-export",
    "ip forward-protocol",
    "ip ftp",
    "ip host",
    "ip http",
    "ip multicast-routing",
    "ip name-server",
    "ip nat",
    "ip options",
    "ip prefix-list",
    "ip route vrf",
    "ip routing",
    "ip scp",
    "ip source-route",
    "ip ssh",
    "ip subnet-zero",
    "ip tcp",
    "ip tftp",
    "ipv6 cef",
    "ipv6 unicast-routing",
    "license",
    "lldp",
    "logging",
    "login",
    "memory-size",
    "mmi",
    "mpls",
    "multilink",
    "ntp",
    "platform",
    "power",
    "security",
    "service",
    "snmp",
    "snmp-server",
    "spanning-tree",
    "subscriber",
    "tftp-server",
    "username",
    "version",
    "vtp",
)

BLOCKS = (
    "archive",
    "call-home",
    "class-map",
    "control-plane",
    "crypto dynamic-map",
    "crypto ikev2 authorization",
    "crypto ikev2 client",
    "crypto isakmp client",
    "crypto isakmp policy",
    "crypto isakmp profile",
    "crypto keyring",
    "crypto pki certificate",
    "crypto pki profile",
    "crypto pki server",
    "crypto pki token",
    "crypto pki trustpoint",
    "dial-peer",
    "event",
    "ip access-list logging",
    "ip access-list standard",
    "ip dhcp pool",
    "ip sla",
    "ip vrf",
    "ipv6 access-list",
    "ipv6 route vrf",
    "key chain",
    "line",
    "parameter-map",
    "policy-map",
    "redundancy",
    "route-map",
    "router",
    "track",
    "vlan",
    "voice",
    "vrf definition",
    "wsma",
)

# Unmodelled lines IOS prints after the interfaces in a running-config (the rest come before).
LATE = frozenset(
    {
        "alias",
        "access-list",
        "control-plane",
        "banner",
        "event",
        "ip access-list",
        "ip forward-protocol",
        "ip http",
        "ip nat",
        "ip prefix-list",
        "ip route vrf",
        "ip sla",
        "ipv6 access-list",
        "line",
        "logging",
        "mgcp",
        "ntp",
        "route-map",
        "router",
        "scheduler",
        "snmp",
        "snmp-server",
        "wsma",
    }
)


def keyword_of(phrase: str) -> str:
    return " ".join(w for w in phrase.split() if not w.startswith("<"))


def _line_handler(phrase: str) -> Handler:
    key = keyword_of(phrase)

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        b.keep(key)

    return handler


def _block_handler(phrase: str) -> Handler:
    key = keyword_of(phrase)

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        b.keep(key)
        if not negate:
            b.enter(OPAQUE, key)

    return handler


for _phrase in LINES:
    GLOBAL.add(f"{_phrase} [<rest:LINE>]", _line_handler(_phrase), modelled=False)
for _phrase in BLOCKS:
    GLOBAL.add(f"{_phrase} [<rest:LINE>]", _block_handler(_phrase), modelled=False)


@GLOBAL.command("building configuration... [<rest:LINE>]", modelled=False)
def _building(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`show running-config` preamble in a pasted configuration: not a command, dropped."""


@GLOBAL.command("current configuration : [<rest:LINE>]", modelled=False)
def _current(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`Current configuration : N bytes`, the other preamble line: dropped."""


@GLOBAL.command("banner <kind:WORD> [<rest:LINE>]", modelled=False)
def _banner(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.keep("banner")
