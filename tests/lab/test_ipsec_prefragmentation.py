"""`crypto ipsec fragmentation {before-encryption|after-encryption}`: IOS's pre-fragmentation
for crypto maps. With `before-encryption` (IOS's default), a packet too long for its tunnel-mode
SA once encrypted (longer than the SA's `plaintext mtu`) is split into fragments of about the
same size, each encrypted, and a DF packet gets ICMP fragmentation needed with that length;
with `after-encryption`, or in transport mode, the ESP packet is fragmented instead.

The crypto map example's two sites (AES-CBC-256 with SHA-256 in a 1,500-octet path: a
plaintext mtu of 1,438) ping each other's LANs with 1,500-octet echoes."""

from __future__ import annotations

import re
from ipaddress import IPv4Address

import pytest

from pyike.config import load
from pyike.config.writer import render
from pyike.lab.lab import Lab
from pyike.net.runtime import not_applied_lines
from pyike.node import icmp
from pyike.node.hooks import PolicyAction, PolicyDecision
from tests.support.lab_texts import running_lab
from tests.support.paths import EXAMPLES

LAN_PING = "ping 192.168.20.1 source Loopback0"
ALL = "Success rate is 100 percent (5/5)"
NONE = "Success rate is 0 percent (0/5)"
WAN = "interface GigabitEthernet0/0\n"


def site_texts(global_lines: str = "", wan_lines: str = "", transport: bool = False) -> list[str]:
    """The example's sites with lines added (globally, on the WAN interface); `transport`: the
    map protects the sites' own ICMP in a transport-mode SA."""
    texts = []
    for name, me, peer in (
        ("site-a.cfg", "198.51.100.1", "198.51.100.2"),
        ("site-b.cfg", "198.51.100.2", "198.51.100.1"),
    ):
        text = (EXAMPLES / "crypto-map" / name).read_text()
        assert WAN in text and " mode tunnel\n" in text
        text = text.replace(WAN, WAN + wan_lines)
        if transport:
            text = text.replace(" mode tunnel\n", " mode transport\n")
            text = re.sub(r" permit ip .*\n", f" permit icmp host {me} host {peer}\n", text)
        texts.append(global_lines + text)
    return texts


def ping(lab: Lab, command: str) -> tuple[str, str]:
    """The ping's line of results (`!`, `.`, `M`) and its success rate."""
    lines = lab.exec("SiteA", command).splitlines()
    rate = next(line for line in lines if line.startswith("Success rate"))
    return lines[lines.index(rate) - 1], rate.split(", round-trip")[0]


def encaps(lab: Lab) -> int:
    text = lab.exec("SiteA", "show crypto ipsec sa")
    return sum(int(n) for n in re.findall(r"#pkts encaps: (\d+)", text))


def echoes_and_encaps(lab: Lab, command: str) -> tuple[str, str, int]:
    before = encaps(lab)
    marks, rate = ping(lab, command)
    return marks, rate, encaps(lab) - before


def test_by_default_a_packet_too_long_once_encrypted_is_fragmented_before() -> None:
    lab = running_lab(site_texts())
    ping(lab, LAN_PING)  # the first echo brings the SA up
    sa = lab.exec("SiteA", "show crypto ipsec sa")
    assert "plaintext mtu 1438, path mtu 1500, ip mtu 1500" in sa  # as IOS prints it
    # 1,500 octets: two fragments, each in its own ESP packet (the peer forwards them and
    # its loopback reassembles); 1,438 fits in one
    assert echoes_and_encaps(lab, f"{LAN_PING} size 1500") == ("!!!!!", ALL, 10)
    assert echoes_and_encaps(lab, f"{LAN_PING} size 1438") == ("!!!!!", ALL, 5)
    site_b = lab.router("SiteB").router
    assert site_b.stats.reassembled >= 5  # the echoes, put together at their destination


