"""What a router's FRR still waits for before its routes can be trusted: BGP neighbors not
Established or with updates queued, tunnels where OSPF or EIGRP runs without a neighbor, OSPF
neighbors still exchanging their link-state databases. An empty list: converged (as far as
FRR can tell; the caller also waits for the routing table to settle)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pyike.frr.translate import FrrSetup
from pyike.frr.vtysh import FrrUnavailable, VtyshRefused, show

_OSPF_EXCHANGE = ("retransmitCounter", "requestCounter", "dbSummaryCounter")


def pending(pathspace: str, setup: FrrSetup, tunnels: Mapping[str, str]) -> list[str]:
    """`tunnels` maps the router's tunnel devices to their IOS names (`tun-Tunnel0` ->
    `Tunnel0`): a routing protocol that runs on a tunnel must find a neighbor there."""
    checks: dict[str, Callable[[str, FrrSetup, Mapping[str, str]], list[str]]] = {
        "bgpd": _bgp,
        "ospfd": _ospf,
        "eigrpd": _eigrp,
    }
    out: list[str] = []
    for config in setup.daemons:
        check = checks.get(config.daemon)
        if check is None:
            continue
        try:
            out += check(pathspace, setup, tunnels)
        except (FrrUnavailable, VtyshRefused, ValueError) as exc:
            out.append(f"FRR {config.daemon} not answering ({exc})")
    return out


def _json(pathspace: str, command: str) -> dict[str, Any]:
    data = json.loads(show(pathspace, f"{command} json") or "{}")
    return data if isinstance(data, dict) else {}


def _bgp(pathspace: str, setup: FrrSetup, tunnels: Mapping[str, str]) -> list[str]:
    peers = _json(pathspace, "show ip bgp summary").get("ipv4Unicast", {}).get("peers", {})
    out = []
    for address, peer in peers.items():
        state = peer.get("state", "unknown")
        if state != "Established":
            out.append(f"BGP neighbor {address} is {state}")
        elif peer.get("inq") or peer.get("outq"):
            out.append(f"BGP neighbor {address} has updates queued")
    return out


def _ospf(pathspace: str, setup: FrrSetup, tunnels: Mapping[str, str]) -> list[str]:
    out = []
    interfaces = _json(pathspace, "show ip ospf interface").get("interfaces", {})
    for device, info in interfaces.items():
        if device not in tunnels or not info.get("ospfEnabled") or info.get("timerPassiveIface"):
            continue
        if info.get("nbrAdjacentCount", 0) < 1:
            out.append(f"{tunnels[device]}: no OSPF adjacency")
    neighbors = _json(pathspace, "show ip ospf neighbor").get("neighbors", {})
    for router_id, entries in neighbors.items():
        if any(entry.get(key) for entry in entries for key in _OSPF_EXCHANGE):
            out.append(f"OSPF neighbor {router_id} is still exchanging its database")
    return out


def _eigrp(pathspace: str, setup: FrrSetup, tunnels: Mapping[str, str]) -> list[str]:
    """From the `show ip eigrp interfaces` table (FRR 8.4 has no JSON for it): each tunnel
    EIGRP runs on, unless passive, has a peer."""
    passive = {c.line.text.split()[-1] for c in setup.late if c.daemon == "eigrpd"}
    out = []
    for row in show(pathspace, "show ip eigrp interfaces").splitlines():
        words = row.split()
        peerless = len(words) > 3 and words[3].isdigit() and int(words[3]) < 1
        if peerless and words[0] in tunnels and words[0] not in passive:
            out.append(f"{tunnels[words[0]]}: no EIGRP neighbor")
    return out
