"""`crypto map NAME local-address INTERFACE`: the map's IKE and IPsec SAs use that interface's
address (here each site's Loopback9, reached over the WAN), not that of the interface the map
is applied to; the peers name each other by those addresses, as real sites sourcing their
VPN from a loopback do.

The crypto map example's two sites, their peers, keys and identities moved to the loopbacks."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.explain import explain
from pyike.config.validate import validate
from pyike.config.writer import render
from tests.support.lab_texts import running_lab
from tests.support.paths import EXAMPLES

WAN = {"a": "198.51.100.1", "b": "198.51.100.2"}
LOOPBACK = {"a": "10.255.0.1", "b": "10.255.0.2"}
ACL = {
    "a": "permit ip 192.168.10.0 0.0.0.255 192.168.20.0 0.0.0.255",
    "b": "permit ip 192.168.20.0 0.0.0.255 192.168.10.0 0.0.0.255",
}


def site(side: str, local_address: str = "crypto map CMAP local-address Loopback9\n") -> str:
    """A site whose peer is the other's Loopback9, with `local_address` (the line under
    test) before its crypto map."""
    other = "b" if side == "a" else "a"
    text = (EXAMPLES / "crypto-map" / f"site-{side}.cfg").read_text()
    # the peer address in the keyring, the identity match and `set peer`
    text = text.replace(f" {WAN[other]}", f" {LOOPBACK[other]}")
    text = text.replace("crypto map CMAP 10", local_address + "crypto map CMAP 10")
    text += f"interface Loopback9\n ip address {LOOPBACK[side]} 255.255.255.255\n"
    text += f"ip route {LOOPBACK[other]} 255.255.255.255 {WAN[other]}\n"
    return text + f"ip access-list extended VPN-TRAFFIC\n {ACL[side]}\n"


def test_the_map_negotiates_and_encrypts_from_its_local_address() -> None:
    lab = running_lab([site("a"), site("b")])
    assert "!!!!" in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    ipsec = lab.exec("SiteA", "show crypto ipsec sa")
    assert "Crypto map tag: CMAP, local addr 10.255.0.1" in ipsec
    assert "local crypto endpt.: 10.255.0.1, remote crypto endpt.: 10.255.0.2" in ipsec
    assert "local crypto endpt.: 10.255.0.2, remote crypto endpt.: 10.255.0.1" in lab.exec(
        "SiteB", "show crypto ipsec sa"
    )
    ike = lab.exec("SiteB", "show crypto ikev2 sa")
    assert "10.255.0.2/500" in ike and "10.255.0.1/500" in ike
    assert "READY" in ike


def test_without_it_the_maps_speak_from_their_interfaces_and_the_peers_refuse() -> None:
    lab = running_lab([site("a", local_address=""), site("b", local_address="")])
    assert "!!" not in lab.exec("SiteA", "ping 192.168.20.1 source Loopback0")
    assert "READY" not in lab.exec("SiteB", "show crypto ikev2 sa")


def test_read_written_back_and_removed() -> None:
    config = load(site("a").replace("local-address Loopback9", "local-address lo9")).config
    assert config.crypto_map_local["CMAP"].interface == "Loopback9"
    text = render(config)
    assert "crypto map CMAP local-address Loopback9\ncrypto map CMAP 10 ipsec-isakmp" in text
    again = load(text.replace("\nend\n", "\nno crypto map CMAP local-address\n")).config
    assert again.crypto_map_local == {}
    assert "local-address" not in render(again)
    assert not load(site("a")).config.not_modelled
    explained = explain(load(site("a")).config)
    assert "crypto map CMAP 10: to 10.255.0.2 from 10.255.0.1 (Loopback9, the map's" in explained


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("crypto map CMAP local-address Loopback7\n", "interface Loopback7 does not exist"),
        (
            "interface Loopback7\ncrypto map CMAP local-address Loopback7\n",
            "interface Loopback7 has no IP address",
        ),
    ],
)
def test_an_interface_without_an_address_is_an_error(line: str, problem: str) -> None:
    config = load(site("a", local_address=line)).config
    errors = [d.format() for d in validate(config) if d.is_error]
    assert any(f"crypto map CMAP local-address Loopback7: {problem}" in e for e in errors), errors


def test_a_missing_interface_is_incomplete() -> None:
    result = load(site("a", local_address="crypto map CMAP local-address\n"))
    assert any("% Incomplete command." in d.format() for d in result.errors)
