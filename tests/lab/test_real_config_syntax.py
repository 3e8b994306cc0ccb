"""Real configurations' syntax in the lab (issue 13): `interface range`, spaced and abbreviated
interface names, `match identity remote any` and the pre-15.2(4)M `keyring NAME` bring tunnels
up that pass traffic; IKEv1 tunnels beside IKEv2 ones (the corpus pair
gre-ipsec/jc-gre-ikev2-ikev1-site-a/-b) are named as not negotiated while the IKEv2 tunnel
carries pings; the overlay tunnel modes carry IPv6 over IPv4 and the reverse; a tunnel source
the configuration lacks is named; `pyike lab DIR` reads the directory's `*.cfg` and `*.lab`
files only."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.paths import EXAMPLES, SEED_CONFIGS
from tests.support.realnetworks import NETWORKS, assemble

HUB_AND_SPOKES = EXAMPLES / "hub-and-spokes"


def _lab(files: list[Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["lab", *map(str, files)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text)
    return path


def _hub_with_a_range(text: str) -> str:
    """The hub's three VTIs share their tunnel commands through one `interface range`, typed
    with the abbreviations and spaced names real configurations use."""
    for n in (1, 2, 3):
        shared = (
            " tunnel source GigabitEthernet0/0\n tunnel mode ipsec ipv4\n"
            f" tunnel destination 203.0.113.1{n}\n tunnel protection ipsec profile VTI\n"
        )
        assert shared in text
        text = text.replace(shared, f" tunnel destination 203.0.113.1{n}\n")
    assert "interface GigabitEthernet0/0\n" in text
    text = text.replace("interface GigabitEthernet0/0\n", "interface GigabitEthernet 0/0\n")
    return text + (
        "int range tun 1 - 3\n tunnel source gi 0/0\n tunnel mode ipsec ipv4\n"
        " tunnel protection ipsec profile VTI\n"
    )


def _spoke_with_spaced_names(text: str) -> str:
    for old, new in (
        ("interface Tunnel0\n", "interface tunnel 0\n"),
        (" tunnel source GigabitEthernet0/0\n", " tunnel source Gig 0/0\n"),
        ("interface GigabitEthernet0/0\n", "int gi0/0\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


def test_interface_range_and_spaced_names_bring_the_hub_and_spokes_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [
        _write(tmp_path, "hub.cfg", _hub_with_a_range((HUB_AND_SPOKES / "hub.cfg").read_text()))
    ]
    for n in (1, 2, 3):
        spoke = (HUB_AND_SPOKES / f"spoke{n}.cfg").read_text()
        files.append(_write(tmp_path, f"spoke{n}.cfg", _spoke_with_spaced_names(spoke)))
    code, out, err = _lab(files, capsys)
    assert code == 0, err
    # the hub's own checks: pings from the hub to a spoke and between spokes through it
    assert "6 crypto sessions UP-ACTIVE on Hub, Spoke1, Spoke2, Spoke3; 8 checks passed." in out


def test_match_identity_remote_any_and_the_legacy_keyring_pass_traffic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    for name in ("router1.cfg", "router2.cfg"):
        text = (SEED_CONFIGS / name).read_text()
        for old, new in (
            ("match identity remote address 0.0.0.0\n", "match identity remote any\n"),
            (" keyring local KEYRNG\n", " keyring KEYRNG\n"),
        ):
            assert old in text
            text = text.replace(old, new)
        files.append(_write(tmp_path, name, text))
    ping = (
        "! lab: expect Router1: ping 192.168.2.1 source Loopback0 => Success rate is 100 percent\n"
    )
    files[0].write_text(ping + files[0].read_text())
    code, out, err = _lab(files, capsys)
    assert code == 0, err
    assert "2 crypto sessions UP-ACTIVE on Router1, Router2; 1 checks passed." in out


def test_ikev1_beside_ikev2_the_ikev2_tunnel_works_and_the_ikev1_ones_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The corpus network (tests/data/realnetworks/jc-gre-ikev2-ikev1): the pair as published,
    SITE_A's Tunnel101 given the IKEv1 profile SITE_A defines, an ISP between the sites."""
    assemble(NETWORKS / "jc-gre-ikev2-ikev1", tmp_path)
    code, out, err = _lab([tmp_path], capsys)
    assert "did not print" not in err  # both pings through Tunnel102 (GRE over IPsec) passed
    for host, peer in (("SITE_A", "61.128.1.1"), ("SITE_B", "202.100.1.1")):
        assert f"{host}: Interface: Tunnel102\n{host}: Session status: UP-ACTIVE\n" in out
        assert f"{host}: Peer: {peer} port 500" in out
    assert "Interface: Tunnel101" not in out
    assert code == 1  # not every tunnel of the topology came up, and the verdict says which
    problems = [line for line in err.splitlines() if line.startswith("% pyike lab: ")]
    assert problems == [
        "% pyike lab: SITE_A Tunnel101 uses IKEv1 (no set ikev2-profile in IPsec profile IKEV1): "
        "pyike does not negotiate IKEv1, so it will not come up",
        "% pyike lab: SITE_B Tunnel101 uses IKEv1 (no set ikev2-profile in IPsec profile IPV4): "
        "pyike does not negotiate IKEv1, so it will not come up",
    ]


def test_the_lab_names_the_tunnel_source_a_snippet_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r1 = (SEED_CONFIGS / "router1.cfg").read_text()
    port = "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    assert port in r1
    files = [_write(tmp_path, "r1.cfg", r1.replace(port, "")), SEED_CONFIGS / "router2.cfg"]
    code, _out, err = _lab(files, capsys)
    assert code == 1
    assert (
        "% pyike lab: Router1 Tunnel0 needs interface Ethernet0/0 (its tunnel source), which "
        "the configuration does not have: add 'interface Ethernet0/0' with its IP address"
    ) in err


