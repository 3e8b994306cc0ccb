"""The NHRP interface commands of DMVPN tunnels (issue 14): read, printed back by `config
show` in IOS's order (the authentication string masked), refused where IOS refuses them,
named by `config explain`; `config check` runs a multipoint GRE tunnel whose NHRP can run and
names what keeps one from running."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest

from pyike.config import load
from pyike.config.explain import explain
from pyike.config.model import NhrpServer
from pyike.config.query import nhrp_configs
from pyike.config.writer import render
from pyike.nhrp.config import NhrpConfig
from tests.support.paths import EXAMPLES

SPOKE = """\
interface Ethernet0/0
 ip address 198.51.100.2 255.255.255.0
crypto ikev2 profile default
 match identity remote any
 authentication local pre-share key k
 authentication remote pre-share key k
interface Tunnel0
 ip address 10.0.0.2 255.255.255.0
 ip nhrp network-id 1
 ip nhrp authentication cisco123
 ip nhrp nhs 10.0.0.1 nbma 192.0.2.1 multicast
 ip nhrp nhs 10.0.0.9
 ip nhrp map 10.0.0.9 192.0.2.9
 ip nhrp map multicast 192.0.2.9
 ip nhrp holdtime 600
 ip nhrp registration timeout 200
 ip nhrp registration no-unique
 ip nhrp shortcut
 tunnel source Ethernet0/0
 tunnel mode gre multipoint
 tunnel key 7
 tunnel protection ipsec profile default shared
"""
A, B = IPv4Address("10.0.0.1"), IPv4Address("192.0.2.1")


def nhrp_configs_of(text: str) -> list[NhrpConfig]:
    config = load(text).raise_for_errors()
    return nhrp_configs(config, config.interfaces["Tunnel0"])


def test_the_nhrp_commands_are_read() -> None:
    config = load(SPOKE).raise_for_errors()
    tunnel = config.interfaces["Tunnel0"]
    nhrp = tunnel.nhrp
    assert (nhrp.network_id, nhrp.holdtime, nhrp.registration_timeout) == (1, 600, 200)
    assert nhrp.servers == (NhrpServer(A, B, True), NhrpServer(IPv4Address("10.0.0.9")))
    assert nhrp.maps == ((IPv4Address("10.0.0.9"), IPv4Address("192.0.2.9")),)
    assert nhrp.multicast == (IPv4Address("192.0.2.9"),)
    assert nhrp.no_unique and nhrp.shortcut and not nhrp.redirect
    assert nhrp.authentication is not None and nhrp.authentication.reveal() == "cisco123"
    assert tunnel.is_multipoint_gre and tunnel.tunnel_protection_shared
    assert tunnel.extra == () and config.not_modelled == ()


def test_config_show_prints_them_in_ios_order_with_the_string_masked() -> None:
    config = load(SPOKE).raise_for_errors()
    lines = [line for line in render(config).splitlines() if "nhrp" in line]
    assert lines == [
        " ip nhrp authentication *****",
        " ip nhrp map 10.0.0.9 192.0.2.9",
        " ip nhrp map multicast 192.0.2.9",
        " ip nhrp network-id 1",
        " ip nhrp holdtime 600",
        " ip nhrp nhs 10.0.0.1 nbma 192.0.2.1 multicast",
        " ip nhrp nhs 10.0.0.9",
        " ip nhrp registration timeout 200",
        " ip nhrp registration no-unique",
        " ip nhrp shortcut",
    ]
    assert " tunnel protection ipsec profile default shared" in render(config)
    assert " ip nhrp authentication cisco123" in render(config, show_keys=True)
    again = load(render(config, show_keys=True)).raise_for_errors()
    assert again.interfaces["Tunnel0"].nhrp == config.interfaces["Tunnel0"].nhrp


def test_a_hub_s_commands_and_their_no_forms() -> None:
    hub = "interface Tunnel0\n ip nhrp map multicast dynamic\n ip nhrp redirect timeout 5\n"
    nhrp = load(hub).raise_for_errors().interfaces["Tunnel0"].nhrp
    assert nhrp.multicast_dynamic and nhrp.redirect and nhrp.redirect_timeout == 5
    assert " ip nhrp redirect timeout 5" in render(load(hub).config)
    undone = hub + (
        " no ip nhrp map multicast dynamic\n no ip nhrp redirect\n"
        " ip nhrp nhs 10.0.0.1 nbma 192.0.2.1\n no ip nhrp nhs 10.0.0.1\n"
        " ip nhrp network-id 5\n no ip nhrp network-id\n"
    )
    assert not load(undone).raise_for_errors().interfaces["Tunnel0"].nhrp.configured


@pytest.mark.parametrize(
    "line",
    [
        " ip nhrp holdtime 0",
        " ip nhrp network-id 0",
        " ip nhrp redirect timeout 31",
        " ip nhrp nhs 10.0.0.1 nbma",
        " ip nhrp map 10.0.0.1",
        " ip nhrp max-send 0 every 10",
        " ip nhrp max-send 100 every 9",
        " ip nhrp max-send 100",
    ],
)
def test_bad_values_are_refused_as_ios_refuses_them(line: str) -> None:
    result = load("interface Tunnel0\n" + line + "\n")
    assert [d.line for d in result.errors] == [2]
    assert result.errors[0].message.startswith("% ")


def test_an_authentication_string_longer_than_eight_is_refused_without_showing_it() -> None:
    (error,) = load("interface Tunnel0\n ip nhrp authentication secret123\n").errors
    assert "at most 8 characters" in error.message
    assert "secret123" not in error.format()


def test_max_send_sets_the_tunnels_nhrp_quota_and_no_max_send_restores_ios_default() -> None:
    """`ip nhrp max-send COUNT every SECONDS` (and its IPv6 twin) reaches the NHRP engine's
    configuration; without it, IOS 15's default of 100 packets every 10 seconds."""
    hub = (EXAMPLES / "dmvpn-phase3" / "hub.cfg").read_text()
    assert nhrp_configs_of(hub)[0].max_send == 100
    tuned = hub.replace(
        " ip nhrp network-id", " ip nhrp max-send 5000 every 20\n ip nhrp network-id"
    )
    (nhrp,) = nhrp_configs_of(tuned)
    assert (nhrp.max_send, nhrp.max_send_interval) == (5000, 20)
    config = load(tuned).raise_for_errors()
    assert " ip nhrp max-send 5000 every 20" in render(config).splitlines()
    assert config.not_modelled == load(hub).config.not_modelled  # read, not kept as written
    undone = tuned.replace(" ip nhrp network-id", " no ip nhrp max-send\n ip nhrp network-id", 1)
    assert nhrp_configs_of(undone)[0].max_send_interval == 10
    v6 = load("interface Tunnel0\n ipv6 nhrp max-send 7 every 10\n").raise_for_errors()
    assert v6.interfaces["Tunnel0"].nhrp6.max_send == (7, 10)


