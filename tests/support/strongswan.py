"""strongSwan's charon as a peer in its own network namespace (kernel-libipsec: ESP in
userspace on a TUN device, always UDP-encapsulated), driven with swanctl over its vici
socket; the proposals both sides share and the configurations of both. See
/work/shared/notes/strongswan-here.md for why it is set up this way."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyike.crypto import catalogue
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.tools import missing_tool

CHARON_PATHS = ("/usr/lib/ipsec/charon", "/usr/libexec/ipsec/charon")
PLUGINS = (
    "kernel-libipsec kernel-netlink socket-default vici random nonce openssl aes sha1 sha2 "
    "hmac kdf gmp curve25519 pem pkcs1 x509 pubkey"
)


def require_charon() -> tuple[str, str]:
    """(charon, swanctl); skipped without strongSwan unless PYIKE_REQUIRE_TOOLS is set."""
    charon = next((p for p in CHARON_PATHS if os.access(p, os.X_OK)), None)
    swanctl = shutil.which("swanctl")
    if charon is None or swanctl is None:
        missing_tool("strongSwan (charon, swanctl)")
    return charon, swanctl


@dataclass(frozen=True)
class Suite:
    """One proposal, in both vocabularies."""

    name: str
    ios_proposal: str  # the body of `crypto ikev2 proposal`
    ios_transform: str  # `crypto ipsec transform-set TS ...`
    ike: str  # swanctl proposals
    esp: str  # swanctl esp_proposals


SEED_SUITE = Suite(
    "seed",
    " encryption 3des aes-cbc-128\n integrity sha1\n group 2\n",
    "esp-aes esp-sha-hmac",
    "aes128-sha1-modp1024",
    "aes128-sha1",
)
SEED_3DES_SUITE = Suite(
    "seed-3des",
    " encryption 3des aes-cbc-128\n integrity sha1\n group 2\n",
    "esp-3des esp-sha-hmac",
    "3des-sha1-modp1024",
    "3des-sha1",
)
GCM_SUITE = Suite(
    "gcm-ecp384",
    " encryption aes-gcm-256\n prf sha384\n group 20\n",
    "esp-gcm 256",
    "aes256gcm16-prfsha384-ecp384",
    "aes256gcm16",
)
CBC256_SUITE = Suite(
    "cbc256-modp2048",
    " encryption aes-cbc-256\n integrity sha256\n group 14\n",
    "esp-aes 256 esp-sha256-hmac",
    "aes256-sha256-modp2048",
    "aes256-sha256",
)


def _strongswan_proposal(encryption: str, integrity: str, group: str) -> str:
    """charon's proposal for IOS keywords, from the catalogue's strongSwan names."""
    encr = catalogue.ike_encryption_keyword(encryption)
    integ = catalogue.integrity_keyword(integrity)
    dh = catalogue.group_keyword(group)
    assert encr is not None and integ is not None and dh is not None
    return f"{encr.strongswan}-{integ.strongswan}-{dh.strongswan}"


# DH group 24 (RFC 5114 MODP-2048 with a 256-bit subgroup): strongSwan's modp2048s256.
GROUP24_SUITE = Suite(
    "cbc256-modp2048s256",
    " encryption aes-cbc-256\n integrity sha256\n group 24\n",
    "esp-aes 256 esp-sha256-hmac",
    _strongswan_proposal("aes-cbc-256", "sha256", "24"),
    "aes256-sha256",
)

PYIKE_KEY = "pyike-signs-with-this"
CHARON_KEY = "charon-signs-with-that"


@dataclass(frozen=True)
class Addressing:
    """Who is where. Without a NAT both sides see each other's own address; behind a NAT the
    peer of the inside side is seen from the NAT's public address."""

    pyike: str = "10.0.0.1"
    charon: str = "10.0.0.2"
    charon_sees_pyike_at: str = "10.0.0.1"
    pyike_sees_charon_at: str = "10.0.0.2"


DIRECT = Addressing()


