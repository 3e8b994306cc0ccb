"""Crypto maps on a lab router: policy-based IPsec as IOS does it.

For a packet leaving an interface with `crypto map NAME`, the map's entries are tried in
sequence order; in each, the first ACL line that matches decides: `permit` protects the packet
with that entry's child SA (negotiated on the spot if there is none; the packet is dropped
meanwhile, so the first ping of a fresh crypto map is lost as on IOS), `deny` goes on to the
next entry. A packet no entry permits leaves in clear.

Inbound, on the same interface: clear traffic that mirrors a `permit` line (it should have come
encrypted) is dropped with IOS's `%CRYPTO-4-RECVD_PKT_NOT_IPSEC`, and decrypted traffic must
mirror its entry's ACL. ESP for a crypto map SA is decrypted by the `CryptoNode` and forwarded
as received on the outer interface.

The ACL matching itself (`Flow`, `MapEntry`) is `pyike.ipsec.acl_match`, shared with the
gateway's crypto maps.

Limitation: the engine keys one SA per entry, so an entry whose ACL has several `permit`
lines protects them all with the SA of the first one negotiated (IOS negotiates one per line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address

from pyike.config.model import Config
from pyike.ipsec.acl_match import (
    Flow,
    MapEntry,
    ace_matches,
    entry_name,
    first_permitting,
    maps_by_interface,
)
from pyike.lab.crypto_node import CryptoNode
from pyike.node.hooks import PolicyAction, PolicyDecision
from pyike.node.ip import PROTO_ESP, PROTO_UDP
from pyike.node.ratelimit import IntervalLimiter
from pyike.node.router import Router

__all__ = ["CryptoMapCounters", "CryptoMaps", "Flow", "MapEntry", "ace_matches", "entry_name"]

_IKE_PORTS = (500, 4500)


@dataclass
class CryptoMapCounters:
    protected: int = 0
    dropped_no_sa: int = 0
    dropped_clear: int = 0  # arrived in clear, should have been encrypted
    dropped_selectors: int = 0  # decrypted, but outside the entry's ACL


class CryptoMaps:
    """The router's OutboundPolicy and InboundPolicy for the crypto maps of its config."""

    def __init__(
        self, config: Config, crypto: CryptoNode, log: Callable[[str], None] | None = None
    ) -> None:
        self.crypto = crypto
        self.log = log
        self.counters = CryptoMapCounters()
        self._not_ipsec_limiter = IntervalLimiter()
        self.by_interface = maps_by_interface(config)

    def install(self, router: Router) -> None:
        if self.by_interface:
            router.outbound_policy = self
            router.inbound_policy = self

    def match(self, interface: str, flow: Flow) -> MapEntry | None:
        """The entry that protects `flow` leaving `interface`, if any."""
        return first_permitting(self.by_interface.get(interface, ()), flow)

    # -- OutboundPolicy ---------------------------------------------------------------------

    def outbound(self, router: Router, interface: str, packet: bytes) -> PolicyDecision:
        if interface not in self.by_interface:
            return PolicyDecision.passed()
        flow = Flow.of(packet)
        entry = self.match(interface, flow) if flow is not None else None
        if entry is None:
            return PolicyDecision.passed()
        outers = self.crypto.encapsulate(router, entry.name, packet)
        if not outers:
            self.counters.dropped_no_sa += 1
            return PolicyDecision(PolicyAction.DROP)
        self.counters.protected += 1
        return PolicyDecision(PolicyAction.PROTECT, tuple(outers))

    # -- InboundPolicy ----------------------------------------------------------------------

    def inbound(
        self, router: Router, interface: str, packet: bytes, protected_by: str | None
    ) -> bool:
        entries = self.by_interface.get(interface)
        if not entries:
            return True
        flow = Flow.of(packet)
        if flow is None:
            return True
        mirrored = flow.reversed()
        if protected_by is not None:
            entry = next((e for e in entries if e.name == protected_by), None)
            if entry is None or entry.verdict(mirrored):
                return True
            self.counters.dropped_selectors += 1
            return False
        if self._is_crypto_transport(router, flow):
            return True
        if not any(e.verdict(mirrored) for e in entries):
            return True
        self.counters.dropped_clear += 1
        if self.log is not None and self._not_ipsec_limiter.allow(router.clock.now):
            self.log(
                "%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSec packet. "
                f"(ip) vrf/dest_addr= /{IPv4Address(flow.dst)}, "
                f"src_addr= {IPv4Address(flow.src)}, prot= {flow.protocol}"
            )
        return False

    @staticmethod
    def _is_crypto_transport(router: Router, flow: Flow) -> bool:
        """IKE and ESP to the router itself are never subject to the map."""
        if not router.is_local(flow.dst):
            return False
        return flow.protocol == PROTO_ESP or (
            flow.protocol == PROTO_UDP and flow.dst_port in _IKE_PORTS
        )
