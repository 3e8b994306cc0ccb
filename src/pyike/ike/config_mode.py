"""The configuration exchange (RFC 7296 section 3.15) as IOS's FlexVPN runs it inside
IKE_AUTH: the initiator's CFG_REQUEST asks for an address (`ip address negotiated`) and
carries its own routes (its authorization policy's `route set`); the responder, once the
peer is authorized (`aaa authorization group ... list LIST POLICY`), answers CFG_REPLY with
an address from the policy's pool, DNS servers, the default domain and its routes. Each side
then installs what it received (`PeerConfigured`); the host withdraws it with the IKE SA.

Attributes: INTERNAL_IP4_ADDRESS, NETMASK, DNS, SUBNET and their IPv6 counterparts (RFC 7296
3.15.1); the default domain travels in Cisco's private attribute 28674, which strongSwan's
`src/libstrongswan/utils/attributes.h` names UNITY_DEF_DOMAIN (IOS keeps Cisco Unity's number
for it under IKEv2).

IOS's initiator sends a CFG_REQUEST in every IKE_AUTH, FlexVPN or not (the seed's plain
static VTI does): besides what its configuration asks, the same default set each time (IOS's
`CISCO_ASKED` below); `no config-exchange request` suppresses it. A responder without an
authorization policy ignores the request and answers no CFG_REPLY, as the seed's Router2 does.

The engine asks its policy's `authorization` (an `Authorizer`) what to request and what to
grant; without one, IKE_AUTH carries no CFG payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_network,
)
from typing import TYPE_CHECKING, Protocol

from pyike import __version__
from pyike.codec import CfgAttribute, CpPayload, Payload
from pyike.codec.registry import CfgAttributeType, CfgType
from pyike.ike.eap_directory import AaaQuestion, AuthorizationAnswer
from pyike.ike.events import ConfigSet, IPNetwork, PeerConfigured

if TYPE_CHECKING:
    from pyike.ike.ike_sa import IkeSa
    from pyike.ike.policy import Identity

UNITY_DEF_DOMAIN = 28674  # Cisco's default domain attribute (strongSwan: UNITY_DEF_DOMAIN)
CISCO_BANNER = 28672
CISCO_SPLIT_DNS = 28675
CISCO_BACKUP_GATEWAY = 28681
CISCO_CONFIG_URL = 28692
_T = CfgAttributeType

# The empty attributes IOS's initiator asks for in every CFG_REQUEST, in its order: the seed
# (IOS 15, an IPv4 tunnel) asks two DNS servers, two NBNS servers and a subnet, then sends its
# application version and asks the Cisco attributes IOS-XE's debug names split-dns, banner,
# config-url, backup-gateway and def-domain; IOS-XE 16.7 over an IPv6 tunnel sends the
# version and the Cisco attributes alone.
IPV4_ASKED = (_T.INTERNAL_IP4_DNS, _T.INTERNAL_IP4_DNS, _T.INTERNAL_IP4_NBNS, _T.INTERNAL_IP4_NBNS)
CISCO_ASKED = (
    CISCO_SPLIT_DNS,
    CISCO_BANNER,
    CISCO_CONFIG_URL,
    CISCO_BACKUP_GATEWAY,
    UNITY_DEF_DOMAIN,
)

# pyike's own APPLICATION_VERSION (RFC 7296 3.15.1), never IOS's text. IOS sends its 257-byte
# `show version` banner, so the seed's CFG payload is 8 + 5*4 + (4 + 257) + 5*4 = 309 bytes and
# pyike's is shorter by exactly 257 - len(APPLICATION_VERSION): the rest is the same attributes.
# (The whole IKE_AUTH request: the seed's 556 bytes, `pyike lab`'s 364: 203 fewer for the
# version, 11 more for pyike's vendor ID, 31 bytes against the seed's 20.)
APPLICATION_VERSION = f"pyike {__version__} IKEv2/IPsec toolkit, Cisco IOS personality".encode()


@dataclass(frozen=True)
class ConfigAsk:
    """What an initiator's tunnel asks for and offers: an address (`ip address negotiated`),
    its own routes, and at which distance it installs the routes it is given (None: it
    accepts none)."""

    address: bool = False
    offer: ConfigSet = field(default_factory=ConfigSet)
    distance: int | None = None
    push: bool = False  # nothing to ask (`no config-exchange request`): the offer in a CFG_SET
    inner_version: int = 4  # the tunnel's (IPv6: IOS asks no IPv4 DNS, NBNS or subnet)

    @property
    def wanted(self) -> bool:
        """Something beyond IOS's default set is asked or offered (a reply is looked for)."""
        return self.address or not self.offer.empty


