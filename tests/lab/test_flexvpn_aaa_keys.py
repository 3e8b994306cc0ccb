"""`keyring aaa LIST` with local AAA (issue 16): the hub and its spokes have no keyring at
all; each finds the keys for a peer in the `aaa attribute list` (`attribute type
ipsec:ikev2-password-local|remote`) of the `crypto ikev2 authorization policy` named after
the peer's identity, as IOS's local AAA does, on the initiator and the responder alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import RunOptions
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.topology import load_topology
from tests.support.flexvpn import with_aaa_keys
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "flexvpn-hub-spokes"
SPOKE_KEYS = {"spoke1.cfg": ("10.0.1.1", "Spoke1-Key"), "spoke2.cfg": ("10.0.1.2", "Spoke2-Key")}


def _write(tmp_path: Path, hub_key_for_spoke2: str = "Spoke2-Key") -> Path:
    hub_keys = {address: (key, key) for address, key in SPOKE_KEYS.values()}
    hub_keys["10.0.1.2"] = (hub_key_for_spoke2, "Spoke2-Key")
    hub = with_aaa_keys((EXAMPLE / "hub.cfg").read_text(), hub_keys)
    (tmp_path / "hub.cfg").write_text(hub)
    for name, (_, key) in SPOKE_KEYS.items():
        spoke = with_aaa_keys((EXAMPLE / name).read_text(), {"10.0.1.10": (key, key)})
        (tmp_path / name).write_text(spoke)
    return tmp_path


def _run(directory: Path) -> TopologyRun:
    return run_topology(
        load_topology([directory]),
        policy_for_config,
        show=False,
        options=RunOptions(debug=True),
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> TopologyRun:
    return _run(_write(tmp_path_factory.mktemp("aaa-keys")))


def test_keys_from_local_aaa_bring_every_spoke_up(run: TopologyRun) -> None:
    assert run.problems == []
    hub = run.lab.router("Hub").router
    assert [n for n in hub.interfaces if n.startswith("Virtual-Access")] == [
        "Virtual-Access1",
        "Virtual-Access2",
    ]
    for spoke in ("Spoke1", "Spoke2"):
        assert run.lab.router(spoke).crypto.ike_up
        ping = run.lab.exec(spoke, "ping 10.100.0.1 source Loopback1")
        assert "Success rate is 100 percent" in ping


def test_the_keys_never_reach_a_log_or_the_running_config(run: TopologyRun) -> None:
    everything = "\n".join(
        "\n".join(run.lab.router(name).console) + run.lab.exec(name, "show running-config")
        for name in ("Hub", "Spoke1", "Spoke2")
    )
    assert "Spoke1-Key" not in everything and "Spoke2-Key" not in everything
    assert " aaa attribute list KEYS-10.0.1.1" in run.lab.exec("Hub", "show running-config")


def test_a_wrong_key_in_the_hubs_attribute_list_keeps_that_spoke_down(tmp_path: Path) -> None:
    run = _run(_write(tmp_path, hub_key_for_spoke2="Not-Spoke2-Key"))
    assert run.lab.router("Spoke1").crypto.ike_up
    assert not run.lab.router("Spoke2").crypto.ike_up
    # the hub verified Spoke2 with the right remote key; Spoke2 refuses the hub's AUTH
    console = "\n".join(run.lab.router("Spoke2").console)
    assert "Verification of peer's authentication data FAILED" in console
