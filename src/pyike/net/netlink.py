"""Addresses, links and routes through netlink (pyroute2): what the gateway reads of the
host and the few things it changes, each of which it records so it can undo it.

pyroute2's synchronous IPRoute runs an event loop of its own, which cannot nest in the
gateway's: every call goes to one worker thread that owns the socket. The calls are few
(start, reload, exit) and quick, so the caller simply waits for them."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

from pyike.net.binding import HostInterface, KernelRoute, TunnelDevice
from pyike.net.policy_steering import SteeringRule

# Packets the kernel may queue for the daemon on a TUN device (the default is 500). A TCP
# burst routed into the tunnel while the daemon waits for a CPU overflows 500 and each drop
# halves the sender's window; a deeper queue absorbs the wait instead.
TUN_TX_QUEUE = 4096

# Routes pyike installs carry this protocol number (RTPROT_STATIC is 4; 0x50 is unassigned
# in iproute2's rt_protos), so `ip route show proto 0x50` lists them; so do its policy-routing
# rules (FRA_PROTOCOL, `ip rule` prints `proto 80`), which is how a new run finds a crashed
# run's rules.
PYIKE_ROUTE_PROTO = 0x50
_RULE_ACTIONS = {"table": "FR_ACT_TO_TBL", "goto": "FR_ACT_GOTO", "nop": "FR_ACT_NOP"}
_FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6}
_DEFAULT_ROUTE = ipaddress.IPv4Network("0.0.0.0/0")  # of pyike's crypto map tables


# An IPv6 tunnel device: no link-local address (IN6_ADDR_GEN_MODE_NONE), no autoconfiguration.
_IPV6_TUNNEL_SETTINGS = (
    ("disable_ipv6", "0"),
    ("addr_gen_mode", "1"),
    ("accept_ra", "0"),
    ("autoconf", "0"),
    ("router_solicitations", "0"),
    ("keep_addr_on_down", "1"),  # GRE keepalives take a device down and up again
)


class NetlinkFailure(OSError):
    """The kernel refused a change."""


# The kernel's neighbour states (NUD_*) ARP has not answered; NUD_NOARP entries (point to
# point and loopback devices) are no neighbours at all.
_NUD_UNANSWERED = 0x01 | 0x20  # INCOMPLETE, FAILED
_NUD_NOARP = 0x40
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # the unit of a neighbour's cache times


def _mac(lladdr: str) -> int:
    """netlink's `aa:bb:cc:00:01:00` as a number."""
    return int(lladdr.replace(":", ""), 16)


@dataclass(frozen=True)
class Neighbour:
    """An IPv4 neighbour in the kernel's table: its link, address, MAC (None while ARP has
    no answer) and the seconds since its entry last changed."""

    index: int
    address: int
    mac: int | None
    age: float


T = TypeVar("T")


