"""`configure terminal` applied to a running lab router (`pyike.lab.reconfigure`), in process:
shutdown and no shutdown of a tunnel, a changed transform set negotiated anew on both ends,
a changed tunnel destination dropping that tunnel's SAs, a tunnel removed, a crypto map taken
off an interface and put back, and what waits for a lab restart."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.host.config_mode import ConfigMode
from pyike.lab.lab import Lab
from pyike.lab.reconfigure import configure
from pyike.lab.topology_run import build_lab
from pyike.topology.load import load_topology
from pyike.topology.seed import seed_configs
from tests.support.paths import EXAMPLES

TUNNEL_ROUTE = "S        192.168.2.1 is directly connected, Tunnel0"


@pytest.fixture
def lab() -> Lab:
    lab = Lab(seed_configs(), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(10)
    assert lab.tunnels_up() == (2, 2)
    return lab


def _configure(lab: Lab, host: str, lines: Sequence[str]) -> str:
    """What the session prints: the lines typed, then `end`."""
    lab_router = lab.router(host)
    mode = ConfigMode(lab_router.router.config)
    out = "".join(mode.type(line).output for line in [*lines, "end"])
    return out + mode.finish(lambda config: configure(lab, lab_router, config))


def _ping(lab: Lab) -> str:
    return lab.exec("Router1", "ping 192.168.2.1 source Loopback0")


def test_shutdown_and_no_shutdown_of_a_tunnel(lab: Lab) -> None:
    said = _configure(lab, "Router1", ["interface Tunnel0", " shutdown"])
    assert said == "% Applied to the running router: interface Tunnel0 changed\n"
    lab.run_for(10)
    brief = lab.exec("Router1", "show ip interface brief")
    assert (
        "Tunnel0                    172.16.0.101    YES NVRAM  administratively down down" in brief
    )
    assert TUNNEL_ROUTE not in lab.exec("Router1", "show ip route")  # pings go in clear now
    assert lab.tunnels_up() == (0, 1)  # a shut tunnel is not protected: Router2's end only

    said = _configure(lab, "Router1", ["interface Tunnel0", " no shutdown"])
    assert "negotiating Tunnel0" in said
    lab.run_for(10)
    assert lab.tunnels_up() == (2, 2)
    assert TUNNEL_ROUTE in lab.exec("Router1", "show ip route")
    assert "Success rate is 100 percent (5/5)" in _ping(lab)


def test_a_changed_transform_set_is_negotiated_anew(lab: Lab) -> None:
    change = ["crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac"]
    assert "negotiating Tunnel0" in _configure(lab, "Router1", change)
    lab.run_for(10)
    assert lab.tunnels_up() == (0, 2)  # Router2 still proposes 3DES: no proposal chosen
    assert "negotiating Tunnel0" in _configure(lab, "Router2", change)
    lab.run_for(10)
    assert lab.tunnels_up() == (2, 2)
    assert "Success rate is 100 percent (5/5)" in _ping(lab)
    sas = lab.exec("Router2", "show crypto ipsec sa")
    assert "transform: esp-256-aes esp-sha256-hmac" in sas and "esp-3des" not in sas


def test_a_changed_destination_drops_the_tunnels_sas(lab: Lab) -> None:
    said = _configure(lab, "Router2", ["interface Tunnel0", " tunnel destination 10.0.0.9"])
    assert (
        said == "% Applied to the running router: interface Tunnel0 changed, negotiating Tunnel0\n"
    )
    lab.run_for(10)
    assert lab.tunnels_up() == (0, 2)
    running = lab.exec("Router2", "show running-config | include tunnel destination")
    assert running.strip() == "tunnel destination 10.0.0.9"


def test_a_removed_tunnel_goes_with_its_sas(lab: Lab) -> None:
    said = _configure(
        lab, "Router1", ["no interface Tunnel0", "no ip route 192.168.2.1 255.255.255.255 Tunnel0"]
    )
    assert said == "% Applied to the running router: interface Tunnel0 removed, static routes\n"
    lab.run_for(10)
    assert lab.tunnels_up() == (0, 1)  # Router2's end, with no one to talk to
    assert "Tunnel0" not in lab.exec("Router1", "show ip interface brief")
    assert "interface Tunnel0" not in lab.exec("Router1", "show running-config")


def test_what_waits_for_a_restart_is_named(lab: Lab) -> None:
    said = _configure(
        lab,
        "Router1",
        ["interface Ethernet0/1", " ip address 10.9.9.1 255.255.255.0", "hostname Edge1"],
    )
    assert said == (
        "% Applied to the running router: interface Ethernet0/1 added\n"
        "% Takes effect after a lab restart: hostname Edge1, interface Ethernet0/1 "
        "(joining the lab's segments)\n"
    )
    assert "Ethernet0/1                10.9.9.1" in lab.exec("Router1", "show ip interface brief")
    assert lab.tunnels_up() == (2, 2)  # the tunnel kept its SAs


def test_a_crypto_map_removed_and_added_again() -> None:
    lab, _nats = build_lab(load_topology([EXAMPLES / "crypto-map"]), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    ping = "ping 192.168.20.1 source Loopback0 repeat 10"
    assert "Success rate is 100 percent (10/10)" in lab.exec("SiteA", ping)

    said = _configure(lab, "SiteA", ["interface GigabitEthernet0/0", " no crypto map CMAP"])
    assert said == "% Applied to the running router: interface GigabitEthernet0/0 changed\n"
    assert "Success rate is 0 percent (0/10)" in lab.exec("SiteA", ping)  # SiteB wants ESP
    assert any("%CRYPTO-4-RECVD_PKT_NOT_IPSEC" in line for line in lab.router("SiteB").console)

    _configure(lab, "SiteA", ["interface GigabitEthernet0/0", " crypto map CMAP"])
    # the first packet starts the SA and is lost, as on IOS
    assert "Success rate is 90 percent (9/10)" in lab.exec("SiteA", ping)
    assert "Crypto map tag: CMAP" in lab.exec("SiteA", "show crypto ipsec sa")
