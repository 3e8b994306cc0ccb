"""The configuration exchange's debug lines as IOS-XE prints them (a real IOS-XE 16.7 log in
tests/explain/corpus/iosxe-16.7-child-no-proposal-then-no-response.log): the heading bare,
`Config-type:` and each `Attrib type:` under the SA, then `Have config mode data to send`."""

from __future__ import annotations

import re

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.topology_run import build_lab
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

_STAMP = re.compile(r"^\*\w+ +\d+ [\d:.]+: ")


def test_config_exchange_debug_lines() -> None:
    lab, _nats = build_lab(load_topology([EXAMPLES / "flexvpn-hub-spokes"]), policy_for_config)
    lab.exec("Spoke1", "debug crypto ikev2 internal")
    lab.bring_up_tunnels()
    lab.run_for(10)
    lines = [_STAMP.sub("", line) for line in lab.router("Spoke1").console]
    start = lines.index("IKEv2:Config data to send:")
    assert lines[start + 1 : start + 3] == [
        "IKEv2:(SA ID = 1):Config-type: Config-request ",
        "IKEv2:(SA ID = 1):Attrib type: ipv4-addr, length: 0",
    ]
    sent = lines.index("IKEv2:(SA ID = 1):Have config mode data to send")
    assert (
        "IKEv2:(SA ID = 1):Attrib type: ipv4-subnet, length: 8, data: 192.168.1.0 255.255.255.0"
        in (lines[start:sent])
    )
    received = lines.index("IKEv2:Config data recieved:")
    assert lines[received + 1] == "IKEv2:(SA ID = 1):Config-type: Config-reply "
    assert "IKEv2:(SA ID = 1):Attrib type: ipv4-addr, length: 4, data: 172.16.1.100" in lines
