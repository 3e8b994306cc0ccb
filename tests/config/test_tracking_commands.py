"""`ip sla`, `ip sla schedule`, `track N ip sla M` and a FlexVPN client's `peer N ADDRESS
track T`: read into the model, written back by `show running-config` as typed, what pyike does
not run kept and counted."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address

from pyike.config import load
from pyike.config.model import Config
from pyike.config.tracking_model import IcmpEcho, IpSla, Track
from pyike.config.writer import render

TEXT = """hostname Spoke
ip sla 1
 icmp-echo 10.0.0.1 source-interface Ethernet0/0
  frequency 5
  timeout 1000
  tos 46
ip sla schedule 1 life forever start-time now
ip sla 2
 udp-jitter 10.0.0.9 5000
ip sla schedule 2 start-time 10:00:00
track 1 ip sla 1 reachability
 delay down 10 up 20
track 2 interface Ethernet0/0 line-protocol
crypto ikev2 client flexvpn HUBS
 peer 1 10.0.0.1 track 1
 peer 2 10.0.0.2 track 2 down
 connect track 2 up
 client connect Tunnel0
interface Ethernet0/0
 ip address 10.0.0.100 255.255.255.0
"""


def _unsourced(config: Config) -> tuple[object, ...]:
    tracking = config.tracking
    return (
        {n: replace(s, source=None) for n, s in tracking.slas.items()},
        {n: replace(t, source=None) for n, t in tracking.tracks.items()},
        {n: replace(c, source=None) for n, c in config.flexvpn.clients.items()},
    )


def test_ip_sla_and_track_are_modelled() -> None:
    result = load(TEXT)
    assert not result.errors
    tracking = result.config.tracking
    echo = IcmpEcho(IPv4Address("10.0.0.1"), "Ethernet0/0", None, 5, 1000)
    assert replace(tracking.slas[1], source=None) == IpSla(
        1, echo, True, "life forever start-time now", ("tos 46",)
    )
    two = tracking.slas[2]
    assert two.echo is None and not two.scheduled and two.extra == ("udp-jitter 10.0.0.9 5000",)
    assert replace(tracking.tracks[1], source=None) == Track(
        1, 1, "reachability", 20, 10, "ip sla 1 reachability"
    )
    assert tracking.tracks[2].sla is None  # an interface track: kept, not run
    peers = result.config.flexvpn.clients["HUBS"].peers
    assert [(p.track, p.track_up) for p in peers] == [(1, True), (2, False)]
    kept = {(n.mode, n.command) for n in result.config.not_modelled}
    assert ("config", "track") in kept and ("config-ip-sla", "udp-jitter") in kept


def test_show_running_config_gives_them_back() -> None:
    config = load(TEXT).config
    text = render(config)
    for line in [
        "track 1 ip sla 1 reachability\n delay down 10 up 20\n",
        "ip sla 1\n icmp-echo 10.0.0.1 source-interface Ethernet0/0\n  timeout 1000\n",
        "ip sla schedule 1 life forever start-time now\n",
        "  peer 2 10.0.0.2 track 2 down\n",
        "  connect track 2 up\n",
    ]:
        assert line in text
    again = load(text)
    assert not again.errors
    assert _unsourced(again.config) == _unsourced(config)


def test_no_forms_and_refusals() -> None:
    result = load(TEXT + "no track 2\nno ip sla schedule 1\ntrack 3 ip sla 1 bogus-kind\n")
    tracking = result.config.tracking
    assert 2 not in tracking.tracks and not tracking.slas[1].scheduled
    assert tracking.tracks[3].sla is None  # not a kind pyike runs: kept as typed
    refused = load("ip sla 1\n icmp-echo 10.0.0.1\n  frequency 0\n")
    assert [d.message for d in refused.errors] == ["% Invalid input detected at '^' marker."]
