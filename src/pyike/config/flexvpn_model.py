"""The FlexVPN part of a configuration: AAA method lists, IKEv2 authorization policies, local
address pools, AAA attribute lists, FlexVPN clients, and what an IKEv2 profile says about them
(`virtual-template`, `aaa authorization ...`, `keyring aaa`, `config-exchange`).

Kept apart from `model.py` (which holds one field of each kind: `Config.flexvpn`,
`Profile.flex`) so the FlexVPN vocabulary reads in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module for its Config and Profile fields
    from pyike.config.model import Secret, Source

# IOS's administrative distance for routes learnt through IKEv2 (`route accept any` without
# `distance`): above a configured static route's 1, so a pushed default route never replaces
# the router's own.
IKEV2_ROUTE_DISTANCE = 2


@dataclass(frozen=True)
class RouteAccept:
    """`route accept any [tag N] [distance N]`: the routes a peer sends are installed."""

    tag: int | None = None
    distance: int = IKEV2_ROUTE_DISTANCE


@dataclass(frozen=True)
class AuthorizationPolicy:
    """`crypto ikev2 authorization policy NAME`: what the router sends a peer it authorizes
    (an address from `pool`, DNS servers, a domain, routes) and which routes it accepts."""

    name: str
    pool: str | None = None
    ipv6_pool: str | None = None
    dns: tuple[IPv4Address, ...] = ()
    ipv6_dns: tuple[IPv6Address, ...] = ()
    netmask: IPv4Address | None = None
    def_domain: str | None = None
    # `route set interface [IF]`: the address of IF (without a name: of the interface the
    # peer's tunnel ends on, its `ip unnumbered` source for a virtual template), as a host.
    route_set_interfaces: tuple[str, ...] = ()  # "" for `route set interface` without a name
    route_set_acl: str | None = None  # `route set access-list ACL`: a standard ACL's permits
    route_set_acl6: str | None = None  # `route set access-list ipv6 ACL`
    route_set_remote: tuple[IPv4Network | IPv6Network, ...] = ()  # `route set remote ipv4|ipv6`
    route_accept: RouteAccept | None = field(default_factory=RouteAccept)  # None: `no route accept`
    # `aaa attribute list NAME`: its `ipsec:ikev2-password-local|remote` are the keys `keyring
    # aaa` finds for a peer whose identity names this policy
    attribute_list: str | None = None
    extra: tuple[str, ...] = ()  # sub-commands kept without acting on them, as typed
    source: Source | None = None


@dataclass(frozen=True)
class LocalPool:
    """`ip local pool NAME FIRST [LAST]`: addresses lent to peers, one each."""

    name: str
    first: IPv4Address
    last: IPv4Address
    source: Source | None = None

    def __len__(self) -> int:
        return int(self.last) - int(self.first) + 1


@dataclass(frozen=True)
class AttributeList:
    """`aaa attribute list NAME` with `attribute type ipsec:ikev2-password-local|remote KEY`
    (the per-peer keys `keyring aaa` finds through the authorization policy named after the
    peer's identity, whose `aaa attribute list` names this list)."""

    name: str
    password_local: Secret | None = None
    password_remote: Secret | None = None
    extra: tuple[str, ...] = ()  # other attributes, as typed
    source: Source | None = None


@dataclass(frozen=True)
class MethodList:
    """`aaa authorization network NAME METHOD...` (or `aaa authentication login ...`)."""

    name: str
    methods: tuple[str, ...]  # "local", "group radius", ... as typed
    source: Source | None = None

    @property
    def local(self) -> bool:
        return bool(self.methods) and self.methods[0] == "local"


@dataclass(frozen=True)
class FlexClientPeer:
    """`peer N ADDRESS|fqdn NAME [dynamic] [ipv6]` of a FlexVPN client. A name is resolved when
    the client connects to it (`ip host` first); `dynamic`: again at each connection, not once."""

    priority: int
    address: IPv4Address | None = None
    fqdn: str | None = None
    track: int | None = None  # `track T [up|down]`: possible while track T is in that state
    track_up: bool = True
    dynamic: bool = False
    ipv6: bool = False  # the name is resolved to an IPv6 address


@dataclass(frozen=True)
class FlexClient:
    """`crypto ikev2 client flexvpn NAME`: a spoke's list of hubs and the tunnel it drives."""

    name: str
    peers: tuple[FlexClientPeer, ...] = ()
    tunnels: tuple[str, ...] = ()  # `client connect TunnelN`
    connect: str = "auto"  # auto | manual | track N [up|down]
    reactivate: bool = False  # `peer reactivate`: back to a better peer once it answers
    extra: tuple[str, ...] = ()
    source: Source | None = None


@dataclass
class FlexvpnConfig:
    """What a router's FlexVPN configuration holds beyond its profiles. Its dicts fill in place
    while the configuration is read, as `Config`'s do."""

    aaa_new_model: bool = False
    authorization_network: dict[str, MethodList] = field(default_factory=dict)
    authentication_login: dict[str, MethodList] = field(default_factory=dict)
    authorization_policies: dict[str, AuthorizationPolicy] = field(default_factory=dict)
    pools: dict[str, LocalPool] = field(default_factory=dict)
    attribute_lists: dict[str, AttributeList] = field(default_factory=dict)
    clients: dict[str, FlexClient] = field(default_factory=dict)
    name_manglers: dict[str, NameMangler] = field(default_factory=dict)
    # `ip host NAME ADDR...` / `ipv6 host ...`: the names FlexVPN clients' `peer N fqdn`
    # resolve before asking DNS
    hosts: dict[str, tuple[IPv4Address | IPv6Address, ...]] = field(default_factory=dict)


# The parts of a distinguished name `dn FIELD` takes, by IOS's word: their attribute names.
DN_FIELDS = {
    "common-name": "cn",
    "country": "c",
    "domain": "dc",
    "locality": "l",
    "organization": "o",
    "organization-unit": "ou",
    "state": "st",
}


@dataclass(frozen=True)
class NameMangler:
    """`crypto ikev2 name-mangler NAME`: how the name AAA is asked about is derived from a
    peer's identity, one rule per kind of identity (None: the kind has no rule)."""

    name: str
    fqdn: str | None = None  # hostname | domain | all
    email: str | None = None  # username | domain | all
    dn: str | None = None  # a DN_FIELDS word
    # an EAP identity: ("all", ""), ("dn", FIELD), ("prefix", C) or ("suffix", C), C the
    # delimiter (`eap prefix delimiter C`: the part before C)
    eap: tuple[str, str] | None = None
    source: Source | None = None


@dataclass(frozen=True)
class GroupAuthorization:
    """`aaa authorization group [override] psk|cert|eap list LIST [POLICY]`: the attributes
    of authorization policy POLICY (without one: the policy named `default`) for peers that
    authenticate with that method, if method list LIST authorizes locally."""

    method: str  # "psk", "cert", "eap"
    method_list: str
    policy: str | None = None
    override: bool = False
    name_mangler: str | None = None


@dataclass(frozen=True)
class UserAuthorization:
    """`aaa authorization user psk|cert|eap {cached|list LIST [NAME|name-mangler M]}`."""

    method: str
    cached: bool = False
    method_list: str | None = None
    name: str | None = None
    name_mangler: str | None = None


@dataclass(frozen=True)
class ConfigExchange:
    """`config-exchange request`, `set send` and `set accept`, all on by default."""

    request: bool = True
    set_send: bool = True
    set_accept: bool = True


@dataclass(frozen=True)
class ProfileFlex:
    """What an IKEv2 profile says about FlexVPN."""

    virtual_template: int | None = None
    virtual_template_auto: bool = False  # `virtual-template N mode auto`
    group_authorization: tuple[GroupAuthorization, ...] = ()
    user_authorization: tuple[UserAuthorization, ...] = ()
    keyring_aaa: str | None = None  # `keyring aaa LIST`: per-peer keys from AAA
    keyring_aaa_mangler: str | None = None  # `keyring aaa LIST name-mangler NAME`
    eap_list: str | None = None  # `aaa authentication eap LIST`: who checks EAP users
    config_exchange: ConfigExchange = field(default_factory=ConfigExchange)

    @property
    def authorizes(self) -> bool:
        """It has an `aaa authorization group|user` line."""
        return bool(self.group_authorization or self.user_authorization)

    def group_for(self, method: str) -> GroupAuthorization | None:
        return next((g for g in self.group_authorization if g.method == method), None)

    def manglers_named(self) -> list[str]:
        """The name manglers the profile's `aaa authorization group|user` lines name."""
        lines: tuple[GroupAuthorization | UserAuthorization, ...] = (
            *self.group_authorization,
            *self.user_authorization,
        )
        return [line.name_mangler for line in lines if line.name_mangler is not None]