def test_commands_pyike_does_not_run_are_kept_as_written() -> None:
    text = (
        "interface Tunnel0\n ip nhrp shortcut virtual-template 1\n ipv6 nhrp interest 9\n"
        " ip nhrp nhs dynamic nbma 192.0.2.1\n"
    )
    config = load(text).raise_for_errors()
    assert len(config.interfaces["Tunnel0"].extra) == 3
    assert {(n.mode, n.command) for n in config.not_modelled} == {
        ("config-if", "ip nhrp shortcut virtual-template"),
        ("config-if", "ipv6 nhrp"),
        ("config-if", "ip nhrp nhs dynamic"),
    }


def test_check_runs_a_multipoint_tunnel_and_names_an_nhs_without_nbma() -> None:
    assert load(SPOKE).blocked == ()
    lost = SPOKE.replace(" ip nhrp map 10.0.0.9 192.0.2.9\n", "")
    result = load(lost)
    assert result.blocked == ("Tunnel0",)
    (warning,) = result.warnings
    assert "'ip nhrp nhs 10.0.0.9' without its NBMA address" in warning.message


def test_explain_says_what_nhrp_does_on_the_tunnel() -> None:
    text = explain(load(SPOKE).raise_for_errors())
    assert "Tunnel0: multipoint GRE (DMVPN) from 198.51.100.2 to each peer NHRP finds" in text
    assert "NHRP network-id 1, hold time 600 s, authentication string configured" in text
    assert "sends at most 100 NHRP packets every 10 s (default), drops any more" in text
    assert "registers with NHS 10.0.0.1 at NBMA 192.0.2.1 every 200 s, no-unique" in text
    assert "protects GRE between 198.51.100.2 and each peer, one Child SA each" in text
    assert "cisco123" not in text
    hub = explain(load((EXAMPLES / "dmvpn-phase3" / "hub.cfg").read_text()).config)
    assert "no NHS: a hub, its peers register with it" in hub
    assert "multicast (routing protocols) replicated to each peer registered with it" in hub
    assert "phase 3: traffic it sends back out the tunnel is redirected" in hub


