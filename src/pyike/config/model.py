"""The typed model of a router configuration: what the IOS commands mean, not how they were typed.

Every object is a frozen dataclass; the parser builds new versions with `dataclasses.replace`.
Transform and group numbers are the IANA values from `pyike.codec.registry`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from enum import Enum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from typing import Any

from pyike.codec.registry import DhId, EncrId, IdType, IntegId, PrfId
from pyike.config.flexvpn_model import FlexvpnConfig, ProfileFlex
from pyike.config.login_model import LoginConfig
from pyike.config.pki_model import KeyPairConfig, PkiCertificateMap, PkiTrustpoint
from pyike.config.radius_model import RadiusConfig
from pyike.config.tracking_model import TrackingConfig
from pyike.crypto import catalogue
from pyike.crypto.catalogue import EncrTransform

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


class Secret:
    """A pre-shared key. Its repr and str never show the value; equality is constant-time."""

    __slots__ = ("_value", "encryption_type")

    def __init__(self, value: str, encryption_type: int = 0) -> None:
        self._value = value
        # 0: clear text; 6: IOS AES-encrypted form (opaque to pyike without the master key).
        self.encryption_type = encryption_type

    def reveal(self) -> str:
        return self._value

    def reveal_bytes(self) -> bytes:
        return self._value.encode("utf-8")

    @property
    def usable(self) -> bool:
        """True when pyike can use the key: type 6 keys need the router's master key."""
        return self.encryption_type == 0

    def __repr__(self) -> str:
        return f"Secret(type={self.encryption_type}, value=<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self.encryption_type == other.encryption_type and hmac.compare_digest(
            self.reveal_bytes(), other.reveal_bytes()
        )

    def __hash__(self) -> int:
        return hash(("Secret", self.encryption_type, len(self._value)))


@dataclass(frozen=True)
class Source:
    """Where an object was defined, for messages that point at a line."""

    file: str
    line: int


# --- IKEv2 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IkeEncryption:
    id: EncrId
    key_bits: int | None
    keyword: str  # as configured and printed: the catalogue's IKE keyword

    @property
    def transform(self) -> EncrTransform:
        transform = catalogue.encryption(self.id, self.key_bits)
        assert transform is not None, self.keyword
        return transform

    @property
    def is_aead(self) -> bool:
        return self.transform.is_aead


@dataclass(frozen=True)
class Proposal:
    name: str
    encryption: tuple[IkeEncryption, ...] = ()
    integrity: tuple[IntegId, ...] = ()
    prf: tuple[PrfId, ...] = ()
    groups: tuple[DhId, ...] = ()
    source: Source | None = None

    @property
    def is_aead(self) -> bool:
        return any(e.is_aead for e in self.encryption)


@dataclass(frozen=True)
class Policy:
    name: str
    proposals: tuple[str, ...] = ()
    match_local: tuple[IPAddress, ...] = ()  # empty: any local address
    match_fvrf: str | None = None  # None: global routing table; "any": every VRF
    source: Source | None = None


class IdentityKind(Enum):
    ADDRESS = "address"
    FQDN = "fqdn"
    EMAIL = "email"
    KEY_ID = "key-id"
    DN = "dn"  # `identity local dn`: the subject of the router's certificate
    ANY = "any"  # `match identity remote any`: every identity

    @property
    def id_type_for(self) -> tuple[IdType, ...]:
        return _ID_TYPES[self]


_ID_TYPES = {
    IdentityKind.ADDRESS: (IdType.ID_IPV4_ADDR, IdType.ID_IPV6_ADDR),
    IdentityKind.FQDN: (IdType.ID_FQDN,),
    IdentityKind.EMAIL: (IdType.ID_RFC822_ADDR,),
    IdentityKind.KEY_ID: (IdType.ID_KEY_ID,),
    IdentityKind.DN: (IdType.ID_DER_ASN1_DN,),
    IdentityKind.ANY: (),
}


