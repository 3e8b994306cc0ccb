"""Two `pyike run` daemons with the seed's configurations, in two network namespaces joined
by a veth pair: the tunnel comes up, ping crosses it, exec shows it, SIGTERM cleans up."""

from __future__ import annotations

from pathlib import Path

from tests.support.daemons import (
    packets,
    pair_state,
    pyike_exec,
    ready_sas,
    seed_pair,
    terminate_cleanly,
)
from tests.support.netns import Lab, wait_for
from tests.support.traffic import ping


def test_seed_tunnel_between_namespaces(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, procs = seed_pair(netlab, tmp_path, "--keylog", str(tmp_path / "keys"))
    wait_for(
        lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0,
        20,
        "a ping through Tunnel0",
    )

    result = ping(r1, "192.168.1.1", "192.168.2.1", 5)
    assert " 0% packet loss" in result.stdout
    assert ping(r2, "192.168.2.1", "192.168.1.1", 3).returncode == 0

    ike = pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa detailed")
    assert "READY" in ike and "10.0.0.2/500" in ike
    ipsec = pyike_exec(tmp_path / "r2.sock", "show crypto ipsec sa")
    assert "interface: Tunnel0" in ipsec
    decaps = packets(ipsec, "decaps")
    assert decaps >= 9  # every echo request and reply above crossed the tunnel
    assert "Status: ACTIVE" in ipsec
    session = pyike_exec(tmp_path / "r1.sock", "show crypto session")
    assert "UP-ACTIVE" in session

    assert "dev tun-Tunnel0" in r1.ip("route")
    keys = tmp_path / "keys"
    assert keys.stat().st_mode & 0o777 == 0o600
    assert '"IPv4","10.0.0.1","10.0.0.2"' in keys.read_text()

    terminate_cleanly(procs)
    for ns in (r1, r2):
        assert "tun-" not in ns.ip("link")
        assert "proto 80" not in ns.ip("route") and "tun-" not in ns.ip("route")
    assert not (tmp_path / "r1.sock").exists()
    log = (tmp_path / "r1.log").read_text()
    assert "Sending DELETE INFO message for IKEv2 SA" in log
    assert "Traceback" not in log + (tmp_path / "r2.log").read_text()


def test_clear_and_renegotiate_on_traffic(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path)
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    assert pyike_exec(tmp_path / "r1.sock", "clear crypto session") == ""
    wait_for(
        lambda: "READY" not in pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa"),
        10,
        "the SAs to go",
    )
    # traffic into the tunnel brings it up again
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "renegotiation")
    assert "READY" in pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa")


def test_simultaneous_start_settles_on_one_ike_sa(netlab: Lab, tmp_path: Path) -> None:
    # Both daemons initiate as they start. The first one's IKE_SA_INIT usually goes before
    # the other listens: that attempt gives way to the other's SA once it is up. When both
    # requests cross, both exchanges complete and the duplicate IKE SA is deleted again.
    r1, _r2, _procs = seed_pair(
        netlab,
        tmp_path,
        r1_extra=("--debug-file", str(tmp_path / "r1.debug")),
        r2_extra=("--debug", "--debug-file", str(tmp_path / "r2.debug")),
    )
    try:
        wait_for(
            lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel"
        )
        wait_for(
            lambda: (
                len(ready_sas(tmp_path / "r1.sock")) == 1
                and len(ready_sas(tmp_path / "r2.sock")) == 1
            ),
            10,
            "one IKE SA on each side",
        )
        detailed = pyike_exec(tmp_path / "r1.sock", "show crypto ikev2 sa detailed")
        other = pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa detailed")
        local, remote = (
            detailed.split("Local spi: ")[1].split()[0],
            detailed.split("Remote spi: ")[1].split()[0],
        )
        assert other.split("Local spi: ")[1].split()[0] == remote
        assert other.split("Remote spi: ")[1].split()[0] == local
        assert " 0% packet loss" in ping(r1, "192.168.1.1", "192.168.2.1", 3).stdout
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{pair_state(tmp_path)}") from None


def test_force_encap_carries_esp_in_udp(netlab: Lab, tmp_path: Path) -> None:
    r1, r2, _procs = seed_pair(netlab, tmp_path, "--passive", r1_extra=("--force-encap",))
    # --passive on both: the first ping brings the tunnel up from r1
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    assert " 0% packet loss" in ping(r2, "192.168.2.1", "192.168.1.1", 3).stdout
    ike = pyike_exec(tmp_path / "r2.sock", "show crypto ikev2 sa")
    assert "10.0.0.1/4500" in ike and "10.0.0.2/4500" in ike
    ipsec = pyike_exec(tmp_path / "r2.sock", "show crypto ipsec sa")
    assert "UDP-Encaps" in ipsec
    assert packets(ipsec, "decaps") >= 4
