"""The VRF checks of `pyike.config.validate`: names of VRFs that were never defined, and
tunnels whose underlay is in another VRF than `tunnel vrf` says.

IOS refuses `vrf forwarding NAME` for an undefined VRF when it is typed (the parser does too);
the other references are accepted and simply never match or route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address

from pyike.config.diagnostics import Severity
from pyike.config.model import Config, Interface, Source
from pyike.config.query import child_sa_policies, vrf_of_address

# How validate records a finding: (severity, where, message, the tunnel it keeps down).
Add = Callable[[Severity, Source | None, str, str | None], None]


def _vrf_name(vrf: str | None) -> str:
    return "the global table" if vrf is None else f"VRF {vrf}"


@dataclass
class _Findings:
    cfg: Config
    record: Add

    def add(
        self, severity: Severity, source: Source | None, message: str, blocks: str | None = None
    ) -> None:
        self.record(severity, source, message, blocks)

    def known(self, vrf: str | None) -> bool:
        return vrf is None or vrf in self.cfg.vrfs


def check_vrfs(cfg: Config, add: Add) -> None:
    f = _Findings(cfg, add)
    for iface in cfg.interfaces.values():
        if iface.is_tunnel:
            _tunnel(f, iface)
    for route in cfg.routes:
        if not f.known(route.vrf):
            f.add(
                Severity.ERROR,
                route.source,
                f"ip route vrf {route.vrf} {route.prefix}: VRF {route.vrf} is not configured",
            )
    for kind, objects in (("profile", cfg.profiles), ("policy", cfg.policies)):
        for obj in objects.values():
            if obj.match_fvrf not in (None, "any") and not f.known(obj.match_fvrf):
                f.add(
                    Severity.WARNING,
                    obj.source,
                    f"crypto ikev2 {kind} {obj.name}: match fvrf {obj.match_fvrf}: no such VRF, "
                    "so no IKE packet arrives in it",
                )
    for profile in cfg.profiles.values():
        if not f.known(profile.ivrf):
            f.add(
                Severity.ERROR,
                profile.source,
                f"crypto ikev2 profile {profile.name}: ivrf {profile.ivrf} is not configured",
            )
    _tunnel_profiles(f)


def _tunnel(f: _Findings, tunnel: Interface) -> None:
    """A tunnel's source must be in its front-door VRF: IOS routes the tunnel's packets in
    `tunnel vrf` (global without it) and decrypts only what arrives there."""
    where = f"interface {tunnel.name}"
    if not f.known(tunnel.tunnel_vrf):
        f.add(
            Severity.ERROR,
            tunnel.source,
            f"{where}: tunnel vrf {tunnel.tunnel_vrf} is not configured",
            blocks=tunnel.name if tunnel.tunnel_protection else None,
        )
        return
    source_vrf, source = _source_vrf(f.cfg, tunnel)
    if source is None or source_vrf == tunnel.tunnel_vrf:
        return
    fix = f"tunnel vrf {source_vrf}" if source_vrf else f"no tunnel vrf {tunnel.tunnel_vrf}"
    f.add(
        Severity.ERROR,
        tunnel.source,
        f"{where}: tunnel source {source} is in {_vrf_name(source_vrf)} but the tunnel is "
        f"routed in {_vrf_name(tunnel.tunnel_vrf)} ('{fix}' to match)",
        blocks=tunnel.name if tunnel.tunnel_protection else None,
    )


def _source_vrf(cfg: Config, tunnel: Interface) -> tuple[str | None, str | None]:
    """(the VRF of the tunnel's source, the source as typed); (None, None) when unknown."""
    source = tunnel.tunnel_source
    if source is None:
        return None, None
    iface = cfg.interfaces.get(source)
    if iface is not None:
        return iface.vrf, source
    try:
        address = ip_address(source)
    except ValueError:
        return None, None
    held = any(address in [a for a, _ in i.addresses] for i in cfg.interfaces.values())
    return (vrf_of_address(cfg, address), source) if held else (None, None)


def _crypto_map_ivrf(
    f: _Findings, entry: str, profile: str, ivrf: str | None, fvrf: str | None
) -> None:
    """pyike forwards what a crypto map decrypts in its interface's VRF; an inside VRF of the
    IKEv2 profile (IOS's VRF-aware crypto maps) is not acted on, and says so."""
    if ivrf is None or ivrf == fvrf:
        return
    source = next((p.source for p in [f.cfg.profiles.get(profile)] if p is not None), None)
    f.add(
        Severity.WARNING,
        source,
        f"{entry}: IKEv2 profile {profile} says ivrf {ivrf}; pyike forwards the crypto map's "
        f"decrypted traffic in its interface's VRF ({_vrf_name(fvrf)}) and not in {ivrf}",
    )


def _tunnel_profiles(f: _Findings) -> None:
    """What a protected tunnel's IKEv2 profile says of VRFs, against the tunnel's own."""
    for child in child_sa_policies(f.cfg):
        profile = child.ikev2_profile
        tunnel = f.cfg.interfaces.get(child.name)
        if profile is None:
            continue
        if tunnel is None:
            _crypto_map_ivrf(f, child.name, profile.name, profile.ivrf, child.fvrf)
            continue
        where = f"interface {tunnel.name}"
        if profile.match_fvrf != "any" and profile.match_fvrf != tunnel.tunnel_vrf:
            matched = "the global table" if profile.match_fvrf is None else profile.match_fvrf
            f.add(
                Severity.WARNING,
                tunnel.source,
                f"{where}: its IKEv2 profile {profile.name} matches IKE in {matched} only, but "
                f"the tunnel runs IKE in {_vrf_name(tunnel.tunnel_vrf)}: an IKE_AUTH arriving "
                "there finds no profile and is answered AUTHENTICATION_FAILED "
                f"('match fvrf {tunnel.tunnel_vrf or 'any'}' in the profile)",
            )
        # IOS takes a static tunnel's inside VRF from the tunnel (`vrf forwarding`); a
        # profile's `ivrf` is for FlexVPN's virtual-access interfaces, and a different one
        # on the profile of a tunnel makes the negotiation fail on IOS.
        if profile.ivrf is not None and profile.ivrf != tunnel.vrf:
            f.add(
                Severity.WARNING,
                tunnel.source,
                f"{where}: its IKEv2 profile {profile.name} says ivrf {profile.ivrf} but the "
                f"tunnel is in {_vrf_name(tunnel.vrf)}; IOS routes the tunnel's traffic in the "
                "tunnel's VRF (configure the inside VRF on the tunnel)",
            )
