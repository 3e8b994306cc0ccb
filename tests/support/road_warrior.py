"""`pyike run` as a FlexVPN remote-access server for strongSwan's charon as a road warrior
(EAP-MSCHAPv2, `vips = 0.0.0.0`): pyike's configuration (local users or a RADIUS group), charon's
connections and daemon settings, and the two brought up in a network namespace lab."""

from __future__ import annotations

from pathlib import Path

from tests.support.interop import Interop, topology
from tests.support.netns import Lab
from tests.support.strongswan import PLUGINS, PYIKE_KEY, SEED_SUITE, Suite

POOL_FIRST = "10.99.0.10"
USER, PASSWORD = "carol", "Carol-Pass1"


STATIC_TUNNEL = """interface Tunnel0
 ip unnumbered Loopback0
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination 10.0.0.2
 tunnel protection ipsec profile PROT
!
"""
# A dynamic VTI: each client its Virtual-Access clone, the lent address routed into it
VIRTUAL_TEMPLATE = """interface Virtual-Template1 type tunnel
 ip unnumbered Loopback0
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile PROT
!
"""


def server_config(
    suite: Suite,
    users: str,
    *,
    dvti: bool = False,
    profile: str = "",
    pools: str = "",
    authorization: str = "local",
) -> str:
    """pyike: an EAP server profile (PSK for itself, and the lines ``profile``), a pool (and
    ``pools``), and a tunnel to the client (`dvti`: a virtual template cloned per client
    instead); the group authorization list RA-AUTHZ asks ``authorization``."""
    tunnel = VIRTUAL_TEMPLATE if dvti else STATIC_TUNNEL
    route = "" if dvti else "ip route 10.99.0.0 255.255.255.0 Tunnel0\n"
    template = " virtual-template 1\n" if dvti else ""
    return f"""hostname PyIke
aaa new-model
{users}aaa authorization network RA-AUTHZ {authorization}
!
crypto ikev2 authorization policy RA
 pool RA-POOL
!
crypto ikev2 proposal PROP
{suite.ios_proposal}!
crypto ikev2 policy POL
 proposal PROP
!
crypto ikev2 keyring KEYS
 peer client
  address 10.0.0.0 255.255.255.0
  pre-shared-key local {PYIKE_KEY}
  pre-shared-key remote unused-by-eap
!
crypto ikev2 profile RA
 match identity remote email domain example.com
 authentication remote eap query-identity
 authentication local pre-share
 keyring local KEYS
 aaa authentication eap RA-USERS
 aaa authorization group eap list RA-AUTHZ RA
{template}{profile}!
crypto ipsec transform-set TS {suite.ios_transform}
!
crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile RA
!
interface Loopback0
 ip address 192.168.1.1 255.255.255.0
!
{tunnel}interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
!
ip local pool RA-POOL {POOL_FIRST} 10.99.0.20
{pools}{route}"""


LOCAL_USERS = f"aaa authentication login RA-USERS local\nusername {USER} password 0 {PASSWORD}\n"


def radius_users(port: int, secret: str) -> str:
    return f"""aaa authentication login RA-USERS group RAD
aaa group server radius RAD
 server name FR
radius server FR
 address ipv4 127.0.0.1 auth-port {port} acct-port 1813
 key 0 {secret}
"""


def road_warrior(suite: Suite, password: str, clients: tuple[str, ...] = ("10.0.0.2",)) -> str:
    """charon's connections: one road warrior per address in `clients`, the first user
    carol, the others carol2, carol3, ... (all with `password`)."""
    users = [USER if i == 0 else f"{USER}{i + 1}" for i in range(len(clients))]
    connections = "".join(
        _connection(suite, f"rw{i + 1}" if i else "rw", address, user)
        for i, (address, user) in enumerate(zip(clients, users, strict=True))
    )
    eap_secrets = "".join(
        f"""  eap-{user} {{
    id = {user}
    secret = "{password}"
  }}
"""
        for user in users
    )
    return f"""connections {{
{connections}}}
secrets {{
{eap_secrets}  ike-pyike {{
    id-1 = 10.0.0.1
    secret = "{PYIKE_KEY}"
  }}
}}
"""


def _connection(suite: Suite, name: str, address: str, user: str) -> str:
    return f"""  {name} {{
    version = 2
    local_addrs = {address}
    remote_addrs = 10.0.0.1
    proposals = {suite.ike}
    encap = yes
    vips = 0.0.0.0
    local {{
      auth = eap-mschapv2
      id = {user}@example.com
      eap_id = {user}
    }}
    remote {{
      auth = psk
      id = 10.0.0.1
    }}
    children {{
      {name}-net {{
        remote_ts = 192.168.1.0/24
        esp_proposals = {suite.esp}
        start_action = none
      }}
    }}
  }}
"""


def charon_conf(log: Path) -> str:
    return f"""charon {{
  load = {PLUGINS} eap-mschapv2 eap-identity
  install_virtual_ip = yes
  filelog {{
    charon {{
      path = {log}
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
      enc = 1
    }}
  }}
}}
"""


def server_up(
    netlab: Lab,
    tmp_path: Path,
    users: str,
    password: str,
    *,
    dvti: bool = False,
    clients: tuple[str, ...] = ("10.0.0.2",),
    profile: str = "",
    pools: str = "",
    authorization: str = "local",
) -> Interop:
    """pyike (`--passive`) as the EAP server and charon with its road warriors, in ``netlab``."""
    work = tmp_path / "w"
    work.mkdir()
    (work / "charon-run").mkdir(mode=0o700)
    t = topology(
        netlab,
        work,
        SEED_SUITE,
        "--passive",
        pyike_cfg=server_config(
            SEED_SUITE, users, dvti=dvti, profile=profile, pools=pools, authorization=authorization
        ),
        swanctl_conf=road_warrior(SEED_SUITE, password, clients),
        charon_conf=charon_conf(work / "charon-run" / "charon.log"),
    )
    for address in clients[1:]:  # further road warriors: further addresses of charon's side
        t.ss.ip("addr", "add", f"{address}/24", "dev", f"vb{netlab.tag}")
    return t


def initiate(t: Interop, child: str = "rw-net") -> None:
    t.charon.swan("--initiate", "--child", child, "--timeout", "30", check=False)