def ikev2_section(suite: Suite, where: Addressing = DIRECT, profile_extra: str = "") -> str:
    """pyike's IKEv2 proposal, policy, keyring (its own key and charon's), profile and
    transform set TS: what every pyike configuration against charon shares."""
    return f"""crypto ikev2 proposal PROP
{suite.ios_proposal}!
crypto ikev2 policy POL
 proposal PROP
!
crypto ikev2 keyring KEYS
 peer charon
  address {where.pyike_sees_charon_at}
  pre-shared-key local {PYIKE_KEY}
  pre-shared-key remote {CHARON_KEY}
!
crypto ikev2 profile PROF
 match identity remote address {where.charon} 255.255.255.255
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
{profile_extra}!
crypto ipsec transform-set TS {suite.ios_transform}
!
"""


def pyike_config(
    suite: Suite,
    where: Addressing = DIRECT,
    *,
    profile_extra: str = "",
    ipsec_extra: str = "",
    global_extra: str = "",
) -> str:
    """pyike (LAN 192.168.1.0/24) and charon (LAN 192.168.2.0/24); each side signs with its
    own key. ``profile_extra``: lines for the IKEv2 profile (`dpd`, `lifetime`);
    ``ipsec_extra``: for the IPsec profile (`set security-association lifetime ...`)."""
    return f"""hostname PyIke
interface Loopback0
 ip address 192.168.1.1 255.255.255.0
!
interface Tunnel0
 ip address 172.16.0.101 255.255.255.0
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination {where.pyike_sees_charon_at}
 tunnel protection ipsec profile PROT
!
interface Ethernet0/0
 ip address {where.pyike} 255.255.255.0
!
{ikev2_section(suite, where, profile_extra)}crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile PROF
{ipsec_extra}!
{global_extra}ip route 192.168.2.0 255.255.255.0 Tunnel0
"""


LAN_TO_LAN = "permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255"


def crypto_map_config(suite: Suite, acl: str = LAN_TO_LAN) -> str:
    """pyike (LAN 192.168.1.0/24) with a crypto map on its WAN interface toward charon, whose
    ACL is the one `permit` line `acl` (by default pyike's LAN to charon's, 192.168.2.0/24)."""
    return f"""hostname PyIke
interface Loopback0
 ip address 192.168.1.1 255.255.255.0
!
interface Ethernet0/0
 ip address {DIRECT.pyike} 255.255.255.0
 crypto map CMAP
!
{ikev2_section(suite)}crypto map CMAP 10 ipsec-isakmp
 set peer {DIRECT.charon}
 set transform-set TS
 set ikev2-profile PROF
 match address TO-CHARON
!
ip access-list extended TO-CHARON
 {acl}
"""


def swanctl_config(
    suite: Suite,
    where: Addressing = DIRECT,
    *,
    conn_extra: str = "",
    child_extra: str = "",
    child: str = "net",
    selectors: tuple[str, str] = ("192.168.2.0/24", "192.168.1.0/24"),
    start: str = "none",
    pubkey: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
) -> str:
    """charon's connection `pyike` with one child (`child`: its local and remote traffic
    selectors, its start_action): with pre-shared keys, both keys in its secrets, or with
    `pubkey`, the local and remote settings of a certificate authentication."""
    local, remote = pubkey or (
        ("auth = psk", f"id = {where.charon}"),
        ("auth = psk", f"id = {where.pyike}"),
    )
    local_lines = "".join(f"      {line}\n" for line in local)
    remote_lines = "".join(f"      {line}\n" for line in remote)
    # charon signs with the best-matching key (its own: owned by both ids, so it ranks
    # first) and tries every key that matches when it verifies, so pyike's key verifies
    # pyike's AUTH.
    secrets = (
        ""
        if pubkey
        else f"""secrets {{
  ike-charon {{
    id-1 = {where.charon}
    id-2 = {where.pyike}
    secret = "{CHARON_KEY}"
  }}
  ike-pyike {{
    id-1 = {where.pyike}
    secret = "{PYIKE_KEY}"
  }}
}}
"""
    )
    return f"""connections {{
  pyike {{
    version = 2
    local_addrs = {where.charon}
    remote_addrs = {where.charon_sees_pyike_at}
    proposals = {suite.ike}
    encap = yes
{conn_extra}    local {{
{local_lines}    }}
    remote {{
{remote_lines}    }}
    children {{
      {child} {{
        local_ts = {selectors[0]}
        remote_ts = {selectors[1]}
        esp_proposals = {suite.esp}
        start_action = {start}
{child_extra}      }}
    }}
  }}
}}
{secrets}"""


