"""FlexVPN's answers from an IOS configuration (the engine's `Authorizer`,
ike/config_mode.py): what an initiator's tunnel asks in its CFG_REQUEST, what a responder
grants a peer its profile authorizes, and the addresses lent from `ip local pool`s.

Modelled as IOS does with local AAA:
- A profile authorizes peers that authenticate with a pre-shared key through `aaa
  authorization group [override] psk list LIST [POLICY]`: LIST must be a local method list
  (`aaa new-model` and `aaa authorization network LIST local`), or authorization fails; the
  attributes are those of authorization policy POLICY (without one, of the policy named
  `default`; IOS's own default policy, empty, when none is configured).
- When LIST asks a RADIUS group (`aaa authorization network LIST group RADGROUP`), the engine
  asks it first (`aaa_questions`: User-Name POLICY, or the peer's identity without one) and
  the Access-Accept's attributes apply over the local policy of that name if there is one
  (else IOS's empty default); `aaa authorization user psk|eap list LIST [NAME]` with such a
  LIST asks for the user too (NAME, or the peer's IKE or EAP identity), whose attributes
  take precedence (adapter/aaa_attributes.py).
- `route set interface` without a name sends the address of the interface the peer's
  tunnel ends on here: the tunnel's own, or for a virtual template its `ip unnumbered`
  interface's; `route set access-list` the prefixes a standard ACL permits (`permit any` is a
  default route); `route set remote` its prefixes.
- An initiator asks for an address when its tunnel has `ip address negotiated`, and offers
  its own policy's routes (through its profile's `aaa authorization group psk`); without
  either, IKE_AUTH carries no CFG_REQUEST (IOS sends one always; pyike leaves it out where
  it carries nothing, so plain site-to-site exchanges stay as they were).
- Routes received are installed at the `route accept any distance` of the receiving
  side's policy (2 by default); `no route accept any` installs none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, ip_network

from pyike.adapter import aaa_attributes
from pyike.config import query
from pyike.config.flexvpn_model import (
    IKEV2_ROUTE_DISTANCE,
    AuthorizationPolicy,
    GroupAuthorization,
    LocalPool,
    UserAuthorization,
)
from pyike.config.model import Config, Interface, Profile
from pyike.ike.config_mode import AddressFailure, ConfigAsk, Grant
from pyike.ike.eap_directory import AaaQuestion, AuthorizationAnswer
from pyike.ike.events import ConfigSet, IPNetwork
from pyike.ike.policy import Identity

# IOS's built-in authorization policy `default`: no attributes, every route accepted.
_BUILT_IN_DEFAULT = AuthorizationPolicy("default")


@dataclass
class AddressPools:
    """The addresses of `ip local pool`s lent to peers, one per IKE SA (the lowest free)."""

    leases: dict[int, tuple[str, IPv4Address]] = field(default_factory=dict)

    def lease(self, pool: LocalPool, holder: int) -> IPv4Address | None:
        held = self.leases.get(holder)
        if held is not None and held[0] == pool.name:
            return held[1]
        taken = {address for name, address in self.leases.values() if name == pool.name}
        for number in range(int(pool.first), int(pool.last) + 1):
            address = IPv4Address(number)
            if address not in taken:
                self.leases[holder] = (pool.name, address)
                return address
        return None

    def release(self, holder: int) -> None:
        self.leases.pop(holder, None)

    def in_use(self, pool: str) -> int:
        return sum(1 for name, _ in self.leases.values() if name == pool)


class FlexvpnAuthorizer:
    """The Authorizer of one router's configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.pools = AddressPools()

    # -- the initiator --------------------------------------------------------------------

    def request(self, tunnel: str) -> ConfigAsk | None:
        iface = self.config.interfaces.get(tunnel)
        profile = self._tunnel_profile(tunnel)
        if iface is None or profile is None:
            return None
        exchange = profile.flex.config_exchange
        policy = self._group_policy(profile)
        offer = (
            ConfigSet()
            if isinstance(policy, str) or policy is None or not exchange.set_send
            else self._routes(policy, iface)
        )
        accept = None if isinstance(policy, str) else self._accept(policy)
        if not exchange.request:  # `no config-exchange request`: its routes pushed alone
            return None if offer.empty else ConfigAsk(False, offer, accept, push=True)
        if not iface.address_negotiated and offer.empty and policy is None:
            return None
        return ConfigAsk(iface.address_negotiated, offer, accept)

    def _tunnel_profile(self, tunnel: str) -> Profile | None:
        child = query.tunnel_policy(self.config, tunnel)
        return None if child is None else child.ikev2_profile

    # -- the responder --------------------------------------------------------------------

    def aaa_questions(self, profile: str, identity: str) -> tuple[AaaQuestion, ...]:
        configured = self.config.profiles.get(profile)
        if configured is None or not self.config.flexvpn.aaa_new_model:
            return ()
        method = _method(configured)
        questions: list[AaaQuestion] = []
        group = configured.flex.group_for(method)
        radius = None if group is None else query.aaa_list_group(self.config, group.method_list)
        if group is not None and radius is not None:
            questions.append(AaaQuestion("group", radius, group.policy or identity))
        for user in configured.flex.user_authorization:
            radius = self._user_radius_group(user, method)
            if radius is not None:
                questions.append(AaaQuestion("user", radius, user.name or identity))
        return tuple(questions)

    def _user_radius_group(self, user: UserAuthorization, method: str) -> str | None:
        """The RADIUS group `aaa authorization user METHOD list LIST` asks."""
        if user.method != method or user.method_list is None:
            return None
        return query.aaa_list_group(self.config, user.method_list)

    def grant(
        self,
        profile: str,
        remote_id: Identity | None,
        holder: int,
        wants_address: bool,
        cached: Sequence[str] = (),
        aaa: AuthorizationAnswer | None = None,
    ) -> Grant | AddressFailure | str | None:
        configured = self.config.profiles.get(profile)
        if configured is None:
            return None
        method = _method(configured)
        radius = {} if aaa is None else aaa.attributes
        policy = self._group_policy(configured, method, radius.get("group"))
        if isinstance(policy, str):
            return policy
        user = self._cached_attributes(configured, method, cached)
        if "user" in radius:
            user = aaa_attributes.parse(radius["user"])
        if user is not None:
            group = configured.flex.group_for(method)
            override = group is not None and group.override
            policy = aaa_attributes.apply(
                policy or _BUILT_IN_DEFAULT, user, group_override=override
            )
        if policy is None:
            return None
        address = None
        if wants_address and policy.pool is not None:
            pool = self.config.flexvpn.pools.get(policy.pool)
            if pool is None:
                return f"AAA authorization failed: address pool {policy.pool} is not defined"
            address = self.pools.lease(pool, holder)
            if address is None:
                return AddressFailure(f"Failed to allocate an address from pool {pool.name}")
        template = self._template(configured)
        routes = self._routes(policy, template).routes
        reply = ConfigSet(
            address, policy.netmask, (*policy.dns, *policy.ipv6_dns), policy.def_domain, routes
        )
        return Grant(
            reply,
            self._accept(policy),
            self._notes(configured, method, user, radius),
            configured.flex.config_exchange.set_accept,
        )

    def _notes(
        self,
        profile: Profile,
        method: str,
        user: aaa_attributes.UserAttributes | None,
        radius: Mapping[str, tuple[str, ...]],
    ) -> tuple[str, ...]:
        """What the debug says of authorization: attributes not applied, and `aaa
        authorization user` lines pyike does not run (it runs `eap cached` and lists that
        ask RADIUS)."""
        group = aaa_attributes.parse(radius.get("group", ()))
        ignored = (*group.ignored, *(() if user is None else user.ignored))
        unrun = (
            u
            for u in profile.flex.user_authorization
            if u.method == method
            and not (u.cached and method == "eap")
            and self._user_radius_group(u, method) is None
        )
        return (
            *(f"AAA authorization attribute not applied: {a}" for a in ignored),
            *(
                f"'aaa authorization user {u.method} ...' is not implemented in pyike: "
                "the group's attributes only"
                for u in unrun
            ),
        )

    @staticmethod
    def _cached_attributes(
        profile: Profile, method: str, cached: Sequence[str]
    ) -> aaa_attributes.UserAttributes | None:
        """The user's attributes AAA gave with its authentication, when the profile says
        `aaa authorization user METHOD cached`."""
        wanted = any(u.method == method and u.cached for u in profile.flex.user_authorization)
        return aaa_attributes.parse(cached) if wanted and cached else None

    def release(self, holder: int) -> None:
        self.pools.release(holder)

    def transfer(self, holder: int, to: int) -> None:
        lease = self.pools.leases.pop(holder, None)
        if lease is not None:
            self.pools.leases[to] = lease

    def _template(self, profile: Profile) -> Interface | None:
        number = profile.flex.virtual_template
        return None if number is None else self.config.interfaces.get(f"Virtual-Template{number}")

    # -- shared -------------------------------------------------------------------------------

    def _group_policy(
        self, profile: Profile, method: str = "psk", radius: Sequence[str] | None = None
    ) -> AuthorizationPolicy | str | None:
        """The authorization policy of the profile's group authorization for ``method`` (psk,
        eap), with ``radius``: the attributes of RADIUS's Access-Accept when its list asks a
        RADIUS group; None when it has none; why authorization fails, in IOS's words, when its
        method list is neither local nor answered."""
        group = profile.flex.group_for(method)
        if group is None:
            return None
        flex = self.config.flexvpn
        methods = flex.authorization_network.get(group.method_list)
        if not flex.aaa_new_model or methods is None:
            return (
                f"AAA authorization failed: method list {group.method_list} is not defined "
                f"('aaa new-model' and 'aaa authorization network {group.method_list} local')"
            )
        if radius is not None:
            named = flex.authorization_policies.get(group.policy or "default")
            group_attributes = aaa_attributes.parse(radius)
            return aaa_attributes.apply(
                named or _BUILT_IN_DEFAULT, group_attributes, group_override=False
            )
        if not methods.local:
            return (
                f"AAA authorization failed: method list {group.method_list} asks "
                f"{methods.methods[0]}, which pyike does not reach (local AAA only)"
            )
        return self._policy_named(group)

    def _policy_named(self, group: GroupAuthorization) -> AuthorizationPolicy | str:
        name = group.policy or "default"
        policy = self.config.flexvpn.authorization_policies.get(name)
        if policy is not None:
            return policy
        if name == "default":
            return _BUILT_IN_DEFAULT
        return f"AAA authorization failed: authorization policy {name} is not defined"

    @staticmethod
    def _accept(policy: AuthorizationPolicy | None) -> int | None:
        if policy is None:
            return IKEV2_ROUTE_DISTANCE
        return None if policy.route_accept is None else policy.route_accept.distance

    def _routes(self, policy: AuthorizationPolicy, tunnel: Interface | None) -> ConfigSet:
        """The policy's route set; `route set interface` without a name needs ``tunnel``."""
        routes: list[IPNetwork] = []
        for name in policy.route_set_interfaces:
            holder = name or (None if tunnel is None else self._own_address_holder(tunnel))
            address = None if holder is None else self._interface_address(holder)
            if address is not None:
                routes.append(ip_network(address))
        acl = self.config.access_lists.get(policy.route_set_acl or "")
        if acl is not None:
            routes += [
                network
                for entry in acl.entries
                if entry.action == "permit" and (network := entry.source.network()) is not None
            ]
        routes += policy.route_set_remote
        return ConfigSet(routes=tuple(dict.fromkeys(routes)))

    @staticmethod
    def _own_address_holder(tunnel: Interface) -> str:
        """The interface whose address a tunnel has: its own, or its `ip unnumbered` one's."""
        return tunnel.unnumbered or tunnel.name

    def _interface_address(self, name: str) -> IPv4Address | None:
        address = query.interface_address(self.config, name)
        return address if isinstance(address, IPv4Address) else None


def _method(profile: Profile) -> str:
    """How the profile's peers authenticate, for its authorization lines: a server profile
    for EAP clients authorizes them with its `... group eap` line."""
    return "eap" if "eap" in profile.auth_remote else "psk"
