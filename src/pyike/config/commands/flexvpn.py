"""FlexVPN commands: AAA method lists (`aaa new-model`, `aaa authorization network`, `aaa
authentication login`), `aaa attribute list`, `crypto ikev2 authorization policy`, `ip local
pool`, `ip host`, `crypto ikev2 client flexvpn`, `crypto ikev2 name-mangler`, and the IKEv2
profile's `virtual-template`, `aaa authorization group|user`, `keyring aaa` and
`config-exchange`.

What these blocks hold that pyike does not act on (`banner`, `backup-gateway`, other AAA
attributes) is kept with the object, as typed, from the vocabulary of the block
(config/vocabulary.py), and counted as not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Interface
from typing import Any, Protocol, TypeVar

from pyike.config.build import Builder, Rejected
from pyike.config.commands.common import keep_line, named_object, setting, update_current
from pyike.config.commands.unmodelled import keep_vocabulary
from pyike.config.flexvpn_model import (
    DN_FIELDS,
    AttributeList,
    AuthorizationPolicy,
    ConfigExchange,
    FlexClient,
    FlexClientPeer,
    GroupAuthorization,
    LocalPool,
    MethodList,
    NameMangler,
    ProfileFlex,
    RouteAccept,
    UserAuthorization,
)
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import Secret
from pyike.config.modes import (
    AAA_ATTR_LIST,
    GLOBAL,
    IKEV2_AUTHOR_POLICY,
    IKEV2_FLEXVPN,
    IKEV2_NAME_MANGLER,
    IKEV2_PROFILE,
)
from pyike.config.params import IFACE, interface_arg


def _flex(b: Builder) -> Any:
    return b.config.flexvpn


# --- AAA ---------------------------------------------------------------------------------------


@GLOBAL.command("aaa new-model")
def _new_model(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _flex(b).aaa_new_model = not negate


# The method lists pyike models, by the words that open them: where each is kept.
_METHOD_LISTS: dict[tuple[str, str], Callable[[Builder], dict[str, MethodList]]] = {
    ("authorization", "network"): lambda b: _flex(b).authorization_network,
    ("authentication", "login"): lambda b: _flex(b).authentication_login,
}


@GLOBAL.command("aaa {authorization|authentication} <rest:LINE>")
def _method_list(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`aaa authorization network LIST METHOD...` and `aaa authentication login LIST
    METHOD...` (methods as typed: `local`, `group radius`, ...); other method lists (exec,
    commands, dot1x, ...) are kept as typed, as the vocabulary's `aaa ...` keeps them."""
    words: list[str] = m.get("rest").split()
    kind = "authorization" if m.has("authorization") else "authentication"
    store = _METHOD_LISTS.get((kind, words[0].lower()))
    if store is None or len(words) < 2 or (len(words) < 3 and not negate):
        b.keep("aaa")
        b.count_not_modelled(GLOBAL.name, "aaa")
        return
    name = words[1]
    if negate:
        store(b).pop(name, None)
    else:
        store(b)[name] = MethodList(name, tuple(_methods(words[2:])), b.source())


def _methods(words: list[str]) -> list[str]:
    """`group radius local` -> ["group radius", "local"]."""
    out: list[str] = []
    for word in words:
        if out and out[-1] in ("group", "cache"):
            out[-1] += f" {word}"
        else:
            out.append(word)
    return out


def _attribute_lists(b: Builder) -> dict[str, AttributeList]:
    lists: dict[str, AttributeList] = _flex(b).attribute_lists
    return lists


named_object("aaa attribute list $ <name:WORD>", AAA_ATTR_LIST, _attribute_lists, AttributeList)


_PASSWORDS = {"ipsec:ikev2-password-local": "local", "ipsec:ikev2-password-remote": "remote"}