@dataclass(frozen=True)
class Grant:
    """What a responder sends an authorized peer, and the distance at which it installs the
    peer's routes (None: it accepts none)."""

    reply: ConfigSet
    distance: int | None
    notes: tuple[str, ...] = ()  # what the debug says of the authorization (attributes ignored)
    set_accept: bool = True  # the peer's own routes are taken (`no config-exchange set accept`)


@dataclass(frozen=True)
class AddressFailure:
    """No address could be lent (an exhausted pool): RFC 7296 3.15.4 answers with
    INTERNAL_ADDRESS_FAILURE; the IKE SA is still created, the initial Child SA is not."""

    reason: str


@dataclass  # made per SA: a plain dataclass (DESIGN.md, Per-SA cost)
class Applicant:
    """A peer a responder authorizes: authenticated through ``profile`` as ``remote_id``
    (``eap_identity``: its EAP identity when it authenticated with EAP); ``holder``: its IKE
    SA, for the address lease; ``wants_address``: its request asks for one; ``cached``: the
    attributes AAA gave with its authentication, RADIUS `Cisco-AVPair` values; ``aaa``: AAA's
    answers to the `aaa_questions` about it; ``signed``: it authenticated with a signature
    (a certificate), not a pre-shared key."""

    profile: str
    remote_id: Identity | None
    holder: int
    wants_address: bool
    cached: Sequence[str] = ()
    aaa: AuthorizationAnswer | None = None
    eap_identity: str | None = None
    signed: bool = False


class Authorizer(Protocol):
    """The FlexVPN answers of a router's configuration (adapter/flexvpn_policy.py)."""

    def request(self, tunnel: str, profile: str | None = None) -> ConfigAsk | None:
        """What initiator tunnel ``tunnel`` (a tunnel interface, or a crypto map entry)
        authenticated through ``profile`` asks for; None: no CFG_REQUEST."""
        ...

    def aaa_questions(
        self, profile: str, remote_id: Identity | None, eap_identity: str | None, signed: bool
    ) -> tuple[AaaQuestion, ...]:
        """What AAA is asked to authorize a peer of ``profile`` (its IKE identity, and its EAP
        identity when it authenticated with EAP; ``signed``: it authenticated with a signature,
        so its `group cert` line applies) for its `group` and `user` lines whose list asks
        RADIUS; none when it authorizes locally."""
        ...

    def configured(self, profile: str, signed: bool) -> tuple[bool, bool]:
        """Whether ``profile`` has an `aaa authorization group` line, and one `aaa
        authorization user` line, for a peer that authenticated as it did (``signed``: with
        a signature)."""
        ...

    def grant(self, peer: Applicant) -> Grant | AddressFailure | str | None:
        """What to answer ``peer``: None when its profile authorizes nothing; the reason, in
        IOS's words, when authorization fails; AddressFailure when the peer is authorized but
        no address is left for it."""
        ...

    def release(self, holder: int) -> None:
        """IKE SA ``holder`` is gone: its address returns to the pool."""
        ...

    def transfer(self, holder: int, to: int) -> None:
        """IKE SA ``holder`` was rekeyed into ``to``, which keeps its address."""
        ...


# --- encoding ----------------------------------------------------------------------------------


def _ip6(network: IPv6Network) -> bytes:
    return network.network_address.packed + bytes([network.prefixlen])


def encode(cfg_type: CfgType, values: ConfigSet) -> CpPayload:
    """A CP payload carrying ``values``."""
    return CpPayload(cfg_type, tuple(_attributes(values)))


def request_payload(ask: ConfigAsk) -> CpPayload:
    """IOS's CFG_REQUEST: an address asked with empty attributes (`ip address negotiated`),
    IOS's default set, the routes offered (else an empty subnet asking for the peer's), the
    application version and the Cisco attributes."""
    attrs: list[CfgAttribute] = []
    if ask.address:
        attrs += [CfgAttribute(_T.INTERNAL_IP4_ADDRESS), CfgAttribute(_T.INTERNAL_IP4_NETMASK)]
    offered = _attributes(ask.offer)
    if ask.inner_version == 4:
        attrs += [CfgAttribute(kind) for kind in IPV4_ASKED]
        if not any(a.type == _T.INTERNAL_IP4_SUBNET for a in offered):
            offered.append(CfgAttribute(_T.INTERNAL_IP4_SUBNET))  # asks for the peer's routes
    attrs += offered
    attrs.append(CfgAttribute(_T.APPLICATION_VERSION, APPLICATION_VERSION))
    present = {a.type for a in attrs}
    attrs += [CfgAttribute(kind) for kind in CISCO_ASKED if kind not in present]
    return CpPayload(CfgType.CFG_REQUEST, tuple(attrs))


