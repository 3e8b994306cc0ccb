"""How `pyike run` steers the traffic of crypto maps to the daemon, without XFRM: the plan of
TUN devices, routing tables and policy-routing rules, before anything touches the kernel.

Each interface carrying `crypto map NAME` gets a TUN device (`cm-GigabitEt0_0`) and a routing
table of pyike's own whose default route points into it. Policy-routing rules send what the
map's ACLs permit to that table, in the ACLs' order and the entries' sequence order:

    20000: from 10.0.0.1 ipproto udp sport 500 goto 20011     the daemon's own IKE and ESP
    20003: iif cm-Gi0_0 goto 20011                             decrypted traffic, forwarded
    20004: from 192.168.1.0/24 to 192.168.2.5 goto 20006      deny: not this entry; the next
    20005: from 192.168.1.0/24 to 192.168.2.0/24 lookup 20480 permit: into the TUN
    20006: ...                                                 the next entry
    20011: nop                                                 end of pyike's rules

A `deny` line skips the rest of its entry (IOS tries the next entry); a `permit` line sends the
packet to the map's table. The daemon then matches the packet against the entries itself
(`pyike.ipsec.acl_match`), so the rules only have to bring it there. ACLs are IPv4: the
tables carry an IPv4 default route only.

Inbound, IOS drops clear traffic that arrives on the map's interface and mirrors a `permit`
line: it should have come inside ESP (`%CRYPTO-4-RECVD_PKT_NOT_IPSEC`). Each map therefore
has a second TUN device (`ci-GigabitEt0_0`) and table, and the mirrored ACLs, limited to
packets arriving on the interface's host device, lead there (before the outbound rules):

    20002: iif eth0 to 10.0.0.1 ipproto esp goto 20011        the peers' IKE and ESP to us
    20007: from 192.168.2.0/24 to 192.168.1.0/24 iif eth0 lookup 20736   should be ESP

The daemon drops and logs what comes out of that device. Traffic to the gateway's own
addresses is delivered by the kernel's `local` table (priority 0) before any of these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Network
from itertools import product
from typing import Literal

from pyike.config.model import AclAddress, AclEntry, Config, IPAddress
from pyike.ipsec.acl_match import MapEntry, maps_by_interface, port_ranges
from pyike.net.binding import DEFAULT_TUNNEL_MTU, tun_name

FIRST_PRIORITY = 20000  # pyike's rules sit between `local` (0) and `main` (32766)
# Two banks of priorities: a reload puts the new rules in the other bank before removing the
# old ones (the kernel refuses a second rule that differs from one at the same priority only
# in its goto target, and a gap between removing and adding would leak traffic in clear).
BANK_SIZE = 6000
FIRST_TABLE = 20480  # 0x5000: one table per crypto map interface
FIRST_CLEAR_TABLE = FIRST_TABLE + 0x100  # and one for its clear traffic that should be ESP
MAP_TUN_PREFIX = "cm-"
CLEAR_TUN_PREFIX = "ci-"  # as long as MAP_TUN_PREFIX: the two names share their tail
IKE_PORTS = (500, 4500)
PROTO_UDP = 17
PROTO_ESP = 50

RuleAction = Literal["table", "goto", "nop"]
PortRange = tuple[int, int]


class SteeringError(ValueError):
    """A crypto map ACL cannot be expressed as policy-routing rules."""


@dataclass(frozen=True)
class MapDevice:
    """The TUN device and routing table of one interface's crypto map."""

    interface: str  # the config's interface carrying the map, e.g. GigabitEthernet0/0
    map_name: str
    device: str  # e.g. cm-GigabitEt0_0
    table: int
    clear_device: str  # e.g. ci-GigabitEt0_0: inbound clear traffic that should be ESP
    clear_table: int
    mtu: int = DEFAULT_TUNNEL_MTU