@dataclass(frozen=True)
class Identity:
    """An IKE identity as configured (`identity local fqdn r1.example.com`) or received."""

    kind: IdentityKind
    value: str  # address text normalised by ipaddress for ADDRESS

    @property
    def id_type(self) -> IdType:
        if self.kind is IdentityKind.ADDRESS:
            return IdType.ID_IPV6_ADDR if ":" in self.value else IdType.ID_IPV4_ADDR
        return self.kind.id_type_for[0]

    def __str__(self) -> str:
        return f"{self.kind.value} {self.value}" if self.value else self.kind.value

    @classmethod
    def address(cls, addr: IPAddress) -> Identity:
        return cls(IdentityKind.ADDRESS, str(addr))


@dataclass(frozen=True)
class IdentityMatch:
    """One `match identity remote ...` statement of an IKEv2 profile."""

    kind: IdentityKind
    value: str
    mask: str | None = None  # address matches: the mask as typed (IPv4) or None
    domain: bool = False  # fqdn/email: match the domain part only

    def network(self) -> IPNetwork | None:
        return _network(self.value, self.mask) if self.kind is IdentityKind.ADDRESS else None


@dataclass(frozen=True)
class KeyringPeer:
    name: str
    address: str | None = None  # as typed: "10.0.0.2" or "2001:db8::/32"
    mask: str | None = None
    hostname: str | None = None
    identity: IdentityMatch | None = None
    local_key: Secret | None = None
    remote_key: Secret | None = None
    description: str | None = None
    source: Source | None = None

    def network(self) -> IPNetwork | None:
        return None if self.address is None else _network(self.address, self.mask)


def _network(address: str, mask: str | None) -> IPNetwork:
    """The prefix an address matches as typed: with its IPv4 mask, or as a prefix or host."""
    return ip_network(address if mask is None else f"{address}/{mask}", strict=False)


@dataclass(frozen=True)
class Keyring:
    name: str
    peers: tuple[KeyringPeer, ...] = ()
    source: Source | None = None


@dataclass(frozen=True)
class Dpd:
    interval: int
    retry: int
    mode: str  # "on-demand" | "periodic"


@dataclass(frozen=True)
class EapRemote:
    """How the profile runs EAP with a peer that must authenticate with it (`authentication
    remote eap query-identity`, `... timeout N`): kept; pyike does not do EAP yet."""

    query_identity: bool = False
    timeout: int | None = None  # seconds; None: IOS's default


@dataclass(frozen=True)
class EapLocal:
    """`authentication local eap [METHOD] [username U] [password [0|6] P]`: the credentials
    the router would present as an EAP client; kept, not used."""

    method: str | None = None  # the EAP method: `gtc`, `mschapv2`, ...
    username: str | None = None
    password: Secret | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    match_identities: tuple[IdentityMatch, ...] = ()
    match_local: tuple[IPAddress, ...] = ()
    match_local_interfaces: tuple[str, ...] = ()
    match_fvrf: str | None = None
    local_identity: Identity | None = None
    auth_local: tuple[str, ...] = ()  # "pre-share", "rsa-sig", "ecdsa-sig", "eap"
    auth_remote: tuple[str, ...] = ()
    auth_local_key: Secret | None = None
    auth_remote_key: Secret | None = None
    # Where each `authentication local|remote METHOD` line is: (side, method, source).
    auth_sources: tuple[tuple[str, str, Source], ...] = field(default=(), compare=False)
    keyring: str | None = None
    lifetime: int | None = None  # None: IOS default
    dpd: Dpd | None = None
    nat_keepalive: int | None = None
    description: str | None = None
    source: Source | None = None
    ivrf: str | None = None  # `ivrf NAME`: the inside VRF of the tunnels it brings up
    eap_remote: EapRemote = field(default_factory=EapRemote)  # with "eap" in auth_remote
    eap_local: EapLocal | None = None  # with "eap" as auth_local
    # `pki trustpoint NAME [sign|verify]`: (name, "sign" | "verify" | "" for both), in order
    pki_trustpoints: tuple[tuple[str, str], ...] = ()
    match_certificates: tuple[str, ...] = ()  # `match certificate MAP`
    flex: ProfileFlex = field(default_factory=ProfileFlex)  # FlexVPN (config/flexvpn_model.py)


@dataclass(frozen=True)
class Ikev2Globals:
    dpd: Dpd | None = None
    nat_keepalive: int | None = None
    cookie_challenge: int | None = None
    window: int | None = None
    # `crypto ikev2 limit max-in-negotiation-sa N [incoming|outgoing]`; N alone sets both.
    max_in_negotiation_in: int | None = None
    max_in_negotiation_out: int | None = None
    fragmentation_mtu: int | None = None
    fragmentation: bool = False


