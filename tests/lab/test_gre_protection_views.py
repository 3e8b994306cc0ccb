"""What the show commands say a GRE tunnel with `tunnel protection` protects: IOS negotiates
the GRE packets between the tunnel's endpoints (protocol 47, host to host), not any/any as for
an IPsec VTI, and `show crypto ipsec sa` and `show crypto session` name that flow."""

from __future__ import annotations

from functools import cache

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.topology import Topology
from tests.support.paths import SEED_CONFIGS


@cache
def gre_over_ipsec() -> TopologyRun:
    configs = []
    for name in ("router1.cfg", "router2.cfg"):
        text = (SEED_CONFIGS / name).read_text()
        assert " tunnel mode ipsec ipv4\n" in text
        text = text.replace(" tunnel mode ipsec ipv4\n", " tunnel mode gre ip\n")
        configs.append(load(text, name).raise_for_errors())
    return run_topology(Topology(configs), policy_for_config, show=False)


def test_show_crypto_ipsec_sa_names_the_gre_flow_between_the_endpoints() -> None:
    result = gre_over_ipsec()
    assert result.problems == []
    text = result.lab.exec("Router1", "show crypto ipsec sa")
    assert "   local  ident (addr/mask/prot/port): (10.0.0.1/255.255.255.255/47/0)\n" in text
    assert "   remote ident (addr/mask/prot/port): (10.0.0.2/255.255.255.255/47/0)\n" in text


def test_show_crypto_session_names_the_gre_flow() -> None:
    text = gre_over_ipsec().lab.exec("Router2", "show crypto session")
    assert "  IPSEC FLOW: permit 47 host 10.0.0.2 host 10.0.0.1 \n" in text
