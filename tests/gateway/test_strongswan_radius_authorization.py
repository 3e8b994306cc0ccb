"""`pyike run` as a FlexVPN server applying RADIUS authorization attributes (`aaa
authorization user eap cached`): strongSwan's charon, a road warrior authenticating with
EAP-MSCHAPv2 through a FreeRADIUS the test starts, is lent its address from the pool the
Access-Accept names (`Cisco-AVPair = "ipsec:addr-pool=RAD-POOL"`), not the authorization
policy's, and is sent the DNS server and domain RADIUS gives; traffic from that address
crosses its Virtual-Access."""

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
USERS = f"""{USER} Cleartext-Password := "{PASSWORD}"
\tCisco-AVPair += "ipsec:addr-pool=RAD-POOL",
\tCisco-AVPair += "ipsec:dns-servers=10.1.1.53",
\tCisco-AVPair += "ipsec:default-domain=radius.example"
"""


def test_the_access_accepts_pool_and_dns_reach_strongswan(netlab: Lab, tmp_path: Path) -> None:
    port = free_udp_port()
    t = server_up(
        netlab,
        tmp_path,
        radius_users(port, SECRET),
        PASSWORD,
        dvti=True,
        profile=" aaa authorization user eap cached\n",
        pools=f"ip local pool RAD-POOL {RADIUS_LENT} 10.88.0.20\n",
    )
    with freeradius(tmp_path / "radius", USERS, netns=t.py.name, port=port):
        initiate(t)
        try:
            wait_for(lambda: RADIUS_LENT in t.charon.sas(), 30, "charon's virtual IP")
            wait_for(
                lambda: ping(t.ss, RADIUS_LENT, "192.168.1.1", 1).returncode == 0,
                30,
                "ping from the address RADIUS's pool lent",
            )
        except AssertionError:
            raise no_tunnel("RADIUS-authorized road warrior", tmp_path / "w", t.charon) from None
    assert POOL_FIRST not in t.charon.sas()  # the policy's own pool is not used
    log = pyike_log(tmp_path / "w")
    assert "Attrib type: ipv4-dns, length: 4, data: 10.1.1.53" in log
    assert "data: radius.example" in log
    assert "Virtual-Access1" in t.exec("show ip interface brief")