_DEFAULT_ASKED = frozenset({*IPV4_ASKED, _T.INTERNAL_IP4_SUBNET, *CISCO_ASKED})


# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_APPLICATION_VERSION = _T.APPLICATION_VERSION
_IP4_ADDRESS = _T.INTERNAL_IP4_ADDRESS
_CFG_REQUEST = CfgType.CFG_REQUEST
_NOTHING = ConfigSet()


def default_only(payload: CpPayload) -> bool:
    """A CFG_REQUEST carrying IOS's default set alone, which the seed's IOS 15 sends and
    receives without a `Config data` debug block (IOS-XE prints one)."""
    return payload.cfg_type == _CFG_REQUEST and all(
        a.type == _APPLICATION_VERSION or (a.type in _DEFAULT_ASKED and not a.value)
        for a in payload.attributes
    )


def _attributes(values: ConfigSet) -> list[CfgAttribute]:
    attrs: list[CfgAttribute] = []
    if values.address is not None:
        attrs.append(CfgAttribute(_T.INTERNAL_IP4_ADDRESS, values.address.packed))
    if values.netmask is not None:
        attrs.append(CfgAttribute(_T.INTERNAL_IP4_NETMASK, values.netmask.packed))
    if values.address6 is not None:
        attrs.append(CfgAttribute(_T.INTERNAL_IP6_ADDRESS, _ip6(values.address6)))
    for server in values.dns:
        kind = _T.INTERNAL_IP4_DNS if server.version == 4 else _T.INTERNAL_IP6_DNS
        attrs.append(CfgAttribute(kind, server.packed))
    if values.domain:
        attrs.append(CfgAttribute(UNITY_DEF_DOMAIN, values.domain.encode()))
    for route in values.routes:
        if isinstance(route, IPv4Network):
            value = route.network_address.packed + route.netmask.packed
            attrs.append(CfgAttribute(_T.INTERNAL_IP4_SUBNET, value))
        else:
            attrs.append(CfgAttribute(_T.INTERNAL_IP6_SUBNET, _ip6(route)))
    return attrs


def decode(payload: CpPayload) -> tuple[ConfigSet, bool, list[str]]:
    """(the values carried, whether an address is asked for, what was malformed)."""
    address = netmask = None
    address6: IPv6Network | None = None
    dns: list[IPv4Address | IPv6Address] = []
    routes: list[IPNetwork] = []
    domain = None
    asks_address = False
    bad: list[str] = []
    for attr in payload.attributes:
        value, kind = attr.value, attr.type
        if not value:  # asked for, not given
            if kind == _IP4_ADDRESS:
                asks_address = True
            continue
        if kind == _APPLICATION_VERSION:  # the peer's software (every IOS request), no setting
            continue
        try:
            if kind == _T.INTERNAL_IP4_ADDRESS:
                address = IPv4Address(_exact(value, 4))
            elif kind == _T.INTERNAL_IP4_NETMASK:
                netmask = IPv4Address(_exact(value, 4))
            elif kind == _T.INTERNAL_IP4_DNS:
                dns.append(IPv4Address(_exact(value, 4)))
            elif kind == _T.INTERNAL_IP6_DNS:
                dns.append(IPv6Address(_exact(value, 16)))
            elif kind == _T.INTERNAL_IP4_SUBNET:
                raw = _exact(value, 8)
                routes.append(IPv4Network((IPv4Address(raw[:4]), str(IPv4Address(raw[4:])))))
            elif kind in (_T.INTERNAL_IP6_ADDRESS, _T.INTERNAL_IP6_SUBNET):
                raw = _exact(value, 17)
                network = ip_network((IPv6Address(raw[:16]), raw[16]), strict=False)
                assert isinstance(network, IPv6Network)
                if kind == _T.INTERNAL_IP6_ADDRESS:
                    address6 = network
                else:
                    routes.append(network)
            elif kind == UNITY_DEF_DOMAIN:
                domain = value.decode("utf-8", "replace")
        except ValueError as error:
            bad.append(f"attribute {int(kind)}: {error}")
    carried = dns or routes or address or netmask or domain or address6
    if not carried:  # a request that asks and carries nothing: the one empty set
        return _NOTHING, asks_address, bad
    config = ConfigSet(address, netmask, tuple(dns), domain, tuple(routes), address6)
    return config, asks_address, bad