def test_a_df_packet_gets_fragmentation_needed_with_the_plaintext_mtu() -> None:
    lab = running_lab(site_texts())
    ping(lab, LAN_PING)
    assert ping(lab, f"{LAN_PING} size 1438 df-bit") == ("!!!!!", ALL)  # fits exactly
    marks, rate = ping(lab, f"{LAN_PING} size 1439 df-bit")
    assert rate == NONE and "M" in marks and "!" not in marks
    # the ICMP message's next-hop MTU: the longest packet that fits
    router = lab.router("SiteA").router
    policy = router.outbound_policy
    assert policy is not None
    echo = icmp.packet(
        int(IPv4Address("192.168.10.5")),
        int(IPv4Address("192.168.20.1")),
        icmp.IcmpMessage(icmp.ECHO_REQUEST, 0, b"\x00\x01\x00\x01", bytes(1472)),
        df=True,
    )
    decision = policy.outbound(router, "GigabitEthernet0/0", echo.to_bytes())
    assert decision == PolicyDecision(PolicyAction.TOO_BIG, mtu=1438)


def three_routers() -> Lab:
    """The sites with a router between them whose link to SiteB takes 1,400 octets."""
    site_a, site_b = site_texts()
    site_a = site_a.replace("198.51.100.2", "203.0.113.2").replace(
        "ip route 0.0.0.0 0.0.0.0 203.0.113.2", "ip route 0.0.0.0 0.0.0.0 198.51.100.2"
    )
    site_b = site_b.replace("ip address 198.51.100.2 255", "ip address 203.0.113.2 255")
    site_b = site_b.replace("0.0.0.0 0.0.0.0 198.51.100.1", "0.0.0.0 0.0.0.0 203.0.113.1")
    transit = (
        "hostname ISP\ninterface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n"
        "interface GigabitEthernet0/1\n ip address 203.0.113.1 255.255.255.252\n ip mtu 1400\n"
    )
    return running_lab([site_a, site_b, transit])


def test_fragmentation_needed_from_the_path_lowers_the_sas_path_mtu() -> None:
    """A DF packet that fits SiteA's interface once encrypted, but not the next link: the
    router between drops the ESP packet and tells SiteA, whose SA then takes the path's MTU
    (IOS's `path mtu`) and answers the next DF packet itself, with the smaller plaintext mtu."""
    lab = three_routers()
    ping(lab, LAN_PING)
    assert "plaintext mtu 1438, path mtu 1500" in lab.exec("SiteA", "show crypto ipsec sa")
    marks, rate = ping(lab, f"{LAN_PING} size 1438 df-bit")
    assert marks.startswith(".M") and rate == NONE  # the first is lost on the way
    sa = lab.exec("SiteA", "show crypto ipsec sa")
    assert "plaintext mtu 1326, path mtu 1400, ip mtu 1500" in sa
    assert ping(lab, f"{LAN_PING} size 1326 df-bit") == ("!!!!!", ALL)
    assert ping(lab, f"{LAN_PING} size 1327 df-bit")[1] == NONE
    assert ping(lab, f"{LAN_PING} size 1500") == ("!!!!!", ALL)  # fragments that fit
    lab.run_for(600.0)  # a learned path MTU is tried again after ten minutes
    assert "path mtu 1500" in lab.exec("SiteA", "show crypto ipsec sa")


def test_a_path_mtu_below_576_is_not_learned() -> None:
    lab = running_lab(site_texts())
    ping(lab, LAN_PING)
    node = lab.router("SiteA").crypto
    (name,) = node.sad.tunnels
    child = node.sad.tunnels[name].current
    assert child is not None
    node.path_mtu(lab.router("SiteA").router, child.info.spi_out, 575)
    assert node.tunnel_path_mtu(name) == 1500
    node.path_mtu(lab.router("SiteA").router, child.info.spi_out, 576)
    assert node.tunnel_path_mtu(name) == 576