class Netlink:
    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyike-netlink")
        self._ipr = self._worker.submit(IPRoute).result()

    def close(self) -> None:
        self._worker.submit(self._ipr.close).result()
        self._worker.shutdown()

    def in_worker(self, work: Callable[[], T]) -> T:
        """`work` run on the netlink thread (the privilege drop's per-thread steps)."""
        return self._worker.submit(work).result()

    def _run(self, work: Callable[[], T]) -> T:
        try:
            return self._worker.submit(work).result()
        except NetlinkError as exc:
            raise NetlinkFailure(exc.code, str(exc)) from None

    def _host_interfaces(self) -> list[HostInterface]:
        addresses: dict[int, list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]] = {}
        for msg in self._ipr.get_addr():
            address = msg.get_attr("IFA_LOCAL") or msg.get_attr("IFA_ADDRESS")
            if address is None:
                continue
            iface = ipaddress.ip_interface(f"{address}/{msg['prefixlen']}")
            addresses.setdefault(int(msg["index"]), []).append(iface)
        out = []
        for link in self._ipr.get_links():
            index = int(link["index"])
            out.append(
                HostInterface(
                    str(link.get_attr("IFLA_IFNAME")),
                    index,
                    tuple(addresses.get(index, ())),
                    int(link.get_attr("IFLA_MTU") or 1500),
                )
            )
        return out

    def _neighbours(self) -> list[Neighbour]:
        found = []
        for msg in self._ipr.get_neighbours(family=socket.AF_INET):
            state = int(msg["state"])
            address = msg.get_attr("NDA_DST")
            if address is None or state & _NUD_NOARP:
                continue
            lladdr = msg.get_attr("NDA_LLADDR")
            answered = lladdr is not None and not state & _NUD_UNANSWERED
            cache = msg.get_attr("NDA_CACHEINFO") or {}
            found.append(
                Neighbour(
                    int(msg["ifindex"]),
                    int(ipaddress.IPv4Address(address)),
                    _mac(lladdr) if answered else None,
                    int(cache.get("ndm_updated", 0)) / _CLOCK_TICKS,
                )
            )
        return found

    def _link_macs(self) -> dict[int, int]:
        macs = {}
        for link in self._ipr.get_links():
            lladdr = link.get_attr("IFLA_ADDRESS")
            if lladdr:
                macs[int(link["index"])] = _mac(lladdr)
        return macs

    def _link_index(self, name: str) -> int | None:
        found = self._ipr.link_lookup(ifname=name)
        return int(found[0]) if found else None

    def _device_index(self, name: str, missing: str) -> int:
        """The index of device `name`; NetlinkFailure(`missing`) when there is none."""
        index = self._link_index(name)
        if index is None:
            raise NetlinkFailure(0, missing)
        return index

    def _delete_link(self, name: str) -> bool:
        index = self._link_index(name)
        if index is None:
            return False
        with _refused(f"cannot delete {name}"):
            self._ipr.link("del", index=index)
        return True

    def _set_link(self, name: str, up: bool) -> None:
        index = self._device_index(name, f"TUN device {name} vanished")
        with _refused(f"cannot set {name} {'up' if up else 'down'}"):
            self._ipr.link("set", index=index, state="up" if up else "down")

    def _configure_tunnel(self, device: TunnelDevice) -> int:
        """Addresses and MTU on an open TUN device, then up; returns its index."""
        index = self._device_index(device.device, f"TUN device {device.device} vanished")
        # The tunnel carries the family the config gives it and nothing of its own: an IPv4
        # tunnel no IPv6 at all, an IPv6 one no link-local address, router solicitations or
        # router advertisements.
        conf = Path(f"/proc/sys/net/ipv6/conf/{device.device}")
        settings = _IPV6_TUNNEL_SETTINGS if device.version == 6 else (("disable_ipv6", "1"),)
        for name, value in settings:
            with contextlib.suppress(OSError):
                (conf / name).write_text(value)
        with _refused(f"cannot configure {device.device}"):
            self._ipr.link("set", index=index, mtu=device.mtu, txqlen=TUN_TX_QUEUE)
            for address in device.addresses:
                self._ipr.addr(
                    "add",
                    index=index,
                    address=str(address.ip),
                    prefixlen=address.network.prefixlen,
                    family=_FAMILIES[address.version],
                )
            self._ipr.link("set", index=index, state="up")
        return index

    def _replace_route(self, route: KernelRoute) -> None:
        missing = f"no device {route.device} for route {route.prefix}"
        index = self._device_index(route.device, missing)
        metric = {} if route.metric is None else {"priority": route.metric}
        with _refused(f"cannot add route {route.prefix}"):
            self._ipr.route("replace", oif=index, **_route_spec(route.prefix), **metric)

    def _delete_route(self, route: KernelRoute) -> None:
        metric = {} if route.metric is None else {"priority": route.metric}
        with contextlib.suppress(NetlinkError):  # gone with its device already
            self._ipr.route("del", **_route_spec(route.prefix), **metric)

    def _stale_routes(self, routes: Sequence[KernelRoute]) -> list[KernelRoute]:
        """Those of `routes` a previous run left in the kernel (pyike's protocol number)."""
        present: set[tuple[str, int]] = set()
        for family in (socket.AF_INET, socket.AF_INET6):
            for msg in self._ipr.get_routes(family=family):
                if int(msg["proto"]) == PYIKE_ROUTE_PROTO:
                    present.add((str(msg.get_attr("RTA_DST")), int(msg["dst_len"])))
        return [r for r in routes if (str(r.prefix.network_address), r.prefix.prefixlen) in present]

    def _add_rule(self, rule: SteeringRule) -> None:
        with _refused(f"cannot add rule {rule.describe()}"):
            self._ipr.rule("add", **_rule_spec(rule))

    def _delete_rule(self, rule: SteeringRule) -> None:
        """The rule with exactly these selectors (several may share a priority)."""
        with contextlib.suppress(NetlinkError):  # gone already
            self._ipr.rule("del", **_rule_spec(rule))

    def _delete_pyike_rules(self) -> int:
        """Every policy-routing rule with pyike's mark, IPv4 and IPv6; how many."""
        count = 0
        for family in (socket.AF_INET, socket.AF_INET6):
            for msg in self._ipr.get_rules(family=family):
                if msg.get_attr("FRA_PROTOCOL") != PYIKE_ROUTE_PROTO:
                    continue
                with contextlib.suppress(NetlinkError):  # gone already
                    self._ipr.rule(
                        "del",
                        family=family,
                        priority=msg.get_attr("FRA_PRIORITY"),
                        protocol=PYIKE_ROUTE_PROTO,
                    )
                    count += 1
        return count

    def _replace_default_route(self, table: int, device: str) -> None:
        """The default route of one of pyike's tables, into `device`."""
        index = self._device_index(device, f"no device {device} for table {table}")
        with _refused(f"cannot route table {table}"):
            self._ipr.route("replace", table=table, oif=index, **_route_spec(_DEFAULT_ROUTE))

    # -- the public calls, each run on the netlink thread -----------------------------------

    def host_interfaces(self) -> list[HostInterface]:
        return self._run(self._host_interfaces)

    def neighbours(self) -> list[Neighbour]:
        """The kernel's IPv4 neighbour table (what `ip neigh` lists), but point-to-point
        entries."""
        return self._run(self._neighbours)

    def link_macs(self) -> dict[int, int]:
        """Each link's MAC address, by interface index (links without one left out)."""
        return self._run(self._link_macs)

    def link_index(self, name: str) -> int | None:
        return self._run(lambda: self._link_index(name))

    def delete_link(self, name: str) -> bool:
        return self._run(lambda: self._delete_link(name))

    def configure_tunnel(self, device: TunnelDevice) -> int:
        return self._run(lambda: self._configure_tunnel(device))

    def set_link(self, name: str, up: bool) -> None:
        self._run(lambda: self._set_link(name, up))

    def replace_route(self, route: KernelRoute) -> None:
        self._run(lambda: self._replace_route(route))

    def delete_route(self, route: KernelRoute) -> None:
        self._run(lambda: self._delete_route(route))

    def stale_routes(self, routes: Sequence[KernelRoute]) -> list[KernelRoute]:
        return self._run(lambda: self._stale_routes(routes))

    def add_rule(self, rule: SteeringRule) -> None:
        self._run(lambda: self._add_rule(rule))

    def delete_rule(self, rule: SteeringRule) -> None:
        self._run(lambda: self._delete_rule(rule))

    def delete_pyike_rules(self) -> int:
        return self._run(self._delete_pyike_rules)

    def replace_default_route(self, table: int, device: str) -> None:
        self._run(lambda: self._replace_default_route(table, device))