def _exact(value: bytes, size: int) -> bytes:
    if len(value) != size:
        raise ValueError(f"length {len(value)}, {size} expected")
    return value


# --- IOS's debug lines -------------------------------------------------------------------------

_TYPE_WORDS = {
    CfgType.CFG_REQUEST: "Config-request",
    CfgType.CFG_REPLY: "Config-reply",
    CfgType.CFG_SET: "Config-set",
    CfgType.CFG_ACK: "Config-ack",
}
_ATTRIBUTE_WORDS = {
    _T.INTERNAL_IP4_ADDRESS: "ipv4-addr",
    _T.INTERNAL_IP4_NETMASK: "ipv4-netmask",
    _T.INTERNAL_IP4_DNS: "ipv4-dns",
    _T.INTERNAL_IP4_NBNS: "ipv4-nbns",
    _T.APPLICATION_VERSION: "app-version",
    _T.INTERNAL_IP4_SUBNET: "ipv4-subnet",
    _T.INTERNAL_IP6_ADDRESS: "ipv6-addr",
    _T.INTERNAL_IP6_DNS: "ipv6-dns",
    _T.INTERNAL_IP6_SUBNET: "ipv6-subnet",
    UNITY_DEF_DOMAIN: "def-domain",
    CISCO_SPLIT_DNS: "split-dns",
    CISCO_BANNER: "banner",
    CISCO_CONFIG_URL: "config-url",
    CISCO_BACKUP_GATEWAY: "backup-gateway",
}


def debug_lines(heading: str, payload: CpPayload) -> list[str]:
    """`Config data to send:` (or received) and one line per attribute, as IOS prints them."""
    lines = [heading, f"Config-type: {_TYPE_WORDS.get(CfgType(payload.cfg_type), 'Config-set')} "]
    for attr in payload.attributes:
        word = _ATTRIBUTE_WORDS.get(attr.type, f"unknown-{int(attr.type)}")
        data = _data_text(attr)
        suffix = f", data: {data}" if data else ""
        lines.append(f"Attrib type: {word}, length: {len(attr.value)}{suffix}")
    return lines


def _announce(sa: IkeSa, heading: str, payload: CpPayload) -> None:
    """The payload's debug lines: the heading bare, the rest under the SA (IOS-XE's
    `IKEv2:Config data to send:` then `IKEv2:(SESSION ID = 31,SA ID = 1):Config-type: ...`)."""
    first, *rest = debug_lines(heading, payload)
    sa.ctx.info(None, first)
    for line in rest:
        sa.info(line)


def _data_text(attr: CfgAttribute) -> str:
    if attr.type == _T.APPLICATION_VERSION:
        return attr.value.decode("utf-8", "replace")
    single = CpPayload(CfgType.CFG_REPLY, (attr,))
    values, _, bad = decode(single)
    if bad or not attr.value:
        return ""
    if values.address is not None:
        return str(values.address)
    if values.netmask is not None:
        return str(values.netmask)
    if values.dns:
        return str(values.dns[0])
    if values.domain is not None:
        return values.domain
    if values.routes:
        route = values.routes[0]
        if isinstance(route, IPv4Network):
            return f"{route.network_address} {route.netmask}"
        return str(route)
    return str(values.address6) if values.address6 is not None else ""


# --- the parts IKE_AUTH runs ---------------------------------------------------------------------


def find(payloads: list[Payload], cfg_type: CfgType) -> CpPayload | None:
    return next((p for p in payloads if isinstance(p, CpPayload) and p.cfg_type == cfg_type), None)


def initiator_request(sa: IkeSa, tunnel: str) -> tuple[ConfigAsk | None, list[Payload]]:
    """What the initiator asks in IKE_AUTH: its ask (kept until the reply) and the CP payload."""
    authorizer = sa.ctx.policy.authorization
    profile = None if sa.profile is None else sa.profile.name
    ask = authorizer.request(tunnel, profile) if authorizer is not None else None
    if ask is None:
        return None, []
    payload, default = _ask_payload(ask)
    if not default:
        _announce(sa, "Config data to send:", payload)
        sa.info("Have config mode data to send")
    return ask, [payload]


