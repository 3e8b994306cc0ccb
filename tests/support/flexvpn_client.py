"""The FlexVPN client lab (examples/flexvpn-client-failover) for tests: built from the
example's directory or a variant of it, and polled for where the spoke is connected."""

from __future__ import annotations

import shutil
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.crypto_node import CryptoNode
from pyike.lab.lab import Lab
from pyike.lab.topology_run import build_lab, schedule_links
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "flexvpn-client-failover"
HUB1, HUB2 = IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2")
CLIENT = """crypto ikev2 client flexvpn HUBS
 peer 1 10.0.0.1 track 1
 peer 2 fqdn hub2.example.com
 peer reactivate
 client connect Tunnel0
"""


def variant(directory: Path, client: str, directives: str = "", extra: str = "") -> Path:
    """The example in ``directory`` with the spoke's FlexVPN client block replaced by
    ``client`` and ``extra`` lines added to its configuration; ``directives`` (`down|up HOST
    @TIME` lines) in place of the example's lab file."""
    for name in ("hub1.cfg", "hub2.cfg"):
        shutil.copy(EXAMPLE / name, directory / name)
    spoke = (EXAMPLE / "spoke.cfg").read_text()
    assert CLIENT in spoke
    (directory / "spoke.cfg").write_text(spoke.replace(CLIENT, client) + extra)
    (directory / "links.lab").write_text(directives)
    return directory


def lab_of(directory: Path) -> Lab:
    topology = load_topology([directory])
    lab, _nats = build_lab(topology, policy_for_config)
    schedule_links(lab, topology.links)
    lab.bring_up_tunnels()
    return lab


def spoke(lab: Lab) -> CryptoNode:
    return lab.router("Spoke").crypto


def connected_to(lab: Lab) -> IPv4Address | None:
    """The hub the spoke's Tunnel0 has its SAs with, if up."""
    child = spoke(lab).sad.tunnel("Tunnel0").current
    return None if child is None else child.info.remote.address  # type: ignore[return-value]


def until(lab: Lab, hub: IPv4Address | None, start: float, limit: float) -> float:
    """The virtual time at which the spoke is connected to `hub` (None: not connected),
    polled every 0.5 s from `start`."""
    lab.run_until(start)
    while lab.clock.now < limit:
        if connected_to(lab) == hub:
            return lab.clock.now
        lab.run_for(0.5)
    pytest.fail(f"the spoke was not connected to {hub} by {limit} s (it is: {connected_to(lab)})")


def show_client(lab: Lab) -> dict[str, str]:
    """`show crypto ikev2 client flexvpn` on the spoke, as {field: value}."""
    shown = lab.exec("Spoke", "show crypto ikev2 client flexvpn")
    fields = {}
    for line in shown.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields
