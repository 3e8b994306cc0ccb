"""IOS commands by area; importing this package registers them all with their modes."""

from pyike.config.commands import (
    acl,
    common,
    flexvpn,
    ikev2,
    interface,
    ipsec,
    isakmp,
    logging,
    login,
    nhrp,
    pki,
    radius,
    routing,
    tracking,
    unmodelled,
    vrf,
)

__all__ = [
    "acl",
    "common",
    "flexvpn",
    "ikev2",
    "interface",
    "ipsec",
    "isakmp",
    "logging",
    "login",
    "nhrp",
    "pki",
    "radius",
    "routing",
    "tracking",
    "unmodelled",
    "vrf",
]