# --- IPsec -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EspEncryption:
    id: EncrId
    key_bits: int | None
    keyword: str  # the catalogue's ESP keyword, as configured

    @property
    def transform(self) -> EncrTransform:
        """The catalogue entry, IOS's default key size filled in when none was given."""
        transform = catalogue.esp_encryption_keyword(self.keyword, self.key_bits)
        assert transform is not None, str(self)
        return transform

    @property
    def is_aead(self) -> bool:
        return self.transform.is_aead

    def __str__(self) -> str:
        return self.keyword if self.key_bits is None else f"{self.keyword} {self.key_bits}"


@dataclass(frozen=True)
class EspIntegrity:
    id: IntegId
    keyword: str  # the catalogue's ESP keyword, as configured


@dataclass(frozen=True)
class AhIntegrity:
    """The AH transform of a transform set (`ah-sha-hmac`): kept and shown, never negotiated
    (pyike has no AH, RFC 4302)."""

    id: IntegId
    keyword: str  # the catalogue's AH keyword, as configured


@dataclass(frozen=True)
class TransformSet:
    name: str
    encryption: EspEncryption | None = None
    integrity: EspIntegrity | None = None
    mode: str = "tunnel"
    source: Source | None = None
    ah: AhIntegrity | None = None
    transport_required: bool = False  # `mode transport require`: never fall back to tunnel

    @property
    def mode_text(self) -> str:
        """The mode as the `mode` command sets it: `tunnel`, `transport`, `transport require`."""
        return "transport require" if self.transport_required else self.mode

    @property
    def cipher(self) -> EncrTransform:
        """What the set negotiates for encryption: ENCR_NULL when it names no cipher."""
        return catalogue.ESP_NO_CIPHER if self.encryption is None else self.encryption.transform

    @property
    def esp_text(self) -> str:
        """The ESP transforms as IOS prints them: the cipher (and key size), then integrity."""
        parts = [str(self.encryption)] if self.encryption else []
        if self.integrity:
            parts.append(self.integrity.keyword)
        return " ".join(parts)

    def transforms_text(self) -> str:
        """Every transform as IOS prints the set: AH first, then ESP."""
        return " ".join(t for t in (self.ah.keyword if self.ah else "", self.esp_text) if t)


@dataclass(frozen=True)
class SaLifetime:
    seconds: int | None = None
    kilobytes: int | None = None


@dataclass(frozen=True, kw_only=True)
class IpsecSetCommands:
    """What the `set` commands an IPsec profile and a crypto map entry share configure, and
    `description` (config/commands/ipsec.py registers them once for both)."""

    transform_sets: tuple[str, ...] = ()
    ikev2_profile: str | None = None
    isakmp_profile: str | None = None  # `set isakmp-profile`: what IKEv1 would use
    pfs: DhId | None = None
    lifetime: SaLifetime = field(default_factory=SaLifetime)
    description: str | None = None
    source: Source | None = None


@dataclass(frozen=True)
class IpsecProfile(IpsecSetCommands):
    name: str
    replay_window: int | None = None


@dataclass(frozen=True)
class IpsecGlobals:
    lifetime: SaLifetime = field(default_factory=SaLifetime)
    replay_window: int | None = None
    df_bit: str | None = None  # `crypto ipsec df-bit {copy|set|clear}`; IOS's default: copy
    # `crypto ipsec fragmentation {before|after}-encryption`; IOS's default: before-encryption
    fragmentation: str | None = None
    idle_time: int | None = None  # `crypto ipsec security-association idle-time SECONDS`


@dataclass(frozen=True)
class CryptoMapEntry(IpsecSetCommands):
    map_name: str
    seq: int
    peers: tuple[IPAddress, ...] = ()
    acl: str | None = None
    idle_time: int | None = None  # `set security-association idle-time SECONDS [default]`
    idle_to_default: bool = False  # `default`: the next negotiation goes to the first peer
    # `crypto map NAME SEQ ipsec-isakmp dynamic DYN`: the entry is dynamic map DYN's entries
    dynamic: str | None = None
    reverse_route: bool = False  # `reverse-route`: a static route to each SA's remote selector