@lru_cache(maxsize=64)  # a tunnel asks the same each time (asks come from configurations)
def _ask_payload(ask: ConfigAsk) -> tuple[CpPayload, bool]:
    """The CP payload of ``ask``, and whether it is IOS's default request alone."""
    payload = encode(CfgType.CFG_SET, ask.offer) if ask.push else request_payload(ask)
    return payload, default_only(payload)


def responder_received(sa: IkeSa, payloads: list[Payload]) -> CpPayload | None:
    """The peer's CFG_REQUEST, or its CFG_SET (RFC 7296 3.15: configuration pushed)."""
    request = find(payloads, _CFG_REQUEST) or find(payloads, CfgType.CFG_SET)
    if request is not None and not default_only(request):
        _announce(sa, "Config data recieved:", request)
    return request


def responder_reply(
    sa: IkeSa,
    request: CpPayload | None,
    tunnel: str | None,
    cached: Sequence[str] = (),
    aaa: AuthorizationAnswer | None = None,
    eap_identity: str | None = None,
    signed: bool = False,
) -> CpPayload | AddressFailure | str | None:
    """The CFG_REPLY for an authorized peer (None: nothing to answer), why authorization
    failed, or that no address is left; announces what the peer offered and was lent.
    ``cached``: the attributes AAA gave with the peer's EAP authentication; ``signed``: the
    peer authenticated with a certificate."""
    authorizer = sa.ctx.policy.authorization
    if authorizer is None or sa.profile is None:
        return None
    offered, wants_address = _NOTHING, False
    if request is not None:
        offered, wants_address, bad = decode(request)
        for text in bad:
            sa.error(f"Malformed config attribute ignored: {text}")
    peer = Applicant(
        sa.profile.name, sa.remote_id, sa.sa_id, wants_address, cached, aaa, eap_identity, signed
    )
    grant = authorizer.grant(peer)
    if grant is None or isinstance(grant, str | AddressFailure):
        return grant
    for note in grant.notes:
        sa.info(note)
    pushed = request is not None and request.cfg_type == CfgType.CFG_SET
    if pushed and not grant.set_accept:
        sa.info("Config-set from the peer ignored: 'no config-exchange set accept'")
    taken = offered.routes if grant.set_accept else ()
    lent = None if pushed else grant.reply.address
    received = ConfigSet(routes=taken)
    sa.ctx.emit(PeerConfigured(sa.ctx.now, sa.sa_id, tunnel, False, received, grant.distance, lent))
    if request is None or (pushed and not grant.set_accept):
        return None  # a reply answers a request, an ack a set it took (RFC 7296 3.15)
    reply = _ack(taken) if pushed else encode(CfgType.CFG_REPLY, grant.reply)
    _announce(sa, "Config data to send:", reply)
    return reply


def _ack(routes: tuple[IPNetwork, ...]) -> CpPayload:
    """CFG_ACK: the types of the attributes taken, with empty values (RFC 7296 3.15)."""
    kinds = dict.fromkeys(
        _T.INTERNAL_IP4_SUBNET if isinstance(r, IPv4Network) else _T.INTERNAL_IP6_SUBNET
        for r in routes
    )
    return CpPayload(CfgType.CFG_ACK, tuple(CfgAttribute(kind) for kind in kinds))


def initiator_reply(sa: IkeSa, ask: ConfigAsk | None, tunnel: str, payloads: list[Payload]) -> None:
    """The responder's CFG_REPLY: announced for the host to apply."""
    if ask is None:
        return
    reply = find(payloads, CfgType.CFG_ACK if ask.push else CfgType.CFG_REPLY)
    if reply is None:
        if ask.wanted:  # IOS's default set alone goes unanswered by a peer without policy
            sa.info("No config data received from the peer")
        return
    _announce(sa, "Config data recieved:", reply)
    if ask.push:
        return  # acknowledged: nothing to install
    values, _, bad = decode(reply)
    for text in bad:
        sa.error(f"Malformed config attribute ignored: {text}")
    sa.ctx.emit(PeerConfigured(sa.ctx.now, sa.sa_id, tunnel, True, values, ask.distance))
