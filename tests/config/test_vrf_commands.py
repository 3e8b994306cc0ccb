"""VRFs in the configuration: `vrf definition` / `ip vrf`, `vrf forwarding`, `tunnel vrf`,
`ip route vrf`, `ivrf`, what IOS refuses or warns about, their checks, and `config show`."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.config import LoadResult, load, load_file, writer
from pyike.config.diagnostics import Severity
from tests.support.paths import REALCONFIGS

VRFS = """hostname R
vrf definition INTERNET
 description ISP-facing
 rd 65000:2
 route-target export 65000:2
 !
 address-family ipv4
  route-target import 65000:9
 exit-address-family
!
ip vrf CUSTOMER
 rd 10.0.0.1:1
!
"""


def loaded(text: str) -> LoadResult:
    return load(text, "r.cfg")


def errors(result: LoadResult) -> list[str]:
    return [d.format() for d in result.errors]


def test_vrf_definitions_are_read_and_shown_as_ios_prints_them() -> None:
    text = VRFS + (
        "interface GigabitEthernet0/0\n vrf forwarding INTERNET\n"
        " ip address 203.0.113.2 255.255.255.252\n"
        "interface GigabitEthernet0/1\n ip vrf forwarding CUSTOMER\n"
        " ip address 10.1.1.1 255.255.255.0\n"
        "ip route vrf INTERNET 0.0.0.0 0.0.0.0 203.0.113.1\n"
        "ip route vrf CUSTOMER 10.9.0.0 255.255.0.0 203.0.113.1 global\n"
    )
    result = loaded(text)
    assert errors(result) == []
    cfg = result.config
    internet, customer = cfg.vrfs["INTERNET"], cfg.vrfs["CUSTOMER"]
    assert (internet.rd, internet.legacy, customer.rd, customer.legacy) == (
        "65000:2",
        False,
        "10.0.0.1:1",
        True,
    )
    assert [f.name for f in internet.address_families] == ["ipv4"]
    assert (cfg.interfaces["GigabitEthernet0/0"].vrf, cfg.interfaces["GigabitEthernet0/1"].vrf) == (
        "INTERNET",
        "CUSTOMER",
    )
    assert [(r.vrf, str(r.prefix), r.global_next_hop) for r in cfg.routes] == [
        ("INTERNET", "0.0.0.0/0", False),
        ("CUSTOMER", "10.9.0.0/16", True),
    ]
    shown = writer.render(cfg)
    for block in (
        "vrf definition INTERNET\n description ISP-facing\n rd 65000:2\n"
        " route-target export 65000:2\n !\n address-family ipv4\n"
        "  route-target import 65000:9\n exit-address-family\n",
        "ip vrf CUSTOMER\n rd 10.0.0.1:1\n",
        "interface GigabitEthernet0/0\n vrf forwarding INTERNET\n ip address 203.0.113.2",
        "interface GigabitEthernet0/1\n ip vrf forwarding CUSTOMER\n ip address 10.1.1.1",
        "ip route vrf INTERNET 0.0.0.0 0.0.0.0 203.0.113.1\n",
        "ip route vrf CUSTOMER 10.9.0.0 255.255.0.0 203.0.113.1 global\n",
    ):
        assert block in shown
    assert writer.render(load(shown, "again.cfg").config) == shown


def test_vrf_forwarding_takes_the_addresses_away_as_ios_does() -> None:
    """IOS removes an interface's addresses when its VRF changes and says so: the order of the
    two commands matters."""
    result = loaded(
        VRFS + "interface GigabitEthernet0/0\n ip address 203.0.113.2 255.255.255.252\n"
        " vrf forwarding INTERNET\n"
    )
    (warning,) = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    assert warning.message == (
        "% Interface GigabitEthernet0/0 IPv4 disabled and address(es) removed due to enabling "
        "VRF INTERNET"
    )
    assert result.config.interfaces["GigabitEthernet0/0"].addresses == ()
    kept = loaded(
        VRFS + "interface GigabitEthernet0/0\n vrf forwarding INTERNET\n"
        " ip address 203.0.113.2 255.255.255.252\n"
    )
    assert kept.config.interfaces["GigabitEthernet0/0"].primary_address is not None
    assert not kept.warnings


def test_a_vrf_that_was_never_defined_is_refused_in_ios_words() -> None:
    result = loaded("interface GigabitEthernet0/0\n vrf forwarding NOWHERE\n")
    assert errors(result) == ["r.cfg:2: vrf forwarding NOWHERE\n% VRF NOWHERE not configured."]
    assert result.config.interfaces["GigabitEthernet0/0"].vrf is None


def test_no_vrf_definition_takes_its_interfaces_and_routes_with_it() -> None:
    result = loaded(
        VRFS + "interface GigabitEthernet0/0\n vrf forwarding INTERNET\n"
        " ip address 203.0.113.2 255.255.255.252\n"
        "ip route vrf INTERNET 0.0.0.0 0.0.0.0 203.0.113.1\n"
        "no vrf definition INTERNET\n"
    )
    iface = result.config.interfaces["GigabitEthernet0/0"]
    assert (iface.vrf, iface.addresses, result.config.routes) == (None, (), ())
    assert "INTERNET" not in result.config.vrfs
    assert [w.message for w in result.warnings] == [
        "% IPv4 addresses from all interfaces in VRF INTERNET have been removed"
    ]


def test_a_bad_route_distinguisher_is_refused_at_the_marker() -> None:
    result = loaded("vrf definition A\n rd 65000\n")
    (error,) = result.errors
    assert (error.echo, error.column) == ("rd 65000", 3)


TUNNEL = """interface GigabitEthernet0/0
 vrf forwarding INTERNET
 ip address 203.0.113.2 255.255.255.252
