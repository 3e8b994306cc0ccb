"""What IOS's crypto `show` commands print, as small frozen records the formatters read.

The views hold what a router knows about its live SAs in the terms IOS prints them: tunnel
ids, SPIs, message ids, counters, remaining lifetimes. The lab fills them from the IKE engine
and the ESP SAs (`esp_sa_view` does the ESP half); the formatters in this package never see
engine objects, so the same output serves the lab, the daemon and the tests.

Algorithms are IANA numbers (`pyike.codec.registry`); the formatters turn them into IOS's
names. Key lengths are the negotiated Key Length attribute, None when the cipher has none.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId
from pyike.codec.udp_encap import IKE_PORT
from pyike.config.defaults import MAX_IN_NEGOTIATION
from pyike.config.query import TrafficSelector
from pyike.ipsec.sa import InboundCounters, InboundEspSa, OutboundCounters, OutboundEspSa

IPAddress = IPv4Address | IPv6Address


class IkeSaState(enum.Enum):
    """The Status column of `show crypto ikev2 sa`."""

    READY = "READY"
    IN_NEG = "IN-NEG"
    DELETE = "DELETE"


class NatState(enum.Enum):
    """What NAT detection found, as the `NAT-T is ...` line says it."""

    NOT_DETECTED = "not detected"
    INSIDE = "detected inside"  # this router is behind the NAT
    OUTSIDE = "detected outside"  # the peer is


@dataclass(frozen=True)
class IkeSaView:
    """One IKE SA: a row of `show crypto ikev2 sa` and its detailed lines."""

    tunnel_id: int
    local: IPAddress
    remote: IPAddress
    state: IkeSaState
    encryption: EncrId
    key_bits: int | None
    prf: PrfId
    integrity: IntegId | None  # None with an AEAD cipher (IOS: "Hash: None")
    dh_group: DhId
    lifetime: int  # configured seconds
    active_time: int  # seconds since the SA was established
    local_spi: int
    remote_spi: int
    local_id: str
    remote_id: str
    initiator: bool
    ce_id: int = 0
    session_id: int = 0
    local_port: int = IKE_PORT
    remote_port: int = IKE_PORT
    fvrf: str | None = None
    ivrf: str | None = None
    auth_sign: str = "PSK"
    auth_verify: str = "PSK"
    status_description: str = "Negotiation done"
    local_req_msg_id: int = 0
    remote_req_msg_id: int = 0
    local_next_msg_id: int = 0
    remote_next_msg_id: int = 0
    local_req_queued: int = 0
    remote_req_queued: int = 0
    local_window: int = 5
    remote_window: int = 5
    dpd_interval: int = 0
    dpd_retry: int = 0
    dpd_mode: str | None = None  # "on-demand" | "periodic": the session's capability D
    fragmentation: bool = False  # `crypto ikev2 fragmentation` configured
    fragmentation_mtu: int | None = None  # IETF fragmentation agreed: the MTU in use for IKE
    nat: NatState = NatState.NOT_DETECTED

    @property
    def remaining(self) -> int:
        return max(self.lifetime - self.active_time, 0)


@dataclass(frozen=True)
class ChildSaView:
    """A child SA as `show crypto ikev2 session` lists it under its IKE SA."""

    local_selector: TrafficSelector
    remote_selector: TrafficSelector
    spi_in: int
    spi_out: int
    encryption: EncrId
    key_bits: int | None
    integrity: IntegId | None
    mode: str = "tunnel"


def _session_status(ike_up: bool, ipsec_up: bool, negotiating: bool) -> str:
    """The status IOS gives a session with a peer, from whether an IKE SA is up, whether an
    IPsec SA is, and whether an IKE SA is being negotiated."""
    if ike_up:
        return "UP-ACTIVE" if ipsec_up else "UP-IDLE"
    if ipsec_up:
        return "UP-NO-IKE"
    return "DOWN-NEGOTIATING" if negotiating else "DOWN"


@dataclass(frozen=True)
class IkeSessionView:
    """An IKEv2 session: the IKE SAs with one peer (two during a rekey) and their child SAs."""

    session_id: int
    ike_sas: tuple[IkeSaView, ...]
    children: tuple[ChildSaView, ...] = ()

    @property
    def status(self) -> str:
        ready = any(sa.state is IkeSaState.READY for sa in self.ike_sas)
        return _session_status(ready, bool(self.children), bool(self.ike_sas))


# --- IPsec SAs ------------------------------------------------------------------------------


class EspSaStatus(enum.Enum):
    """The `Status:` line of an ESP SA.

    IOS prints the SA's state and, in brackets, its high-availability role. pyike has no
    HA, so the role repeats the state. An SA that a rekey replaced keeps carrying in-flight
    packets until its delete; pyike shows it as PENDING-DELETE (the wording is pyike's
    reading of IOS's SA states, not a sample of IOS output).
    """

    ACTIVE = "ACTIVE(ACTIVE)"
    PENDING_DELETE = "PENDING-DELETE(PENDING-DELETE)"


@dataclass(frozen=True)
class EspSaView:
    """One inbound or outbound ESP SA under `inbound esp sas:` / `outbound esp sas:`."""

    spi: int
    encryption: EncrId
    key_bits: int | None
    integrity: IntegId | None
    conn_id: int
    crypto_map: str
    remaining_kilobytes: int
    remaining_seconds: int
    iv_size: int
    replay_detection: bool = True
    # IOS-XE prints the anti-replay window beside `replay detection support`; None: as IOS
    # 15.1 (the seed), without it.
    replay_window: int | None = None
    mode: str = "Tunnel"  # "Tunnel" | "Transport"
    flow_id: int | None = None  # None: same as conn_id
    flow_prefix: str = "SW"  # software crypto engine
    sibling_flags: int = 0x80000040
    status: EspSaStatus = EspSaStatus.ACTIVE
    packets: int = 0  # this SA's own: encrypted (outbound) or decrypted (inbound)
    last_sequence: int = 0  # inbound: the highest sequence number it accepted

    @property
    def flow_number(self) -> int:
        """The flow_id IOS shows (`SW:5`), which numbers the SA's crypto engine connection."""
        return self.conn_id if self.flow_id is None else self.flow_id


@dataclass(frozen=True)
class FlowCounters:
    """The `#pkts` counters of one flow, summed over every SA the flow has had."""

    encaps: int = 0  # encrypt and digest count the same packets
    decaps: int = 0  # decrypt and verify too
    send_errors: int = 0
    recv_errors: int = 0
    # `detail` breaks the errors down:
    no_sa_send: int = 0
    invalid_sa_recv: int = 0
    invalid_identity_recv: int = 0
    encaps_failed_send: int = 0
    decaps_failed_recv: int = 0
    verify_failed: int = 0
    invalid_len_recv: int = 0
    replay_failed_recv: int = 0
    replay_rollover_send: int = 0
    replay_rollover_recv: int = 0
    # not printed by IOS: what the SAs' volume lifetimes count (metrics, JSON)
    encaps_octets: int = 0
    decaps_octets: int = 0


@dataclass(frozen=True)
class Ident:
    """`(addr/mask/prot/port)`: a network, an IP protocol (IOS shows 256 for a VTI's `any`)
    and a port (0: any)."""

    network: IPv4Network | IPv6Network
    protocol: int = 0
    port: int = 0


@dataclass(frozen=True)
class IpsecFlowView:
    """One protected flow of an interface: its idents, peer, counters and SAs."""

    local_ident: Ident
    remote_ident: Ident
    peer: IPAddress
    local_endpoint: IPAddress
    counters: FlowCounters = field(default_factory=FlowCounters)
    peer_port: int = IKE_PORT
    protected_vrf: str | None = None
    flags: str = "origin_is_acl,"
    path_mtu: int = 1500
    ip_mtu: int = 1500
    ip_mtu_idb: str = "Ethernet0/0"
    plaintext_mtu: int | None = None  # IOS-XE and later 15.x print it first; None: as the seed
    pfs_group: DhId | None = None  # the group of the last CREATE_CHILD_SA KE, if any
    inbound: tuple[EspSaView, ...] = ()  # oldest first
    outbound: tuple[EspSaView, ...] = ()

    @property
    def current_outbound_spi(self) -> int:
        active = [sa for sa in self.outbound if sa.status is EspSaStatus.ACTIVE]
        if active:
            return active[-1].spi
        return self.outbound[-1].spi if self.outbound else 0


@dataclass(frozen=True)
class IpsecInterfaceView:
    """`interface: Tunnel0` and the flows protected through its crypto map."""

    interface: str
    crypto_map_tag: str
    local_address: IPAddress
    flows: tuple[IpsecFlowView, ...] = ()


# --- show crypto sockets ----------------------------------------------------------------------


@dataclass(frozen=True)
class CryptoSocketView:
    """A protected tunnel's crypto socket toward one peer: open while an IPsec SA is up."""

    interface: str
    local: IPAddress
    peer: IPAddress
    local_ident: Ident
    remote_ident: Ident
    profile: str  # the IPsec profile of `tunnel protection ipsec profile NAME`
    open: bool
    shared: bool = False  # `tunnel protection ... shared`


@dataclass(frozen=True)
class SocketListener:
    """A protected tunnel listening for its sockets: its IPsec profile and crypto map tag."""

    profile: str
    map_name: str


# --- show crypto session ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionIkeSa:
    """An IKE SA line of `show crypto session`."""

    local: IPAddress
    remote: IPAddress
    active: bool
    conn_id: int = 0
    remaining_seconds: int = 0
    capabilities: str = ""  # IOS codes: D (DPD), N (NAT-T), F (fragmentation) ...
    local_port: int = IKE_PORT
    remote_port: int = IKE_PORT
    version: str = "IKEv2"


@dataclass(frozen=True)
class SessionFlow:
    """An `IPSEC FLOW:` of a crypto session, with the SA pair counts and lifetimes."""

    local: Ident
    remote: Ident
    active_sas: int
    origin: str = "crypto map"
    decrypted: int = 0
    decrypt_drops: int = 0
    encrypted: int = 0
    encrypt_drops: int = 0
    remaining_kilobytes: int = 0
    remaining_seconds: int = 0


@dataclass(frozen=True)
class CryptoSessionView:
    """One peer's crypto session on an interface."""

    interface: str
    peer: IPAddress
    ike_sas: tuple[SessionIkeSa, ...] = ()
    flows: tuple[SessionFlow, ...] = ()
    peer_port: int = IKE_PORT
    negotiating: bool = False  # an IKE SA is being negotiated with this peer
    profile: str | None = None
    uptime_seconds: int | None = None
    session_id: int = 0
    phase1_id: str | None = None
    description: str | None = None
    fvrf: str | None = None
    ivrf: str | None = None

    @property
    def status(self) -> str:
        ike_up = any(sa.active for sa in self.ike_sas)
        ipsec_up = any(f.active_sas > 0 for f in self.flows)
        return _session_status(ike_up, ipsec_up, self.negotiating or bool(self.ike_sas))


# --- show crypto ikev2 stats ------------------------------------------------------------------


@dataclass(frozen=True)
class Ikev2Stats:
    """`show crypto ikev2 stats`."""

    incoming_sas: int = 0
    incoming_active: int = 0
    incoming_negotiating: int = 0
    outgoing_sas: int = 0
    outgoing_active: int = 0
    outgoing_negotiating: int = 0
    incoming_requests: int = 0
    incoming_accepted: int = 0
    incoming_rejected: int = 0
    outgoing_requests: int = 0
    outgoing_accepted: int = 0
    outgoing_rejected: int = 0
    rejected_requests: int = 0
    rejected_resource_low: int = 0
    rejected_sa_limit: int = 0
    dropped_at_dispatch: int = 0
    dropped_low_queue: int = 0
    cookie_challenged: int = 0
    cookie_accepted: int = 0
    cookie_rejected: int = 0
    cookie_rejected_no_cookie: int = 0
    deleted_cert_revoked: int = 0
    system_resource_limit: int = 0
    max_sas: int = 0  # 0: no limit
    max_in_negotiation_in: int = MAX_IN_NEGOTIATION[0]
    max_in_negotiation_out: int = MAX_IN_NEGOTIATION[1]


@dataclass(frozen=True)
class MessageCounts:
    """Requests and responses sent and received, for one exchange or notify."""

    tx_request: int = 0
    tx_response: int = 0
    rx_request: int = 0
    rx_response: int = 0

    @property
    def total(self) -> int:
        return self.tx_request + self.tx_response + self.rx_request + self.rx_response


@dataclass(frozen=True)
class Ikev2ExchangeStats:
    """`show crypto ikev2 stats exchange`. Keys are IOS's names: IKE_SA_INIT, IKE_AUTH,
    CREATE_CHILD_SA_IKE_REKEY, ...; notifies by their RFC 7296 names (NO_PROPOSAL_CHOSEN,
    NAT_DETECTION_SOURCE_IP, ...; IOS says DPD for an empty INFORMATIONAL)."""

    exchanges: dict[str, MessageCounts] = field(default_factory=dict)
    error_notifies: dict[str, MessageCounts] = field(default_factory=dict)
    other_notifies: dict[str, MessageCounts] = field(default_factory=dict)
    config_payloads: dict[str, tuple[int, int]] = field(default_factory=dict)  # (tx, rx)
    other_counters: dict[str, int] = field(default_factory=dict)  # NAT_INSIDE, NO_NAT, ...


# --- from the data plane ----------------------------------------------------------------------


def esp_sa_view(
    sa: InboundEspSa | OutboundEspSa,
    *,
    encryption: EncrId,
    key_bits: int | None,
    integrity: IntegId | None,
    conn_id: int,
    crypto_map: str,
    lifetime_kilobytes: int,
    remaining_seconds: int,
    status: EspSaStatus = EspSaStatus.ACTIVE,
    replay_window: int | None = None,
) -> EspSaView:
    """The view of a live ESP SA: SPI, IV size, replay and remaining volume from the SA, the
    rest from the child SA that installed it. IOS counts the volume in kilobytes left of
    `lifetime_kilobytes` (or of the SA's hard byte limit when it has one). `replay_window`
    is the SA pair's anti-replay window, which IOS shows on both SAs (an outbound SA keeps
    none); by default an inbound SA's own, and none shown for an outbound one."""
    hard = sa.limits.hard_bytes
    limit_kb = hard // 1024 if hard is not None else lifetime_kilobytes
    used_kb = sa.counters.bytes // 1024
    if replay_window is None and isinstance(sa, InboundEspSa):
        replay_window = sa.replay.size
    replay = replay_window is None or replay_window > 0
    return EspSaView(
        spi=sa.spi,
        encryption=encryption,
        key_bits=key_bits,
        integrity=integrity,
        conn_id=conn_id,
        crypto_map=crypto_map,
        remaining_kilobytes=max(limit_kb - used_kb, 0),
        remaining_seconds=max(remaining_seconds, 0),
        iv_size=sa.transform.iv_size,
        replay_detection=replay,
        replay_window=replay_window if replay else None,
        mode=sa.mode.value,
        status=status,
        packets=sa.counters.packets,
        last_sequence=sa.replay.highest if isinstance(sa, InboundEspSa) else 0,
    )


def flow_counters(
    inbound: tuple[InboundCounters, ...],
    outbound: tuple[OutboundCounters, ...],
    *,
    no_sa_send: int = 0,
    invalid_identity: int = 0,
    invalid_sa: int = 0,
    invalid_len: int = 0,
) -> FlowCounters:
    """A flow's `#pkts` counters summed over its SAs' (IOS keeps them across rekeys, so pass
    the counts of the SAs that were retired too), with the flow's own: packets sent
    without an SA, decrypted outside its selectors, and ESP from its peer that no SA could
    open (`invalid_sa`: unknown SPI; `invalid_len`: shorter than the ESP header)."""
    encaps = sum(c.packets for c in outbound)
    send_failed = sum(c.send_errors for c in outbound)
    decaps = sum(c.packets for c in inbound)
    replay = sum(c.replay_failures for c in inbound)
    integrity = sum(c.integrity_failures for c in inbound)
    malformed = sum(c.malformed for c in inbound)
    spi_mismatches = sum(c.spi_mismatches for c in inbound)
    expired = sum(c.expired for c in inbound)
    own = invalid_identity + invalid_sa + invalid_len  # the flow's, not its SAs'
    return FlowCounters(
        encaps=encaps,
        decaps=decaps,
        encaps_octets=sum(c.bytes for c in outbound),
        decaps_octets=sum(c.bytes for c in inbound),
        send_errors=send_failed + no_sa_send,
        recv_errors=sum(c.recv_errors for c in inbound) + own,
        no_sa_send=no_sa_send,
        invalid_sa_recv=spi_mismatches + invalid_sa,
        invalid_identity_recv=invalid_identity,
        encaps_failed_send=send_failed,
        decaps_failed_recv=expired,
        verify_failed=integrity,
        invalid_len_recv=malformed + invalid_len,
        replay_failed_recv=replay,
    )


__all__ = [
    "IKE_PORT",
    "ChildSaView",
    "CryptoSessionView",
    "EspSaStatus",
    "EspSaView",
    "FlowCounters",
    "Ident",
    "IkeSaState",
    "IkeSaView",
    "IkeSessionView",
    "Ikev2ExchangeStats",
    "Ikev2Stats",
    "IpsecFlowView",
    "IpsecInterfaceView",
    "MessageCounts",
    "NatState",
    "SessionFlow",
    "SessionIkeSa",
    "TrafficSelector",
    "esp_sa_view",
    "flow_counters",
]
