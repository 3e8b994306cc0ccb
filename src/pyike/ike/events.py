"""What the engine tells its caller: endpoints, datagrams to send, and SA events.

The records made for every IKE SA (Datagram, ChildSaInfo, IkeSaUp, ChildSaInstalled, and
trace.PacketTrace) are plain dataclasses, not frozen ones: nothing changes them once made,
and a frozen dataclass's __init__ costs ~1,500 instructions a field (object.__setattr__).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import cached_property

from pyike.codec.registry import EncrId, IntegId, NotifyType
from pyike.codec.udp_encap import IKE_PORT
from pyike.crypto.keys import ChildKeys
from pyike.ike.eap_directory import AaaQuestion
from pyike.traffic_selector import TrafficSelector

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Endpoint:
    address: IPAddress
    port: int = IKE_PORT

    @classmethod
    def of(cls, text: str, port: int = IKE_PORT) -> Endpoint:
        return cls(ipaddress.ip_address(text), port)

    @cached_property
    def host(self) -> str:
        """The address as text: a socket's host, and what the engine's indexes group SAs by
        (worked out once per endpoint: an ipaddress formats itself to hash)."""
        return str(self.address)

    def __str__(self) -> str:
        return f"{self.host}/{self.port}"


@dataclass
class Datagram:
    """A UDP payload to send from ``local`` to ``remote``; on port 4500 it already carries the
    non-ESP marker (RFC 3948)."""

    local: Endpoint
    remote: Endpoint
    data: bytes


@dataclass
class ChildSaInfo:
    """Everything an ESP SA needs. ``spi_in`` is the SPI this side receives with."""

    ike_sa_id: int
    spi_in: bytes
    spi_out: bytes
    encr: EncrId
    encr_key_bits: int | None
    integ: IntegId
    esn: bool
    local_ts: tuple[TrafficSelector, ...]
    remote_ts: tuple[TrafficSelector, ...]
    mode: str
    lifetime_seconds: int
    lifetime_kilobytes: int
    udp_encapsulation: bool
    local: Endpoint
    remote: Endpoint
    pfs_group: int | None
    tunnel: str | None
    initiator: bool
    keys: ChildKeys = field(repr=False)
    replay_window: int | None = None  # None: the ESP layer's default

    @property
    def encr_key_out(self) -> bytes:
        return self.keys.encr_i if self.initiator else self.keys.encr_r

    @property
    def integ_key_out(self) -> bytes:
        return self.keys.integ_i if self.initiator else self.keys.integ_r

    @property
    def encr_key_in(self) -> bytes:
        return self.keys.encr_r if self.initiator else self.keys.encr_i

    @property
    def integ_key_in(self) -> bytes:
        return self.keys.integ_r if self.initiator else self.keys.integ_i


@dataclass
class IkeSaUp:
    now: float
    sa_id: int
    spi_i: bytes
    spi_r: bytes
    local: Endpoint
    remote: Endpoint
    initiator: bool
    local_id: str
    remote_id: str
    profile: str | None
    lifetime: int
    nat_detected: bool
    rekeyed_from: int | None = None


@dataclass(frozen=True)
class IkeSaDown:
    now: float
    sa_id: int
    reason: str
    rekeyed_to: int | None = None


@dataclass
class ChildSaInstalled:
    now: float
    child: ChildSaInfo
    rekey_of: bytes | None = None  # inbound SPI of the child SA this one replaces


@dataclass(frozen=True)
class ChildSaDeleted:
    now: float
    ike_sa_id: int
    spi_in: bytes
    spi_out: bytes
    reason: str


@dataclass(frozen=True)
class ChildSaMoved:
    """Child SAs now belong to another IKE SA (after an IKE SA rekey)."""

    now: float
    spi_in: bytes
    from_sa_id: int
    to_sa_id: int


@dataclass(frozen=True)
class NegotiationFailed:
    """An exchange failed. ``notify`` is the error notify sent or received, if any."""

    now: float
    sa_id: int | None
    remote: Endpoint
    notify: NotifyType | None
    reason: str
    sent: bool = False


@dataclass(frozen=True)
class InitRequestRefused:
    """An IKE_SA_INIT request dropped unanswered: `crypto ikev2 limit max-in-negotiation-sa`
    half-open SAs already exist."""

    now: float
    remote: Endpoint


@dataclass(frozen=True)
class CookieChecked:
    """An IKE_SA_INIT request came back with a cookie while cookies were demanded; ``valid``
    says whether it was one of ours (the request is then admitted; otherwise challenged again)."""

    now: float
    remote: Endpoint
    valid: bool


@dataclass(frozen=True)
class ConsoleAlert:
    """A message the router logs on its console whatever is being debugged (IOS's syslog:
    `%PKI-3-CERTIFICATE_INVALID_EXPIRED: ...`)."""

    now: float
    text: str


@dataclass(frozen=True)
class MessageDropped:
    """An IKE datagram dropped without being acted on (malformed, no IKE SA, out of the
    message ID window, failed integrity, ...): IOS's `IKEv2 packets dropped at dispatch`."""

    now: float
    sa_id: int | None
    reason: str


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ConfigSet:
    """What one side hands the other: an address, its mask, DNS servers, a domain, routes."""

    address: ipaddress.IPv4Address | None = None
    netmask: ipaddress.IPv4Address | None = None
    dns: tuple[IPAddress, ...] = ()
    domain: str | None = None
    routes: tuple[IPNetwork, ...] = ()
    address6: ipaddress.IPv6Network | None = None  # the address with its prefix length

    @property
    def empty(self) -> bool:
        return self == ConfigSet()


