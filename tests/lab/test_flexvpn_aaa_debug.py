"""`AAA group|user authorization is not configured`: printed after a peer's AUTH verifies only
when its profile has no `aaa authorization group|user` line for the way the peer authenticated
(the seed's routers, with none, print both as IOS does)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.lab.seed import run_seed
from pyike.lab.topology_run import build_lab
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

GROUP = "IKEv2:AAA group authorization is not configured"
USER = "IKEv2:AAA user authorization is not configured"
HUB_GROUP_LINE = " aaa authorization group psk list FLEX SPOKES\n"


def hub_spokes(directory: Path) -> Lab:
    """The FlexVPN hub and spokes example from ``directory``, run until the spokes are up,
    the hub debugging IKEv2 internals (where these lines are)."""
    lab, _nats = build_lab(load_topology([directory]), policy_for_config)
    lab.exec("Hub", "debug crypto ikev2 internal")
    lab.bring_up_tunnels()
    lab.run_for(10)
    return lab


def said(lab: Lab, host: str, line: str) -> int:
    return sum(1 for printed in lab.router(host).console if printed.endswith(line))


def test_a_hub_with_group_authorization_does_not_say_it_is_not_configured() -> None:
    lab = hub_spokes(EXAMPLES / "flexvpn-hub-spokes")
    assert said(lab, "Hub", USER) == 2  # one per spoke: the hub has no `user` line
    assert said(lab, "Hub", GROUP) == 0


def test_a_user_line_for_psk_peers_silences_the_user_line(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "flexvpn-hub-spokes", tmp_path, dirs_exist_ok=True)
    hub = tmp_path / "hub.cfg"
    text = hub.read_text(encoding="utf-8")
    user = " aaa authorization user psk list FLEX SPOKES\n"
    hub.write_text(text.replace(HUB_GROUP_LINE, HUB_GROUP_LINE + user), encoding="utf-8")
    lab = hub_spokes(tmp_path)
    assert said(lab, "Hub", "Verification of peer's authentication data PASSED") == 2
    assert said(lab, "Hub", USER) == 0
    assert said(lab, "Hub", GROUP) == 0


def test_a_hub_whose_lines_are_for_other_peers_says_both(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "flexvpn-hub-spokes", tmp_path, dirs_exist_ok=True)
    hub = tmp_path / "hub.cfg"
    text = hub.read_text(encoding="utf-8")
    cert_line = HUB_GROUP_LINE.replace("group psk", "group cert")
    hub.write_text(text.replace(HUB_GROUP_LINE, cert_line), encoding="utf-8")
    lab = hub_spokes(tmp_path)
    assert said(lab, "Hub", GROUP) == 2  # the spokes authenticated with a pre-shared key
    assert said(lab, "Hub", USER) == 2


def test_routers_without_authorization_say_both() -> None:
    lab = run_seed(policy_for_config).lab
    for host in ("Router1", "Router2"):
        assert said(lab, host, GROUP) >= 1
        assert said(lab, host, USER) >= 1
