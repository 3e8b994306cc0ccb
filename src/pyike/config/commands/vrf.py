"""VRFs: `vrf definition NAME` (`rd`, `address-family ipv4|ipv6` ... `exit-address-family`) and
the older, IPv4-only `ip vrf NAME`. What is placed in a VRF is configured with its own commands:
`vrf forwarding` and `tunnel vrf` on interfaces, `ip route vrf`, `ivrf` and `match fvrf` in
IKEv2 profiles and policies.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import update_current
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Interface, Vrf, VrfAddressFamily
from pyike.config.modes import GLOBAL, IP_VRF, VRF_ADDRESS_FAMILY, VRF_DEFINITION, Handler, Mode

# `rd ASN:NN` or `rd A.B.C.D:NN`
_RD = re.compile(r"(\d{1,10}|\d{1,3}(\.\d{1,3}){3}):\d{1,10}")


def not_configured(name: str) -> str:
    """IOS's refusal of a command that names a VRF no `vrf definition` or `ip vrf` made."""
    return f"% VRF {name} not configured."


def addresses_removed(interface: str, family: str, vrf: str, enabling: bool) -> str:
    """IOS's warning when an interface changes VRF: its addresses of `family` are gone."""
    why = "enabling" if enabling else "disabling"
    return (
        f"% Interface {interface} {family} disabled and address(es) removed due to {why} VRF {vrf}"
    )


def move_interface(b: Builder, iface: Interface, vrf: str | None) -> Interface:
    """`vrf forwarding NAME` (None: `no vrf forwarding`): IOS takes the interface's addresses
    away when its VRF changes, and says so; the order of the commands matters."""
    if vrf == iface.vrf:
        return iface
    if vrf is not None and vrf not in b.config.vrfs:
        raise Rejected(not_configured(vrf))
    changed = vrf if vrf is not None else iface.vrf
    assert changed is not None
    for family, held in (("IPv4", iface.addresses), ("IPv6", iface.ipv6_addresses)):
        if held:
            b.warn(addresses_removed(iface.name, family, changed, enabling=vrf is not None))
    return replace(iface, vrf=vrf, addresses=(), ipv6_addresses=())


# --- vrf definition / ip vrf ---------------------------------------------------------------


def _vrf_command(mode: Mode) -> Handler:
    """`vrf definition NAME` or (entering IP_VRF) `ip vrf NAME`, and their `no` forms."""
    legacy = mode is IP_VRF

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        name = m.get("name")
        if negate:
            _delete(b, name)
            return
        if name not in b.config.vrfs:
            families = (VrfAddressFamily("ipv4"),) if legacy else ()
            vrf = Vrf(name, address_families=families, legacy=legacy, source=b.source())
            b.config.vrfs[name] = vrf
        b.enter(mode, name)

    return handler


def _delete(b: Builder, name: str) -> None:
    """`no vrf definition NAME`: the VRF goes, and with it its routes and the addresses of
    the interfaces that were in it (IOS says so)."""
    vrf = b.config.vrfs.pop(name, None)
    if vrf is None:
        return
    for iface in list(b.config.interfaces.values()):
        if iface.vrf == name:
            b.config.interfaces[iface.name] = replace(
                iface, vrf=None, addresses=(), ipv6_addresses=()
            )
    b.routes[:] = [r for r in b.routes if r.vrf != name]
    for family in vrf.address_families:
        removed = f"{_family(family.name)} addresses from all interfaces in VRF {name}"
        b.warn(f"% {removed} have been removed")


def _family(name: str) -> str:
    return "IPv6" if name.startswith("ipv6") else "IPv4"


GLOBAL.add("vrf definition $ <name:WORD>", _vrf_command(VRF_DEFINITION), enters=VRF_DEFINITION)
GLOBAL.add("ip vrf $ <name:WORD>", _vrf_command(IP_VRF), enters=IP_VRF)


def _update(b: Builder, **changes: Any) -> None:
    update_current(b, b.config.vrfs, **changes)


def _rd(b: Builder, m: Match, line: Line, negate: bool) -> None:
    rd = m.get("rd")
    if negate:
        _update(b, rd=None)
        return
    if _RD.fullmatch(rd) is None:
        raise Rejected(token=1)
    _update(b, rd=rd)


def _description(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(b, description=None if negate else m.get("text"))


def _keep(b: Builder, m: Match, line: Line, negate: bool) -> None:
    vrf: Vrf = b.config.vrfs[b.key()]
    _update(b, extra=(*vrf.extra, line.text))


# Sub-commands of a VRF that pyike keeps without modelling (BGP/MPLS VPN attributes).
_UNMODELLED = ("route-target", "vpn", "vnet", "import", "export", "maximum", "mdt", "snmp")

for _mode in (VRF_DEFINITION, IP_VRF):
    _mode.add("rd $ <rd:WORD>", _rd)
    _mode.add("description $ <text:LINE>", _description)
    for _phrase in _UNMODELLED:
        _mode.add(f"{_phrase} [<rest:LINE>]", _keep, modelled=False)


# --- address families ------------------------------------------------------------------------


@VRF_DEFINITION.command("address-family {ipv4|ipv6} [unicast|multicast]", enters=VRF_ADDRESS_FAMILY)
def _address_family(b: Builder, m: Match, line: Line, negate: bool) -> None:
    words = [w for w in m.keywords() if w in ("ipv4", "ipv6", "multicast")]
    name = " ".join(words)
    vrf: Vrf = b.config.vrfs[b.key()]
    kept = tuple(f for f in vrf.address_families if f.name != name)
    if negate:
        _update(b, address_families=kept)
        return
    if len(kept) == len(vrf.address_families):
        _update(b, address_families=(*kept, VrfAddressFamily(name)))
    b.enter(VRF_ADDRESS_FAMILY, (vrf.name, name))


@VRF_ADDRESS_FAMILY.command("exit-address-family")
def _exit_address_family(b: Builder, m: Match, line: Line, negate: bool) -> None:
    b.stack.pop()


def _keep_in_family(b: Builder, m: Match, line: Line, negate: bool) -> None:
    vrf_name, family_name = b.key()
    vrf: Vrf = b.config.vrfs[vrf_name]
    families = tuple(
        replace(f, extra=(*f.extra, line.text)) if f.name == family_name else f
        for f in vrf.address_families
    )
    b.config.vrfs[vrf_name] = replace(vrf, address_families=families)


for _phrase in ("route-target", "import", "export", "maximum", "mdt", "bgp", "route-replicate"):
    VRF_ADDRESS_FAMILY.add(f"{_phrase} [<rest:LINE>]", _keep_in_family, modelled=False)
