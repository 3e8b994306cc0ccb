"""`show crypto ikev2 client flexvpn [TunnelN]`: each FlexVPN client tunnel, its client
profile, whether it is connected and to which peer, as IOS prints it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_NO_VRF = "IP DEFAULT"


@dataclass(frozen=True)
class FlexClientView:
    profile: str  # the `crypto ikev2 client flexvpn NAME`
    active: bool  # the tunnel's IPsec SAs are up with the peer
    peer: str | None  # the peer it is connected or connecting to
    source: str | None  # the tunnel source interface
    ivrf: str | None
    fvrf: str | None
    tunnel: str


def show_flexvpn_clients(views: Sequence[FlexClientView]) -> str:
    lines: list[str] = []
    for view in views:
        lines += [
            "",
            f"  Profile : {view.profile}",
            f"  Current state:{'ACTIVE' if view.active else 'INACTIVE'}",
            f"  Peer : {view.peer or 'None'}",
            f"  Source : {view.source or 'None'}",
            f"  ivrf : {view.ivrf or _NO_VRF}",
            f"  fvrf : {view.fvrf or _NO_VRF}",
            "  Backup group: None",
            f"  Tunnel interface : {view.tunnel}",
        ]
    return "\n".join([*lines, ""]) if lines else ""


__all__ = ["FlexClientView", "show_flexvpn_clients"]
