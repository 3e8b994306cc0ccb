"""The crypto exec commands of a router, lab or gateway: `debug`/`undebug`,
`clear crypto ...`, and the crypto show commands built from live state."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Protocol

from pyike import ios_names, show
from pyike.config.model import Config
from pyike.host import views
from pyike.host.pki_exec import register_pki_show_commands
from pyike.host.views import CryptoState
from pyike.ike.events import Endpoint, IPAddress
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import (
    CommandTree,
    Handler,
    IncompleteCommand,
    InvalidInput,
    Token,
    interface_arg,
)
from pyike.show.ike_counters import Ikev2Counters
from pyike.show.ikev2_sa import IkeSaFilter
from pyike.show.ikev2_stats import in_negotiation_limits
from pyike.show.session import SESSION_FILTERS, SessionFilter
from pyike.trace.ios_debug import Debug, DebugFormatter


class CryptoControl(CryptoState, Protocol):
    def clear(self, peer: Endpoint | None = None) -> None:
        """Delete (and tell the peers) every IKE SA, or those with `peer`."""
        ...


_DEBUG_MESSAGES = {
    Debug.BASIC: "IKEv2 default debugging is on",
    Debug.PACKET: "IKEv2 packet debugging is on",
    Debug.INTERNAL: "IKEv2 internal debugging is on",
    Debug.ERROR: "IKEv2 error debugging is on",
    Debug.PKI_VALIDATION: "Crypto PKI Validation Path debugging is on",
    Debug.PKI_TRANSACTIONS: "Crypto PKI Trans debugging is on",
}
ALL_OFF = "All possible debugging has been turned off"


def register_crypto_commands(
    tree: CommandTree,
    crypto: CryptoControl,
    formatter: DebugFormatter,
    ipsec_debug: Callable[[bool], None] | None = None,
    clear_ipsec: Callable[[IPAddress | None], None] | None = None,
) -> None:
    """`ipsec_debug(on)` switches `debug crypto ipsec`, and `clear_ipsec(peer)` deletes every
    IPsec SA, or those with one peer (`clear crypto sa [peer A]`), where the router supports
    them."""

    def clear_sa(args: Sequence[Token]) -> ExecJob:
        assert clear_ipsec is not None
        peer = _peer_address(args, ("peer",))
        clear_ipsec(None if peer is None else peer.address)
        return TextResult("")

    def debug_ipsec(args: Sequence[Token]) -> ExecJob:
        assert ipsec_debug is not None
        ipsec_debug(True)
        return TextResult("Crypto IPSEC debugging is on\n")

    def debug(flag: Debug) -> ExecJob:
        formatter.enabled |= flag
        return TextResult(_DEBUG_MESSAGES[flag] + "\n")

    router_undebug = tree.handler("undebug all")  # the router's own debugging (NHRP)

    def undebug(args: Sequence[Token]) -> ExecJob:
        formatter.enabled = Debug.NONE
        if ipsec_debug is not None:
            ipsec_debug(False)
        if router_undebug is not None:
            router_undebug(args)
        return TextResult(ALL_OFF + "\n")

    def clear_ikev2(keywords: tuple[str, ...]) -> Handler:
        def handler(args: Sequence[Token]) -> ExecJob:
            crypto.clear(_peer_address(args, keywords))
            return TextResult("")

        return handler

    def engine_peer(sa_id: int) -> IPAddress | None:
        sa = crypto.engine.ike_sa(sa_id)
        return None if sa is None else sa.remote.address

    formatter.peer_of = engine_peer

    def condition(keep: bool) -> Handler:
        def handler(args: Sequence[Token]) -> ExecJob:
            peer = _condition_peer(args)
            peers = formatter.peers | {peer} if keep else formatter.peers - {peer}
            formatter.set_peers(peers)
            return TextResult("")

        return handler

    def show_condition(args: Sequence[Token]) -> ExecJob:
        return TextResult("\n".join(debug_condition_lines(formatter.peers)) + "\n")

    tree.register("debug crypto condition peer", condition(True), takes_args=True)
    tree.register("no debug crypto condition peer", condition(False), takes_args=True)

    def reset_conditions(args: Sequence[Token]) -> ExecJob:
        formatter.set_peers(set())
        return TextResult("")

    tree.register("debug crypto condition reset", reset_conditions)
    tree.register("show crypto debug-condition", show_condition)
    tree.register("debug crypto ikev2", lambda args: debug(Debug.BASIC))
    tree.register("debug crypto ikev2 packet", lambda args: debug(Debug.PACKET))
    tree.register("debug crypto ikev2 internal", lambda args: debug(Debug.INTERNAL))
    tree.register("debug crypto ikev2 error", lambda args: debug(Debug.ERROR))
    tree.register("debug crypto pki validation", lambda args: debug(Debug.PKI_VALIDATION))
    tree.register("debug crypto pki transactions", lambda args: debug(Debug.PKI_TRANSACTIONS))
    if ipsec_debug is not None:
        tree.register("debug crypto ipsec", debug_ipsec)
    if clear_ipsec is not None:
        tree.register("clear crypto sa", clear_sa, takes_args=True)
    tree.register("undebug all", undebug)
    tree.register("no debug all", undebug)
    # IOS names the peer `remote`; `peer` is kept as pyike first took it
    tree.register("clear crypto ikev2 sa", clear_ikev2(("remote", "peer")), takes_args=True)
    tree.register("clear crypto session", clear_ikev2(("remote",)), takes_args=True)


def _peer_address(args: Sequence[Token], keywords: tuple[str, ...]) -> Endpoint | None:
    """`KEYWORD ADDRESS` (one of `keywords`, abbreviated as IOS takes it), or nothing."""
    if not args:
        return None
    word = args[0].text.lower()
    if not any(k.startswith(word) for k in keywords):
        raise InvalidInput(args[0].start)
    if len(args) < 2:
        raise IncompleteCommand()
    if len(args) > 2:
        raise InvalidInput(args[2].start)
    return Endpoint(_address(args[1]))


def _condition_peer(args: Sequence[Token]) -> IPAddress:
    """`ipv4 ADDRESS` or `ipv6 ADDRESS` of `debug crypto condition peer`."""
    if not args:
        raise IncompleteCommand()
    family = args[0].text.lower()
    version = 4 if "ipv4".startswith(family) else 6 if "ipv6".startswith(family) else None
    if version is None or len(family) < 4:
        raise InvalidInput(args[0].start)
    if len(args) < 2:
        raise IncompleteCommand()
    if len(args) > 2:
        raise InvalidInput(args[2].start)
    address = _address(args[1])
    if address.version != version:
        raise InvalidInput(args[1].start)
    return address


def debug_condition_lines(peers: set[IPAddress]) -> list[str]:
    """`show crypto debug-condition`: whether conditional debugging is on, and the peers it
    names (the only kind of condition pyike takes)."""
    if not peers:
        return ["Crypto conditional debug currently is turned OFF"]
    ordered = sorted(peers, key=lambda a: (a.version, int(a)))
    return [
        "Crypto conditional debug currently is turned ON",
        "IKE peer IP address filters:",
        *(f"{ios_names.address(peer)} " for peer in ordered),
    ]


def _address(token: Token) -> IPAddress:
    """An address where IOS wants one; anything else is invalid input at its first character."""
    try:
        return ipaddress.ip_address(token.text)
    except ValueError:
        raise InvalidInput(token.start) from None


def _flag(args: Sequence[Token], *words: str) -> bool:
    """True when the single optional argument abbreviates one of `words`."""
    if not args:
        return False
    if len(args) > 1 or not any(w.startswith(args[0].text.lower()) for w in words):
        raise InvalidInput(args[-1].start if len(args) > 1 else args[0].start)
    return True


IKE_SA_FILTERS = ("local", "remote", "fvrf", "ivrf")


def _ike_sa_filter(word: str, value: Token) -> IkeSaFilter:
    """The filter `show crypto ikev2 sa WORD VALUE` asks for; an address that is not one is
    invalid input at its first character."""
    if word == "fvrf":
        return IkeSaFilter(fvrf=value.text)
    if word == "ivrf":
        return IkeSaFilter(ivrf=value.text)
    address = _address(value)
    return IkeSaFilter(local=address) if word == "local" else IkeSaFilter(remote=address)


def register_show_commands(
    tree: CommandTree,
    node: CryptoState,
    config: Callable[[], Config],
    counters: Ikev2Counters | None = None,
) -> None:
    """The crypto show commands; `config` gives the configuration in force (a gateway's
    changes when it reloads); `counters`, kept from the engine's trace, feed `show crypto
    ikev2 stats`."""

    def text(lines: list[str]) -> ExecJob:
        return TextResult("\n".join(lines) + "\n" if lines else "")

    def named(args: Sequence[Token]) -> str | None:
        if len(args) > 1:
            raise InvalidInput(args[1].start)
        return args[0].text if args else None

    def ike_sas(detailed: bool, only: IkeSaFilter | None = None) -> ExecJob:
        sas = views.ike_sa_views(node)
        return text(show.show_crypto_ikev2_sa(sas, detailed=detailed, only=only))

    def ike_sas_filtered(word: str) -> Handler:
        def handler(args: Sequence[Token]) -> ExecJob:
            if not args:
                raise IncompleteCommand()
            return ike_sas(_flag(args[1:], "detailed"), _ike_sa_filter(word, args[0]))

        return handler

    tree.register("show crypto ikev2 sa", lambda a: ike_sas(False))
    tree.register("show crypto ikev2 sa detailed", lambda a: ike_sas(True))
    for word in IKE_SA_FILTERS:
        tree.register(f"show crypto ikev2 sa {word}", ike_sas_filtered(word), takes_args=True)
    tree.register(
        "show crypto ikev2 session",
        lambda a: text(
            show.show_crypto_ikev2_session(
                views.ikev2_session_views(node), detailed=_flag(a, "detailed")
            )
        ),
        takes_args=True,
    )
    if counters is not None:
        stats = counters

        def show_stats(args: Sequence[Token]) -> ExecJob:
            if _flag(args, "exchange"):
                return text(show.show_crypto_ikev2_stats_exchange(stats.exchange_view()))
            limits = in_negotiation_limits(config())
            view = stats.stats_view(*views.ike_sa_counts(node), max_in_negotiation=limits)
            return text(show.show_crypto_ikev2_stats(view))

        tree.register("show crypto ikev2 stats", show_stats, takes_args=True)
    tree.register(
        "show crypto ipsec sa",
        lambda a: text(
            show.show_crypto_ipsec_sa(views.ipsec_interface_views(node), detail=_flag(a, "detail"))
        ),
        takes_args=True,
    )

    def ipsec_sas_of_peer(args: Sequence[Token]) -> ExecJob:
        if not args:
            raise IncompleteCommand()
        peer = _address(args[0])
        detail = _flag(args[1:], "detail")
        return text(
            show.show_crypto_ipsec_sa(views.ipsec_interface_views(node), peer=peer, detail=detail)
        )

    def ipsec_sas_of_interface(args: Sequence[Token]) -> ExecJob:
        name, used = interface_arg(args, 0, config().interfaces)
        detail = _flag(args[used:], "detail")
        shown = [v for v in views.ipsec_interface_views(node) if v.interface == name]
        return text(show.show_crypto_ipsec_sa(shown, detail=detail))

    tree.register(
        "show crypto ipsec sa count",
        lambda a: text(show.show_crypto_ipsec_sa_count(views.ipsec_interface_views(node))),
    )

    def ipsec_sas_of_map(args: Sequence[Token]) -> ExecJob:
        if not args:
            raise IncompleteCommand()
        detail = _flag(args[1:], "detail")
        shown = [v for v in views.ipsec_interface_views(node) if v.crypto_map_tag == args[0].text]
        return text(show.show_crypto_ipsec_sa(shown, detail=detail))

    def ipsec_sas_of_vrf(args: Sequence[Token]) -> ExecJob:
        if not args:
            raise IncompleteCommand()
        detail = _flag(args[1:], "detail")
        interfaces = views.ipsec_interface_views(node)
        return text(show.show_crypto_ipsec_sa(interfaces, vrf=args[0].text, detail=detail))

    tree.register(
        "show crypto ipsec sa identity",
        lambda a: text(
            show.show_crypto_ipsec_sa(
                views.ipsec_interface_views(node), detail=_flag(a, "detail"), identity=True
            )
        ),
        takes_args=True,
    )
    tree.register("show crypto ipsec sa map", ipsec_sas_of_map, takes_args=True)
    tree.register("show crypto ipsec sa vrf", ipsec_sas_of_vrf, takes_args=True)
    tree.register("show crypto ipsec sa peer", ipsec_sas_of_peer, takes_args=True)
    tree.register("show crypto ipsec sa interface", ipsec_sas_of_interface, takes_args=True)
    tree.register(
        "show crypto engine connections active",
        lambda a: text(
            show.show_crypto_engine_connections_active(
                views.ipsec_interface_views(node), views.ike_sa_views(node)
            )
        ),
    )
    tree.register(
        "show crypto sockets",
        lambda a: text(show.show_crypto_sockets(*views.crypto_socket_views(node))),
    )
    # pyike negotiates IKEv2 only: the IKEv1 table IOS keeps beside it is always empty
    tree.register("show crypto isakmp sa", lambda a: text(show.show_crypto_isakmp_sa()))

    def sessions(only: SessionFilter | None, args: Sequence[Token]) -> ExecJob:
        detail = _flag(args, "detail")
        return text(
            show.show_crypto_session(views.crypto_session_views(node), detail=detail, only=only)
        )

    def sessions_filtered(word: str) -> Handler:
        def handler(args: Sequence[Token]) -> ExecJob:
            if not args:
                raise IncompleteCommand()
            if word == "interface":
                name, used = interface_arg(args, 0, config().interfaces)
                return sessions(SessionFilter(interface=name), args[used:])
            if word in ("fvrf", "ivrf"):
                only = (
                    SessionFilter(fvrf=args[0].text)
                    if word == "fvrf"
                    else SessionFilter(ivrf=args[0].text)
                )
            else:
                address = _address(args[0])
                only = (
                    SessionFilter(remote=address)
                    if word == "remote"
                    else SessionFilter(local=address)
                )
            return sessions(only, args[1:])

        return handler

    tree.register("show crypto session", lambda a: sessions(None, a), takes_args=True)
    tree.register(
        "show crypto session brief",
        lambda a: text(show.show_crypto_session_brief(views.crypto_session_views(node))),
    )
    for word in SESSION_FILTERS:
        tree.register(f"show crypto session {word}", sessions_filtered(word), takes_args=True)

    def config_show(formatter: Callable[[Config, str | None], list[str]]) -> Handler:
        return lambda args: text(formatter(config(), named(args)))

    for words, formatter in (
        ("show crypto ikev2 proposal", show.show_crypto_ikev2_proposal),
        ("show crypto ikev2 policy", show.show_crypto_ikev2_policy),
        ("show crypto ikev2 profile", show.show_crypto_ikev2_profile),
        ("show crypto ipsec transform-set", show.show_crypto_ipsec_transform_set),
        ("show crypto ipsec profile", show.show_crypto_ipsec_profile),
    ):
        tree.register(words, config_show(formatter), takes_args=True)

    def crypto_map_of(word: str) -> Handler:
        def handler(args: Sequence[Token]) -> ExecJob:
            cfg = config()
            if word == "interface":
                name, used = interface_arg(args, 0, cfg.interfaces)
                if len(args) > used:
                    raise InvalidInput(args[used].start)
                return text(show.show_crypto_map(cfg, interface=name))
            if not args:
                raise IncompleteCommand()
            return text(show.show_crypto_map(cfg, tag=named(args)))

        return handler

    tree.register("show crypto map", lambda a: text(show.show_crypto_map(config())))
    tree.register("show crypto dynamic-map", lambda a: text(show.show_crypto_dynamic_map(config())))

    def dynamic_map_tag(args: Sequence[Token]) -> ExecJob:
        if not args:
            raise IncompleteCommand()
        return text(show.show_crypto_dynamic_map(config(), named(args)))

    tree.register("show crypto dynamic-map tag", dynamic_map_tag, takes_args=True)
    tree.register("show crypto map interface", crypto_map_of("interface"), takes_args=True)
    tree.register("show crypto map tag", crypto_map_of("tag"), takes_args=True)
    for words in ("show access-lists", "show ip access-lists"):
        tree.register(
            words,
            lambda a: text(show.show_access_lists(config().access_lists.values(), named(a))),
            takes_args=True,
        )
    register_pki_show_commands(tree, config, lambda: node.policy.certificates)
