"""`pyike run` as a FlexVPN server whose group authorization asks RADIUS (`aaa authorization
network RA-AUTHZ group RAD`, `aaa authorization group eap list RA-AUTHZ RA`): once strongSwan's
charon has authenticated with EAP-MSCHAPv2 (through the same FreeRADIUS), pyike asks for user
RA (password `cisco`, Service-Type Outbound) and lends charon its address from the pool the
Access-Accept names; with `aaa authorization user eap list RA-AUTHZ` it asks for user carol
(the EAP identity) too, whose DNS server is sent; traffic from it crosses its Virtual-Access.
Without an Access-Accept for the group, charon is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.freeradius import SECRET, free_udp_port, freeradius
from tests.support.interop import no_tunnel, pyike_log
from tests.support.netns import Lab, wait_for
from tests.support.road_warrior import PASSWORD, POOL_FIRST, USER, initiate, radius_users, server_up
from tests.support.traffic import ping

pytestmark = pytest.mark.interop

RADIUS_LENT = "10.88.0.10"
CAROL = f'{USER} Cleartext-Password := "{PASSWORD}"\n'
# carol's authorization (Service-Type Outbound, IOS's password) is accepted without her password
CAROL_AUTHORIZED = f"""{USER} Service-Type == Outbound-User, Auth-Type := Accept
\tCisco-AVPair += "ipsec:dns-servers=10.1.1.53"
"""
GROUP = """RA Cleartext-Password := "cisco", Service-Type == Outbound-User
\tCisco-AVPair += "ipsec:addr-pool=RAD-POOL"
"""


def test_the_groups_pool_from_radius_reaches_strongswan(netlab: Lab, tmp_path: Path) -> None:
    port = free_udp_port()
    t = server_up(
        netlab,
        tmp_path,
        radius_users(port, SECRET),
        PASSWORD,
        dvti=True,
        authorization="group RAD",
        profile=" aaa authorization user eap list RA-AUTHZ\n",
        pools=f"ip local pool RAD-POOL {RADIUS_LENT} 10.88.0.20\n",
    )
    users = CAROL_AUTHORIZED + CAROL + GROUP
    with freeradius(tmp_path / "radius", users, netns=t.py.name, port=port):
        initiate(t)
        try:
            wait_for(lambda: RADIUS_LENT in t.charon.sas(), 30, "charon's virtual IP")
            wait_for(
                lambda: ping(t.ss, RADIUS_LENT, "192.168.1.1", 1).returncode == 0,
                30,
                "ping from the address the group's pool lent",
            )
        except AssertionError:
            raise no_tunnel("RADIUS group authorization", tmp_path / "w", t.charon) from None
    assert POOL_FIRST not in t.charon.sas()  # the local policy RA's own pool is not used
    log = pyike_log(tmp_path / "w")
    assert "[IKEv2 -> AAA] Authorisation request sent" in log
    assert "Attrib type: ipv4-dns, length: 4, data: 10.1.1.53" in log  # carol's own
    assert "Virtual-Access1" in t.exec("show ip interface brief")


def test_without_an_access_accept_for_the_group_strongswan_is_refused(
    netlab: Lab, tmp_path: Path
) -> None:
    port = free_udp_port()
    t = server_up(
        netlab,
        tmp_path,
        radius_users(port, SECRET),
        PASSWORD,
        dvti=True,
        authorization="group RAD",
    )
    with freeradius(tmp_path / "radius", CAROL, netns=t.py.name, port=port):
        initiate(t)
        wait_for(
            lambda: "AAA authorization failed" in pyike_log(tmp_path / "w"),
            30,
            "pyike's authorization failure",
        )
    assert "AAA authorization failed: Access-Reject for group RA" in pyike_log(tmp_path / "w")
    assert "ESTABLISHED" not in t.charon.sas()
