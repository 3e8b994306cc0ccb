"""The DMVPN exec commands of a lab router's multipoint GRE tunnels (`pyike.node.mgre`):
`show dmvpn [detail]` (with crypto's state per peer, a section per overlay family), `show ip
nhrp [detail]` and `show ipv6 nhrp [detail]`, `show ip|ipv6 nhrp nhs [detail]`, `show
ip|ipv6 nhrp traffic [interface IF]`, `debug nhrp [packet|cache|error]`, `debug dmvpn
{all|error|detail|packet} {all|nhrp}` (the NHRP lines of it), `clear ip nhrp`, `clear ipv6
nhrp`, `clear ip|ipv6 nhrp counters [interface IF]`, and the NHRP part of `undebug all`
(registered before the crypto commands, whose `undebug all` runs it too)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from pyike.lab.crypto_node import CryptoNode
from pyike.nhrp.actions import DebugKind
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import (
    CommandTree,
    IncompleteCommand,
    InvalidInput,
    Token,
    interface_arg,
)
from pyike.node.mgre import MultipointTunnel
from pyike.show.dmvpn import DmvpnInterface, show_dmvpn
from pyike.show.nhrp import show_ip_nhrp, show_ip_nhrp_nhs, show_ip_nhrp_traffic

_DEBUG = {
    None: (frozenset({DebugKind.GENERAL}), "NHRP protocol debugging is on"),
    "packet": (frozenset({DebugKind.PACKET}), "NHRP activity debugging is on"),
    "cache": (frozenset({DebugKind.CACHE}), "NHRP cache operations debugging is on"),
    "error": (frozenset({DebugKind.ERROR}), "NHRP errors debugging is on"),
}
# `debug dmvpn LEVEL nhrp|all`: the NHRP debugging each level turns on
_DMVPN_LEVELS = {
    "all": frozenset(DebugKind),
    "detail": frozenset({DebugKind.GENERAL, DebugKind.CACHE}),
    "packet": frozenset({DebugKind.PACKET}),
    "error": frozenset({DebugKind.ERROR}),
}


def _text(lines: list[str]) -> ExecJob:
    return TextResult("\n".join(lines) + "\n" if lines else "")


def _detail(args: Sequence[Token]) -> bool:
    if not args:
        return False
    if len(args) > 1 or not "detail".startswith(args[0].text.lower()):
        raise InvalidInput(args[-1].start if len(args) > 1 else args[0].start)
    return True


def dmvpn_views(node: CryptoNode, mgre: MultipointTunnel) -> list[DmvpnInterface]:
    """A multipoint tunnel as `show dmvpn` shows it, one view per overlay family (IPv4
    first), crypto's state per peer included."""
    router = node.router
    iface = router.interface(mgre.name)
    config = iface.config
    views = []
    for engine in mgre.engines.values():
        crypto = {}
        if config.tunnel_protection is not None:
            nbmas = {e.nbma for e in engine.entries() if e.nbma is not None}
            crypto = {nbma: node.peer_crypto(mgre.name, nbma) for nbma in nbmas}
        protect = config.tunnel_protection or ""
        view = DmvpnInterface.of(engine, router.clock.now, protect, crypto)
        views.append(
            replace(
                view,
                status=f"{iface.status}/{iface.protocol}",
                vrf=iface.vrf or "",
                tunnel_vrf=config.tunnel_vrf or "",
            )
        )
    return views


