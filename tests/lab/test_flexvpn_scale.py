"""A FlexVPN hub with 200 spokes on one virtual template (issue 16): every spoke gets a
Virtual-Access interface of its own on the hub, an address of its own from the pool, and the
routes each side sends; traffic passes both ways."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from tests.support.flexvpn import HUB_LAN, POOL_FIRST, hub_and_spokes, spoke_lan

SPOKES = 200


def test_a_hub_with_200_spokes_on_one_virtual_template() -> None:
    lab = Lab(hub_and_spokes(SPOKES), policy_for_config, seed=0)
    lab.bring_up_tunnels(stagger=0.05)  # 10 virtual seconds for the spokes to start
    lab.run_for(30)
    hub = lab.router("Hub").router
    clones = {name for name in hub.interfaces if name.startswith("Virtual-Access")}
    assert clones == {f"Virtual-Access{n}" for n in range(1, SPOKES + 1)}
    lent = set()
    for n in range(1, SPOKES + 1):
        tunnel = lab.router(f"Spoke{n}").router.interface("Tunnel0")
        assert tunnel.line_up and tunnel.primary is not None
        lent.add(tunnel.primary.ip)
        lan = hub.table.exact(IPv4Network(spoke_lan(n)).supernet(new_prefix=24))
        assert lan is not None and lan.paths[0].interface.startswith("Virtual-Access")
    first = int(IPv4Address(POOL_FIRST))
    assert lent == {IPv4Address(first + i) for i in range(SPOKES)}  # one each, none twice
    ping = lab.exec("Hub", f"ping {spoke_lan(SPOKES)} source Loopback1")
    assert "Success rate is 100 percent" in ping
    ping = lab.exec("Spoke1", f"ping {HUB_LAN} source Loopback1")
    assert "Success rate is 100 percent" in ping
