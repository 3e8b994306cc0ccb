"""CFG_SET/CFG_ACK (RFC 7296 3.15) between FlexVPN routers in the lab: a spoke with `no
config-exchange request` pushes its route set in a CFG_SET, which the hub installs and
acknowledges with CFG_ACK; `no config-exchange set accept` on the hub leaves the pushed (or
requested-with) routes out, `no config-exchange set send` on a spoke keeps its routes to
itself."""

from __future__ import annotations

from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import RunOptions
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "flexvpn-hub-spokes"
SPOKE2_LAN = "S     192.168.2.0/24 is directly connected, Virtual-Access"
HUB_ROUTES = "192.168.0.0/16 is directly connected, Tunnel0"
SPOKE_PROFILE = " aaa authorization group psk list FLEX LAN\n"
HUB_PROFILE = " virtual-template 1\n"


def _run(tmp_path: Path, spoke2: str = "", hub: str = "") -> TopologyRun:
    """The example with profile lines added: ``spoke2`` to Spoke2's, ``hub`` to the hub's."""
    for source in EXAMPLE.glob("*.cfg"):
        text = source.read_text()
        if source.name == "spoke2.cfg":
            text = text.replace(SPOKE_PROFILE, SPOKE_PROFILE + spoke2)
        if source.name == "hub.cfg":
            text = text.replace(HUB_PROFILE, HUB_PROFILE + hub)
        (tmp_path / source.name).write_text(text)
    return run_topology(
        load_topology([tmp_path]),
        policy_for_config,
        show=False,
        options=RunOptions(debug=True),
        debugs=("debug crypto ikev2", "debug crypto ikev2 internal"),
    )


def _console(run: TopologyRun, router: str) -> str:
    return "\n".join(run.lab.router(router).console)


def test_a_spoke_that_asks_nothing_pushes_its_routes_in_a_config_set(tmp_path: Path) -> None:
    # the spoke reaches the hub's LAN by its own static route; the hub answers through the
    # route the spoke's CFG_SET gave it
    own_route = "ip route 10.100.0.0 255.255.255.0 Tunnel0\n"
    run = _run(tmp_path, spoke2=" no config-exchange request\n" + own_route)
    assert SPOKE2_LAN in run.lab.exec("Hub", "show ip route")
    assert HUB_ROUTES not in run.lab.exec("Spoke2", "show ip route")  # it asked for none
    spoke, hub = _console(run, "Spoke2"), _console(run, "Hub")
    assert "Config-type: Config-set" in spoke and "Config-type: Config-request" not in spoke
    assert "Config-type: Config-ack" in hub and "Config-type: Config-ack" in spoke
    ping = run.lab.exec("Spoke2", "ping 10.100.0.1 source Loopback1")
    assert "Success rate is 100 percent" in ping


def test_set_accept_off_on_the_hub_leaves_the_pushed_routes_out(tmp_path: Path) -> None:
    run = _run(
        tmp_path, spoke2=" no config-exchange request\n", hub=" no config-exchange set accept\n"
    )
    assert run.lab.router("Spoke2").crypto.ike_up
    assert SPOKE2_LAN not in run.lab.exec("Hub", "show ip route")
    assert "Config-type: Config-ack" not in _console(run, "Hub")
    assert "192.168.1.0/24 is directly connected" not in run.lab.exec("Hub", "show ip route")


def test_set_send_off_on_a_spoke_keeps_its_routes_to_itself(tmp_path: Path) -> None:
    run = _run(tmp_path, spoke2=" no config-exchange set send\n")
    assert SPOKE2_LAN not in run.lab.exec("Hub", "show ip route")
    assert HUB_ROUTES in run.lab.exec("Spoke2", "show ip route")  # it still asks and gets
    assert "192.168.1.0/24 is directly connected" in run.lab.exec("Hub", "show ip route")
