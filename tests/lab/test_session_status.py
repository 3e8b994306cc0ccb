"""`%CRYPTO-5-IKEV2_SESSION_STATUS`: each router logs its IKEv2 session UP once when the
first IKE SA with a peer is established, nothing for the IKE SA rekey that replaces it,
and DOWN when the session ends (`clear crypto ikev2 sa`)."""

from __future__ import annotations

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.scenarios import run_scenario
from pyike.lab.seed import run_seed

UP = "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.  Peer {peer}:500       Id: {peer}"
DOWN = "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is DOWN. Peer {peer}:500       Id: {peer}"
PEERS = {"Router1": "10.0.0.2", "Router2": "10.0.0.1"}


def _status_lines(lines: list[str]) -> list[str]:
    return [line.split(": ", 1)[1] for line in lines if "IKEV2_SESSION_STATUS" in line]


def test_up_once_across_the_rekey_then_down_when_cleared() -> None:
    lab = run_seed(policy_for_config).lab
    for host, peer in PEERS.items():
        console = lab.router(host).console
        assert any("Rekey" in line or "REKEY" in line for line in console)  # the seed rekeys
        assert _status_lines(console) == [UP.format(peer=peer)]
    before = {host: len(lab.router(host).console) for host in PEERS}
    lab.exec("Router1", "clear crypto ikev2 sa")
    lab.run_until(lab.clock.now + 5)
    for host, peer in PEERS.items():
        after = _status_lines(lab.router(host).console[before[host] :])
        assert after[0] == DOWN.format(peer=peer)


def test_a_rekey_collision_ends_no_session() -> None:
    """Both routers rekey the IKE SA at once: the redundant new SA is deleted, the session
    stays up, and no router logs it DOWN."""
    lab = run_scenario("collision").lab
    for host, peer in PEERS.items():
        console = lab.router(host).console
        assert any("IKE SA rekey collision" in line for line in console)
        assert _status_lines(console) == [UP.format(peer=peer)]