def test_the_lab_says_a_negotiated_address_is_not_there_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r1 = (SEED_CONFIGS / "router1.cfg").read_text()
    r1 += "interface Tunnel9\n ip address negotiated\n"
    files = [_write(tmp_path, "r1.cfg", r1), SEED_CONFIGS / "router2.cfg"]
    code, out, _err = _lab(files, capsys)
    assert code == 0
    assert (
        "% pyike lab: Router1 Tunnel9: 'ip address negotiated': no address yet (pyike requests "
        "one through IKEv2 configuration exchange on protected tunnels only)"
    ) in out


def test_a_lab_directory_is_its_cfg_and_lab_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("router1.cfg", "router2.cfg"):
        _write(tmp_path, name, (SEED_CONFIGS / name).read_text())
    _write(tmp_path, "checks.lab", "expect Router1: ping 192.168.2.1 source Loopback0 => !!!!!\n")
    _write(tmp_path, "README.txt", "How to run this lab: pyike lab .\n")
    _write(tmp_path, "notes.conf", "not a router either\n")
    code, out, err = _lab([tmp_path], capsys)
    assert code == 0, err
    assert "2 crypto sessions UP-ACTIVE on Router1, Router2; 1 checks passed." in out


def _ipv6_over_ipv4(text: str, me: int) -> str:
    """A seed router whose VTI carries IPv6 over its IPv4 underlay, to the peer's loopback."""
    peer = 3 - me
    for old, new in (
        (
            " tunnel mode ipsec ipv4\n",
            f" tunnel mode ipsec ipv4 v6\n ipv6 address 2001:db8:99::{me}/64\n",
        ),
        (
            f"ip route 192.168.{peer}.1 255.255.255.255 Tunnel0\n",
            f"ipv6 route 2001:db8:{peer}::/64 Tunnel0\n",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    return text + f"interface Loopback1\n ipv6 address 2001:db8:{me}::1/64\n"


def test_ipv6_over_an_ipv4_underlay_passes_traffic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checks = (
        "! lab: expect Router1: ping 2001:db8:2::1 source Loopback1 => Success rate is 100 percent\n"
        "! lab: expect Router2: show crypto ipsec sa => local  ident (addr/prefixlen/prot/port): (::/0/\n"
    )
    files = [
        _write(
            tmp_path,
            name,
            (checks if n == 1 else "") + _ipv6_over_ipv4((SEED_CONFIGS / name).read_text(), n),
        )
        for n, name in ((1, "router1.cfg"), (2, "router2.cfg"))
    ]
    code, out, err = _lab(files, capsys)
    assert code == 0, err
    assert "Router1: Peer: 10.0.0.2 port 500" in out  # IKE and ESP run over IPv4
    assert "2 crypto sessions UP-ACTIVE on Router1, Router2; 2 checks passed." in out


def _ipv4_over_ipv6(text: str, me: int) -> str:
    """An IPv6 example site whose VTI carries IPv4 over its IPv6 underlay instead."""
    peer, site = 3 - me, "ab"[me - 1]
    other = "ab"[peer - 1]
    for old, new in (
        (" tunnel mode ipsec ipv6\n", " tunnel mode ipsec ipv6 v4-overlay\n"),
        (f" ipv6 address 2001:db8:ffff::{me}/64\n", f" ip address 172.31.0.{me} 255.255.255.0\n"),
        (
            f"ipv6 route 2001:db8:{other}::/64 Tunnel0\n",
            f"ip route 10.9.{peer}.0 255.255.255.0 Tunnel0\n",
        ),
    ):
        assert old in text, (site, old)
        text = text.replace(old, new)
    return text + f"interface Loopback1\n ip address 10.9.{me}.1 255.255.255.0\n"


def test_ipv4_over_an_ipv6_underlay_passes_traffic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check = "! lab: expect SiteA6: ping 10.9.2.1 source Loopback1 => Success rate is 100 percent\n"
    files = []
    for me, site in ((1, "a"), (2, "b")):
        text = _ipv4_over_ipv6((EXAMPLES / "ipv6" / f"site-{site}.cfg").read_text(), me)
        text = "".join(
            line for line in text.splitlines(keepends=True) if not line.startswith("! lab:")
        )
        files.append(_write(tmp_path, f"site-{site}.cfg", (check if me == 1 else "") + text))
    code, out, err = _lab(files, capsys)
    assert code == 0, err
    assert "SiteA6: Peer: 2001:DB8:0:12::2 port 500" in out  # IKE and ESP run over IPv6
    assert "2 crypto sessions UP-ACTIVE on SiteA6, SiteB6; 1 checks passed." in out


def test_gre_over_ipsec_in_transport_mode_passes_traffic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The corpus pair's IKEv2 tunnel is GRE over IPsec with a transport-mode transform set:
    ESP carries the GRE packet between the tunnel's endpoints."""
    files = []
    for name in ("router1.cfg", "router2.cfg"):
        text = (SEED_CONFIGS / name).read_text()
        for old, new in (
            (" tunnel mode ipsec ipv4\n", " tunnel mode gre ip\n"),
            (" esp-3des esp-sha-hmac\n", " esp-aes esp-sha-hmac\n mode transport\n"),
        ):
            assert old in text
            text = text.replace(old, new)
        files.append(_write(tmp_path, name, text))
    checks = (
        "! lab: expect Router1: ping 192.168.2.1 source Loopback0 => Success rate is 100 percent\n"
        "! lab: expect Router2: show crypto ipsec sa => in use settings ={Transport, }\n"
    )
    files[0].write_text(checks + files[0].read_text())
    code, out, err = _lab(files, capsys)
    assert code == 0, err
    assert "2 checks passed." in out