@AAA_ATTR_LIST.command("attribute type $ <type:WORD> [<value:SECRET>]")
def _attribute(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """The per-peer keys (`ipsec:ikev2-password-local|remote [0|6] KEY`); other attributes
    are kept as typed."""
    side = _PASSWORDS.get(m.get("type", "").lower())
    if side is None:
        b.count_not_modelled(AAA_ATTR_LIST.name, "attribute type")
        _keep_in_attribute_list(b, m, line, negate)
        return
    key = None
    if not negate:
        words = (m.get("value") or "").split(maxsplit=1)
        if not words:
            raise Rejected("% Incomplete command.")
        kind, text = (
            (words[0], words[1])
            if len(words) == 2 and words[0] in "067"
            else ("0", " ".join(words))
        )
        if kind == "7":
            raise Rejected("% pyike cannot read a type 7 key here: give the key in clear text")
        key = Secret(text, int(kind))
    update_current(b, _attribute_lists(b), **{f"password_{side}": key})


# --- authorization policy ----------------------------------------------------------------------


def _policies(b: Builder) -> dict[str, AuthorizationPolicy]:
    policies: dict[str, AuthorizationPolicy] = _flex(b).authorization_policies
    return policies


named_object(
    "crypto ikev2 authorization policy $ <name:WORD>",
    IKEV2_AUTHOR_POLICY,
    _policies,
    AuthorizationPolicy,
)


def _update_policy(b: Builder, **changes: Any) -> None:
    update_current(b, _policies(b), **changes)


def _current(b: Builder) -> AuthorizationPolicy:
    return _policies(b)[b.key()]


for _pattern, _attr, _value in (
    ("pool $ <name:WORD>", "pool", "name"),
    ("ipv6 pool $ <name:WORD>", "ipv6_pool", "name"),
    ("netmask $ <mask:MASK>", "netmask", "mask"),
    ("def-domain $ <domain:WORD>", "def_domain", "domain"),
):
    setting(IKEV2_AUTHOR_POLICY, _pattern, _update_policy, _attr, _value)
_ATTRIBUTE_LIST = "aaa attribute list $ <name:WORD>"
setting(IKEV2_AUTHOR_POLICY, _ATTRIBUTE_LIST, _update_policy, "attribute_list", "name")


def _dns(pattern: str, attr: str, third: int) -> None:
    """Up to two servers; a new line replaces the list (a third, word ``third`` of the line,
    is refused)."""

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        servers = tuple(m.all("server"))
        if len(servers) > 2:
            raise Rejected(token=third)
        _update_policy(b, **{attr: () if negate else servers})

    IKEV2_AUTHOR_POLICY.add(pattern, handler)


_dns("dns $ {<server:IPV4>}+", "dns", 3)
_dns("ipv6 dns $ {<server:IPV6>}+", "ipv6_dns", 4)


@IKEV2_AUTHOR_POLICY.command(f"route set interface $ [{IFACE}]")
def _route_set_interface(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = interface_arg(m) or ""
    kept = tuple(i for i in _current(b).route_set_interfaces if i != name)
    _update_policy(b, route_set_interfaces=kept if negate else (*kept, name))


@IKEV2_AUTHOR_POLICY.command("route set access-list $ [ipv6] <acl:WORD>")
def _route_set_acl(b: Builder, m: Match, line: Line, negate: bool) -> None:
    attr = "route_set_acl6" if m.has("ipv6") else "route_set_acl"
    _update_policy(b, **{attr: None if negate else m.get("acl")})


@IKEV2_AUTHOR_POLICY.command(
    "route set remote $ {ipv4 <addr:IPV4> <mask:MASK>|ipv6 <prefix:IPV6PFX>}"
)
def _route_set_remote(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if m.has("ipv4"):
        addr, mask = m.get("addr"), m.get("mask")
        if addr is None:
            _update_policy(b, route_set_remote=())
            return
        network: IPv4Network | Any = IPv4Network(f"{addr}/{mask}", strict=False)
    else:
        prefix: IPv6Interface | None = m.get("prefix")
        if prefix is None:
            _update_policy(b, route_set_remote=())
            return
        network = prefix.network
    kept = tuple(n for n in _current(b).route_set_remote if n != network)
    _update_policy(b, route_set_remote=kept if negate else (*kept, network))


@IKEV2_AUTHOR_POLICY.command(
    "route accept $ any [tag <tag:INT(1,4294967295)>] [distance <distance:INT(1,255)>]"
)
def _route_accept(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _update_policy(b, route_accept=None)
        return
    accept = RouteAccept(m.get("tag"))
    if m.get("distance") is not None:
        accept = replace(accept, distance=m.get("distance"))
    _update_policy(b, route_accept=accept)


def _keep_in_policy(b: Builder, m: Match, line: Line, negate: bool) -> None:
    keep_line(b, _policies(b), line)


def _keep_in_attribute_list(b: Builder, m: Match, line: Line, negate: bool) -> None:
    keep_line(b, _attribute_lists(b), line)


# --- ip local pool -----------------------------------------------------------------------------


@GLOBAL.command("ip local pool $ <name:WORD> <first:IPV4> [<last:IPV4>]")
def _local_pool(b: Builder, m: Match, line: Line, negate: bool) -> None:
    pools = _flex(b).pools
    name = m.get("name")
    if negate:
        pools.pop(name, None)
        return
    first: IPv4Address = m.get("first")
    last: IPv4Address = m.get("last") or first
    if int(last) < int(first):
        raise Rejected(f"%Invalid range: {first} {last}")
    pools[name] = LocalPool(name, first, last, b.source())


# --- FlexVPN client ----------------------------------------------------------------------------


def _clients(b: Builder) -> dict[str, FlexClient]:
    clients: dict[str, FlexClient] = _flex(b).clients
    return clients


named_object("crypto ikev2 client flexvpn $ <name:WORD>", IKEV2_FLEXVPN, _clients, FlexClient)


def _update_client(b: Builder, **changes: Any) -> None:
    update_current(b, _clients(b), **changes)


@IKEV2_FLEXVPN.command(
    "peer $ <n:INT(1,10)> {<addr:IPV4>|fqdn <name:WORD> [dynamic] [ipv6]} "
    "[track <track:INT(1,1000)> [up|down]]"
)
def _client_peer(b: Builder, m: Match, line: Line, negate: bool) -> None:
    client = _clients(b)[b.key()]
    number = m.get("n")
    kept = tuple(p for p in client.peers if p.priority != number)
    if not negate:
        peer = FlexClientPeer(number, m.get("addr"), m.get("name"), m.get("track"))
        words = m.keywords()
        peer = replace(peer, dynamic="dynamic" in words, ipv6="ipv6" in words)
        kept = (*kept, replace(peer, track_up=not m.has("down")))
    _update_client(b, peers=tuple(sorted(kept, key=lambda p: p.priority)))


@IKEV2_FLEXVPN.command(f"client connect $ {IFACE}")
def _client_connect(b: Builder, m: Match, line: Line, negate: bool) -> None:
    client = _clients(b)[b.key()]
    name = interface_arg(m)
    kept = tuple(t for t in client.tunnels if t != name)
    _update_client(b, tunnels=kept if negate else (*kept, name))


@IKEV2_FLEXVPN.command("connect $ {auto|manual|track <track:INT(1,1000)> [up|down]}")
def _client_connect_mode(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`connect auto|manual|track N [up|down]` (the track's words kept for `config show`)."""
    words = m.keywords()
    mode = next((w for w in words if w in ("auto", "manual")), None)
    if mode is None:
        state = next((f" {w}" for w in words if w in ("up", "down")), "")
        mode = f"track {m.get('track')}{state}"
    _update_client(b, connect="auto" if negate else mode)


@IKEV2_FLEXVPN.command("peer reactivate")
def _client_reactivate(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update_client(b, reactivate=not negate)


def _keep_in_client(b: Builder, m: Match, line: Line, negate: bool) -> None:
    keep_line(b, _clients(b), line)


# --- name manglers ------------------------------------------------------------------------------


def _manglers(b: Builder) -> dict[str, NameMangler]:
    manglers: dict[str, NameMangler] = _flex(b).name_manglers
    return manglers


named_object("crypto ikev2 name-mangler $ <name:WORD>", IKEV2_NAME_MANGLER, _manglers, NameMangler)

_DN_WORDS = "|".join(DN_FIELDS)


def _mangler_rule(b: Builder, m: Match, kind: str, value: object) -> None:
    update_current(b, _manglers(b), **{kind: value})


@IKEV2_NAME_MANGLER.command("fqdn $ {hostname|domain|all}")
def _mangle_fqdn(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _mangler_rule(b, m, "fqdn", None if negate else m.keywords()[-1])


@IKEV2_NAME_MANGLER.command("email $ {username|domain|all}")
def _mangle_email(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _mangler_rule(b, m, "email", None if negate else m.keywords()[-1])


@IKEV2_NAME_MANGLER.command(f"dn $ {{{_DN_WORDS}}}")
def _mangle_dn(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _mangler_rule(b, m, "dn", None if negate else m.keywords()[-1])


@IKEV2_NAME_MANGLER.command(
    f"eap $ {{all|dn {{{_DN_WORDS}}}|{{prefix|suffix}} delimiter <delimiter:WORD>}}"
)
def _mangle_eap(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """`eap all`, `eap dn FIELD`, `eap prefix|suffix delimiter {.|@|\\}`."""
    if negate:
        _mangler_rule(b, m, "eap", None)
        return
    words = m.keywords()
    if "all" in words:
        rule = ("all", "")
    elif "dn" in words:
        rule = ("dn", words[-1])
    else:
        delimiter = m.get("delimiter")
        if delimiter not in (".", "@", "\\"):
            raise Rejected(token=3)
        rule = ("prefix" if "prefix" in words else "suffix", delimiter)
    _mangler_rule(b, m, "eap", rule)


# --- ip host ------------------------------------------------------------------------------------


@GLOBAL.command("ip host $ <name:WORD> [<port:INT(0,65535)>] [{<addr:IPV4>}+]")
def _ip_host(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _host(b, m, negate)


@GLOBAL.command("ip host vrf <vrf:WORD> <rest:LINE>")
def _ip_host_vrf(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """A name in a VRF: kept as typed (FlexVPN clients resolve in the global table)."""
    b.keep("ip")
    b.count_not_modelled(GLOBAL.name, "ip host vrf")


@GLOBAL.command("ipv6 host $ <name:WORD> [<port:INT(0,65535)>] [{<addr:IPV6>}+]")
def _ipv6_host(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _host(b, m, negate)


def _host(b: Builder, m: Match, negate: bool) -> None:
    """`ip host NAME [PORT] ADDR...` (up to eight): the name's addresses, IPv4 and IPv6 ones
    kept together; `no ip host NAME` forgets the name's addresses of that family."""
    hosts = _flex(b).hosts
    name: str = m.get("name")
    addresses = [c for c in m.captures if c.name == "addr"]
    if not addresses and not negate:
        raise Rejected("% Incomplete command.")
    if len(addresses) > 8:
        raise Rejected(token=addresses[8].index)
    added: tuple[IPv4Address | IPv6Address, ...] = tuple(c.value for c in addresses)
    family = 6 if m.has("ipv6") else 4
    kept = tuple(a for a in hosts.get(name, ()) if a.version != family)
    if negate:
        added = ()
    if kept or added:
        hosts[name] = (*kept, *added)
    else:
        hosts.pop(name, None)


# --- the IKEv2 profile -------------------------------------------------------------------------


def _update_flex(b: Builder, **changes: Any) -> None:
    profile = b.config.profiles[b.key()]
    b.config.profiles[b.key()] = replace(profile, flex=replace(profile.flex, **changes))


def _profile_flex(b: Builder) -> ProfileFlex:
    flex: ProfileFlex = b.config.profiles[b.key()].flex
    return flex


@IKEV2_PROFILE.command("virtual-template $ <n:INT(1,65535)> [mode auto]")
def _virtual_template(b: Builder, m: Match, line: Line, negate: bool) -> None:
    number = None if negate else m.get("n")
    _update_flex(b, virtual_template=number, virtual_template_auto=not negate and m.has("auto"))


@IKEV2_PROFILE.command(
    "aaa authorization group [override] $ {psk|cert|eap} list <list:WORD> "
    "[{name-mangler <mangler:WORD>|<policy:WORD>}]"
)
def _group_authorization(b: Builder, m: Match, line: Line, negate: bool) -> None:
    method = _method(m)
    entry = GroupAuthorization(
        method, m.get("list"), m.get("policy"), m.has("override"), m.get("mangler")
    )
    kept = _per_method(_profile_flex(b).group_authorization, method, None if negate else entry)
    _update_flex(b, group_authorization=kept)


@IKEV2_PROFILE.command(
    "aaa authorization user $ {psk|cert|eap} "
    "{cached|list <list:WORD> [{name-mangler <mangler:WORD>|<name:WORD>}]}"
)
def _user_authorization(b: Builder, m: Match, line: Line, negate: bool) -> None:
    method = _method(m)
    user = UserAuthorization(
        method, m.has("cached"), m.get("list"), m.get("name"), m.get("mangler")
    )
    kept = _per_method(_profile_flex(b).user_authorization, method, None if negate else user)
    _update_flex(b, user_authorization=kept)


class _PerMethod(Protocol):
    @property
    def method(self) -> str: ...


_Line = TypeVar("_Line", bound=_PerMethod)


def _method(m: Match) -> str:
    """The authentication method an `aaa authorization group|user` line is for."""
    return next(w for w in m.keywords() if w in ("psk", "cert", "eap"))


def _per_method(lines: tuple[_Line, ...], method: str, new: _Line | None) -> tuple[_Line, ...]:
    """A profile's authorization lines with ``method``'s replaced by ``new`` (None: removed):
    one line per method, as IOS keeps them."""
    kept = tuple(line for line in lines if line.method != method)
    return kept if new is None else (*kept, new)


setting(IKEV2_PROFILE, "aaa authentication eap $ <list:WORD>", _update_flex, "eap_list", "list")


@IKEV2_PROFILE.command("keyring aaa $ <list:WORD> [name-mangler <mangler:WORD>]")
def _keyring_aaa(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        _update_flex(b, keyring_aaa=None, keyring_aaa_mangler=None)
    else:
        _update_flex(b, keyring_aaa=m.get("list"), keyring_aaa_mangler=m.get("mangler"))


_EXCHANGE_FIELDS = {"request": "request", "send": "set_send", "accept": "set_accept"}


@IKEV2_PROFILE.command("config-exchange {request|set {send|accept}}")
def _config_exchange(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """On by default: only the `no` form changes anything."""
    word = next(w for w in m.keywords() if w in _EXCHANGE_FIELDS)
    exchange: ConfigExchange = _profile_flex(b).config_exchange
    _update_flex(b, config_exchange=replace(exchange, **{_EXCHANGE_FIELDS[word]: not negate}))


# --- what the blocks keep without modelling ----------------------------------------------------


keep_vocabulary(
    IKEV2_AUTHOR_POLICY,
    "crypto ikev2 authorization policy ...",
    _keep_in_policy,
    frozenset({"pool", "dns", "netmask", "def-domain", "route"}),
)
keep_vocabulary(AAA_ATTR_LIST, "aaa attribute list ...", _keep_in_attribute_list)
keep_vocabulary(
    IKEV2_FLEXVPN, "crypto ikev2 client flexvpn ...", _keep_in_client, frozenset({"peer"})
)
