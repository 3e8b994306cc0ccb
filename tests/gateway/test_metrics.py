"""`pyike run --metrics`: Prometheus metrics scraped over HTTP inside the namespace, matching
`show crypto ikev2 sa`, `show crypto ipsec sa` and `show crypto ikev2 stats exchange` on a
running pair (a second tunnel toward nobody gives an IKE SA in negotiation and
retransmissions; `test crypto ipsec rekey` gives child SA rekeys)."""

from __future__ import annotations

from pathlib import Path

from tests.support.daemons import (
    TUNNEL_TO_NOBODY,
    packets,
    pyike_exec,
    seed_hosts,
    start_pyike_run,
    wait_for_control,
)
from tests.support.metrics_scrape import scrape, value
from tests.support.netns import Lab, wait_for
from tests.support.paths import SEED_CONFIGS
from tests.support.traffic import ping

PORT = 9478


def test_metrics_match_the_show_counters(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, left, right = seed_hosts(netlab)
    (tmp_path / "r1.cfg").write_text((SEED_CONFIGS / "router1.cfg").read_text() + TUNNEL_TO_NOBODY)
    sides = ((r1, "r1", tmp_path / "r1.cfg", left), (r2, "r2", SEED_CONFIGS / "router2.cfg", right))
    for ns, name, config, device in sides:
        extra = ("--metrics", str(PORT)) if name == "r1" else ()
        start_pyike_run(
            netlab, ns, config, tmp_path / f"{name}.sock", tmp_path / f"{name}.log",
            "--bind", f"Ethernet0/0={device}", *extra,
        )  # fmt: skip
        wait_for_control(tmp_path / f"{name}.sock", name)
    control = tmp_path / "r1.sock"
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "Tunnel0")
    assert " 0% packet loss" in ping(r1, "192.168.1.1", "192.168.2.1", 5).stdout
    assert (
        "%PYIKE-5-METRICS: Prometheus metrics on all addresses port 9478, path /metrics"
        in (tmp_path / "r1.log").read_text()
    )
    # Tunnel1's peer never answers: its IKE_SA_INIT is sent again after 2 s
    wait_for(
        lambda: value(scrape(r1, PORT), "pyike_ike_retransmissions_total") >= 1,
        20,
        "a retransmission",
    )
    assert pyike_exec(control, "test crypto ipsec rekey") == "Rekeying 1 IPsec SA\n"
    wait_for(
        lambda: (
            "CREATE_CHILD_SA_IPSEC_REKEY" in pyike_exec(control, "show crypto ikev2 stats exchange")
        ),
        15,
        "the child SA rekey",
    )
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 10, "traffic")

    samples = scrape(r1, PORT)
    ike_shown = pyike_exec(control, "show crypto ikev2 sa")
    ipsec_shown = pyike_exec(control, "show crypto ipsec sa detail")
    exchanges = pyike_exec(control, "show crypto ikev2 stats exchange")
    stats = pyike_exec(control, "show crypto ikev2 stats")

    for state in ("READY", "IN-NEG", "DELETE"):
        shown = sum(1 for line in ike_shown.splitlines() if line.rstrip().endswith(state))
        assert value(samples, "pyike_ike_sas", state=state) == shown, state
    assert value(samples, "pyike_ike_sas", state="READY") == 1
    tunnel0 = ipsec_shown.split("interface: Tunnel0")[1].split("interface: Tunnel1")[0]
    flow = {"interface": "Tunnel0", "peer": "10.0.0.2"}
    assert value(samples, "pyike_tunnel_packets_total", **flow, direction="out") == packets(
        tunnel0, "encaps"
    )
    assert value(samples, "pyike_tunnel_packets_total", **flow, direction="in") == packets(
        tunnel0, "decaps"
    )
    assert value(samples, "pyike_tunnel_packets_total", **flow, direction="in") >= 6
    # octets: at least the ICMP packets' 84 octets each, as ESP payload
    assert value(samples, "pyike_tunnel_bytes_total", **flow, direction="out") >= 6 * 84
    for reason, marker in (
        ("replay", "#pkts replay failed (rcv): "),
        ("integrity", "#pkts verify failed: "),
        ("no_sa", "#pkts invalid sa (rcv) "),
    ):
        assert marker in tunnel0, tunnel0
        shown_count = int(tunnel0.split(marker)[1].split()[0].rstrip(","))
        assert value(samples, "pyike_esp_flow_drops_total", **flow, reason=reason) == shown_count
    # two ESP SA pairs on Tunnel0 for a moment after the rekey, one at last; none on Tunnel1
    assert value(samples, "pyike_child_sas", state="ACTIVE") == tunnel0.count("Status: ACTIVE") / 2
    rekey_row = next(
        line for line in exchanges.splitlines() if "CREATE_CHILD_SA_IPSEC_REKEY" in line
    )
    assert value(samples, "pyike_rekeys_total", kind="child", initiator="local") == int(
        rekey_row.split()[1]
    )
    assert value(samples, "pyike_rekeys_total", kind="child", initiator="local") >= 1
    cookies = int(stats.split("Cookie Challenged Requests: ")[1].split()[0])
    assert value(samples, "pyike_cookies_sent_total") == cookies
    assert value(samples, "pyike_half_open_ike_sas") == 0  # Tunnel1's SA is outgoing
    assert value(samples, "pyike_dpd_deaths_total") == 0
    assert value(samples, "pyike_esp_received_drops_total", reason="no_sa") == 0
