"""`show ip vrf` and `show vrf`: each VRF with its route distinguisher and its interfaces, in
IOS's columns (interface names abbreviated, one a line under the first)."""

from __future__ import annotations

import re

from pyike import ios_names
from pyike.config.model import Vrf
from pyike.node.router import Router

NAME_WIDTH = 33
RD_WIDTH = 22
PROTOCOLS_WIDTH = 12
IP_VRF_HEADER = f"  {'Name':<{NAME_WIDTH}}{'Default RD':<{RD_WIDTH}}Interfaces"
VRF_HEADER = (
    f"  {'Name':<{NAME_WIDTH}}{'Default RD':<{RD_WIDTH}}{'Protocols':<{PROTOCOLS_WIDTH}}Interfaces"
)


def _natural(name: str) -> str:
    return re.sub(r"\d+", lambda m: m.group().zfill(6), name)


def _members(router: Router, vrf: str) -> list[str]:
    names = [ios_names.short_interface(n) for n, i in router.interfaces.items() if i.vrf == vrf]
    return sorted(names, key=_natural)


def _rows(head: str, members: list[str]) -> list[str]:
    """The VRF's line with its first interface, and one line per further interface."""
    if not members:
        return [head.rstrip()]
    return [head + members[0], *(" " * len(head) + m for m in members[1:])]


def _rd(vrf: Vrf) -> str:
    return vrf.rd or "<not set>"


def ip_vrf(router: Router) -> str:
    """`show ip vrf`: the VRFs that route IPv4."""
    lines = [IP_VRF_HEADER]
    for name in sorted(router.config.vrfs):
        vrf = router.config.vrfs[name]
        if not any(f.name == "ipv4" for f in vrf.address_families):
            continue
        head = f"  {name:<{NAME_WIDTH - 1}} {_rd(vrf):<{RD_WIDTH}}"
        lines += _rows(head, _members(router, name))
    return "\n".join(lines) + "\n"


def vrf_table(router: Router) -> str:
    """`show vrf`: every VRF, with the address families it routes."""
    lines = [VRF_HEADER]
    for name in sorted(router.config.vrfs):
        vrf = router.config.vrfs[name]
        protocols = ",".join(f.name for f in vrf.address_families if " " not in f.name)
        head = f"  {name:<{NAME_WIDTH - 1}} {_rd(vrf):<{RD_WIDTH}}{protocols:<{PROTOCOLS_WIDTH}}"
        lines += _rows(head, _members(router, name))
    return "\n".join(lines) + "\n"
