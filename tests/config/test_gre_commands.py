"""The GRE tunnel commands pyike models: `tunnel key`, `keepalive [PERIOD [RETRIES]]` (IOS's
defaults 10 s and 3), `ip tcp adjust-mss`; read, printed back by `config show`, and refused
where IOS refuses them. `keepalive` on other interfaces is their own: kept as typed."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.model import Keepalive
from pyike.config.writer import render

TUNNEL = "interface Tunnel0\n ip address 172.16.0.1 255.255.255.0\n"


@pytest.mark.parametrize(
    ("line", "keepalive"),
    [
        ("keepalive", Keepalive(10, 3)),
        ("keepalive 5", Keepalive(5, 3)),
        ("keepalive 5 4", Keepalive(5, 4)),
        ("keepalive 0", None),  # a period of 0 turns them off
        ("keepalive 5 4\n no keepalive", None),
    ],
)
def test_keepalive_on_a_tunnel(line: str, keepalive: Keepalive | None) -> None:
    config = load(TUNNEL + f" {line}\n").raise_for_errors()
    assert config.interfaces["Tunnel0"].keepalive == keepalive
    printed = render(config)
    assert (" keepalive " in printed) is (keepalive is not None)
    if keepalive is not None:
        assert f" keepalive {keepalive.period} {keepalive.retries}\n" in printed


def test_tunnel_key_and_adjust_mss_are_read_and_printed() -> None:
    config = load(TUNNEL + " tunnel key 4294967295\n ip tcp adjust-mss 1360\n").raise_for_errors()
    tunnel = config.interfaces["Tunnel0"]
    assert (tunnel.tunnel_key, tunnel.tcp_adjust_mss, tunnel.extra) == (4294967295, 1360, ())
    printed = render(config)
    assert " tunnel key 4294967295\n" in printed and " ip tcp adjust-mss 1360\n" in printed
    cleared = load(TUNNEL + " tunnel key 5\n no tunnel key\n").raise_for_errors()
    assert cleared.interfaces["Tunnel0"].tunnel_key is None


@pytest.mark.parametrize(
    "line",
    [" tunnel key 4294967296", " keepalive 5 0", " keepalive 32768"],
)
def test_out_of_range_values_are_refused_as_ios_refuses_them(line: str) -> None:
    result = load(TUNNEL + line + "\n")
    assert [d.message for d in result.errors] == ["% Invalid input detected at '^' marker."]


def test_tunnel_key_exists_on_tunnel_interfaces_only() -> None:
    result = load("interface Ethernet0/0\n tunnel key 5\n")
    assert [d.line for d in result.errors] == [2]


def test_keepalive_on_an_ethernet_interface_is_kept_as_typed() -> None:
    config = load("interface Ethernet0/0\n no keepalive\n").raise_for_errors()
    ethernet = config.interfaces["Ethernet0/0"]
    assert ethernet.keepalive is None and ethernet.extra == ("no keepalive",)
    assert [(n.mode, n.command) for n in config.not_modelled] == [("config-if", "keepalive")]
    assert " no keepalive\n" in render(config)
