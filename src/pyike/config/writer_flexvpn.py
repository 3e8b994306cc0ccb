"""The FlexVPN part of `show running-config` (config/writer.py places each block): AAA,
attribute lists, IKEv2 authorization policies, FlexVPN clients, the profile's FlexVPN lines
and `ip local pool`."""

from __future__ import annotations

from collections.abc import Callable

from pyike.config.flexvpn_model import (
    IKEV2_ROUTE_DISTANCE,
    AttributeList,
    AuthorizationPolicy,
    FlexClient,
    FlexClientPeer,
    NameMangler,
    ProfileFlex,
    RouteAccept,
)
from pyike.config.model import Config, Secret

Block = list[str]
KeyText = Callable[[Secret, bool], str]


def aaa_blocks(cfg: Config, key: KeyText, show_keys: bool) -> list[Block]:
    flex = cfg.flexvpn
    out: list[Block] = []
    if flex.aaa_new_model:
        out.append(["aaa new-model"])
    lists = [
        f"aaa {kind} {m.name} {' '.join(m.methods)}"
        for kind, store in (
            ("authentication login", flex.authentication_login),
            ("authorization network", flex.authorization_network),
        )
        for m in store.values()
    ]
    if lists:
        out.append(lists)
    out += [_attribute_list(a, key, show_keys) for a in flex.attribute_lists.values()]
    return out


def _attribute_list(a: AttributeList, key: KeyText, show_keys: bool) -> Block:
    block = [f"aaa attribute list {a.name}"]
    for side, secret in (("local", a.password_local), ("remote", a.password_remote)):
        if secret is not None:
            block.append(f" attribute type ipsec:ikev2-password-{side} {key(secret, show_keys)}")
    return block + [f" {line}" for line in a.extra]


def authorization_policy_blocks(cfg: Config) -> list[Block]:
    """The authorization policies, then the name manglers."""
    flex = cfg.flexvpn
    return [
        *(_policy(p) for p in flex.authorization_policies.values()),
        *(_mangler(m) for m in flex.name_manglers.values()),
    ]


def _mangler(m: NameMangler) -> Block:
    block = [f"crypto ikev2 name-mangler {m.name}"]
    block += [f" {kind} {rule}" for kind, rule in (("fqdn", m.fqdn), ("email", m.email)) if rule]
    block += [f" dn {m.dn}"] if m.dn else []
    if m.eap is not None:
        kind, value = m.eap
        words = {"all": "all", "dn": f"dn {value}"}.get(kind, f"{kind} delimiter {value}")
        block.append(f" eap {words}")
    return block


def _policy(p: AuthorizationPolicy) -> Block:
    block = [f"crypto ikev2 authorization policy {p.name}"]
    block += [f" pool {p.pool}"] if p.pool else []
    block += [f" dns {' '.join(str(s) for s in p.dns)}"] if p.dns else []
    block += [f" netmask {p.netmask}"] if p.netmask else []
    block += [f" def-domain {p.def_domain}"] if p.def_domain else []
    block += [f" ipv6 pool {p.ipv6_pool}"] if p.ipv6_pool else []
    block += [f" ipv6 dns {' '.join(str(s) for s in p.ipv6_dns)}"] if p.ipv6_dns else []
    block += [f" route set interface {i}".rstrip() for i in p.route_set_interfaces]
    block += [f" route set access-list {p.route_set_acl}"] if p.route_set_acl else []
    block += [f" route set access-list ipv6 {p.route_set_acl6}"] if p.route_set_acl6 else []
    for network in p.route_set_remote:
        if network.version == 4:
            block.append(f" route set remote ipv4 {network.network_address} {network.netmask}")
        else:
            block.append(f" route set remote ipv6 {network}")
    block += _route_accept(p.route_accept)
    block += [f" aaa attribute list {p.attribute_list}"] if p.attribute_list else []
    return block + [f" {line}" for line in p.extra]


def _route_accept(accept: RouteAccept | None) -> Block:
    if accept is None:
        return [" no route accept any"]
    if accept == RouteAccept():
        return []
    tag = f" tag {accept.tag}" if accept.tag is not None else ""
    distance = f" distance {accept.distance}" if accept.distance != IKEV2_ROUTE_DISTANCE else ""
    return [f" route accept any{tag}{distance}"]


def client_blocks(cfg: Config) -> list[Block]:
    return [_client(c) for c in cfg.flexvpn.clients.values()]


def _client(c: FlexClient) -> Block:
    block = [f"crypto ikev2 client flexvpn {c.name}"]
    block += [f"  {client_peer_line(peer)}" for peer in c.peers]
    block += ["  peer reactivate"] if c.reactivate else []
    block += [f"  connect {c.connect}"] if c.connect != "auto" else []
    block += [f"  client connect {t}" for t in c.tunnels]
    return block + [f"  {line}" for line in c.extra]


def client_peer_line(peer: FlexClientPeer) -> str:
    """A FlexVPN client's `peer N ADDRESS|fqdn NAME [dynamic] [ipv6] [track T [down]]`."""
    track = "" if peer.track is None else f" track {peer.track}"
    track += " down" if peer.track is not None and not peer.track_up else ""
    where = str(peer.address) if peer.address else f"fqdn {peer.fqdn}"
    where += " dynamic" if peer.dynamic else ""
    where += " ipv6" if peer.ipv6 else ""
    return f"peer {peer.priority} {where}{track}"


def profile_lines(flex: ProfileFlex) -> Block:
    block = [f" aaa authentication eap {flex.eap_list}"] if flex.eap_list else []
    for g in flex.group_authorization:
        override = "override " if g.override else ""
        policy = f" {g.policy}" if g.policy else ""
        mangler = f" name-mangler {g.name_mangler}" if g.name_mangler else ""
        block.append(
            f" aaa authorization group {override}{g.method} list {g.method_list}{policy}{mangler}"
        )
    for u in flex.user_authorization:
        name = f" name-mangler {u.name_mangler}" if u.name_mangler else f" {u.name or ''}"
        how = "cached" if u.cached else f"list {u.method_list}{name.rstrip()}"
        block.append(f" aaa authorization user {u.method} {how}")
    if flex.keyring_aaa:
        mangler = f" name-mangler {flex.keyring_aaa_mangler}" if flex.keyring_aaa_mangler else ""
        block.append(f" keyring aaa {flex.keyring_aaa}{mangler}")
    if flex.virtual_template is not None:
        auto = " mode auto" if flex.virtual_template_auto else ""
        block.append(f" virtual-template {flex.virtual_template}{auto}")
    exchange = flex.config_exchange  # on by default: IOS prints what is off
    for word, on in (
        ("request", exchange.request),
        ("set send", exchange.set_send),
        ("set accept", exchange.set_accept),
    ):
        if not on:
            block.append(f" no config-exchange {word}")
    return block


def global_lines(cfg: Config) -> list[Block]:
    """`ip host` and `ip local pool` lines, a block each kind."""
    return [b for b in (host_lines(cfg), pool_lines(cfg)) if b]


def host_lines(cfg: Config) -> Block:
    lines = []
    for name, addresses in cfg.flexvpn.hosts.items():
        for family, word in ((4, "ip"), (6, "ipv6")):
            shown = [str(a) for a in addresses if a.version == family]
            lines += [f"{word} host {name} {' '.join(shown)}"] if shown else []
    return lines


def pool_lines(cfg: Config) -> Block:
    lines = []
    for pool in cfg.flexvpn.pools.values():
        last = f" {pool.last}" if pool.last != pool.first else ""
        lines.append(f"ip local pool {pool.name} {pool.first}{last}")
    return lines
