"""On-demand DPD in the lab: the seed's routers with `dpd 10 2 on-demand` in Router1's
profile. Pings into a peer that has gone away bring a liveness check and, unanswered, the
SA's deletion; pings the peer answers bring none."""

from __future__ import annotations

from importlib import resources

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.sim import match

PING = "ping 192.168.2.1 source Loopback0"
DPD_QUERY = "Sending DPD/liveness query"


def on_demand_lab() -> Lab:
    seed = resources.files("pyike") / "data" / "seed"
    router1 = (
        (seed / "router1.cfg")
        .read_text()
        .replace(" lifetime 120\n", " lifetime 120\n dpd 10 2 on-demand\n")
    )
    assert "dpd 10 2 on-demand" in router1
    configs = [
        load(router1, file="router1.cfg").config,
        load((seed / "router2.cfg").read_text(), file="router2.cfg").config,
    ]
    lab = Lab(configs, policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    for command in ("debug crypto ikev2 packet", "debug crypto ikev2 internal"):
        lab.exec("Router1", command)
    return lab


def console(lab: Lab, host: str) -> str:
    return "\n".join(lab.router(host).console)


def test_pings_into_a_vanished_peer_bring_dpd_and_delete_the_sa() -> None:
    lab = on_demand_lab()
    segment = lab.network.segments["10.0.0.0/24"]
    segment.faults.block(match.source("10.0.0.2"))  # Router2 is gone: nothing of it arrives
    lab.exec("Router1", f"{PING} repeat 20 timeout 2")  # 40 s of unanswered pings
    out = console(lab, "Router1")
    assert DPD_QUERY in out
    after_query = out.split(DPD_QUERY, 1)[1]
    assert "Exchange type: INFORMATIONAL, flags: INITIATOR" in after_query
    assert after_query.count("Retransmitting packet, message id 2") == 5
    assert "peer is dead" in after_query and "Deleting SA: Peer dead (DPD)" in after_query
    assert "Line protocol on Interface Tunnel0, changed state to down" in after_query
    assert "READY" not in lab.exec("Router1", "show crypto ikev2 sa")


def test_pings_the_peer_answers_bring_no_dpd() -> None:
    lab = on_demand_lab()
    for _ in range(40):
        assert "!!!!!" in lab.exec("Router1", PING)
        lab.run_for(1)
    assert DPD_QUERY not in console(lab, "Router1")
    assert "INFORMATIONAL" not in console(lab, "Router1")
    assert "READY" in lab.exec("Router1", "show crypto ikev2 sa")
