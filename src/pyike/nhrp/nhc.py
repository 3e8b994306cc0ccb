"""The next hop client: registering with each NHS, resolving overlay addresses (phase 2)
and, on a Traffic Indication, shortcuts (phase 3), and what a client does with purges.

Registration: a Registration Request to each NHS at start, then every registration interval
(a third of the hold time unless `ip nhrp registration timeout`); an unanswered request is
sent again after 1 s, then 2, 4, ... up to 64 s. Resolution: a Resolution Request to the NHS
(the first one answering), an incomplete (negative) entry meanwhile, retried after 2 s,
4, 8 ... while the incomplete entry lives (3 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network

from pyike.nhrp import debug
from pyike.nhrp.cache import CacheEntry, EntryFlag, EntryType, host_network
from pyike.nhrp.codec import (
    Cie,
    CieCode,
    CieExtension,
    ExtensionType,
    IPAddress,
    IPNetwork,
    Packet,
    PacketType,
    PurgeFlag,
    RegistrationFlag,
    ResolutionFlag,
)
from pyike.nhrp.config import NhsServer
from pyike.nhrp.core import NhrpCore
from pyike.nhrp.ippacket import endpoints

FIRST_RETRY = 1.0
MAX_RETRY = 64.0
RESOLUTION_RETRY = 2.0
INCOMPLETE_HOLD = 180.0  # seconds an incomplete (negative) entry stays
REFRESH_WINDOW = 120.0  # a used resolved entry is resolved again this long before it expires
REQUEST_FLAGS = (
    ResolutionFlag.ROUTER
    | ResolutionFlag.AUTHORITATIVE
    | ResolutionFlag.SOURCE_STABLE
    | ResolutionFlag.NAT
)


@dataclass
class Registration:
    """One NHS as this client sees it, for `show ip nhrp nhs` and `show dmvpn detail`."""

    server: NhsServer
    nbma: IPAddress
    next_send: float
    retry: float = FIRST_RETRY
    request_id: int | None = None  # the request waiting for its reply
    replied_at: float | None = None
    up_since: float | None = None  # first reply since it last stopped answering
    requests: int = 0
    failures: int = 0
    replies: int = 0

    def responding(self, now: float, holdtime: int) -> bool:
        """Answered recently enough that the NHS still holds our registration."""
        return self.replied_at is not None and now - self.replied_at < holdtime


@dataclass
class Resolution:
    target: IPAddress
    nhs: IPAddress
    next_retry: float
    gives_up_at: float  # when the incomplete entry, or the entry being refreshed, expires
    request_id: int = 0
    retry: float = RESOLUTION_RETRY
    shortcut: bool = False  # started by a Traffic Indication: install routes


class ClientSide(NhrpCore):
    def _init_client(self, now: float) -> None:
        self.registrations: list[Registration] = []
        self.resolutions: dict[IPAddress, Resolution] = {}
        self.nat_nbma: IPAddress | None = None  # our NBMA as the NHS saw it, behind a NAT
        for server in self.config.nhs:
            nbma = self.config.nhs_nbma(server)
            assert nbma is not None  # NhrpConfig refuses an NHS without one
            self.registrations.append(Registration(server, nbma, now))

    # --- registration ---------------------------------------------------------------------

    def _send_registration(self, now: float, registration: Registration) -> None:
        if registration.request_id is not None:
            registration.failures += 1
            registration.retry = min(registration.retry * 2, MAX_RETRY)
        registration.request_id = self._next_request_id()
        registration.requests += 1
        registration.next_send = now + registration.retry
        server = registration.server
        flags = RegistrationFlag.NAT | (RegistrationFlag.UNIQUE if self.config.unique else 0)
        nat = Cie(0, self.host_length, self.config.mtu, 0, registration.nbma, server.address)
        packet = self._request(
            PacketType.REGISTRATION_REQUEST, server.address, flags, registration.request_id, (nat,)
        )
        self._send(packet, registration.nbma)

    def _request(
        self, kind: PacketType, target: IPAddress, flags: int, request_id: int, nat: tuple[Cie, ...]
    ) -> Packet:
        """A request from this client about `target`: one CIE offering our hold time."""
        return Packet(
            kind,
            self.config.nbma,
            self.own,
            target,
            flags=flags,
            request_id=request_id,
            cies=(Cie(0, self.host_length, self.config.mtu, self.config.holdtime),),
            extensions=self._extensions(nat=nat),
        )

    def _registration_reply(self, now: float, packet: Packet) -> None:
        registration = next(
            (r for r in self.registrations if r.request_id == packet.request_id), None
        )
        if registration is None:
            self._debug(f"NHRP: Registration Reply with unknown request id {packet.request_id}")
            return
        refused = [cie.code for cie in packet.cies if cie.code != CieCode.SUCCESS]
        if refused:
            self._syslog(
                "%NHRP-3-PAKREPLY: Receive Registration Reply packet with error - "
                + debug.code_text(refused[0])
            )
            return  # sent again when its retry comes
        if not registration.responding(now, self.config.holdtime):
            registration.up_since = now
        registration.request_id = None
        registration.retry = FIRST_RETRY
        registration.replied_at = now
        registration.replies += 1
        registration.next_send = now + self.config.registration_interval
        self._learn_nat(packet)

    def _learn_nat(self, packet: Packet) -> None:
        """The NHS adds a second CIE to the NAT extension when our packets came through a NAT:
        the address it saw."""
        nat = packet.extension(ExtensionType.NAT_ADDRESS)
        if isinstance(nat, CieExtension) and len(nat.cies) > 1 and nat.cies[1].nbma is not None:
            self.nat_nbma = nat.cies[1].nbma

    def _nhs_nbma(self, now: float) -> IPAddress | None:
        """Where resolution requests go: the first NHS answering, else the first configured."""
        answering = [r for r in self.registrations if r.responding(now, self.config.holdtime)]
        candidates = answering or self.registrations
        return candidates[0].nbma if candidates else None

    # --- resolution -----------------------------------------------------------------------

    def _start_resolution(
        self, now: float, target: IPAddress, shortcut: bool, until: float | None = None
    ) -> bool:
        """Resolve `target` through the NHS unless it is being resolved (a refresh gives up
        at `until`, a new resolution when its incomplete entry expires); False without an
        NHS."""
        if target in self.resolutions:
            return True
        nhs = self._nhs_nbma(now)
        if nhs is None:
            return False
        gives_up_at = now + INCOMPLETE_HOLD if until is None else until
        resolution = Resolution(target, nhs, now, gives_up_at, shortcut=shortcut)
        self.resolutions[target] = resolution
        if until is None and self.cache.host(target) is None:
            incomplete = CacheEntry(
                host_network(target),
                target,
                None,
                EntryType.INCOMPLETE,
                now,
                now + INCOMPLETE_HOLD,
                {EntryFlag.NEGATIVE},
            )
            self.cache.put(incomplete)
        self._send_resolution(now, resolution)
        return True

    def _send_resolution(self, now: float, resolution: Resolution) -> None:
        resolution.request_id = self._next_request_id()
        resolution.next_retry = now + resolution.retry
        resolution.retry *= 2
        packet = self._request(
            PacketType.RESOLUTION_REQUEST,
            resolution.target,
            REQUEST_FLAGS,
            resolution.request_id,
            nat=(),
        )
        self._send(packet, resolution.nhs)

    def _resolution_reply(self, now: float, packet: Packet, from_nbma: IPAddress) -> None:
        resolution = next(
            (r for r in self.resolutions.values() if r.request_id == packet.request_id), None
        )
        if resolution is None or packet.dst_protocol != resolution.target:
            self._debug(f"NHRP: Resolution Reply with unknown request id {packet.request_id}")
            return
        answer = packet.cies[0] if packet.cies else None
        if answer is None or answer.code != CieCode.SUCCESS or answer.protocol is None:
            code = answer.code if answer else CieCode.NO_BINDING
            self._debug(f"NHRP: Resolution Reply for {resolution.target}: {debug.code_text(code)}")
            return  # the incomplete entry stays as the negative answer until it expires
        del self.resolutions[resolution.target]
        self._install_answer(now, resolution, answer, self._answer_nbma(packet, answer, from_nbma))

    def _answer_nbma(self, packet: Packet, answer: Cie, from_nbma: IPAddress) -> IPAddress:
        """The responder's NBMA: from the NAT extension when a NAT stands in between, else
        the one it claims (or, with no claim, where the reply came from)."""
        nat = packet.extension(ExtensionType.NAT_ADDRESS)
        if isinstance(nat, CieExtension):
            for cie in nat.cies:
                if cie.protocol == answer.protocol and cie.nbma is not None:
                    return cie.nbma
        return answer.nbma or from_nbma

    def _install_answer(
        self, now: float, resolution: Resolution, answer: Cie, nbma: IPAddress
    ) -> None:
        assert answer.protocol is not None
        next_hop = answer.protocol
        expires = now + (answer.holding_time or self.config.holdtime)
        prefix = min(answer.prefix_length or self.host_length, self.host_length)
        target = ip_network(f"{resolution.target}/{prefix}", strict=False)
        incomplete = self.cache.host(resolution.target)
        if incomplete is not None and incomplete.type is EntryType.INCOMPLETE:
            self.cache.remove(incomplete.target)
        for network, flags in self._answer_entries(target, next_hop):
            old = self.cache.get(network)
            same = old is not None and (old.next_hop, old.nbma) == (next_hop, nbma)
            created = old.created if old is not None and same else now
            if old is not None and same:
                flags |= old.flags & {EntryFlag.RIB, EntryFlag.NHO}  # the route stands
            elif old is not None:
                self._unroute(old)
            entry = CacheEntry(network, next_hop, nbma, EntryType.DYNAMIC, created, expires, flags)
            self._store(entry)
            if resolution.shortcut and self.config.shortcut:
                self._route(entry)

    def _answer_entries(
        self, target: IPNetwork, next_hop: IPAddress
    ) -> list[tuple[IPNetwork, set[EntryFlag]]]:
        """The responder's own address (a next hop) and, when wider, the prefix it answered."""
        hop = host_network(next_hop)
        entries = [(hop, {EntryFlag.ROUTER, EntryFlag.NHOP})]
        if target != hop:
            entries.append((target, {EntryFlag.ROUTER}))
        return entries

    # --- indications and purges --------------------------------------------------------------

    def _traffic_indication(self, now: float, packet: Packet) -> None:
        """Phase 3: the hub forwarded a packet of ours back out its tunnel; with `ip nhrp
        shortcut`, resolve the packet's destination for a direct path."""
        ends = endpoints(packet.payload)
        if ends is None:
            self._debug("NHRP: Traffic Indication without an IP packet", debug.ERROR)
            return
        destination = ends[1]
        if not self.config.shortcut:
            return
        known = self.cache.covering(destination)
        if known is not None and known.routed:
            return
        self._start_resolution(now, destination, shortcut=True)

    def _purge_request(self, now: float, packet: Packet, from_nbma: IPAddress) -> None:
        """Forget what the purging router told us about the prefixes in its CIEs."""
        for cie in packet.cies:
            base = cie.protocol or packet.src_protocol
            prefix = min(cie.prefix_length or self.host_length, self.host_length)
            purged = ip_network(f"{base}/{prefix}", strict=False)
            for entry in list(self.cache):
                stale = entry.target.overlaps(purged) and entry.nbma == packet.src_nbma
                if stale and entry.type is EntryType.DYNAMIC:
                    self._drop(entry)
        if not packet.flags & PurgeFlag.NO_REPLY:
            reply = Packet(
                PacketType.PURGE_REPLY,
                packet.src_nbma,
                packet.src_protocol,
                packet.dst_protocol,
                flags=packet.flags,
                request_id=packet.request_id,
                cies=packet.cies,
                extensions=self._extensions(),
            )
            self._send(reply, from_nbma)

    # --- timers ---------------------------------------------------------------------------

    def _client_deadline(self) -> float | None:
        times = [r.next_send for r in self.registrations]
        times += [min(r.next_retry, r.gives_up_at) for r in self.resolutions.values()]
        times += [t for t in (self._refresh_time(e) for e in self.cache) if t is not None]
        return min(times, default=None)

    def _client_timers(self, now: float) -> None:
        for registration in self.registrations:
            if registration.next_send <= now:
                self._send_registration(now, registration)
        for target, resolution in list(self.resolutions.items()):
            if resolution.gives_up_at <= now:
                del self.resolutions[target]
            elif resolution.next_retry <= now:
                self._send_resolution(now, resolution)
        for entry in list(self.cache):
            refresh = self._refresh_time(entry)
            if refresh is not None and refresh <= now:
                self._refresh(now, entry)

    def _refresh_time(self, entry: CacheEntry) -> float | None:
        """When a resolved entry that carried traffic is asked for again before it expires
        (a next hop's own entry is renewed with the wider prefix it leads to, if any)."""
        resolved = entry.type is EntryType.DYNAMIC and EntryFlag.ROUTER in entry.flags
        if not resolved or entry.expires is None or entry.refreshing:
            return None
        if EntryFlag.USED not in entry.flags or entry.flags & {EntryFlag.LOCAL, EntryFlag.IMPLICIT}:
            return None
        if EntryFlag.NHOP in entry.flags and self._leads_wider(entry):
            return None
        window = min(REFRESH_WINDOW, (entry.expires - entry.created) / 3)
        return entry.expires - window

    def _leads_wider(self, hop: CacheEntry) -> bool:
        return any(e is not hop and e.next_hop == hop.next_hop for e in self.cache)

    def _refresh(self, now: float, entry: CacheEntry) -> None:
        entry.refreshing = True
        entry.flags.discard(EntryFlag.USED)
        assert entry.expires is not None
        self._start_resolution(now, entry.target.network_address, entry.routed, entry.expires)