@dataclass(frozen=True)
class PeerConfigured:
    """An IKE SA's configuration exchange is done: what this side received (an initiator:
    the reply; a responder: the initiator's routes), the address it lent the peer
    (responder), and the distance at which the routes are installed (None: not accepted)."""

    now: float
    sa_id: int
    tunnel: str | None
    initiator: bool
    received: ConfigSet
    distance: int | None
    lent: ipaddress.IPv4Address | None = None


@dataclass(frozen=True)
class EapRelayRequest:
    """A server profile relays EAP to AAA (`aaa authentication eap LIST` naming a RADIUS
    group): the host sends ``eap`` (the peer's EAP response) for ``identity`` to ``group``
    and answers with `IkeEngine.eap_answer`; the IKE SA waits meanwhile."""

    now: float
    sa_id: int
    profile: str
    group: str
    identity: str
    eap: bytes


@dataclass(frozen=True)
class PskRequest:
    """A profile's keys come from AAA (`keyring aaa LIST` naming a RADIUS group): the host
    asks ``group`` for peer ``identity``'s keys and answers with `IkeEngine.psk_answer`."""

    now: float
    sa_id: int
    profile: str
    group: str
    identity: str


@dataclass(frozen=True)
class AuthorizationRequest:
    """A peer's authorization is asked of AAA (`aaa authorization group|user ... list LIST`,
    LIST naming a RADIUS group): the host sends each question and answers with
    `IkeEngine.authorization_answer`; the IKE_AUTH response waits meanwhile."""

    now: float
    sa_id: int
    profile: str
    questions: tuple[AaaQuestion, ...]


AaaRequest = EapRelayRequest | PskRequest | AuthorizationRequest  # what the host asks AAA


EngineEvent = (
    IkeSaUp
    | IkeSaDown
    | ChildSaInstalled
    | ChildSaDeleted
    | ChildSaMoved
    | NegotiationFailed
    | InitRequestRefused
    | CookieChecked
    | PeerConfigured
    | EapRelayRequest
    | PskRequest
    | AuthorizationRequest
    | MessageDropped
    | ConsoleAlert
)
