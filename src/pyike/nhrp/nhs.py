"""The server side, and what any router does for others: registering clients (the NHS),
answering or forwarding Resolution Requests, sending Traffic Indications (`ip nhrp
redirect`), Error Indications, and purging what it told requesters.

A Resolution Request is answered by the router the destination's route leaves by another
interface than the tunnel (it is the egress: a spoke for its LAN, any router for its own
tunnel address), and forwarded otherwise to the NBMA of the route's tunnel next hop (the hub
forwards a spoke's request to the spoke that registered the destination, as IOS does for
an authoritative request). The answer goes straight back to the requester's NBMA.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import ip_network

from pyike.nhrp import debug
from pyike.nhrp.actions import Route
from pyike.nhrp.cache import (
    CacheEntry,
    EntryFlag,
    EntryType,
    Requester,
    host_network,
)
from pyike.nhrp.codec import (
    AuthenticationExtension,
    Cie,
    CieCode,
    CieExtension,
    ErrorCode,
    Extension,
    ExtensionType,
    IPAddress,
    IPNetwork,
    Packet,
    PacketType,
    RegistrationFlag,
    ResolutionFlag,
    error_request_id,
)
from pyike.nhrp.core import NhrpCore
from pyike.nhrp.ippacket import endpoints, quoted

REPLY_FLAGS = ResolutionFlag.ROUTER | ResolutionFlag.SOURCE_STABLE | ResolutionFlag.NAT


@dataclass(frozen=True)
class Incoming:
    """A received packet: decoded, as it came, and the NBMA address it came from."""

    packet: Packet
    wire: bytes
    nbma: IPAddress


def _cies_of(packet: Packet, kind: int) -> tuple[Cie, ...] | None:
    extension = packet.extension(kind)
    return extension.cies if isinstance(extension, CieExtension) else None


class ServerSide(NhrpCore):
    def _init_server(self) -> None:
        self.redirects: dict[tuple[IPAddress, IPAddress], float] = {}

    # --- registration -----------------------------------------------------------------------

    def _registration_request(self, now: float, incoming: Incoming) -> None:
        packet = incoming.packet
        answered = tuple(self._bind_client(now, packet, cie, incoming.nbma) for cie in packet.cies)
        nat = list(_cies_of(packet, ExtensionType.NAT_ADDRESS) or ())
        if packet.src_nbma != incoming.nbma:
            seen = Cie(0, self.host_length, self.config.mtu, 0, incoming.nbma, packet.src_protocol)
            nat.append(seen)
        reply = Packet(
            PacketType.REGISTRATION_REPLY,
            packet.src_nbma,
            packet.src_protocol,
            packet.dst_protocol,
            flags=packet.flags & (RegistrationFlag.UNIQUE | RegistrationFlag.NAT),
            request_id=packet.request_id,
            cies=answered,
            extensions=self._extensions(
                responder=(self._own_cie(),),
                forward=_cies_of(packet, ExtensionType.FORWARD_TRANSIT_NHS) or (),
                reverse=_cies_of(packet, ExtensionType.REVERSE_TRANSIT_NHS) or (),
                nat=tuple(nat) if packet.extension(ExtensionType.NAT_ADDRESS) else None,
            ),
        )
        code = next((c.code for c in answered if c.code), CieCode.SUCCESS)
        self._debug(
            f"NHRP: Sending Registration Reply if_in {self.config.interface} {debug.VRF} "
            f"dst {packet.src_protocol} nbma {incoming.nbma} code: {debug.code_text(code)}"
        )
        self._send(reply, incoming.nbma)

    def _bind_client(self, now: float, packet: Packet, cie: Cie, nbma: IPAddress) -> Cie:
        """Bind one CIE's client (the packet's source unless the CIE names one) to the NBMA
        the request came from; the CIE back with its code."""
        protocol = cie.protocol or packet.src_protocol
        prefix = cie.prefix_length
        if not 0 < prefix < self.host_length:
            prefix = self.host_length
        target = ip_network(f"{protocol}/{prefix}", strict=False)
        existing = self.cache.get(target)
        refused = self._registration_refused(now, existing, nbma)
        if refused is not None:
            return replace(cie, code=refused)
        claimed = cie.nbma or packet.src_nbma
        flags = {EntryFlag.REGISTERED}
        if packet.flags & RegistrationFlag.UNIQUE:
            flags.add(EntryFlag.UNIQUE)
        if claimed != nbma:
            flags.add(EntryFlag.NAT)
        kept: set[EntryFlag] = set()
        if existing is not None and existing.nbma == nbma:
            kept = existing.flags & {EntryFlag.USED, EntryFlag.NHOP}
        else:
            self._debug(f"NHRP: Adding Tunnel Endpoints (VPN: {protocol}, NBMA: {nbma})")
            if self.config.multicast_dynamic:
                self._debug(f"NHRP: Added dynamic multicast mapping for NBMA: {nbma}")
        entry = CacheEntry(
            target,
            protocol,
            nbma,
            EntryType.DYNAMIC,
            existing.created if existing is not None and existing.nbma == nbma else now,
            now + (cie.holding_time or self.config.holdtime),
            flags | kept,
            claimed_nbma=claimed if claimed != nbma else None,
        )
        self._store(entry)
        return replace(cie, code=CieCode.SUCCESS)

    def _registration_refused(
        self, now: float, existing: CacheEntry | None, nbma: IPAddress
    ) -> int | None:
        if existing is None or existing.nbma == nbma or existing.expired(now):
            return None
        if existing.type is EntryType.STATIC:
            return CieCode.ADMINISTRATIVELY_PROHIBITED
        if EntryFlag.UNIQUE in existing.flags:
            return CieCode.UNIQUE_ADDRESS_REGISTERED
        return None

    # --- resolution -------------------------------------------------------------------------

    def _resolution_request(self, now: float, incoming: Incoming) -> None:
        packet = incoming.packet
        target = packet.dst_protocol
        route = self.routing.lookup(target)
        if target == self.own or (route is not None and not route.via_tunnel):
            self._answer(now, incoming, route)
            return
        next_hop = None if route is None else route.next_hop or target
        entry = None if next_hop is None else self.cache.host(next_hop)
        if entry is None or entry.nbma is None:
            self._error(incoming, ErrorCode.PROTOCOL_ADDRESS_UNREACHABLE)
        elif entry.nbma in (incoming.nbma, packet.src_nbma):
            self._debug(f"NHRP: Resolution Request for {target} would go back to its source")
        else:
            self._forward(incoming, entry.nbma)

    def _answer(self, now: float, incoming: Incoming, route: Route | None) -> None:
        """We are the egress for the request's destination: answer the requester directly."""
        packet = incoming.packet
        target = packet.dst_protocol
        prefix = self.host_length if target == self.own or route is None else route.prefix.prefixlen
        requester_nbma = self._requester_nbma(packet)
        reply = Packet(
            PacketType.RESOLUTION_REPLY,
            packet.src_nbma,
            packet.src_protocol,
            target,
            flags=(packet.flags & REPLY_FLAGS)
            | ResolutionFlag.AUTHORITATIVE
            | ResolutionFlag.DESTINATION_STABLE,
            request_id=packet.request_id,
            cies=(self._own_cie(prefix),),
            extensions=self._extensions(
                responder=(self._own_cie(),),
                forward=_cies_of(packet, ExtensionType.FORWARD_TRANSIT_NHS) or (),
                reverse=_cies_of(packet, ExtensionType.REVERSE_TRANSIT_NHS) or (),
                nat=_cies_of(packet, ExtensionType.NAT_ADDRESS),
            ),
        )
        self._learn_requester(now, packet, requester_nbma)
        answered = ip_network(f"{target}/{prefix}", strict=False)
        self._record_local(now, answered, packet, requester_nbma)
        self._send(reply, requester_nbma)

    def _requester_nbma(self, packet: Packet) -> IPAddress:
        """Where the requester is reached: the NAT extension's address for it, added by an
        NHS that saw it behind a NAT, else the NBMA it claims."""
        for cie in _cies_of(packet, ExtensionType.NAT_ADDRESS) or ():
            if cie.protocol == packet.src_protocol and cie.nbma is not None:
                return cie.nbma
        return packet.src_nbma

    def _learn_requester(self, now: float, packet: Packet, nbma: IPAddress) -> None:
        """An implicit entry for the requester, from the request's source fields."""
        target = host_network(packet.src_protocol)
        existing = self.cache.get(target)
        if existing is not None and EntryFlag.IMPLICIT not in existing.flags:
            return
        holding = packet.cies[0].holding_time if packet.cies else 0
        flags = {EntryFlag.IMPLICIT, EntryFlag.NHOP}
        if packet.flags & ResolutionFlag.ROUTER:
            flags.add(EntryFlag.ROUTER)
        created = existing.created if existing is not None and existing.nbma == nbma else now
        self._store(
            CacheEntry(
                target,
                packet.src_protocol,
                nbma,
                EntryType.DYNAMIC,
                created,
                now + (holding or self.config.holdtime),
                flags,
            )
        )

    def _record_local(
        self, now: float, network: IPNetwork, packet: Packet, nbma: IPAddress
    ) -> None:
        """A local entry: which of our prefixes we told whom about, to purge it later."""
        entry = self.cache.get(network)
        if entry is None or EntryFlag.LOCAL not in entry.flags:
            entry = CacheEntry(
                network,
                self.own,
                self.config.nbma,
                EntryType.DYNAMIC,
                now,
                None,
                {EntryFlag.ROUTER, EntryFlag.UNIQUE, EntryFlag.LOCAL},
            )
            self.cache.put(entry)
        entry.expires = now + self.config.holdtime
        entry.requesters = [r for r in entry.requesters if r.protocol != packet.src_protocol]
        entry.requesters.append(Requester(packet.src_protocol, nbma, packet.request_id))

    def _forward(self, incoming: Incoming, nbma: IPAddress) -> None:
        """Pass a request on toward its destination, recording ourselves as a transit NHS."""
        packet = incoming.packet
        if packet.hop_count <= 1:
            self._error(incoming, ErrorCode.HOP_COUNT_EXCEEDED)
            return
        transit = _cies_of(packet, ExtensionType.FORWARD_TRANSIT_NHS) or ()
        if any(cie.nbma == self.config.nbma for cie in transit):
            self._error(incoming, ErrorCode.LOOP_DETECTED)
            return
        extensions = tuple(
            extension
            for original in packet.extensions
            if (extension := self._forwarded_extension(original, packet)) is not None
        )
        forwarded = replace(packet, hop_count=packet.hop_count - 1, extensions=extensions)
        self._send(forwarded, nbma, verb="Forwarding")

    def _forwarded_extension(self, extension: Extension, packet: Packet) -> Extension | None:
        if isinstance(extension, AuthenticationExtension):
            return self._authentication()[0] if self.config.secret is not None else None
        if not isinstance(extension, CieExtension):
            return extension
        if extension.type == ExtensionType.FORWARD_TRANSIT_NHS:
            return replace(extension, cies=(*extension.cies, self._own_cie()))
        if extension.type == ExtensionType.NAT_ADDRESS and not extension.cies:
            client = self.cache.host(packet.src_protocol)
            if client is not None and client.nbma is not None and client.claimed_nbma is not None:
                cie = Cie(0, self.host_length, self.config.mtu, 0, client.nbma, packet.src_protocol)
                return replace(extension, cies=(cie,))
        return extension

    # --- indications ------------------------------------------------------------------------

    def _redirect(self, now: float, data: bytes, from_nbma: IPAddress) -> None:
        """Phase 3 on the hub: `data` came in from `from_nbma` and leaves by the same tunnel;
        tell its sender with a Traffic Indication, at most once per source NBMA and
        destination every redirect timeout."""
        ends = endpoints(data)
        if not self.config.redirect or ends is None:
            return
        source, destination = ends
        self.redirects = {key: until for key, until in self.redirects.items() if until > now}
        if (from_nbma, destination) in self.redirects:
            self.counters.redirects_suppressed += 1
            return
        self.redirects[from_nbma, destination] = now + self.config.redirect_timeout
        indication = Packet(
            PacketType.TRAFFIC_INDICATION,
            self.config.nbma,
            self.own,
            source,
            payload=quoted(data),
            extensions=self._authentication(),
        )
        self._send(indication, from_nbma)

    def _error(self, incoming: Incoming, code: ErrorCode, offset: int = 0) -> None:
        """An Error Indication to the offending packet's sender (never for another one)."""
        offending = incoming.packet
        if offending.type is PacketType.ERROR_INDICATION:
            return
        self._debug(
            f"NHRP: {offending.type.ios_name} from {offending.src_protocol}: "
            f"{debug.code_text(code, debug.ERROR_CODES)}",
            debug.ERROR,
        )
        indication = Packet(
            PacketType.ERROR_INDICATION,
            self.config.nbma,
            self.own,
            offending.src_protocol,
            request_id=error_request_id(code, offset),
            payload=incoming.wire,
            extensions=self._authentication(),
        )
        self._send(indication, incoming.nbma)

    def _purge_requesters(self, entry: CacheEntry) -> None:
        """Tell everyone we answered about `entry` to forget it."""
        cie = Cie(
            0,
            entry.target.prefixlen,
            self.config.mtu,
            0,
            self.config.nbma,
            entry.target.network_address,
        )
        for requester in entry.requesters:
            purge = Packet(
                PacketType.PURGE_REQUEST,
                self.config.nbma,
                self.own,
                requester.protocol,
                request_id=self._next_request_id(),
                cies=(cie,),
                extensions=self._extensions(),
            )
            self._send(purge, requester.nbma)