@dataclass(frozen=True)
class CryptoMapLocal:
    """`crypto map NAME local-address INTERFACE`: the interface whose address the map's IKE
    and IPsec SAs use (without it, that of the interface the map is applied to)."""

    interface: str
    source: Source | None = None


# --- IKEv1 (read and kept: pyike does not negotiate IKEv1) --------------------------------------


@dataclass(frozen=True)
class IsakmpPolicy:
    """`crypto isakmp policy N`; each setting as IOS prints it, None where the default holds."""

    priority: int
    encryption: str | None = None  # as typed after `encryption`, the key size included
    hash: str | None = None
    authentication: str | None = None
    group: str | None = None
    lifetime: int | None = None
    source: Source | None = None


@dataclass(frozen=True)
class Ikev1Key:
    """An IKEv1 pre-shared key: `crypto isakmp key` or a `crypto keyring` line. `peer` is
    what it applies to as IOS prints it: `address 10.0.0.1 255.255.255.255`, `hostname R2`."""

    key: Secret
    peer: str
    no_xauth: bool = False


@dataclass(frozen=True)
class Ikev1Keyring:
    """`crypto keyring NAME [vrf V]`: IKEv1 keys by peer."""

    name: str
    vrf: str | None = None
    keys: tuple[Ikev1Key, ...] = ()
    extra: tuple[str, ...] = ()  # other sub-commands (local-address, description), as typed
    source: Source | None = None


@dataclass(frozen=True)
class IsakmpProfile:
    """`crypto isakmp profile NAME`: the IKEv1 counterpart of an IKEv2 profile."""

    name: str
    keyrings: tuple[str, ...] = ()
    match_identities: tuple[str, ...] = ()  # what follows `match identity`, as IOS prints it
    extra: tuple[str, ...] = ()  # other sub-commands, as typed
    source: Source | None = None


# --- access lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PortMatch:
    op: str  # "eq", "neq", "gt", "lt", "range"
    ports: tuple[int, ...]
    text: str  # as typed after the operator, e.g. "www" or "1000 2000"

    def range(self) -> tuple[int, int] | None:
        """The matched range as one interval, or None when it is not one (neq)."""
        if self.op == "eq":
            return (self.ports[0], self.ports[0])
        if self.op == "range":
            return (self.ports[0], self.ports[1])
        if self.op == "gt":
            return (self.ports[0] + 1, 65535)
        if self.op == "lt":
            return (0, self.ports[0] - 1)
        return None


@dataclass(frozen=True)
class AclAddress:
    """`any`, `host A` or `A WILDCARD` in an access-list entry."""

    address: IPv4Address
    wildcard: IPv4Address

    @property
    def text(self) -> str:
        if int(self.wildcard) == 0xFFFFFFFF:
            return "any"
        if int(self.wildcard) == 0:
            return f"host {self.address}"
        return f"{self.address} {self.wildcard}"

    def network(self) -> IPv4Network | None:
        """The addresses matched as one prefix, or None for a non-contiguous wildcard."""
        inverted = int(self.wildcard)
        if inverted & (inverted + 1):
            return None
        return IPv4Network(f"{self.address}/{IPv4Address(inverted ^ 0xFFFFFFFF)}", strict=False)


@dataclass(frozen=True)
class AclEntry:
    action: str  # "permit" | "deny"
    protocol: str  # "ip", "tcp", "udp", "icmp", "gre", "esp", "ahp" or a number
    source: AclAddress
    destination: AclAddress
    source_ports: PortMatch | None = None
    destination_ports: PortMatch | None = None
    options: tuple[str, ...] = ()  # "log", "established", icmp type, ...
    sequence: int | None = None
    text: str = ""  # the entry as IOS prints it, from the action on

    @property
    def protocol_number(self) -> int:
        if self.protocol.isdigit():
            return int(self.protocol)
        return PROTOCOL_NUMBERS.get(self.protocol, 0)