def test_check_names_a_multipoint_tunnel_over_ipv6_as_not_run() -> None:
    over_ipv6 = SPOKE.replace(" tunnel mode gre multipoint\n", " tunnel mode gre multipoint ipv6\n")
    (warning,) = load(over_ipv6).warnings
    assert "runs over IPv6 (gre multipoint ipv6), which pyike's NHRP does not" in warning.message


def test_check_says_nhrp_on_a_point_to_point_tunnel_needs_a_network_id() -> None:
    spoke = SPOKE.replace(" tunnel mode gre multipoint\n", " tunnel destination 192.0.2.1\n")
    assert not [d for d in load(spoke).warnings]  # a phase 1 spoke: NHRP runs
    without_id = "".join(
        line for line in spoke.splitlines(keepends=True) if "nhrp network-id" not in line
    )
    warnings = [d.message for d in load(without_id).warnings]
    assert (
        "interface Tunnel0: NHRP does not run without 'ip nhrp network-id': it does not "
        "register with NHS 10.0.0.1, so that hub cannot reach it" in warnings
    )
    assert not [d for d in load(SPOKE).warnings]


IPV6_SPOKE = """\
interface Tunnel100
 ipv6 address FC00:100:64:2::1/64
 ipv6 nhrp authentication v6key
 ipv6 nhrp map FC00:100:64:2::100/128 123.123.123.1
 ipv6 nhrp map multicast 123.123.123.1
 ipv6 nhrp network-id 101
 ipv6 nhrp holdtime 300
 ipv6 nhrp nhs FC00:100:64:2::100
 ipv6 nhrp shortcut
 tunnel mode gre multipoint
"""


def test_ipv6_nhrp_commands_are_read_for_the_ipv6_overlay() -> None:
    tunnel = load(IPV6_SPOKE).raise_for_errors().interfaces["Tunnel100"]
    nhrp = tunnel.nhrp6
    hub = IPv6Address("fc00:100:64:2::100")
    assert (nhrp.network_id, nhrp.holdtime, nhrp.shortcut) == (101, 300, True)
    assert nhrp.servers == (NhrpServer(hub),)
    assert nhrp.maps == ((hub, IPv4Address("123.123.123.1")),)
    assert nhrp.multicast == (IPv4Address("123.123.123.1"),)
    assert tunnel.nhrp.network_id is None  # `ip nhrp` is the IPv4 overlay's, untouched
    assert tunnel.extra == ()


def test_ipv6_nhrp_lines_are_written_back_with_the_string_masked() -> None:
    shown = render(load(IPV6_SPOKE).raise_for_errors())
    assert (
        " ipv6 nhrp authentication *****\n"
        " ipv6 nhrp map fc00:100:64:2::100/128 123.123.123.1\n"
        " ipv6 nhrp map multicast 123.123.123.1\n"
        " ipv6 nhrp network-id 101\n"
        " ipv6 nhrp holdtime 300\n"
        " ipv6 nhrp nhs fc00:100:64:2::100\n"
        " ipv6 nhrp shortcut\n"
    ) in shown
    assert "v6key" not in shown
    again = load(render(load(IPV6_SPOKE).raise_for_errors(), show_keys=True)).raise_for_errors()
    assert (
        again.interfaces["Tunnel100"].nhrp6 == load(IPV6_SPOKE).config.interfaces["Tunnel100"].nhrp6
    )


def test_ipv6_nhrp_refusals_and_no_forms() -> None:
    (error,) = load("interface Tunnel0\n ipv6 nhrp authentication secret123\n").errors
    assert "% ipv6 nhrp authentication: the string is at most 8 characters" in error.message
    assert "secret123" not in error.format()
    (error,) = load("interface Tunnel0\n ipv6 nhrp nhs 10.0.0.1\n").errors
    assert "Invalid input" in error.message
    removed = IPV6_SPOKE + " no ipv6 nhrp nhs FC00:100:64:2::100\n no ipv6 nhrp shortcut\n"
    nhrp = load(removed).raise_for_errors().interfaces["Tunnel100"].nhrp6
    assert (nhrp.servers, nhrp.shortcut) == ((), False)
