"""`pyike run` as a FlexVPN remote-access server for strongSwan's charon as a road warrior:
charon authenticates with EAP-MSCHAPv2 (its eap-mschapv2 plugin), asks for a virtual IP
(`vips = 0.0.0.0`), and pyike authenticates itself with its pre-shared key, checks the user
against its local users (`username ... password`) or through a FreeRADIUS the test starts
(`aaa authentication login LIST group RAD`), lends charon an address from its `ip local
pool`, and traffic from that address crosses the tunnel. The final AUTH payloads of both
sides are computed with the MSK, so the tunnel only comes up when strongSwan's MSCHAPv2
keys (RFC 3079) and pyike's agree. Needs strongSwan with libcharon-extauth-plugins
(scripts/install-system-deps)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.freeradius import SECRET, free_udp_port, freeradius
from tests.support.interop import Interop, no_tunnel, pyike_log
from tests.support.netns import Lab, wait_for
from tests.support.road_warrior import (
    LOCAL_USERS,
    PASSWORD,
    POOL_FIRST,
    USER,
    initiate,
    radius_users,
    server_up,
)
from tests.support.traffic import ping

pytestmark = pytest.mark.interop

TWO = f"username {USER}2 password 0 {PASSWORD}\n"  # the second road warrior


def _check_lent_address_passes_traffic(t: Interop, tmp_path: Path) -> None:
    charon, ss = t.charon, t.ss
    try:
        wait_for(lambda: POOL_FIRST in charon.sas(), 30, "charon's virtual IP")
        wait_for(
            lambda: ping(ss, POOL_FIRST, "192.168.1.1", 1).returncode == 0,
            30,
            "ping from the lent address",
        )
    except AssertionError:
        raise no_tunnel("EAP road warrior", tmp_path / "w", charon) from None
    assert " 0% packet loss" in ping(ss, POOL_FIRST, "192.168.1.1", 4).stdout
    log = pyike_log(tmp_path / "w")
    assert f"EAP authentication of user '{USER}' succeeded" in log
    assert PASSWORD not in log and "Traceback" not in log
    assert "READY" in t.exec("show crypto ikev2 sa")


def test_strongswan_road_warrior_with_local_users(netlab: Lab, tmp_path: Path) -> None:
    t = server_up(netlab, tmp_path, LOCAL_USERS, PASSWORD)
    initiate(t)
    _check_lent_address_passes_traffic(t, tmp_path)


def test_strongswan_road_warrior_through_freeradius(netlab: Lab, tmp_path: Path) -> None:
    port = free_udp_port()
    t = server_up(netlab, tmp_path, radius_users(port, SECRET), PASSWORD)
    users = f'{USER} Cleartext-Password := "{PASSWORD}"\n'
    with freeradius(tmp_path / "radius", users, netns=t.py.name, port=port):
        initiate(t)
        _check_lent_address_passes_traffic(t, tmp_path)


def test_a_wrong_password_gets_no_address(netlab: Lab, tmp_path: Path) -> None:
    t = server_up(netlab, tmp_path, LOCAL_USERS, "not-carols")
    initiate(t)
    wait_for(lambda: "EAP authentication failed" in pyike_log(tmp_path / "w"), 30, "EAP failure")
    assert f"wrong password for user '{USER}'" in pyike_log(tmp_path / "w")
    assert POOL_FIRST not in t.charon.sas()


def _device_of(t: Interop, address: str) -> str | None:
    """The device pyike routes `address` into (None: no route)."""
    words = t.py.run("ip", "route", "get", address, check=False).stdout.split()
    return words[words.index("dev") + 1] if "dev" in words else None


def test_road_warrior_on_a_virtual_template(netlab: Lab, tmp_path: Path) -> None:
    t = server_up(netlab, tmp_path, LOCAL_USERS, PASSWORD, dvti=True)
    initiate(t)
    _check_lent_address_passes_traffic(t, tmp_path)
    assert _device_of(t, POOL_FIRST) == "va1"  # the lent address's host route, into the clone
    assert "Virtual-Access1" in t.exec("show ip interface brief")
    t.charon.swan("--terminate", "--ike", "rw", "--timeout", "30", check=False)
    wait_for(lambda: "Virtual-Access1" not in t.exec("show ip interface brief"), 30, "clone gone")
    assert _device_of(t, POOL_FIRST) != "va1"


def test_two_road_warriors_get_two_virtual_accesses(netlab: Lab, tmp_path: Path) -> None:
    t = server_up(
        netlab, tmp_path, LOCAL_USERS + TWO, PASSWORD, dvti=True, clients=("10.0.0.2", "10.0.0.3")
    )
    initiate(t)
    initiate(t, "rw2-net")
    second = "10.99.0.11"
    try:
        wait_for(lambda: second in t.charon.sas(), 30, "the second virtual IP")
        for lent in (POOL_FIRST, second):
            wait_for(
                lambda lent=lent: ping(t.ss, lent, "192.168.1.1", 1).returncode == 0,  # type: ignore[misc]
                30,
                f"ping from {lent}",
            )
    except AssertionError:
        raise no_tunnel("two road warriors", tmp_path / "w", t.charon) from None
    assert {_device_of(t, POOL_FIRST), _device_of(t, second)} == {"va1", "va2"}
    brief = t.exec("show ip interface brief")
    assert "Virtual-Access1" in brief and "Virtual-Access2" in brief
    session = t.exec("show crypto session")
    assert "Interface: Virtual-Access1" in session and "Interface: Virtual-Access2" in session