@contextlib.contextmanager
def _refused(what: str) -> Iterator[None]:
    """A change the kernel refuses raises NetlinkFailure, saying `what` was refused and why."""
    try:
        yield
    except NetlinkError as exc:
        raise NetlinkFailure(exc.code, f"{what}: {exc}") from None


def _route_spec(prefix: ipaddress.IPv4Network | ipaddress.IPv6Network) -> dict[str, object]:
    """pyroute2's arguments for one of pyike's routes to `prefix`."""
    return {"dst": str(prefix), "proto": PYIKE_ROUTE_PROTO, "family": _FAMILIES[prefix.version]}


def _rule_spec(rule: SteeringRule) -> dict[str, object]:
    """pyroute2's arguments for a rule, with pyike's mark."""
    spec: dict[str, object] = {
        "family": socket.AF_INET,
        "priority": rule.priority,
        "protocol": PYIKE_ROUTE_PROTO,
        "action": _RULE_ACTIONS[rule.action],
    }
    if rule.table is not None:
        spec["table"] = rule.table
    if rule.goto is not None:
        spec["goto"] = rule.goto
    for key, network in (("src", rule.src), ("dst", rule.dst)):
        if network is not None:
            spec[key] = str(network.network_address)
            spec[f"{key}_len"] = network.prefixlen
    if rule.protocol is not None:
        spec["ip_proto"] = rule.protocol
    for key, span in (("sport_range", rule.sport), ("dport_range", rule.dport)):
        if span is not None:
            spec[key] = f"{span[0]}:{span[1]}"
    if rule.iif is not None:
        spec["iifname"] = rule.iif
    return spec
