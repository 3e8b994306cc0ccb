"""The corpus networks only `pyike lab --netns` runs (issues 13 and 16): a FlexVPN dynamic VTI
hub and a static VTI whose LANs reach each other by EIGRP alone (tests/data/realnetworks,
`# netns only:`). Real namespaces, real `pyike run` daemons, FRR's eigrpd over Tokyo's Tunnel1
and over the Virtual-Access1 Doha clones for it; the run leaves nothing behind. Root and FRR
needed."""

from __future__ import annotations

from pathlib import Path

from pyike.netns.plan import plan_topology
from pyike.topology import load_topology
from tests.support.netns_lab import (
    answer,
    assert_no_frr_left,
    assert_run_left_nothing,
    needs_frr,
    run_netns_lab,
)
from tests.support.realnetworks import NETWORKS, assemble, members, netns_only

GROUP = NETWORKS / "bw-flexvpn-p2p"


@needs_frr
def test_the_dvti_hub_and_its_spoke_learn_each_others_lans_by_eigrp(tmp_path: Path) -> None:
    assert netns_only(GROUP) is not None
    assemble(GROUP, tmp_path)
    assert "ip route" not in "".join(p.read_text() for p in tmp_path.glob("*.cfg"))
    code, out, err, pid = run_netns_lab(str(tmp_path), timeout=150)
    assert_no_frr_left(str(pid))  # whatever the verdict: no namespace or FRR daemon left
    assert code == 1, out + err  # every check held; lines refused keep the verdict at 1
    assert_run_left_nothing(str(pid), out)  # no pyike run, no work directory; 6 checks passed
    assert "Doha: FRR zebra, eigrpd started for router eigrp 1" in out
    assert ": %LINK-3-UPDOWN: Interface Virtual-Access1, changed state to up\n" in out
    for host, ping in (
        ("Tokyo", "ping 172.16.9.1 source Loopback1"),
        ("Tokyo", "ping 172.16.10.1 source Loopback2"),
        ("Doha", "ping 172.16.1.1 source Loopback9"),
        ("Doha", "ping 172.16.2.1 source Loopback10"),
    ):
        assert answer(out, host, ping)[-1].startswith("Success rate is 100 percent (5/5)")
    # Tokyo over Doha's Virtual-Access1 (TUN device va1), Doha over Tokyo's Tunnel1
    neighbors = answer(out, "Doha", "show ip eigrp neighbors")
    assert [row.split()[:3] for row in neighbors if row.startswith("0 ")] == [
        ["0", "192.168.1.3", "va1"]
    ]
    tokyo = answer(out, "Tokyo", "show ip eigrp neighbors")
    assert [row.split()[:3] for row in tokyo if row.startswith("0 ")] == [
        ["0", "192.168.1.1", "tun-Tunnel1"]
    ]
    routes = answer(out, "Doha", "show ip route")
    assert any(r.startswith("E>* 172.16.2.0/24 [90/30720] via 192.168.1.3, va1") for r in routes)
    session = answer(out, "Doha", "show crypto session")
    assert session[2:4] == ["Interface: Virtual-Access1", "Session status: UP-ACTIVE"]
    # the page's `# Phase 1|2` labels: refused as IOS refuses them, the routers ran without
    assert err.count("% Invalid input detected at '^' marker.") == 4
    assert err.count("line(s) refused as IOS refuses them (shown above); its router ran") == 2
    assert [line for line in err.splitlines() if line.startswith("% pyike lab --netns:")] == [
        f"% pyike lab --netns: {tmp_path / member.name}: 2 line(s) refused as IOS refuses them "
        "(shown above); its router ran without them"
        for member in members(GROUP)
    ]


def test_the_plan_waits_for_the_spoke_not_for_the_template(tmp_path: Path) -> None:
    assemble(GROUP, tmp_path)
    plan = plan_topology(load_topology([tmp_path]), "plan")
    doha, tokyo = plan.router("Doha"), plan.router("Tokyo")
    assert (doha.tunnels, doha.templates, tokyo.tunnels) == (
        (),
        ("Virtual-Template1",),
        ("Tunnel1",),
    )
    # EIGRP runs: each loopback on a device of its own, none on lo
    assert doha.loopbacks == ()
    assert [(d.interface, d.device, d.addresses) for d in doha.loopback_devices] == [
        ("Loopback1", "Lo1", ("192.168.1.1/24",)),
        ("Loopback9", "Lo9", ("172.16.9.1/24",)),
        ("Loopback10", "Lo10", ("172.16.10.1/24",)),
    ]
    assert doha.frr is not None and doha.frr.notes == ()