crypto ikev2 keyring K
 peer P
  address 198.51.100.2
  pre-shared-key k
crypto ikev2 profile P
{match}
 match identity remote address 198.51.100.2 255.255.255.255
 authentication local pre-share
 authentication remote pre-share
 keyring local K
crypto ipsec profile V
 set ikev2-profile P
interface Tunnel0
 ip address 172.16.0.1 255.255.255.252
 tunnel source {source}
 tunnel destination 198.51.100.2
 tunnel mode ipsec ipv4
{tunnel_vrf}
 tunnel protection ipsec profile V
"""


def tunnel(
    match: str = " match fvrf INTERNET",
    source: str = "GigabitEthernet0/0",
    tunnel_vrf: str = " tunnel vrf INTERNET",
) -> LoadResult:
    return loaded(VRFS + TUNNEL.format(match=match, source=source, tunnel_vrf=tunnel_vrf))


def test_a_front_door_vrf_tunnel_is_usable() -> None:
    result = tunnel()
    assert errors(result) == [] and not result.warnings
    assert result.config.interfaces["Tunnel0"].tunnel_vrf == "INTERNET"
    assert result.config.profiles["P"].match_fvrf == "INTERNET"


@pytest.mark.parametrize(
    ("source", "tunnel_vrf", "message"),
    [
        (
            "GigabitEthernet0/0",
            "",
            "interface Tunnel0: tunnel source GigabitEthernet0/0 is in VRF INTERNET but the "
            "tunnel is routed in the global table ('tunnel vrf INTERNET' to match)",
        ),
        (
            "203.0.113.2",
            " tunnel vrf CUSTOMER",
            "interface Tunnel0: tunnel source 203.0.113.2 is in VRF INTERNET but the tunnel is "
            "routed in VRF CUSTOMER ('tunnel vrf INTERNET' to match)",
        ),
        (
            "GigabitEthernet0/0",
            " tunnel vrf ELSEWHERE",
            "interface Tunnel0: tunnel vrf ELSEWHERE is not configured",
        ),
    ],
)
def test_a_tunnel_whose_underlay_is_in_another_vrf_cannot_come_up(
    source: str, tunnel_vrf: str, message: str
) -> None:
    result = tunnel(match=" match fvrf any", source=source, tunnel_vrf=tunnel_vrf)
    assert [d.message for d in result.errors] == [message]
    assert result.blocked == ("Tunnel0",)


def test_a_profile_without_match_fvrf_is_for_the_global_table_only() -> None:
    (warning,) = tunnel(match="").warnings
    assert "its IKEv2 profile P matches IKE in the global table only" in warning.message
    assert "AUTHENTICATION_FAILED ('match fvrf INTERNET' in the profile)" in warning.message


def test_ivrf_and_undefined_vrf_names_elsewhere() -> None:
    text = VRFS + (
        "crypto ikev2 profile FLEX\n match fvrf NOWHERE\n ivrf CUSTOMER\n"
        " match identity remote any\n authentication local pre-share\n"
        " authentication remote pre-share\n authentication local pre-share key k\n"
        " authentication remote pre-share key k\n"
        "ip route vrf GONE 0.0.0.0 0.0.0.0 192.0.2.1\n"
    )
    result = loaded(text)
    assert result.config.profiles["FLEX"].ivrf == "CUSTOMER"
    assert " ivrf CUSTOMER\n" in writer.render(result.config)
    assert "ip route vrf GONE 0.0.0.0/0: VRF GONE is not configured" in [
        d.message for d in result.errors
    ]
    assert any("match fvrf NOWHERE: no such VRF" in w.message for w in result.warnings)


VRF_CORPUS = [
    REALCONFIGS / "vrf" / "ij-gre-fvrf-ikev2-r11.cfg",
    REALCONFIGS / "vrf" / "ij-gre-fvrf-ikev2-r17.cfg",
    REALCONFIGS / "vrf" / "skydevil-spoke5-dmvpn-ikev2-fvrf-isp2.cfg",
    REALCONFIGS / "vrf" / "azure-asr-route-based-fvrf-bgp.cfg",
    *sorted((REALCONFIGS / "running-config").glob("jc-csr-dmvpn-ikev2-fvrf-*.cfg")),
    *sorted((REALCONFIGS / "dmvpn").glob("ij-dmvpn-p2-fvrf-*.cfg")),
]


@pytest.mark.parametrize("path", VRF_CORPUS, ids=lambda p: p.name)
def test_the_vrf_lines_of_the_corpus_load(path: Path) -> None:
    """Every VRF line of the published VRF-aware configurations is accepted and kept (their
    other errors are other issues': GRE, DMVPN, EIGRP, or what IOS itself refuses, such as
    the Azure sample's 'ip route vrf' without a VRF name)."""
    result = load_file(path)
    refused = [d for d in result.errors if d.echo is not None and "vrf" in d.echo.lower()]
    if path.name.startswith("azure-"):
        # IOS refuses these too (INDEX.md): prose, a route without its VRF name, BGP's
        # address family typed outside 'router bgp'
        assert [d.line for d in refused] == [11, 108, 134]
    else:
        assert refused == []
    cfg = result.config
    vrf_lines = [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(("vrf forwarding", "ip vrf forwarding", "tunnel vrf"))
    ]
    placed = [i for i in cfg.interfaces.values() if i.vrf or i.tunnel_vrf]
    assert bool(vrf_lines) == bool(placed)


def test_an_ivrf_for_a_crypto_map_is_reported_as_not_acted_on() -> None:
    text = VRFS + (
        "crypto ikev2 keyring K\n peer P\n  address 198.51.100.2\n  pre-shared-key k\n"
        "crypto ikev2 profile P\n match fvrf INTERNET\n ivrf CUSTOMER\n"
        " match identity remote address 198.51.100.2 255.255.255.255\n"
        " authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
        "ip access-list extended L\n permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255\n"
        "crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
        "crypto map M 10 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set T\n"
        " set ikev2-profile P\n match address L\n"
        "interface GigabitEthernet0/0\n vrf forwarding INTERNET\n"
        " ip address 203.0.113.2 255.255.255.252\n crypto map M\n"
    )
    result = loaded(text)
    assert errors(result) == []
    assert [w.message for w in result.warnings] == [
        "crypto map M 10: IKEv2 profile P says ivrf CUSTOMER; pyike forwards the crypto map's "
        "decrypted traffic in its interface's VRF (VRF INTERNET) and not in CUSTOMER"
    ]
