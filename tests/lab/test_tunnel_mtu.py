"""What `show interfaces Tunnel` says of a tunnel's size, as IOS 15 prints it: `Tunnel transport
MTU` is the largest packet the tunnel carries whole (its transport's MTU less the tunnel's
overhead, whatever its `ip mtu`), and the interface's MTU is 17,940 less the same overhead.
For ESP, IOS counts the most padding the cipher may need: a VTI with AES-CBC-128 and SHA-1
shows 1,427 and 17,867 (a published `show interfaces` of an AWS VPN tunnel), a GRE tunnel
1,476 and 17,916."""

from __future__ import annotations

import pytest

from tests.support.lab_texts import running_lab
from tests.support.paths import SEED_CONFIGS


def seed_texts(transform: str, tunnel_lines: str = "", gre: bool = False) -> list[str]:
    texts = []
    for name in ("router1.cfg", "router2.cfg"):
        text = (SEED_CONFIGS / name).read_text()
        mode = " tunnel mode ipsec ipv4\n"
        assert mode in text and " esp-3des esp-sha-hmac\n" in text
        text = text.replace(" esp-3des esp-sha-hmac\n", f" {transform}\n")
        text = text.replace(mode, (" tunnel mode gre ip\n" if gre else mode) + tunnel_lines)
        if gre:
            text = text.replace(" tunnel protection ipsec profile phse2-prof\n", "")
        texts.append(text)
    return texts


@pytest.mark.parametrize(
    ("transform", "transport_mtu", "plaintext_mtu"),
    [
        ("esp-aes esp-sha-hmac", 1427, 1438),  # 20 + 8 + IV 16 + padding to 15 + 2 + ICV 12
        ("esp-3des esp-sha-hmac", 1443, 1446),  # the seed's: IV 8, padding up to 7
        ("esp-gcm 256", 1443, 1446),  # IV 8, padding up to 3, ICV 16
    ],
)
def test_an_ipsec_tunnel_reserves_the_most_padding(
    transform: str, transport_mtu: int, plaintext_mtu: int
) -> None:
    """The SA's own `plaintext mtu` is exact: the longest packet that fits with the padding
    its length needs (IOS prints 1,438 for a tunnel's AES-CBC SA with a 12-octet ICV)."""
    lab = running_lab(seed_texts(transform))
    shown = lab.exec("Router1", "show interfaces Tunnel0")
    overhead = 1500 - transport_mtu
    assert f"  MTU {17940 - overhead} bytes, BW 100 Kbit/sec" in shown
    assert (  # in IOS's order: the protection after the bandwidths
        f"  Tunnel transport MTU {transport_mtu} bytes\n"
        "  Tunnel transmit bandwidth 8000 (kbps)\n"
        "  Tunnel receive bandwidth 8000 (kbps)\n"
        '  Tunnel protection via IPSec (profile "phse2-prof")\n'
    ) in shown
    assert f"  MTU is {transport_mtu} bytes" in lab.exec("Router1", "show ip interface Tunnel0")
    # the largest packet the tunnel takes whole, and the next one
    df_ping = f"ping 192.168.2.1 source Loopback0 df-bit size {transport_mtu}"
    assert "Success rate is 100 percent" in lab.exec("Router1", df_ping)
    assert "Success rate is 0 percent" in lab.exec("Router1", f"{df_ping[:-4]}{transport_mtu + 1}")
    sa = lab.exec("Router1", "show crypto ipsec sa")
    assert f"plaintext mtu {plaintext_mtu}, path mtu 1500, ip mtu 1500" in sa


def test_a_gre_tunnels_transport_mtu_does_not_follow_its_ip_mtu() -> None:
    lab = running_lab(seed_texts("esp-aes esp-sha-hmac", " ip mtu 1400\n", gre=True))
    shown = lab.exec("Router1", "show interfaces Tunnel0")
    assert "  MTU 17916 bytes," in shown
    assert "  Tunnel transport MTU 1476 bytes\n" in shown
    assert "  MTU is 1400 bytes" in lab.exec("Router1", "show ip interface Tunnel0")
