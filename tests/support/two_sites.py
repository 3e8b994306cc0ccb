"""Two sites of the Internet, each on a subnet of its own provider and routing by default to
the provider's address there, which no configuration has: the lab adds the provider.
`two_sites`: the seed's routers over IPv4 (Router1 203.0.113.2/30, Router2 198.51.100.2/30);
`two_ipv6_sites`: examples/ipv6's over IPv6 (2001:db8:a1::2/64, 2001:db8:b1::2/64);
`dhcp_branch`: the two sites, Router1's outside address leased by DHCP."""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import EXAMPLES, SEED_CONFIGS

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


def dhcp_branch(directory: Path) -> Path:
    """The two sites, Router1 a branch whose outside address comes by DHCP (no address, no
    default route of its own); Router2 takes any peer and tunnels to the lab's first lease."""
    sites = two_sites(directory)
    r1, r2 = sites / "router1.cfg", sites / "router2.cfg"
    text = r1.read_text()
    text = text.replace(" ip address 203.0.113.2 255.255.255.252", " ip address dhcp")
    r1.write_text(text.replace("ip route 0.0.0.0 0.0.0.0 203.0.113.1\n", ""))
    text = r2.read_text().replace("address 203.0.113.2 255.255.255.0", "address 0.0.0.0 0.0.0.0")
    r2.write_text(text.replace("tunnel destination 203.0.113.2", "tunnel destination 100.64.0.2"))
    return sites


V6_SITES = {  # file: (its address before, after; its provider's next hop)
    "site-a": ("2001:db8:0:12::1", "2001:db8:a1::2", "2001:db8:a1::1"),
    "site-b": ("2001:db8:0:12::2", "2001:db8:b1::2", "2001:db8:b1::1"),
}
_COUNTERS_CHECK = "! lab: expect SiteA6: show crypto ipsec sa =>"  # the simulated lab's count


def two_ipv6_sites(directory: Path) -> Path:
    """Writes site-a.cfg and site-b.cfg into `directory` (without the example's exact packet
    count, which the real daemons' own probes change); returns it."""
    for name, (_, _, hop) in V6_SITES.items():
        text = (EXAMPLES / "ipv6" / f"{name}.cfg").read_text()
        for before, after, _ in V6_SITES.values():
            text = text.replace(before, after)
        kept = [line for line in text.splitlines() if not line.startswith(_COUNTERS_CHECK)]
        (directory / f"{name}.cfg").write_text("\n".join(kept) + f"\nipv6 route ::/0 {hop}\n")
    return directory
