"""IOS exec commands on a running gateway that the lab shares with it: IKEv2 statistics and
sessions, and `clear crypto sa` (child SAs renegotiated on the standing IKE SA)."""

from __future__ import annotations

from pathlib import Path

from tests.gateway.netns import Lab, wait_for
from tests.gateway.test_pyike_pair import ping, pyike_exec, seed_pair


def row(text: str, name: str) -> list[int]:
    line = next(line for line in text.splitlines() if line.split()[:1] == [name])
    return [int(n) for n in line.split()[1:]]


def test_stats_sessions_and_clear_crypto_sa(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path, "--passive")
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "the tunnel")
    r1_sock, r2_sock = tmp_path / "r1.sock", tmp_path / "r2.sock"
    # TX REQ, TX RES, RX REQ, RX RES
    assert row(pyike_exec(r1_sock, "show crypto ikev2 stats exchange"), "IKE_SA_INIT") == [
        1,
        0,
        0,
        1,
    ]
    assert row(pyike_exec(r2_sock, "show crypto ikev2 stats exchange"), "IKE_AUTH") == [0, 1, 1, 0]
    session = pyike_exec(r1_sock, "show crypto ikev2 session")
    assert "Status:UP-ACTIVE, IKE count:1, CHILD count:1" in session
    spi = pyike_exec(r1_sock, "show crypto ipsec sa").split("current outbound spi: ")[1].split()[0]
    assert pyike_exec(r1_sock, "clear crypto sa").strip() == ""
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "new child SA")
    after = pyike_exec(r1_sock, "show crypto ipsec sa")
    assert spi not in after
    assert "Status:UP-ACTIVE, IKE count:1," in pyike_exec(r1_sock, "show crypto ikev2 session")