def strongswan_conf(log: Path, plugins: str = "", *, load: str = PLUGINS) -> str:
    """charon's strongswan.conf: the plugins `load` names, the settings of ``plugins`` (a
    `plugins { ... }` section), its log at ``log``."""
    return f"""charon {{
  load = {load}
  install_virtual_ip = no
{plugins}  filelog {{
    charon {{
      path = {log}
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
    }}
  }}
}}
"""


@dataclass
class Charon:
    ns: Namespace
    run_dir: Path
    swanctl: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL: no delete reaches the peer, as when the host dies."""
        self.process.kill()
        self.process.wait(10)

    def ike_sas(self) -> int:
        return self.sas().count("ESTABLISHED")

    @property
    def uri(self) -> str:
        return f"unix://{self.run_dir / 'charon.vici'}"

    def swan(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.swanctl, *args, "--uri", self.uri],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"swanctl {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def sas(self) -> str:
        return self.swan("--list-sas", check=False).stdout

    @property
    def log(self) -> str:
        path = self.run_dir / "charon.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_charon(
    lab: Lab,
    ns: Namespace,
    work: Path,
    suite: Suite,
    swanctl_conf: str | None = None,
    *,
    conf_text: str | None = None,
    prelude: str = "",
) -> Charon:
    """charon in `ns`, its connection loaded (`swanctl_conf`, by default the plain one for
    `suite`). Started again after a kill, it keeps its directory and appends to its log.
    `conf_text`: a strongswan.conf of the caller's instead of `strongswan_conf`; `prelude`:
    shell commands run in charon's mount namespace before it starts."""
    charon, swanctl = require_charon()
    run_dir = work / "charon-run"
    run_dir.mkdir(mode=0o700, exist_ok=True)
    conf = work / "strongswan.conf"
    conf.write_text(conf_text or strongswan_conf(run_dir / "charon.log"))
    (work / "swanctl.conf").write_text(swanctl_conf or swanctl_config(suite))
    (run_dir / "charon.vici").unlink(missing_ok=True)
    peer_proc = lab.start(
        ns,
        ["sh", "-c", f"{prelude}mount --bind {run_dir} /run && exec {charon}"],
        work / "charon.out",
        env={"STRONGSWAN_CONF": str(conf)},
    )
    peer = Charon(ns, run_dir, swanctl, peer_proc)
    wait_for(lambda: (run_dir / "charon.vici").exists(), 15, "charon's vici socket")
    peer.swan("--load-all", "--file", str(work / "swanctl.conf"))
    return peer


# -- a NAT between the two sites -----------------------------------------------------------

PUBLIC_NAT = "10.0.0.254"
KEEPALIVE_RULE = (
    "iptables", "-A", "FORWARD", "-p", "udp", "--dport", "4500",
    "-m", "length", "--length", "29", "-j", "ACCEPT",
)  # fmt: skip


def keepalives(nat: Namespace) -> int:
    listing = nat.run("iptables", "-L", "FORWARD", "-v", "-n", "-x").stdout
    return int(next(line for line in listing.splitlines() if "udp dpt:4500" in line).split()[0])


def nat_box(netlab: Lab, inside: Namespace, outside: Namespace) -> tuple[str, str]:
    """inside 10.0.1.x -- nat -- 10.0.0.x outside; returns the inside and outside devices.
    A FORWARD rule counts NAT keepalives (one-octet UDP datagrams to port 4500)."""
    nat = netlab.namespace("nat")
    nat.run(*KEEPALIVE_RULE)
    inside_dev, _ = netlab.veth(inside, "10.0.1.1/24", nat, "10.0.1.254/24", "i")
    outside_dev, _ = netlab.veth(outside, "10.0.0.1/24", nat, f"{PUBLIC_NAT}/24", "o")
    nat.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
    nat.run("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.0.1.0/24", "-j", "MASQUERADE")
    inside.ip("route", "add", "default", "via", "10.0.1.254")
    return inside_dev, outside_dev