@dataclass(frozen=True)
class SteeringRule:
    priority: int
    action: RuleAction
    table: int | None = None  # with "table"
    goto: int | None = None  # with "goto": the priority to continue at
    src: IPv4Network | None = None
    dst: IPv4Network | None = None
    protocol: int | None = None
    sport: PortRange | None = None
    dport: PortRange | None = None
    iif: str | None = None

    def describe(self) -> str:
        """The rule as `ip rule` prints it (without pyike's protocol mark)."""
        words = [f"{self.priority}:"]
        words += ["from", _prefix(self.src)]
        if self.dst is not None:
            words += ["to", _prefix(self.dst)]
        if self.iif is not None:
            words += ["iif", self.iif]
        if self.protocol is not None:
            words += ["ipproto", _PROTOCOL_NAMES.get(self.protocol, str(self.protocol))]
        for name, span in (("sport", self.sport), ("dport", self.dport)):
            if span is not None:
                words += [name, str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"]
        if self.action == "table":
            words += ["lookup", str(self.table)]
        elif self.action == "goto":
            words += ["goto", str(self.goto)]
        else:
            words.append("nop")
        return " ".join(words)


def _prefix(network: IPv4Network | None) -> str:
    if network is None:
        return "all"
    return str(network.network_address) if network.prefixlen == 32 else str(network)


_PROTOCOL_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah"}


@dataclass(frozen=True)
class SteeringPlan:
    devices: tuple[MapDevice, ...] = ()
    rules: tuple[SteeringRule, ...] = ()
    entries: Mapping[str, tuple[MapEntry, ...]] | None = None  # by interface

    def device_for(self, interface: str) -> MapDevice | None:
        return next((d for d in self.devices if d.interface == interface), None)

    def rules_in_bank(self, bank: int) -> tuple[SteeringRule, ...]:
        """The rules at the priorities of bank 0 (as planned) or bank 1."""
        shift = bank * BANK_SIZE
        return tuple(
            replace(r, priority=r.priority + shift, goto=None if r.goto is None else r.goto + shift)
            for r in self.rules
        )


def map_devices(config: Config) -> tuple[MapDevice, ...]:
    """A TUN device and a table per interface with a crypto map, names unique and within
    the kernel's 15 characters."""
    out: list[MapDevice] = []
    taken: set[str] = set()
    for index, iface in enumerate(i for i in config.interfaces.values() if i.crypto_map):
        assert iface.crypto_map is not None
        name = tun_name(iface.name, MAP_TUN_PREFIX)
        suffix = 1
        while name in taken:
            tail = f"x{suffix}"
            name, suffix = name[: 15 - len(tail)] + tail, suffix + 1
        taken.add(name)
        clear = CLEAR_TUN_PREFIX + name[len(MAP_TUN_PREFIX) :]
        out.append(
            MapDevice(
                iface.name,
                iface.crypto_map,
                name,
                FIRST_TABLE + index,
                clear,
                FIRST_CLEAR_TABLE + index,
            )
        )
    return tuple(out)


def plan_steering(
    config: Config,
    local_addresses: Iterable[IPAddress],
    ike_ports: Iterable[int],
    host_devices: Mapping[str, str] | None = None,
) -> SteeringPlan:
    """The devices and rules for `config`'s crypto maps. `local_addresses` and `ike_ports`
    (the UDP ports the daemon sends IKE and ESP-in-UDP from) are kept out of the maps, so an
    ACL such as `permit ip host A host B` between the peers cannot loop. `host_devices`
    names the host device of each config interface: clear traffic arriving there that
    mirrors a permit line of its map goes to the map's clear device, except IKE (UDP 500,
    4500 and `ike_ports`) and ESP to `local_addresses`; an interface without a host device
    gets no such rules. Raises SteeringError for an ACL the kernel cannot match (a
    non-contiguous wildcard)."""
    devices = map_devices(config)
    if not devices:
        return SteeringPlan()
    entries = maps_by_interface(config)
    local = sorted(a for a in set(local_addresses) if isinstance(a, IPv4Address))
    ports = sorted(set(ike_ports))
    arriving = [(d, (host_devices or {}).get(d.interface)) for d in devices]
    blocks: list[list[_Pending]] = [
        _exclusions(local, ports, devices),
        *(_peer_transport(local, ports, host) for _, host in arriving if host is not None),
    ]
    for device, host in arriving:
        if host is None:
            continue
        for entry in entries.get(device.interface, ()):
            blocks.append(_entry_rules(entry, device, arriving_on=host))
    for device in devices:
        for entry in entries.get(device.interface, ()):
            blocks.append(_entry_rules(entry, device))
    total = sum(len(block) for block in blocks) + 1
    if total > BANK_SIZE:
        raise SteeringError(
            f"% crypto maps need {total} policy-routing rules; pyike run has room for {BANK_SIZE}"
        )
    rules: list[SteeringRule] = []
    starts = []
    priority = FIRST_PRIORITY
    for block in blocks:
        starts.append(priority)
        priority += len(block)
    end = priority
    for index, block in enumerate(blocks):
        following = starts[index + 1] if index + 1 < len(blocks) else end
        for offset, pending in enumerate(block):
            rules.append(pending.placed(starts[index] + offset, following, end))
    rules.append(SteeringRule(end, "nop"))
    return SteeringPlan(devices, tuple(rules), entries)


@dataclass(frozen=True)
class _Pending:
    """A rule before its priority is known: `to` says where a match goes (the map's table,
    the next entry, or past pyike's rules); `rule` is the rule but for its priority (0 until
    placed) and goto target."""

    to: Literal["table", "next-entry", "end"]
    rule: SteeringRule

    def placed(self, priority: int, next_entry: int, end: int) -> SteeringRule:
        if self.to == "table":
            return replace(self.rule, priority=priority)
        goto = next_entry if self.to == "next-entry" else end
        return replace(self.rule, priority=priority, goto=goto)


def _exclusions(
    local: list[IPv4Address], ports: list[int], devices: Iterable[MapDevice]
) -> list[_Pending]:
    """The daemon's own IKE (and ESP in UDP) and raw ESP, and what comes out of the TUN
    devices (decrypted traffic on its way to the LAN), never enter a map."""
    rules: list[SteeringRule] = []
    for address in local:
        host = IPv4Network(address)
        for port in ports:
            rules.append(SteeringRule(0, "goto", src=host, protocol=PROTO_UDP, sport=(port, port)))
        rules.append(SteeringRule(0, "goto", src=host, protocol=PROTO_ESP))
    rules += [SteeringRule(0, "goto", iif=device.device) for device in devices]
    return [_Pending("end", rule) for rule in rules]


def _peer_transport(local: list[IPv4Address], ports: list[int], arriving_on: str) -> list[_Pending]:
    """The peers' IKE and ESP to the gateway are never clear traffic to drop, even when an
    ACL protects the traffic between the peers' own addresses."""
    rules: list[SteeringRule] = []
    for address in local:
        host = IPv4Network(address)
        for port in sorted({*IKE_PORTS, *ports}):
            rules.append(SteeringRule(0, "goto", dst=host, protocol=PROTO_UDP, dport=(port, port)))
        rules.append(SteeringRule(0, "goto", dst=host, protocol=PROTO_ESP))
    return [_Pending("end", replace(rule, iif=arriving_on)) for rule in rules]


def _network(address: AclAddress, entry: MapEntry, ace: AclEntry) -> IPv4Network | None:
    """The prefix an ACL address matches (None for `any`)."""
    if int(address.wildcard) == 0xFFFFFFFF:
        return None
    network = address.network()
    if network is None:
        raise SteeringError(
            f"% {entry.name}: `{ace.text or ace.action}`: wildcard {address.wildcard} is not "
            "contiguous; pyike run steers crypto map traffic by prefix"
        )
    return network


def _entry_rules(
    entry: MapEntry, device: MapDevice, arriving_on: str | None = None
) -> list[_Pending]:
    """An entry's ACL as rules into the map's table; with `arriving_on` (a host device),
    the ACL mirrored, for packets arriving there, into the map's clear table."""
    out: list[_Pending] = []
    mirrored = arriving_on is not None
    table = device.clear_table if mirrored else device.table
    for ace in entry.acl:
        protocol = None if ace.protocol == "ip" else ace.protocol_number
        if protocol == 0:
            continue  # a protocol with no number matches nothing
        src = _network(ace.source, entry, ace)
        dst = _network(ace.destination, entry, ace)
        sports = _ranges(ace, source=True)
        dports = _ranges(ace, source=False)
        if mirrored:
            src, dst, sports, dports = dst, src, dports, sports
        to: Literal["table", "next-entry"] = "table" if ace.action == "permit" else "next-entry"
        matching = SteeringRule(0, "goto", src=src, dst=dst, protocol=protocol, iif=arriving_on)
        if to == "table":
            matching = replace(matching, action="table", table=table)
        for sport, dport in product(sports, dports):
            out.append(_Pending(to, replace(matching, sport=sport, dport=dport)))
    return out


def _ranges(ace: AclEntry, *, source: bool) -> list[PortRange | None]:
    match = ace.source_ports if source else ace.destination_ports
    if match is None:
        return [None]
    spans = [s for s in port_ranges(match) if s != (0, 65535)]
    return list(spans) if spans or not port_ranges(match) else [None]
