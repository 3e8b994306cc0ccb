"""examples/flexvpn-remote-access: an IOS FlexVPN client authenticates with EAP-MSCHAPv2
against the server's local users, the server with its pre-shared key; the client gets an
address from the pool, the server a Virtual-Access for it, and traffic passes. The wrong
password, or a user the server does not know, keeps the tunnel down."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import RunOptions
from pyike.lab.topology_run import TopologyRun, run_topology
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "flexvpn-remote-access"
DEBUG = RunOptions(debug=True)
DEBUGS = ("debug crypto ikev2", "debug crypto ikev2 internal")


@pytest.fixture(scope="module")
def run() -> TopologyRun:
    return run_topology(
        load_topology([EXAMPLE]), policy_for_config, show=False, options=DEBUG, debugs=DEBUGS
    )


def test_client_authenticated_with_eap_gets_an_address_and_passes_traffic(
    run: TopologyRun,
) -> None:
    assert run.problems == []
    client = run.lab.router("Client").router
    tunnel = client.interface("Tunnel0")
    assert tunnel.primary is not None and tunnel.primary.ip == IPv4Address("10.99.0.10")
    assert "Virtual-Access1" in run.lab.router("Server").router.interfaces
    assert "Success rate is 100 percent" in run.lab.exec("Client", "ping 10.100.0.1 source Tunnel0")


def test_the_debug_shows_the_eap_rounds(run: TopologyRun) -> None:
    server = "\n".join(run.lab.router("Server").console)
    client = "\n".join(run.lab.router("Client").console)
    assert "Peer's authentication method is 'EAP'" in server
    assert "Sending EAP request (IDENTITY)" in server  # `query-identity`
    assert "EAP authentication of user 'alice' succeeded" in server
    assert "Sending EAP response (MSCHAPV2)" in client
    assert "Alice-Pass1" not in server + client  # the password never reaches a log


RADIUS = (
    "login EAP-USERS group RAD\naaa group server radius RAD\n server name FR\n"
    "radius server FR\n address ipv4 10.0.0.9 auth-port 1812\n key 0 radius-key"
)


def _variant(tmp_path: Path, file: str, old: str, new: str) -> TopologyRun:
    for source in EXAMPLE.glob("*.cfg"):
        text = source.read_text()
        if source.name == file:
            assert old in text
            text = text.replace(old, new)
        (tmp_path / source.name).write_text(text)
    return run_topology(
        load_topology([tmp_path]), policy_for_config, show=False, options=DEBUG, debugs=DEBUGS
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        ("client.cfg", "0 Alice-Pass1", "0 Wrong", "wrong password for user 'alice'"),
        ("server.cfg", "username alice", "username bob", "no clear-text password for user"),
        ("server.cfg", "alice password 0", "alice secret 0", "no clear-text password"),
        ("server.cfg", " aaa authentication eap EAP-USERS\n", "", "list default is not defined"),
        ("server.cfg", "login EAP-USERS local", RADIUS, "the lab has no RADIUS server"),
    ],
)
def test_refused_clients_stay_down(
    tmp_path: Path, file: str, old: str, new: str, said: str
) -> None:
    run = _variant(tmp_path, file, old, new)
    assert not run.lab.router("Client").crypto.ike_up
    assert "Virtual-Access1" not in run.lab.router("Server").router.interfaces
    assert said in "\n".join(run.lab.router("Server").console)
