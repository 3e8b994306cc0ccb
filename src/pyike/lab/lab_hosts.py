"""The lab's own names: a FlexVPN client's `peer N fqdn NAME` that no `ip host` line names
resolves to the lab router whose hostname is NAME (case as IOS ignores it), at the address
of its first Ethernet interface that has one of the family asked for; a name no router
has does not resolve (the lab has no DNS)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyike.host.flexvpn_client import Address
from pyike.node.interfaces import InterfaceKind
from pyike.node.router import Router


def lab_names(routers: Sequence[Router]) -> Callable[[str, bool], Address | None]:
    by_name = {router.config.hostname.lower(): router for router in routers}

    def resolve(name: str, ipv6: bool) -> Address | None:
        router = by_name.get(name.lower().rstrip("."))
        if router is None:
            return None
        for iface in router.interfaces.values():
            primary = iface.primary6 if ipv6 else iface.primary
            if iface.kind is InterfaceKind.ETHERNET and primary is not None:
                return primary.ip
        return None

    return resolve


__all__ = ["lab_names"]