@pytest.mark.parametrize(
    ("global_lines", "wan_lines", "plain", "with_df"),
    [
        # the ESP packet is fragmented when its DF bit (copied from the inner) allows
        ("crypto ipsec fragmentation after-encryption\n", "", ("!!!!!", ALL, 5), NONE),
        ("", " crypto ipsec fragmentation after-encryption\n", ("!!!!!", ALL, 5), NONE),
        # the interface's own setting wins over the global one
        (
            "crypto ipsec fragmentation after-encryption\n",
            " crypto ipsec fragmentation before-encryption\n",
            ("!!!!!", ALL, 10),
            NONE,
        ),
        # df-bit clear: a DF packet is encrypted whole and its ESP fragmented
        ("crypto ipsec df-bit clear\n", "", ("!!!!!", ALL, 10), ALL),
        # df-bit set: the fragments' ESP packets fit, so they may carry DF
        ("crypto ipsec df-bit set\n", "", ("!!!!!", ALL, 10), NONE),
    ],
    ids=["after", "interface-after", "interface-wins", "df-bit-clear", "df-bit-set"],
)
def test_the_settings_choose_where_a_long_packet_is_fragmented(
    global_lines: str, wan_lines: str, plain: tuple[str, str, int], with_df: str
) -> None:
    lab = running_lab(site_texts(global_lines, wan_lines))
    ping(lab, LAN_PING)
    assert echoes_and_encaps(lab, f"{LAN_PING} size 1500") == plain
    assert ping(lab, f"{LAN_PING} size 1500 df-bit")[1] == with_df


def test_transport_mode_fragments_the_esp_packet() -> None:
    """IOS pre-fragments in tunnel mode only: the sites' own echoes in transport mode."""
    lab = running_lab(site_texts(transport=True))
    ping(lab, "ping 198.51.100.2")
    assert "in use settings ={Transport, }" in lab.exec("SiteA", "show crypto ipsec sa")
    assert echoes_and_encaps(lab, "ping 198.51.100.2 size 1500") == ("!!!!!", ALL, 5)


def test_fragmentation_lines_are_read_written_back_and_checked() -> None:
    texts = site_texts(
        "crypto ipsec fragmentation after-encryption\n",
        " crypto ipsec fragmentation before-encryption\n",
    )
    config = load(texts[0]).raise_for_errors()
    assert config.ipsec.fragmentation == "after-encryption"
    assert config.interfaces["GigabitEthernet0/0"].ipsec_fragmentation == "before-encryption"
    assert not [n for n in config.not_modelled if "fragmentation" in str(n)]
    shown = render(config)
    assert "\ncrypto ipsec fragmentation after-encryption\n" in shown
    assert " crypto map CMAP\n crypto ipsec fragmentation before-encryption\n" in shown
    again = load(shown).raise_for_errors()
    assert again.ipsec.fragmentation == "after-encryption"
    negated = load(texts[0] + "no crypto ipsec fragmentation\n").raise_for_errors()
    assert negated.ipsec.fragmentation is None
    (error,) = load("crypto ipsec fragmentation sometimes\n").errors
    assert "% Invalid input detected at '^' marker." in error.format()


def test_pyike_run_says_it_fragments_after_encryption() -> None:
    texts = site_texts(
        "crypto ipsec fragmentation before-encryption\n",
        " crypto ipsec fragmentation before-encryption\n",
    )
    assert not_applied_lines(load(texts[0]).raise_for_errors()) == [
        "%PYIKE-4-NOT_APPLIED: 'crypto ipsec fragmentation before-encryption': pyike run"
        " fragments after encryption (the kernel fragments its ESP); pyike lab applies it",
        "%PYIKE-4-NOT_APPLIED: 'crypto ipsec fragmentation before-encryption' on"
        " GigabitEthernet0/0: pyike run fragments after encryption (the kernel fragments its"
        " ESP); pyike lab applies it",
    ]
    after = site_texts("crypto ipsec fragmentation after-encryption\n")[0]
    assert not_applied_lines(load(after).raise_for_errors()) == []  # what it does anyway
