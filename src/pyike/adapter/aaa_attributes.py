"""Authorization attributes from AAA applied to an IKEv2 authorization policy: the
`Cisco-AVPair` values of the Access-Accept that ended a peer's EAP or gave its pre-shared
keys (`aaa authorization user eap|psk cached`), of one asked for authorization, or a local
policy's attributes for a user (`aaa authorization user ... list LOCAL-LIST`), as IOS's FlexVPN
server names them:

- `ipsec:addr-pool=NAME`: lend the address from `ip local pool NAME`;
- `ipsec:dns-servers=A [B]`: the DNS servers sent;
- `ipsec:default-domain=DOMAIN`: the default domain sent;
- `ipsec:route-set=interface [IF]`, `ipsec:route-set=prefix A/LEN`, `ipsec:route-set=access-list
  ACL`: the routes sent, as `route set interface|remote|access-list` would.

User attributes take precedence over the group's (the policy of `aaa authorization group eap
list LIST POLICY`), attribute by attribute: the user's route-set pairs together replace the
policy's route set. With `aaa authorization group override`, the group's attributes take
precedence where the policy has them. The keys (`ipsec:ikev2-password-*`) are not
authorization attributes; other attributes are named, not applied (a password's or key's
value masked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network, ip_network
from typing import Any

from pyike.config.flexvpn_model import AuthorizationPolicy

_ROUTE_FIELDS = ("route_set_interfaces", "route_set_acl", "route_set_remote")


@dataclass(frozen=True)
class UserAttributes:
    """The policy fields a user's attributes set, and the attributes not applied."""

    fields: dict[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()


def parse(avpairs: Sequence[str]) -> UserAttributes:
    found: dict[str, Any] = {}
    ignored: list[str] = []
    interfaces: list[str] = []
    remote: list[IPv4Network] = []
    for pair in avpairs:
        name, _, value = pair.partition("=")
        name, value = name.strip().lower(), value.strip()
        try:
            if name == "ipsec:addr-pool" and value:
                found["pool"] = value
            elif name == "ipsec:dns-servers" and value:
                found["dns"] = tuple(IPv4Address(a) for a in value.split()[:2])
            elif name == "ipsec:default-domain" and value:
                found["def_domain"] = value
            elif name == "ipsec:route-set" and _route(value, interfaces, remote, found):
                continue
            elif not name.startswith("ipsec:ikev2-password-"):
                ignored.append(_shown(name, pair))
        except ValueError:
            ignored.append(_shown(name, pair))
    if interfaces or remote or "route_set_acl" in found:
        found.update(route_set_interfaces=tuple(interfaces), route_set_remote=tuple(remote))
        found.setdefault("route_set_acl", None)
    return UserAttributes(found, tuple(ignored))


def _shown(name: str, pair: str) -> str:
    """An attribute as the debug may show it: a password or key by its name only."""
    secret = any(word in name for word in ("password", "key", "secret"))
    return f"{name}=*****" if secret else pair


def _route(
    value: str, interfaces: list[str], remote: list[IPv4Network], found: dict[str, Any]
) -> bool:
    """One `ipsec:route-set=...` value added to what the user's pairs set; False: not one
    pyike reads."""
    kind, _, rest = value.partition(" ")
    rest = rest.strip()
    if kind == "interface":
        interfaces.append(rest)  # "" names the interface the peer's tunnel ends on
    elif kind == "prefix" and rest:
        network = ip_network(rest.replace(" ", "/"), strict=False)
        if not isinstance(network, IPv4Network):
            return False
        remote.append(network)
    elif kind == "access-list" and rest:
        found["route_set_acl"] = rest
    else:
        return False
    return True


# What a local authorization policy gives a user (`aaa authorization user ... list LIST` with
# a local LIST): the attributes a RADIUS Access-Accept can carry.
_USER_FIELDS = ("pool", "ipv6_pool", "dns", "ipv6_dns", "netmask", "def_domain")


def from_policy(policy: AuthorizationPolicy) -> UserAttributes:
    """The attributes local authorization policy ``policy`` sets for a user: those it has
    (its route set as one attribute, as the route-set pairs are)."""
    default = AuthorizationPolicy(policy.name)
    names = [f for f in _USER_FIELDS if getattr(policy, f) != getattr(default, f)]
    if any(getattr(policy, f) != getattr(default, f) for f in _ROUTE_FIELDS):
        names += _ROUTE_FIELDS
    return UserAttributes({f: getattr(policy, f) for f in names})


def apply(
    policy: AuthorizationPolicy, user: UserAttributes, *, group_override: bool
) -> AuthorizationPolicy:
    """``policy`` with ``user``'s attributes (see the module's precedence rules)."""
    changes = dict(user.fields)
    if group_override:
        default = AuthorizationPolicy(policy.name)
        group_routes = any(getattr(policy, f) != getattr(default, f) for f in _ROUTE_FIELDS)
        for name in list(changes):
            routes = name in _ROUTE_FIELDS and group_routes
            if routes or getattr(policy, name) != getattr(default, name):
                del changes[name]
    return replace(policy, **changes)
