"""Authorization of certificate-authenticated peers (`aaa authorization group cert list LIST
POLICY | name-mangler M`, issue 16) in the lab: examples/flexvpn-cert-hub's spokes, enrolled
by the lab CA, authenticate with ECDSA certificates and get their tunnel address from the
hub's pool and its routes, as pre-shared-key spokes do; a name mangler picks the policy from
the certificate's DN, and a DN naming no policy is refused."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.lab.topology_run import build_lab
from pyike.topology import load_topology
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "flexvpn-cert-hub"
BY_OU = """crypto ikev2 name-mangler BY-OU
 dn organization-unit
"""


def _run(directory: Path) -> Lab:
    lab, _nats = build_lab(load_topology([directory]), policy_for_config)
    lab.exec("Hub", "debug crypto ikev2 internal")
    lab.bring_up_tunnels()
    lab.run_for(20)
    return lab


def _with_hub(tmp_path: Path, hub: str) -> Path:
    for path in EXAMPLE.glob("*.cfg"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "hub.cfg").write_text(hub)
    return tmp_path


def _lent(lab: Lab, spoke: str) -> IPv4Address | None:
    primary = lab.router(spoke).router.interface("Tunnel0").primary
    return None if primary is None else primary.ip


@pytest.fixture(scope="module")
def lab() -> Lab:
    return _run(EXAMPLE)


def test_certificate_spokes_get_addresses_from_the_pool(lab: Lab) -> None:
    assert _lent(lab, "Spoke1") == IPv4Address("172.16.1.100")
    assert _lent(lab, "Spoke2") == IPv4Address("172.16.1.101")
    assert "Auth verify: ECDSA" in lab.exec("Hub", "show crypto ikev2 sa detail")
    assert "Success rate is 100 percent" in lab.exec("Spoke1", "ping 10.100.0.1 source Loopback1")


def test_the_route_sets_travel_both_ways(lab: Lab) -> None:
    assert "10.100.0.0/24 is directly connected, Tunnel0" in lab.exec("Spoke2", "show ip route")
    hub_routes = lab.exec("Hub", "show ip route")
    assert "192.168.1.0/24 is directly connected, Virtual-Access1" in hub_routes
    assert "192.168.2.0/24 is directly connected, Virtual-Access2" in hub_routes


def test_a_name_mangler_picks_the_policy_from_the_certificates_dn(tmp_path: Path) -> None:
    hub = (EXAMPLE / "hub.cfg").read_text()
    hub = hub.replace(
        "crypto ikev2 authorization policy SPOKES\n",
        BY_OU + "crypto ikev2 authorization policy branches\n",
    )
    hub = hub.replace("group cert list FLEX SPOKES", "group cert list FLEX name-mangler BY-OU")
    lab = _run(_with_hub(tmp_path, hub))
    assert _lent(lab, "Spoke1") == IPv4Address("172.16.1.100")
    assert _lent(lab, "Spoke2") == IPv4Address("172.16.1.101")


def test_a_dn_naming_no_policy_is_refused(tmp_path: Path) -> None:
    hub = (
        (EXAMPLE / "hub.cfg")
        .read_text()
        .replace("group cert list FLEX SPOKES", "group cert list FLEX name-mangler BY-OU")
    )
    lab = _run(_with_hub(tmp_path, BY_OU + hub))
    assert _lent(lab, "Spoke1") is None
    assert not lab.router("Spoke1").router.interface("Tunnel0").line_up
    log = "\n".join(lab.router("Hub").console)
    assert "AAA authorization failed: authorization policy branches is not defined" in log


def test_a_profile_taking_keys_and_certificates_authorizes_a_signer_by_its_cert_line(
    tmp_path: Path,
) -> None:
    """The hub also takes pre-shared keys, with a `group psk` line naming a policy without a
    pool: the certificate spokes are still authorized by the `group cert` line, since they
    signed."""
    hub = (EXAMPLE / "hub.cfg").read_text()
    hub = hub.replace(
        " authentication remote ecdsa-sig\n",
        " authentication remote ecdsa-sig\n authentication remote pre-share key Other-Key9\n",
    )
    hub = hub.replace(
        " aaa authorization group cert list FLEX SPOKES\n",
        " aaa authorization group psk list FLEX KEYED\n aaa authorization group cert list FLEX SPOKES\n",
    )
    hub += "crypto ikev2 authorization policy KEYED\n route set interface\n"
    lab = _run(_with_hub(tmp_path, hub))
    assert _lent(lab, "Spoke1") == IPv4Address("172.16.1.100")
    assert _lent(lab, "Spoke2") == IPv4Address("172.16.1.101")
