"""The seed's two routers as two sites of the Internet: each on a /30 of its own provider
(Router1 203.0.113.2, Router2 198.51.100.2), routing by default to the provider's address on
it (203.0.113.1, 198.51.100.1), which no configuration has: the lab adds the provider."""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import SEED_CONFIGS

SITES = {  # router: (its address, its provider's next hop, its peer's address)
    "router1": ("203.0.113.2", "203.0.113.1", "198.51.100.2"),
    "router2": ("198.51.100.2", "198.51.100.1", "203.0.113.2"),
}
OWN = {"router1": "10.0.0.1", "router2": "10.0.0.2"}


def two_sites(directory: Path) -> Path:
    """Writes router1.cfg and router2.cfg into `directory`; returns it."""
    for name, (address, hop, peer) in SITES.items():
        text = (SEED_CONFIGS / f"{name}.cfg").read_text()
        own, other = OWN[name], OWN["router2" if name == "router1" else "router1"]
        text = text.replace(
            f"ip address {own} 255.255.255.0", f"ip address {address} 255.255.255.252"
        )
        text = text.replace(f"ip route 0.0.0.0 0.0.0.0 {other}", f"ip route 0.0.0.0 0.0.0.0 {hop}")
        text = text.replace(other, peer)  # its tunnel destination and keyring entry
        (directory / f"{name}.cfg").write_text(text)
    return directory
