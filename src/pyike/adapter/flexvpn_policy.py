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
- `aaa authorization user psk|eap list LIST [NAME]` with a local LIST: the authorization
  policy named NAME (without one, the peer's EAP or IKE identity) holds the user's
  attributes, which take precedence over the group's attribute by attribute, as a RADIUS
  user's do (its route set replaces the group's whole); no such policy fails authorization,
  as a RADIUS reject does. `aaa authorization group override`: the group's win where it
  has them.
- `name-mangler M` in place of a name (group or user): the name is the one name mangler M
  derives from the peer's identity (adapter/name_mangler.py): the local policy of that name,
  or the User-Name RADIUS is asked about; a name that cannot be derived fails authorization.
- `route set interface` without a name sends the address of the interface the peer's
  tunnel ends on here: the tunnel's own, or for a virtual template its `ip unnumbered`
  interface's; `route set access-list` the prefixes a standard ACL permits (`permit any` is a
  default route); `route set remote` its prefixes.
- An initiator asks for an address when its tunnel has `ip address negotiated`, and offers
  its own policy's routes (through its profile's `aaa authorization group psk`); with
  neither, its CFG_REQUEST carries IOS's default set alone, as IOS's always does
  (ike/config_mode.py); `no config-exchange request` sends none.
- Routes received are installed at the `route accept any distance` of the receiving
  side's policy (2 by default); `no route accept any` installs none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, ip_network