PROTOCOL_NUMBERS = {"ip": 0, "icmp": 1, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ahp": 51}


@dataclass(frozen=True)
class AccessList:
    name: str
    numbered: bool
    entries: tuple[AclEntry, ...] = ()
    remarks: tuple[str, ...] = ()
    source: Source | None = None
    standard: bool = False  # a standard ACL: its entries match the source address alone


# --- interfaces and routing ------------------------------------------------------------------


@dataclass(frozen=True)
class Keepalive:
    """GRE keepalives: one every `period` seconds; the line protocol goes down after
    `retries` of them go unanswered."""

    period: int = 10
    retries: int = 3


@dataclass(frozen=True)
class NhrpServer:
    """`ip nhrp nhs ADDRESS [nbma NBMA] [multicast]`: a next hop server the tunnel registers
    with; without `nbma`, an `ip nhrp map ADDRESS NBMA` gives its NBMA address."""

    address: IPv4Address | IPv6Address  # IPv6 under `ipv6 nhrp nhs`
    nbma: IPv4Address | None = None
    multicast: bool = False


@dataclass(frozen=True)
class Nhrp:
    """A tunnel's `ip nhrp` commands (DMVPN). NHRP runs on a multipoint GRE tunnel once it
    has a `network_id`; `None` elsewhere is IOS's default."""

    network_id: int | None = None
    servers: tuple[NhrpServer, ...] = ()
    # `ip nhrp map OVERLAY NBMA`; `ipv6 nhrp map OVERLAY/128 NBMA`
    maps: tuple[tuple[IPv4Address | IPv6Address, IPv4Address], ...] = ()
    multicast: tuple[IPv4Address, ...] = ()  # `ip nhrp map multicast NBMA`
    multicast_dynamic: bool = False  # `ip nhrp map multicast dynamic`
    authentication: Secret | None = None  # sent in clear in every NHRP packet
    holdtime: int | None = None
    registration_timeout: int | None = None
    no_unique: bool = False  # `ip nhrp registration no-unique`
    redirect: bool = False
    redirect_timeout: int | None = None  # `ip nhrp redirect timeout N`
    shortcut: bool = False
    max_send: tuple[int, int] | None = None  # `ip nhrp max-send COUNT every SECONDS`

    @property
    def configured(self) -> bool:
        return self != Nhrp()


TUNNEL_TTL = 255  # IOS's `tunnel ttl` default


@dataclass(frozen=True)
class Interface:
    name: str
    description: str | None = None
    addresses: tuple[tuple[IPv4Address, IPv4Address], ...] = ()  # (address, mask); first primary
    ipv6_addresses: tuple[str, ...] = ()  # "2001:db8::1/64"
    shutdown: bool = False
    ip_mtu: int | None = None
    tunnel_source: str | None = None  # interface name or address
    tunnel_destination: str | None = None
    tunnel_mode: str | None = None  # "ipsec ipv4", "ipsec ipv6", "gre ip", ...
    tunnel_protection: str | None = None
    tunnel_protection_shared: bool = False  # `tunnel protection ipsec profile NAME shared`
    tunnel_key: int | None = None  # `tunnel key N`: the GRE key field (RFC 2890)
    tunnel_ttl: int | None = None  # `tunnel ttl N`: its outer header's TTL (IOS's default: 255)
    keepalive: Keepalive | None = None  # `keepalive [PERIOD [RETRIES]]` on a tunnel
    tcp_adjust_mss: int | None = None  # `ip tcp adjust-mss N`
    crypto_map: str | None = None
    df_bit: str | None = None  # `crypto ipsec df-bit {copy|set|clear}`: its tunnel-mode ESP's
    ipsec_fragmentation: str | None = None  # `crypto ipsec fragmentation ...`: its crypto map's
    extra: tuple[str, ...] = ()  # unmodelled sub-commands, kept verbatim
    source: Source | None = None
    vrf: str | None = None  # `vrf forwarding NAME`; on a tunnel, its inside VRF
    tunnel_vrf: str | None = None  # `tunnel vrf NAME`: the front-door VRF of the tunnel
    address_negotiated: bool = False  # `ip address negotiated`: no address until the peer's
    # `ip address dhcp [OPTIONS]`: OPTIONS ("" for none); the address is a DHCP server's lease
    # (`pyike run`: the bound host device's), in `addresses` once known
    address_dhcp: str | None = None
    type_tunnel: bool = False  # `interface Virtual-Template1 type tunnel`: a dynamic VTI template
    unnumbered: str | None = None  # `ip unnumbered IF`: IF's address serves this interface
    nhrp: Nhrp = field(default_factory=Nhrp)
    nhrp6: Nhrp = field(default_factory=Nhrp)  # `ipv6 nhrp ...`: NHRP for the IPv6 overlay

    @property
    def is_tunnel(self) -> bool:
        return self.name.startswith("Tunnel") or self.type_tunnel

    @property
    def is_gre(self) -> bool:
        """A GRE tunnel (`tunnel mode gre ...`, the default mode of a tunnel interface)."""
        return self.is_tunnel and (self.tunnel_mode or "gre ip").startswith("gre")

    @property
    def is_point_to_point_gre(self) -> bool:
        return self.is_gre and not self.is_multipoint_gre

    @property
    def is_multipoint_gre(self) -> bool:
        """`tunnel mode gre multipoint`: a DMVPN tunnel, its peers found by NHRP."""
        return self.is_gre and "multipoint" in (self.tunnel_mode or "")

    @property
    def outer_version(self) -> int:
        """The IP version a tunnel runs over: 6 for `ipsec ipv6 ...`, `gre [multipoint] ipv6`."""
        return 6 if "ipv6" in (self.tunnel_mode or "").split() else 4

    @property
    def inner_version(self) -> int:
        """The IP version an IPsec tunnel carries: its outer one, unless it is an overlay
        (`tunnel mode ipsec ipv4 v6-overlay`: IPv6 over IPv4, `ipv6 v4-overlay` the reverse)."""
        words = (self.tunnel_mode or "gre ip").split()
        if words[-1].endswith("-overlay"):
            return 6 if words[-1] == "v6-overlay" else 4
        return self.outer_version

    @property
    def primary_address(self) -> IPv4Address | None:
        return self.addresses[0][0] if self.addresses else None

    @property
    def outer_ttl(self) -> int:
        """The TTL (hop limit) of a tunnel's delivery header: `tunnel ttl`, else IOS's 255."""
        return self.tunnel_ttl or TUNNEL_TTL


@dataclass(frozen=True)
class Route:
    prefix: IPNetwork
    mask_text: str | None  # IPv4: the mask as typed
    next_hop: IPAddress | None = None
    interface: str | None = None
    distance: int | None = None
    extra: tuple[str, ...] = ()  # "name X", "permanent", "tag N"
    source: Source | None = None
    vrf: str | None = None  # `ip route vrf NAME ...`; None: the global table
    global_next_hop: bool = False  # `... NEXT-HOP global`: the next hop is in the global table


@dataclass(frozen=True)
class VrfAddressFamily:
    name: str  # "ipv4", "ipv6" or "ipv4 multicast", as `address-family` named it
    extra: tuple[str, ...] = ()  # unmodelled sub-commands (route-target, ...), kept verbatim


@dataclass(frozen=True)
class Vrf:
    """`vrf definition NAME` or the IPv4-only `ip vrf NAME`: a separate routing table."""

    name: str
    rd: str | None = None
    address_families: tuple[VrfAddressFamily, ...] = ()  # `ip vrf`: ipv4, implied
    legacy: bool = False  # defined with `ip vrf`
    description: str | None = None
    extra: tuple[str, ...] = ()  # unmodelled sub-commands (route-target, ...), kept verbatim
    source: Source | None = None


@dataclass(frozen=True)
class UnmodelledBlock:
    """A top-level command pyike accepts but does not model, with its indented sub-lines."""

    lines: tuple[str, ...]
    keyword: str
    source: Source | None = None


@dataclass(frozen=True)
class NotModelled:
    """One line pyike kept without acting on it: in which mode (IOS's name: `config`,
    `config-if`, `config-router`, ...), the command's keywords (`ip nhrp`, `no mop enabled`)."""

    mode: str
    command: str
    line: int


DEFAULT_HOSTNAME = "Router"  # a router's name before any `hostname` command


# IOS's severity levels, by number: `logging buffered informational` is `logging buffered 6`.
SEVERITIES = (
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
)
DEBUGGING = 7


@dataclass(frozen=True)
class LoggingBuffer:
    """`logging buffered [SIZE] [LEVEL]`: the logging buffer `show logging` prints, and the
    most severe level it keeps down to; `no logging buffered` turns it off."""

    enabled: bool = True
    size: int | None = None  # bytes; None: the platform's default (pyike's: show_logging)
    level: int = DEBUGGING


@dataclass(frozen=True)
class Config:
    hostname: str = DEFAULT_HOSTNAME
    proposals: dict[str, Proposal] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    keyrings: dict[str, Keyring] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    ikev2: Ikev2Globals = field(default_factory=Ikev2Globals)
    transform_sets: dict[str, TransformSet] = field(default_factory=dict)
    ipsec_profiles: dict[str, IpsecProfile] = field(default_factory=dict)
    ipsec: IpsecGlobals = field(default_factory=IpsecGlobals)
    crypto_maps: dict[str, tuple[CryptoMapEntry, ...]] = field(default_factory=dict)
    # `crypto dynamic-map NAME SEQ`: entries without a peer, for any peer that authenticates
    dynamic_maps: dict[str, tuple[CryptoMapEntry, ...]] = field(default_factory=dict)
    crypto_map_local: dict[str, CryptoMapLocal] = field(default_factory=dict)  # by map name
    access_lists: dict[str, AccessList] = field(default_factory=dict)
    interfaces: dict[str, Interface] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    vrfs: dict[str, Vrf] = field(default_factory=dict)
    isakmp_policies: dict[int, IsakmpPolicy] = field(default_factory=dict)
    isakmp_keys: tuple[Ikev1Key, ...] = ()
    isakmp_keyrings: dict[str, Ikev1Keyring] = field(default_factory=dict)
    isakmp_profiles: dict[str, IsakmpProfile] = field(default_factory=dict)
    unmodelled: tuple[UnmodelledBlock, ...] = ()
    # Who may log in (config/login_model.py): users, enable secrets, SSH keys, vty lines.
    login: LoginConfig = field(default_factory=LoginConfig)
    flexvpn: FlexvpnConfig = field(default_factory=FlexvpnConfig)  # AAA, pools, policies
    radius: RadiusConfig = field(default_factory=RadiusConfig)  # RADIUS servers and groups
    tracking: TrackingConfig = field(default_factory=TrackingConfig)  # ip sla, track
    logging_buffer: LoggingBuffer = LoggingBuffer()
    # PKI (config/pki_model.py): trustpoints with their chains, certificate maps by name (the
    # entries in sequence order), key pairs from pasted `crypto key generate` lines by label.
    trustpoints: dict[str, PkiTrustpoint] = field(default_factory=dict)
    certificate_maps: dict[str, tuple[PkiCertificateMap, ...]] = field(default_factory=dict)
    key_pairs: dict[str, KeyPairConfig] = field(default_factory=dict)
    # `crypto pki authenticate|enroll TP` lines of a pasted configuration, in order: what the
    # engineer asked of the CA ("authenticate" | "enroll", trustpoint); never written back.
    pki_requests: list[tuple[str, str]] = field(default_factory=list)
    # Smart defaults switched off with `no crypto ikev2 proposal default` and friends:
    # "proposal", "policy", "transform-set", "ipsec-profile".
    disabled_defaults: frozenset[str] = frozenset()
    file: str = "<config>"
    # Every line kept without being acted on, in file order (`config check --verbose`).
    not_modelled: tuple[NotModelled, ...] = ()
    # Unmodelled sub-commands of modelled objects other than interfaces, as typed, by the
    # object's mode and key (`("config-ikev2-profile", "PROF")`), so `config show` prints them.
    kept_sub_commands: dict[tuple[str, Any], tuple[str, ...]] = field(default_factory=dict)

    def map_entries(self) -> list[CryptoMapEntry]:
        """Every crypto map's and dynamic map's entries."""
        maps = (*self.crypto_maps.values(), *self.dynamic_maps.values())
        return [entry for entries in maps for entry in entries]

    @property
    def has_ikev1(self) -> bool:
        """Whether IKEv1 is configured (policies, keys, keyrings or profiles of its own)."""
        return bool(
            self.isakmp_policies or self.isakmp_keys or self.isakmp_keyrings or self.isakmp_profiles
        )
