"""FlexVPN in the lab (issue 16): a hub clones its virtual template for each spoke
(Virtual-Access1, 2, ... as IOS numbers them), the configuration exchange lends an address
from the pool and carries each side's `route set` routes, installed as static routes through
the tunnel at IKEv2's distance, and everything goes with the IKE SA."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.codec.registry import NotifyType
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.node.routing import RouteCode
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "flexvpn-hub-spokes"


@pytest.fixture(scope="module")
def run() -> TopologyRun:
    return run_topology(load_topology([EXAMPLE]), policy_for_config, show=False)


def test_every_spoke_gets_a_virtual_access_of_its_own(run: TopologyRun) -> None:
    assert run.problems == []
    hub = run.lab.router("Hub").router
    clones = [name for name in hub.interfaces if name.startswith("Virtual-Access")]
    assert clones == ["Virtual-Access1", "Virtual-Access2"]
    assert not hub.interface("Virtual-Template1").line_up  # the template carries nothing
    brief = run.lab.exec("Hub", "show ip interface brief")
    assert (
        "Virtual-Template1          172.16.1.254    YES unset  up                    down" in brief
    )
    derived = run.lab.exec("Hub", "show derived-config interface virtual-access 2")
    assert " tunnel destination 10.0.1.2" in derived.splitlines()
    assert " ip unnumbered Loopback0" in derived.splitlines()


def test_routes_and_the_lent_address_are_installed_at_ikev2_distance(run: TopologyRun) -> None:
    hub = run.lab.router("Hub").router.table
    lan = hub.exact(IPv4Network("192.168.1.0/24"))
    assert lan is not None and lan.code is RouteCode.STATIC and lan.distance == 2
    assert lan.paths[0].interface == "Virtual-Access1"
    lent = hub.exact(IPv4Network("172.16.1.100/32"))  # the address Spoke1 was lent
    assert lent is not None and lent.paths[0].interface == "Virtual-Access1"
    spoke1 = run.lab.router("Spoke1").router
    assert spoke1.interface("Tunnel0").primary is not None
    assert spoke1.interface("Tunnel0").primary.ip == IPv4Address("172.16.1.100")
    pushed = spoke1.table.exact(IPv4Network("10.100.0.0/24"))
    assert pushed is not None and pushed.paths[0].interface == "Tunnel0"


def test_the_clone_its_routes_and_the_lease_go_with_the_ike_sa() -> None:
    run = run_topology(load_topology([EXAMPLE]), policy_for_config, show=False)
    hub = run.lab.router("Hub")
    spoke1 = run.lab.router("Spoke1")
    spoke1.crypto.keep_up = False  # Spoke1 does not come back: what goes stays gone
    spoke1.crypto.clear()
    run.lab.run_for(5)
    assert "Virtual-Access1" not in hub.router.interfaces
    assert "Virtual-Access2" in hub.router.interfaces
    assert hub.router.table.exact(IPv4Network("192.168.1.0/24")) is None
    assert spoke1.router.interface("Tunnel0").primary is None
    assert spoke1.router.table.exact(IPv4Network("10.100.0.0/24")) is None
    authorizer = hub.crypto.policy.authorization
    assert authorizer is not None and authorizer.pools.in_use("SPOKE-ADDRESSES") == 0
    spoke1.crypto.keep_up = True
    spoke1.crypto.start_tunnel("Tunnel0")
    run.lab.run_for(5)
    assert "Virtual-Access1" in hub.router.interfaces  # the lowest free number again
    assert "Success rate is 100 percent" in run.lab.exec(
        "Spoke1", "ping 192.168.2.1 source Loopback1"
    )


def test_authorization_fails_without_the_local_method_list() -> None:
    topology = load_topology([EXAMPLE])
    hub = next(c for c in topology.configs if c.hostname == "Hub")
    hub.flexvpn.authorization_network.clear()
    run = run_topology(topology, policy_for_config, show=False)
    assert not [
        n for n in run.lab.router("Hub").router.interfaces if n.startswith("Virtual-Access")
    ]
    refused = run.lab.router("Spoke1").crypto.stats.negotiations_failed
    assert refused and all(f.notify is NotifyType.AUTHENTICATION_FAILED for f in refused)
    assert "UP-ACTIVE" not in run.lab.exec("Spoke1", "show crypto session")
