"""IOS commands by area; importing this package registers them all with their modes."""

from pyike.config.commands import (
    acl,
    common,
    ikev2,
    interface,
    ipsec,
    isakmp,
    nhrp,
    routing,
    unmodelled,
    vrf,
)

__all__ = [
    "acl",
    "common",
    "ikev2",
    "interface",
    "ipsec",
    "isakmp",
    "nhrp",
    "routing",
    "unmodelled",
    "vrf",
]
