"""DMVPN networks in the lab, from examples/dmvpn-phase3 (a hub, three spokes and an ISP):
as shipped (phase 3), or edited the way an engineer builds phases 1 and 2 or a second hub.

Addresses: the hub 10.0.0.1 (NBMA 203.0.113.2, LAN 192.168.0.0/24), SpokeN 10.0.0.1N (NBMA
198.51.100.(4N-2), LAN 192.168.N.0/24); a second hub 10.0.0.2 (NBMA 203.0.113.6)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "dmvpn-phase3"
HUB_NBMA, HUB2_NBMA = "203.0.113.2", "203.0.113.6"
SPOKE_NBMA = {n: f"198.51.100.{4 * n - 2}" for n in (1, 2, 3)}
TO_SPOKE3 = "192.168.3.1"
TRACE = f"traceroute {TO_SPOKE3} source Loopback0"
PING = f"ping {TO_SPOKE3} source Loopback0"

Edit = Callable[[str, str], str]  # (file name, its text) -> the text to run


def texts(edit: Edit | None = None) -> dict[str, str]:
    """The example's files without their `! lab:` checks, each edited."""
    out = {}
    for path in sorted(EXAMPLE.glob("*.cfg")):
        text = re.sub(r"^! lab:.*\n", "", path.read_text(), flags=re.MULTILINE)
        out[path.name] = edit(path.name, text) if edit is not None else text
    return out


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def phase2(name: str, text: str) -> str:
    """No redirect, no shortcut: each spoke routes the other spokes' LANs via their tunnel
    addresses, which it resolves through the hub."""
    if name == "hub.cfg":
        return replaced(text, (" ip nhrp redirect\n", ""))
    if not name.startswith("spoke"):
        return text
    own = name[len("spoke")]
    routes = "".join(
        f"ip route 192.168.{n}.0 255.255.255.0 10.0.0.1{n}\n" for n in "123" if n != own
    )
    return replaced(text, (" ip nhrp shortcut\n", "")) + routes


def phase1(name: str, text: str) -> str:
    """Hub and spoke only: no redirect, no shortcut, everything through the hub."""
    if name == "hub.cfg":
        return replaced(text, (" ip nhrp redirect\n", ""))
    return replaced(text, (" ip nhrp shortcut\n", "")) if name.startswith("spoke") else text


def point_to_point_spoke2(name: str, text: str) -> str:
    """Phase 1 with Spoke2 on a point-to-point GRE tunnel to the hub (`tunnel destination`
    instead of `tunnel mode gre multipoint`), still registering with it as its NHS."""
    text = phase1(name, text)
    if name != "spoke2.cfg":
        return text
    return replaced(text, (" tunnel mode gre multipoint\n", f" tunnel destination {HUB_NBMA}\n"))


def unprotected(name: str, text: str) -> str:
    """Without `tunnel protection`: NHRP and the traffic in GRE in the clear."""
    if not name.startswith(("hub", "spoke")):
        return text
    return replaced(text, (" tunnel protection ipsec profile DMVPN-PROT\n", ""))


def dual_stack(name: str, text: str) -> str:
    """Phase 3 for an IPv6 overlay beside the IPv4 one (`ipv6 nhrp`, over the same IPv4
    NBMA): the hub FC00::1, SpokeN FC00::1N, LANs 2001:DB8:N::/64 (the hub's N = 0)."""
    if not name.startswith(("hub", "spoke")):
        return text
    n = name[len("spoke")] if name.startswith("spoke") else "0"
    own = "1" if n == "0" else f"1{n}"
    tunnel = [
        f" ipv6 address FC00::{own}/64",
        " ipv6 nhrp authentication dmvpn3",
        " ipv6 nhrp network-id 100",
        " ipv6 nhrp holdtime 300",
    ]
    if n == "0":
        tunnel += [" ipv6 nhrp map multicast dynamic", " ipv6 nhrp redirect"]
        routes = [f"ipv6 route 2001:DB8:{m}::/64 FC00::1{m}" for m in "123"]
    else:
        tunnel += [f" ipv6 nhrp nhs FC00::1 nbma {HUB_NBMA} multicast", " ipv6 nhrp shortcut"]
        routes = ["ipv6 route 2001:DB8::/32 FC00::1"]
    text = replaced(text, (" ip mtu 1400\n", " ip mtu 1400\n" + "\n".join(tunnel) + "\n"))
    loopback = f"interface Loopback0\n ipv6 address 2001:DB8:{n}::1/64\n"
    return text + "ipv6 unicast-routing\n" + loopback + "\n".join(routes) + "\n"


def dual_hub(name: str, text: str) -> dict[str, str]:
    """The files of a network with a second hub, Hub2 (10.0.0.2 at 203.0.113.6): each spoke
    registers with both."""
    if name == "hub.cfg":
        second = replaced(
            text,
            ("hostname Hub\n", "hostname Hub2\n"),
            ("ip address 10.0.0.1 ", "ip address 10.0.0.2 "),
            ("ip address 192.168.0.1 ", "ip address 192.168.100.1 "),
            ("ip address 203.0.113.2 ", "ip address 203.0.113.6 "),
            ("0.0.0.0 0.0.0.0 203.0.113.1", "0.0.0.0 0.0.0.0 203.0.113.5"),
        )
        return {name: text, "hub2.cfg": second}
    if name == "isp.cfg":
        extra = "interface GigabitEthernet0/4\n ip address 203.0.113.5 255.255.255.252\n"
        return {name: text + extra}
    if name.startswith("spoke"):
        nhs = " ip nhrp nhs 10.0.0.1 nbma 203.0.113.2 multicast\n"
        both = nhs + " ip nhrp nhs 10.0.0.2 nbma 203.0.113.6 multicast\n"
        return {name: replaced(text, (nhs, both))}
    return {name: text}


def dual_hub_texts() -> dict[str, str]:
    out: dict[str, str] = {}
    for name, text in texts().items():
        out |= dual_hub(name, text)
    return out


def lab_of(
    files: dict[str, str], seconds: float = 20.0, first: Sequence[tuple[str, str]] = ()
) -> Lab:
    """The routers of `files`, run for `seconds` (the spokes register meanwhile); `first`:
    (router, command) typed before anything runs."""
    configs = [load(text, name).raise_for_errors() for name, text in files.items()]
    lab = Lab(configs, policy_for_config)
    for host, command in first:
        lab.exec(host, command)
    lab.bring_up_tunnels()
    lab.run_for(seconds)
    return lab


def write(files: dict[str, str], into: Path) -> Path:
    for name, text in files.items():
        (into / name).write_text(text)
    return into
