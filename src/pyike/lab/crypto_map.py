"""Crypto maps on a lab router: policy-based IPsec as IOS does it.

For a packet leaving an interface with `crypto map NAME`, the map's entries are tried in
sequence order; in each, the first ACL line that matches decides: `permit` protects the packet
with the child SA of that line (negotiated on the spot if there is none; the packet is dropped
meanwhile, so the first ping of a fresh crypto map is lost as on IOS), `deny` goes on to the
next entry. A packet no entry permits leaves in clear. Each permit line has its own SA, with
the line's selectors, as IOS negotiates one SA pair per line: "crypto map CMAP 10" for the
first, "crypto map CMAP 10 line 3" for the third line of the ACL (`pyike.ipsec.acl_match`).

Inbound, on the same interface: clear traffic that mirrors a `permit` line (it should have come
encrypted) is dropped with IOS's `%CRYPTO-4-RECVD_PKT_NOT_IPSEC`, and decrypted traffic must
mirror the line its SA was negotiated for. ESP for a crypto map SA is decrypted by the
`CryptoNode` and forwarded as received on the outer interface. The maps themselves are the
crypto host's (`CryptoHost.crypto_maps`).

The ACL matching itself (`Flow`, `MapEntry`) is `pyike.ipsec.acl_match`, shared with the
gateway's crypto maps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyike.config.query import fragments_before_encryption
from pyike.ipsec.acl_match import (
    Flow,
    MapEntry,
    MapHit,
    ace_matches,
    entry_name,
    protecting_line,
)
from pyike.ipsec.outer import DfBit
from pyike.lab.crypto_node import CryptoNode
from pyike.node.fragments import fragment
from pyike.node.hooks import PolicyAction, PolicyDecision
from pyike.node.ip import PROTO_ESP, PROTO_UDP, parse_ipv4
from pyike.node.ratelimit import IntervalLimiter
from pyike.node.router import Router

__all__ = ["CryptoMapCounters", "CryptoMaps", "Flow", "MapEntry", "ace_matches", "entry_name"]

_IKE_PORTS = (500, 4500)
_DF = 0x40  # in the IPv4 header's flags octet (offset 6)


@dataclass
class CryptoMapCounters:
    protected: int = 0
    dropped_no_sa: int = 0
    dropped_clear: int = 0  # arrived in clear, should have been encrypted
    dropped_selectors: int = 0  # decrypted, but outside the mirror of its SA's ACL line
    too_big: int = 0  # DF set, too long once encrypted: ICMP fragmentation needed sent


class CryptoMaps:
    """The router's OutboundPolicy and InboundPolicy for the crypto maps of its config."""

    def __init__(self, crypto: CryptoNode, log: Callable[[str], None] | None = None) -> None:
        self.crypto = crypto
        self.log = log
        self.counters = CryptoMapCounters()
        self._not_ipsec_limiter = IntervalLimiter()
        self.by_interface = crypto.crypto_maps

    def install(self, router: Router) -> None:
        if self.by_interface:
            router.outbound_policy = self
            router.inbound_policy = self

    def match(self, interface: str, flow: Flow) -> MapHit | None:
        """The entry and line that protect `flow` leaving `interface`, if any."""
        return protecting_line(self.by_interface.get(interface, ()), flow)

    # -- OutboundPolicy ---------------------------------------------------------------------

    def outbound(self, router: Router, interface: str, packet: bytes) -> PolicyDecision:
        if interface not in self.by_interface:
            return PolicyDecision.passed()
        flow = Flow.of(packet)
        if flow is None:
            return PolicyDecision.passed()
        hit = self.match(interface, flow)
        if hit is None:  # static entries first: a dynamic one comes last (IOS's advice)
            dynamic = self.crypto.dynamic_maps.carrying(interface, flow)
            if dynamic is None:
                return PolicyDecision.passed()
            sa = dynamic.name
        else:  # a permit line IKEv2 cannot negotiate has no SA: its traffic is dropped
            sa = hit.sa_name or ""
        pieces: Sequence[bytes] = (packet,) if sa else ()
        limit = self._plaintext_limit(router, interface, sa, packet) if sa else None
        if limit is not None:
            if packet[6] & _DF and self.crypto.df_policy(sa) is not DfBit.CLEAR:
                self.counters.too_big += 1
                return PolicyDecision(PolicyAction.TOO_BIG, mtu=limit)
            if not packet[6] & _DF:
                pieces = [p.to_bytes() for p in fragment(parse_ipv4(packet), limit, even=True)]
        outers = [o for piece in pieces for o in self.crypto.encapsulate(router, sa, piece)]
        if not outers:
            self.counters.dropped_no_sa += 1
            return PolicyDecision(PolicyAction.DROP)
        self.counters.protected += 1
        return PolicyDecision(PolicyAction.PROTECT, tuple(outers))

    def _plaintext_limit(
        self, router: Router, interface: str, sa_name: str, packet: bytes
    ) -> int | None:
        """With `crypto ipsec fragmentation before-encryption` (IOS's default) on a
        tunnel-mode SA: the longest packet whose ESP fits the interface, when `packet` is
        longer. IOS fragments such a packet before encrypting it, unless its DF bit forbids
        it; a DF packet gets ICMP fragmentation needed with that length (`crypto ipsec df-bit
        clear` lets its ESP be fragmented instead)."""
        path_mtu = self.crypto.path_mtu_within(sa_name, router.ip_mtu(interface))
        fits = self.crypto.largest_plaintext(sa_name, path_mtu, tunnel_mode_only=True)
        if fits is None or len(packet) <= fits:
            return None
        if not fragments_before_encryption(router.config, interface):
            return None
        return fits

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
        dynamic = self.crypto.dynamic_maps
        if protected_by is not None:
            entry = next((e for e in entries if protected_by in e.sa_names), None)
            if entry is not None:
                if entry.mirrors(protected_by, flow):
                    return True
            else:  # a dynamic entry's SA carries what its peer's selectors hold
                sa = dynamic.sas.get(interface, {}).get(protected_by)
                if sa is None or sa.mirrors(flow):
                    return True
            self.counters.dropped_selectors += 1
            return False
        if self._is_crypto_transport(router, interface, flow):
            return True
        expected = any(e.verdict(mirrored) for e in entries)
        if not expected and dynamic.expecting(interface, flow) is None:
            return True
        self.counters.dropped_clear += 1
        if self.log is not None and self._not_ipsec_limiter.allow(router.clock.now):
            self.log(flow.not_ipsec_message())
        return False

    @staticmethod
    def _is_crypto_transport(router: Router, interface: str, flow: Flow) -> bool:
        """IKE and ESP to the router itself are never subject to the map."""
        if not router.is_local(flow.dst, router.vrf_of(interface)):
            return False
        return flow.protocol == PROTO_ESP or (
            flow.protocol == PROTO_UDP and flow.dst_port in _IKE_PORTS
        )
