"""VRF-aware IPsec in the lab (`examples/front-door-vrf`): IKE and ESP in the front-door VRF
INTERNET, the tunnel and the LAN in the inside VRF CUSTOMER, the LAN's subnet reused in the
global table; and what IOS does when the IKEv2 profile lacks `match fvrf`."""

from __future__ import annotations

from functools import cache

from scapy.layers.inet import IP

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.sim.network import CapturedPacket
from pyike.topology import Topology, load_topology
from tests.support.genie_parse import parse as genie_parse
from tests.support.paths import EXAMPLES

FRONT_DOOR = EXAMPLES / "front-door-vrf"


def topology(edit: str = "") -> Topology:
    """The example; `edit` is removed from both sites' configurations."""
    loaded = load_topology([FRONT_DOOR])
    if edit:
        configs = []
        for cfg in loaded.configs:
            text = (FRONT_DOOR / cfg.file.rsplit("/", 1)[-1]).read_text().replace(edit, "")
            configs.append(load(text, cfg.file).raise_for_errors())
        loaded = Topology(configs)
    return loaded


@cache
def front_door() -> TopologyRun:
    return run_topology(topology(), policy_for_config, show=False)


def test_pings_from_the_lan_cross_the_tunnel_in_the_inside_vrf() -> None:
    result = front_door()
    assert result.problems == [] and result.protected == 2
    lab = result.lab
    seen: list[CapturedPacket] = []
    lab.network.add_capture(seen.append)
    text = lab.exec("SiteA", "ping vrf CUSTOMER 10.2.2.1 source GigabitEthernet0/1 repeat 20")
    assert "Success rate is 100 percent (20/20)" in text
    # on the wire only ESP between the front-door addresses, never the LAN's packets
    outer = {(IP(p.data).src, IP(p.data).dst, IP(p.data).proto) for p in seen}
    assert len(seen) >= 80 and outer <= {
        ("203.0.113.2", "198.51.100.2", 50),
        ("198.51.100.2", "203.0.113.2", 50),
    }
    site_b = lab.router("SiteB").router.interfaces
    assert site_b["Tunnel0"].counters.packets_in >= 20
    assert site_b["GigabitEthernet0/2"].counters.packets_in == 0  # the global 10.2.2.1


def test_show_commands_name_both_vrfs() -> None:
    lab = front_door().lab
    sa = lab.exec("SiteA", "show crypto ikev2 sa")
    row = "1         203.0.113.2/500       198.51.100.2/500      INTERNET/CUSTOMER    READY "
    assert row in sa.splitlines()
    parsed = genie_parse("show crypto ikev2 sa", sa.splitlines())
    entry = parsed["ipv4"][1]
    assert (entry["fvrf"], entry["ivrf"]) == ("INTERNET", "CUSTOMER")
    assert "INTERNET/CUSTOMER" in lab.exec("SiteA", "show crypto ikev2 sa fvrf INTERNET")
    assert "INTERNET/CUSTOMER" in lab.exec("SiteA", "show crypto ikev2 sa ivrf CUSTOMER")
    assert "READY" not in lab.exec("SiteA", "show crypto ikev2 sa fvrf none")
    detail = lab.exec("SiteA", "show crypto session detail")
    assert "Peer: 198.51.100.2 port 500 fvrf: INTERNET ivrf: CUSTOMER" in detail
    assert "   protected vrf: CUSTOMER" in lab.exec("SiteA", "show crypto ipsec sa")
    # each VRF forwards by its own table: the far LAN into the tunnel inside, out to the
    # provider in the front door, nowhere in the global table
    far = "show ip cef{} 10.2.2.1"
    assert lab.exec("SiteA", far.format(" vrf CUSTOMER")) == "10.2.2.0/24\n  attached to Tunnel0\n"
    assert lab.exec("SiteA", far.format(" vrf INTERNET")) == (
        "0.0.0.0/0\n  nexthop 203.0.113.1 GigabitEthernet0/0\n"
    )
    assert lab.exec("SiteA", far.format("")) == "0.0.0.0/0\n  no route\n"


def test_without_match_fvrf_the_responder_finds_no_profile() -> None:
    """IOS: a profile without `match fvrf` matches IKE arriving in the global table only;
    IKE_AUTH arriving in INTERNET finds no profile and is answered AUTHENTICATION_FAILED."""
    result = run_topology(topology(" match fvrf INTERNET\n"), policy_for_config, show=False)
    assert result.problems, "the tunnels must not come up"
    assert all("AUTHENTICATION_FAILED" in p for p in result.problems[:2])
    console = "\n".join(result.lab.router("SiteB").console)
    assert "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to up" not in (
        console
    )