from pyike.adapter import aaa_attributes
from pyike.adapter.answers import Answers
from pyike.adapter.name_mangler import mangled_name
from pyike.config import query
from pyike.config.flexvpn_model import (
    IKEV2_ROUTE_DISTANCE,
    AuthorizationPolicy,
    GroupAuthorization,
    LocalPool,
    UserAuthorization,
)
from pyike.config.model import Config, Interface, Profile
from pyike.ike.config_mode import AddressFailure, Applicant, ConfigAsk, Grant
from pyike.ike.eap_directory import AaaQuestion
from pyike.ike.events import ConfigSet, IPNetwork
from pyike.ike.policy import Identity
from pyike.ios_names import SIGNATURE_METHODS

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
        self._answers = Answers()  # the configuration never changes under an authorizer

    # -- the initiator --------------------------------------------------------------------

    def request(self, tunnel: str, profile: str | None = None) -> ConfigAsk | None:
        configured = self._tunnel_profile(tunnel) or self.config.profiles.get(profile or "")
        if configured is None:
            return None
        return self._answers.get(
            ("request", tunnel, configured.name), lambda: self._request(tunnel, configured)
        )

    def _request(self, tunnel: str, configured: Profile) -> ConfigAsk | None:
        iface = self.config.interfaces.get(tunnel)
        exchange = configured.flex.config_exchange
        method = _method(configured)  # a spoke verifying the hub's certificate: its cert line
        policy = self._group_policy(configured, method if method == "cert" else "psk")
        offer = (
            ConfigSet()
            if isinstance(policy, str) or policy is None or not exchange.set_send
            else self._routes(policy, iface)
        )
        accept = None if isinstance(policy, str) else self._accept(policy)
        if not exchange.request:  # `no config-exchange request`: its routes pushed alone
            return None if offer.empty else ConfigAsk(False, offer, accept, push=True)
        negotiated = iface is not None and iface.address_negotiated
        version = 4 if iface is None else iface.inner_version
        return ConfigAsk(negotiated, offer, accept, inner_version=version)

    def _tunnel_profile(self, tunnel: str) -> Profile | None:
        return self._answers.get(("tunnel profile", tunnel), lambda: self._find_profile(tunnel))

    def _find_profile(self, tunnel: str) -> Profile | None:
        child = query.tunnel_policy(self.config, tunnel)
        return None if child is None else child.ikev2_profile

    # -- the responder --------------------------------------------------------------------

    def aaa_questions(
        self, profile: str, remote_id: Identity | None, eap_identity: str | None, signed: bool
    ) -> tuple[AaaQuestion, ...]:
        configured = self.config.profiles.get(profile)
        no_aaa = not self.config.flexvpn.aaa_new_model
        if configured is None or not configured.flex.authorizes or no_aaa:
            return ()
        method = _method(configured, signed)
        if self._unnamed(configured, method, remote_id, eap_identity) is not None:
            return ()  # authorization fails when the reply is made (grant)
        questions: list[AaaQuestion] = []
        group = configured.flex.group_for(method)
        radius = None if group is None else query.aaa_list_group(self.config, group.method_list)
        if group is not None and radius is not None:
            name = self._name(group.name_mangler, group.policy, remote_id, eap_identity)
            questions.append(AaaQuestion("group", radius, str(name)))
        for user in configured.flex.user_authorization:
            radius = self._user_radius_group(user, method)
            if radius is not None:
                name = self._name(user.name_mangler, user.name, remote_id, eap_identity)
                questions.append(AaaQuestion("user", radius, str(name)))
        return tuple(questions)

    def configured(self, profile: str, signed: bool) -> tuple[bool, bool]:
        flex = self.config.profiles.get(profile)
        if flex is None or not flex.flex.authorizes:
            return False, False
        method = _method(flex, signed)
        group = flex.flex.group_for(method) is not None
        return group, any(user.method == method for user in flex.flex.user_authorization)

    def _name(
        self,
        mangler: str | None,
        given: str | None,
        remote_id: Identity | None,
        eap_identity: str | None,
    ) -> str | None:
        """The name AAA is asked about: the one given, else the one name mangler ``mangler``
        derives, else the peer's EAP or IKE identity; None when the mangler derives none."""
        if mangler is not None:
            configured = self.config.flexvpn.name_manglers.get(mangler)
            return None if configured is None else mangled_name(configured, remote_id, eap_identity)
        return given or eap_identity or str(remote_id)

    def _unnamed(
        self,
        profile: Profile,
        method: str,
        remote_id: Identity | None,
        eap_identity: str | None,
    ) -> str | None:
        """Why authorization fails for want of a name: a name mangler of the profile's
        authorization lines for ``method`` that is not defined or derives no name."""
        lines: list[GroupAuthorization | UserAuthorization] = [
            *profile.flex.group_authorization,
            *profile.flex.user_authorization,
        ]
        for line in lines:
            mangler = line.name_mangler
            if line.method != method or mangler is None:
                continue
            if mangler not in self.config.flexvpn.name_manglers:
                return f"AAA authorization failed: name-mangler {mangler} is not defined"
            if self._name(mangler, None, remote_id, eap_identity) is None:
                peer = eap_identity or str(remote_id)
                return (
                    f"AAA authorization failed: name-mangler {mangler} derives no name from {peer}"
                )
        return None

    def _local_user(
        self,
        profile: Profile,
        method: str,
        remote_id: Identity | None,
        eap_identity: str | None,
    ) -> aaa_attributes.UserAttributes | str | None:
        """The user's attributes from `aaa authorization user METHOD list LIST [NAME |
        name-mangler M]` with a local LIST: those of the authorization policy of the user's
        name; why authorization fails when there is no such policy; None without such a line."""
        flex = self.config.flexvpn
        for user in profile.flex.user_authorization:
            methods = flex.authorization_network.get(user.method_list or "")
            if user.method != method or methods is None or not methods.local:
                continue
            name = self._name(user.name_mangler, user.name, remote_id, eap_identity)
            policy = flex.authorization_policies.get(str(name))
            if policy is None:
                return f"AAA authorization failed: authorization policy {name} is not defined"
            return aaa_attributes.from_policy(policy)
        return None

    def _user_radius_group(self, user: UserAuthorization, method: str) -> str | None:
        """The RADIUS group `aaa authorization user METHOD list LIST` asks."""
        if user.method != method or user.method_list is None:
            return None
        return query.aaa_list_group(self.config, user.method_list)

    def grant(self, peer: Applicant) -> Grant | AddressFailure | str | None:
        configured = self.config.profiles.get(peer.profile)
        if configured is None:
            return None
        if peer.aaa is None and not configured.flex.authorizes:
            return None  # no AAA answer, no authorization line: nothing to grant
        method = _method(configured, peer.signed)
        unnamed = self._unnamed(configured, method, peer.remote_id, peer.eap_identity)
        if unnamed is not None:
            return unnamed
        radius = {} if peer.aaa is None else peer.aaa.attributes
        group = configured.flex.group_for(method)
        mangler = None if group is None else group.name_mangler
        name = (
            None
            if mangler is None
            else self._name(mangler, None, peer.remote_id, peer.eap_identity)
        )
        policy = self._group_policy(configured, method, radius.get("group"), name)
        if isinstance(policy, str):
            return policy
        user = self._cached_attributes(configured, method, peer.cached)
        if "user" in radius:
            user = aaa_attributes.parse(radius["user"])
        local_user = self._local_user(configured, method, peer.remote_id, peer.eap_identity)
        if isinstance(local_user, str):
            return local_user
        user = local_user or user
        if user is not None:
            override = group is not None and group.override
            policy = aaa_attributes.apply(
                policy or _BUILT_IN_DEFAULT, user, group_override=override
            )
        if policy is None:
            return None
        address = None
        if peer.wants_address and policy.pool is not None:
            pool = self.config.flexvpn.pools.get(policy.pool)
            if pool is None:
                return f"AAA authorization failed: address pool {policy.pool} is not defined"
            address = self.pools.lease(pool, peer.holder)
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
        authorization user` lines pyike does not run (it runs `cached`, local lists and lists that
        ask RADIUS)."""
        group = aaa_attributes.parse(radius.get("group", ()))
        ignored = (*group.ignored, *(() if user is None else user.ignored))
        lists = self.config.flexvpn.authorization_network
        unrun = (
            u
            for u in profile.flex.user_authorization
            if u.method == method
            and not u.cached
            and self._user_radius_group(u, method) is None
            and not (u.method_list in lists and lists[u.method_list or ""].local)
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
        self,
        profile: Profile,
        method: str = "psk",
        radius: Sequence[str] | None = None,
        name: str | None = None,
    ) -> AuthorizationPolicy | str | None:
        """The authorization policy of the profile's group authorization for ``method`` (psk,
        eap), with ``radius``: the attributes of RADIUS's Access-Accept when its list asks a
        RADIUS group; None when it has none; why authorization fails, in IOS's words, when its
        method list is neither local nor answered. ``name``: the policy's name (the group's
        POLICY, or the one its name mangler derived; without one, `default`)."""
        group = profile.flex.group_for(method)
        if group is None:
            return None
        name = name or group.policy
        flex = self.config.flexvpn
        methods = flex.authorization_network.get(group.method_list)
        if not flex.aaa_new_model or methods is None:
            return (
                f"AAA authorization failed: method list {group.method_list} is not defined "
                f"('aaa new-model' and 'aaa authorization network {group.method_list} local')"
            )
        if radius is not None:
            named = flex.authorization_policies.get(name or "default")
            group_attributes = aaa_attributes.parse(radius)
            return aaa_attributes.apply(
                named or _BUILT_IN_DEFAULT, group_attributes, group_override=False
            )
        if not methods.local:
            return (
                f"AAA authorization failed: method list {group.method_list} asks "
                f"{methods.methods[0]}, which pyike does not reach (local AAA only)"
            )
        return self._policy_named(name or "default")

    def _policy_named(self, name: str) -> AuthorizationPolicy | str:
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


def _method(profile: Profile, signed: bool | None = None) -> str:
    """How the profile's peers authenticate, for its authorization lines: a server profile
    for EAP clients authorizes them with its `... group eap` line; a peer that signed
    (``signed``; None: not known yet, then a profile verifying certificates alone,
    `authentication remote rsa-sig|ecdsa-sig`) with its `... group cert` line."""
    remote = profile.auth_remote
    if "eap" in remote:
        return "eap"
    if signed is None:
        signed = bool(remote) and all(method in SIGNATURE_METHODS for method in remote)
    return "cert" if signed else "psk"