def register_dmvpn_commands(tree: CommandTree, node: CryptoNode) -> None:
    router = node.router

    def tunnels() -> list[MultipointTunnel]:
        return list(router.multipoint.values())

    def dmvpn(args: Sequence[Token]) -> ExecJob:
        views = [view for mgre in tunnels() for view in dmvpn_views(node, mgre)]
        return _text(show_dmvpn(views, router.clock.now, detail=_detail(args)) if views else [])

    def nhrp(version: int) -> Callable[[Sequence[Token]], ExecJob]:
        def show(args: Sequence[Token]) -> ExecJob:
            caches = [
                (mgre.name, mgre.engines[version].entries())
                for mgre in tunnels()
                if version in mgre.engines
            ]
            return _text(show_ip_nhrp(caches, router.clock.now, detail=_detail(args)))

        return show

    def nhs(version: int) -> Callable[[Sequence[Token]], ExecJob]:
        def show(args: Sequence[Token]) -> ExecJob:
            now = router.clock.now
            servers = [
                (mgre.name, mgre.engines[version].nhs_status(now))
                for mgre in tunnels()
                if version in mgre.engines
            ]
            return _text(show_ip_nhrp_nhs(servers, now, detail=_detail(args)))

        return show

    def chosen(args: Sequence[Token], version: int) -> list[MultipointTunnel]:
        """The tunnels running NHRP for `version`, or the one `interface IF` names."""
        running = [mgre for mgre in tunnels() if version in mgre.engines]
        if not args:
            return running
        _keyword(args[0], ("interface",))
        name, used = interface_arg(args, 1, router.interfaces)
        if len(args) > 1 + used:
            raise InvalidInput(args[1 + used].start)
        return [mgre for mgre in running if mgre.name == name]

    def traffic(version: int) -> Callable[[Sequence[Token]], ExecJob]:
        def show(args: Sequence[Token]) -> ExecJob:
            now = router.clock.now
            counts = [(m.name, m.engines[version].traffic(now)) for m in chosen(args, version)]
            return _text(show_ip_nhrp_traffic(counts))

        return show

    def clear_counters(version: int) -> Callable[[Sequence[Token]], ExecJob]:
        def run(args: Sequence[Token]) -> ExecJob:
            for mgre in chosen(args, version):
                mgre.engines[version].clear_counters()
            return TextResult("")

        return run

    def debug(word: str | None) -> ExecJob:
        kinds, message = _DEBUG[word]
        for mgre in tunnels():
            mgre.debugging |= kinds
        return TextResult(message + "\n")

    def debug_dmvpn(args: Sequence[Token]) -> ExecJob:
        if len(args) < 2:
            raise IncompleteCommand()
        level = _keyword(args[0], tuple(_DMVPN_LEVELS))
        _keyword(args[1], ("all", "nhrp"))
        if len(args) > 2:
            raise InvalidInput(args[2].start)
        for mgre in tunnels():
            mgre.debugging |= _DMVPN_LEVELS[level]
        return TextResult(f"DMVPN {level} level debugging is on\n")

    def undebug(args: Sequence[Token]) -> ExecJob:
        for mgre in tunnels():
            mgre.debugging.clear()
        return TextResult("All possible debugging has been turned off\n")

    def clear(version: int) -> Callable[[Sequence[Token]], ExecJob]:
        def run(args: Sequence[Token]) -> ExecJob:
            for mgre in tunnels():
                mgre.clear(version)
            return TextResult("")

        return run

    tree.register("show dmvpn", dmvpn, takes_args=True)
    tree.register("show ip nhrp", nhrp(4), takes_args=True)
    tree.register("show ipv6 nhrp", nhrp(6), takes_args=True)
    tree.register("show ip nhrp nhs", nhs(4), takes_args=True)
    tree.register("show ipv6 nhrp nhs", nhs(6), takes_args=True)
    tree.register("show ip nhrp traffic", traffic(4), takes_args=True)
    tree.register("show ipv6 nhrp traffic", traffic(6), takes_args=True)
    tree.register("clear ip nhrp counters", clear_counters(4), takes_args=True)
    tree.register("clear ipv6 nhrp counters", clear_counters(6), takes_args=True)
    tree.register("debug nhrp", lambda a: debug(None))
    for word in ("packet", "cache", "error"):
        tree.register(f"debug nhrp {word}", lambda a, w=word: debug(w))  # type: ignore[misc]
    tree.register("debug dmvpn", debug_dmvpn, takes_args=True)
    tree.register("undebug all", undebug)
    tree.register("no debug all", undebug)
    tree.register("clear ip nhrp", clear(4))
    tree.register("clear ipv6 nhrp", clear(6))


def _keyword(token: Token, words: tuple[str, ...]) -> str:
    found = [w for w in words if w.startswith(token.text.lower())]
    if len(found) != 1:
        raise InvalidInput(token.start)
    return found[0]


__all__ = ["dmvpn_views", "register_dmvpn_commands"]
