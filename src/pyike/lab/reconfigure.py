"""`configure terminal` on a running lab router (`pyike lab --interactive --ssh`): the new
configuration takes effect as it would on IOS, through the code the lab builds routers with.

Interfaces added, changed (addresses, shutdown, tunnel source, destination, mode, protection)
or removed are rebuilt from their new configuration in place (a changed one keeps its place
on the lab's wires and its counters), the routing tables from the new static routes, and the
crypto host reloads the policy (`CryptoHost.reload`, as the gateway's SIGHUP): tunnels whose
policy changed or vanished lose their SAs, new and changed ones are negotiated on the lab's
clock. What the lab sets up only at start (which segment a new physical interface is on, GRE
keepalives, NHRP, IP SLA and track objects, FlexVPN clients, the hostname) is kept in the
running configuration but waits for a lab restart; the session says which.
"""

from __future__ import annotations

from pyike.config.model import Config, Interface, Nhrp
from pyike.host.reconfigured import same_interface, same_routes
from pyike.lab.crypto_map import CryptoMaps
from pyike.lab.lab import Lab, LabRouter
from pyike.node.interfaces import InterfaceKind, kind_of
from pyike.node.router import Router


def configure(lab: Lab, lab_router: LabRouter, config: Config) -> str:
    """Run `config` on `lab_router` from now on; what to tell the session (raises ValueError
    when the lab cannot make a policy of it, with nothing changed)."""
    policy, tunnels = lab.policy_factory(config)
    router, crypto = lab_router.router, lab_router.crypto
    old = router.config
    waiting = _waiting_for_restart(old, config, router)
    added, changed, removed = _interface_changes(old, config, router)
    router.config = config
    for name in added:
        router.add_interface(config.interfaces[name])
    for name in changed:
        router.replace_interface(config.interfaces[name])
    renegotiated = crypto.reload(config, policy, tunnels)
    for name in removed:
        router.remove_interface(name)
    router.refresh()  # the static routes
    _reinstall_crypto_maps(lab_router)
    return _summary(added, changed, removed, old, config, renegotiated, waiting)


def _interface_changes(
    old: Config, new: Config, router: Router
) -> tuple[list[str], list[str], list[str]]:
    """(added, changed, removed) interface names; dynamic interfaces (Virtual-AccessN) are
    the router's own and never in a configuration."""
    added = [n for n in new.interfaces if n not in router.interfaces]
    changed = [
        n
        for n, iface in new.interfaces.items()
        if n in router.interfaces and not same_interface(iface, old.interfaces.get(n))
    ]
    removed = [n for n in old.interfaces if n not in new.interfaces and n in router.interfaces]
    return added, changed, removed


def _waiting_for_restart(old: Config, new: Config, router: Router) -> list[str]:
    """What of the change the running router cannot take, in the session's words."""
    waiting: list[str] = []
    if new.hostname != old.hostname:
        waiting.append(f"hostname {new.hostname}")
    for name, iface in new.interfaces.items():
        before = old.interfaces.get(name)
        if before is None and kind_of(name) in (InterfaceKind.ETHERNET, InterfaceKind.OTHER):
            waiting.append(f"interface {name} (joining the lab's segments)")
        elif _started_once(iface) != _started_once(before):
            waiting.append(f"interface {name} (keepalive, NHRP)")
    if new.tracking != old.tracking:
        waiting.append("ip sla and track")
    if new.flexvpn.clients != old.flexvpn.clients:
        waiting.append("crypto ikev2 client flexvpn")
    return waiting


def _started_once(iface: Interface | None) -> tuple[object, ...]:
    """What the router sets up for an interface only when it starts: GRE keepalives, NHRP
    and multipoint GRE."""
    if iface is None:
        return (None, Nhrp(), Nhrp(), False)
    return iface.keepalive, iface.nhrp, iface.nhrp6, iface.is_multipoint_gre


def _reinstall_crypto_maps(lab_router: LabRouter) -> None:
    """The router's crypto map policy follows the maps of the new configuration, keeping
    its counters."""
    router = lab_router.router
    before = router.outbound_policy
    router.outbound_policy = router.inbound_policy = None
    maps = CryptoMaps(lab_router.crypto, router.log)
    if isinstance(before, CryptoMaps):
        maps.counters = before.counters
    maps.install(router)


def _summary(
    added: list[str],
    changed: list[str],
    removed: list[str],
    old: Config,
    new: Config,
    renegotiated: list[str],
    waiting: list[str],
) -> str:
    done = [f"interface {n} added" for n in added]
    done += [f"interface {n} changed" for n in changed]
    done += [f"interface {n} removed" for n in removed]
    if not same_routes(old, new):
        done.append("static routes")
    if renegotiated:
        done.append(f"negotiating {', '.join(renegotiated)}")
    out = f"% Applied to the running router: {', '.join(done)}\n" if done else ""
    if waiting:
        out += f"% Takes effect after a lab restart: {', '.join(waiting)}\n"
    return out
