"""What the gateway benchmarks share: tools installed on demand, two namespaces joined by a
veth pair, `pyike run` and strongSwan's charon (kernel-libipsec) started inside them, the
configurations for both, and CPU and memory figures read from /proc.

Namespaces, veth pairs and process teardown come from the tests' support package
(`tests/support/netns.py`), so the benchmarks and the tests set hosts up the same way. Every
benchmark wraps its work in `lab_session()`, which kills what it started (by pid) and
deletes its namespaces even when the benchmark fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.netns import PYIKE, Lab, Namespace, sh, wait_for  # noqa: E402
from tests.support.strongswan import CHARON_PATHS, PLUGINS, Suite  # noqa: E402

__all__ = [
    "PYIKE",
    "SUITES",
    "Charon",
    "Lab",
    "Namespace",
    "Peer",
    "Suite",
    "ensure_tools",
    "lab_session",
    "proc_cpu_seconds",
    "proc_rss_kib",
    "pyike_config",
    "sh",
    "start_charon",
    "start_pyike",
    "swanctl_config",
    "wait_for",
]

APT_PACKAGES = {
    "iperf3": "iperf3",
    "ping": "iputils-ping",
    "swanctl": "strongswan-swanctl",
}
STRONGSWAN_PACKAGES = (
    "strongswan-charon",
    "strongswan-swanctl",
    "libcharon-extra-plugins",
    "libstrongswan-extra-plugins",
    "libstrongswan-standard-plugins",
)
PSK = "bench-psk-not-secret"


def ensure_tools(*commands: str) -> None:
    """Install the Debian packages behind `commands` (and strongSwan for "charon") if missing."""
    if os.geteuid() != 0:
        sys.exit("the benchmarks create network namespaces: run them as root")
    missing: list[str] = []
    for command in commands:
        if command == "charon":
            if not any(os.access(p, os.X_OK) for p in CHARON_PATHS):
                missing.extend(STRONGSWAN_PACKAGES)
        elif shutil.which(command) is None:
            missing.append(APT_PACKAGES.get(command, command))
    if missing:
        print(f"installing {' '.join(missing)} with apt-get", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
            check=True,
            env=env,
        )


@dataclass
class Charon:
    """A charon driven with swanctl over its own vici socket."""

    ns: Namespace
    run_dir: Path
    swanctl: str

    @property
    def uri(self) -> str:
        return f"unix://{self.run_dir / 'charon.vici'}"

    def swan(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.swanctl, *args, "--uri", self.uri], capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"swanctl {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return done


def charon_binary() -> str:
    return next(p for p in CHARON_PATHS if os.access(p, os.X_OK))


@contextlib.contextmanager
def lab_session(keep: bool = False) -> Iterator[tuple[Lab, Path]]:
    """A Lab and a scratch directory; both gone afterwards, whatever happened."""
    work = Path(tempfile.mkdtemp(prefix="pyike-bench-"))
    lab = Lab()
    try:
        yield lab, work
    finally:
        lab.cleanup()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


# -- proposals ---------------------------------------------------------------------------


SUITES = {
    "aes-cbc-128/sha1": Suite(
        "aes-cbc-128/sha1",
        " encryption aes-cbc-128\n integrity sha1\n group 2\n",
        "esp-aes esp-sha-hmac",
        "aes128-sha1-modp1024",
        "aes128-sha1",
    ),
    "aes-gcm-128": Suite(
        "aes-gcm-128",
        " encryption aes-gcm-128\n prf sha256\n group 19\n",
        "esp-gcm 128",
        "aes128gcm16-prfsha256-ecp256",
        "aes128gcm16",
    ),
    "group2": Suite(
        "aes-cbc-128/sha1/group 2",
        " encryption aes-cbc-128\n integrity sha1\n group 2\n",
        "esp-aes esp-sha-hmac",
        "aes128-sha1-modp1024",
        "aes128-sha1",
    ),
    "group19": Suite(
        "aes-cbc-128/sha256/group 19",
        " encryption aes-cbc-128\n integrity sha256\n group 19\n",
        "esp-aes esp-sha-hmac",
        "aes128-sha256-ecp256",
        "aes128-sha1",
    ),
}


@dataclass(frozen=True)
class Peer:
    """One end: its transport address on the veth and the LAN behind it (on lo)."""

    name: str
    address: str  # 10.0.0.x
    lan: str  # 192.168.x.1

    @property
    def lan_net(self) -> str:
        return self.lan.rsplit(".", 1)[0] + ".0"


# The two ends every benchmark uses: A (left, initiates) and B (right).
A = Peer("BenchA", "10.0.0.1", "192.168.1.1")
B = Peer("BenchB", "10.0.0.2", "192.168.2.1")


def pyike_config(me: Peer, peer: Peer, suite: Suite, peer_any: bool = False) -> str:
    """`me` protecting its LAN towards `peer`'s with a VTI (Tunnel0). With `peer_any` the
    keyring and profile accept any address (a responder for a load generator)."""
    match = "0.0.0.0" if peer_any else f"{peer.address} 255.255.255.255"
    key_address = "0.0.0.0 0.0.0.0" if peer_any else peer.address
    return f"""hostname {me.name}
interface Loopback0
 ip address {me.lan} 255.255.255.0
!
interface Tunnel0
 ip address 172.16.0.{me.address.rsplit(".", 1)[1]} 255.255.255.0
 ip mtu 1400
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination {peer.address}
 tunnel protection ipsec profile PROT
!
interface Ethernet0/0
 ip address {me.address} 255.255.255.0
!
crypto ikev2 proposal PROP
{suite.ios_proposal}!
crypto ikev2 policy POL
 proposal PROP
!
crypto ikev2 keyring KEYS
 peer far
  address {key_address}
  pre-shared-key {PSK}
!
crypto ikev2 profile PROF
 match identity remote address {match}
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
!
crypto ipsec transform-set TS {suite.ios_transform}
!
crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile PROF
!
ip route {peer.lan_net} 255.255.255.0 Tunnel0
"""


def swanctl_config(
    me: Peer, peer: Peer, suite: Suite, *, loadtest: bool = False, start: bool = False
) -> str:
    """charon's connection; any/any selectors would also do, but LAN to LAN is what the
    pyike VTI negotiates from the other side, narrowed by charon to these."""
    remote_addrs = "%any" if loadtest else peer.address
    remote_id = "%any" if loadtest else peer.address
    unique = "never" if loadtest else "no"
    remote_ts = "0.0.0.0/0" if loadtest else f"{peer.lan_net}/24"
    local_ts = "0.0.0.0/0" if loadtest else f"{me.lan_net}/24"
    return f"""connections {{
  bench {{
    version = 2
    local_addrs = {me.address}
    remote_addrs = {remote_addrs}
    proposals = {suite.ike}
    encap = yes
    unique = {unique}
    local {{
      auth = psk
      id = {me.address}
    }}
    remote {{
      auth = psk
      id = {remote_id}
    }}
    children {{
      net {{
        local_ts = {local_ts}
        remote_ts = {remote_ts}
        esp_proposals = {suite.esp}
        start_action = {"start" if start else "none"}
      }}
    }}
  }}
}}
secrets {{
  ike-bench {{
    secret = "{PSK}"
  }}
}}
"""


def strongswan_conf(log: Path, loadtest: bool, ike_sa_table: int | None = None) -> str:
    # libipsec creates one TUN device; in a load test no traffic flows, but the child SAs
    # are still installed into it, as they would be for real.
    extra = "  dos_protection = no\n  init_limit_half_open = 0\n" if loadtest else ""
    if ike_sa_table is not None:  # charon's default is one bucket: a list of every IKE SA
        extra += f"  ikesa_table_size = {ike_sa_table}\n"
    return f"""charon {{
  load = {PLUGINS}
  install_virtual_ip = no
{extra}  filelog {{
    charon {{
      path = {log}
      default = 0
      ike = {0 if loadtest else 1}
    }}
  }}
}}
"""


def start_charon(
    lab: Lab,
    ns: Namespace,
    work: Path,
    swanctl_text: str,
    *,
    loadtest: bool = False,
    wait: bool = True,
    ike_sa_table: int | None = None,
) -> tuple[Charon, subprocess.Popen[bytes]]:
    """charon in `ns` with its own /run; with `wait`, its connections are loaded;
    `ike_sa_table` sets the size of its IKE SA hash table (charon.ikesa_table_size)."""
    run_dir = work / f"charon-{ns.name}"
    run_dir.mkdir(mode=0o700)
    conf = run_dir.with_suffix(".conf")
    conf.write_text(strongswan_conf(run_dir / "charon.log", loadtest, ike_sa_table))
    swanctl_file = run_dir.with_suffix(".swanctl.conf")
    swanctl_file.write_text(swanctl_text)
    proc = lab.start(
        ns,
        ["sh", "-c", f"mount --bind {run_dir} /run && exec {charon_binary()}"],
        run_dir.with_suffix(".out"),
        env={"STRONGSWAN_CONF": str(conf)},
    )
    swanctl = shutil.which("swanctl")
    assert swanctl is not None
    peer = Charon(ns, run_dir, swanctl)
    if wait:
        load_connections(peer)
    return peer, proc


def load_connections(peer: Charon) -> None:
    """Wait for charon's vici socket, then load its swanctl.conf."""
    wait_for(lambda: (peer.run_dir / "charon.vici").exists(), 15, "charon's vici socket")
    peer.swan("--load-all", "--file", str(peer.run_dir.with_suffix(".swanctl.conf")))


def start_pyike(
    lab: Lab,
    ns: Namespace,
    work: Path,
    config_text: str,
    device: str,
    *extra: str,
    python: str = sys.executable,
) -> tuple[Path, subprocess.Popen[bytes]]:
    """`pyike run` in `ns`; returns its control socket (waited for) and the process."""
    config = work / f"{ns.name}.cfg"
    config.write_text(config_text)
    control = work / f"{ns.name}.sock"
    proc = lab.start(
        ns,
        [
            python,
            "-m",
            "pyike",
            "run",
            str(config),
            "--bind",
            f"Ethernet0/0={device}",
            "--control",
            str(control),
            "--quiet",
            "--no-drop",  # measured as before the privilege drop existed
            *extra,
        ],
        work / f"{ns.name}.log",
    )
    wait_for(lambda: control.exists() or proc.poll() is not None, 20, "pyike's control socket")
    if proc.poll() is not None:
        raise RuntimeError(f"pyike run exited: {(work / f'{ns.name}.log').read_text()[-2000:]}")
    return control, proc


def two_hosts(lab: Lab, left: Peer, right: Peer) -> tuple[Namespace, Namespace, str, str]:
    """Two namespaces, a veth between them (10.0.0.0/24), each LAN address on lo."""
    a, b = lab.namespace(left.name.lower()), lab.namespace(right.name.lower())
    dev_a, dev_b = lab.veth(a, f"{left.address}/24", b, f"{right.address}/24")
    a.ip("addr", "add", f"{left.lan}/24", "dev", "lo")
    b.ip("addr", "add", f"{right.lan}/24", "dev", "lo")
    return a, b, dev_a, dev_b


# -- /proc -------------------------------------------------------------------------------

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of `pid` (threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def proc_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child_pid(ns: Namespace, name: str) -> int:
    """The pid of the process called `name` inside `ns` (what `ip netns exec` exec'd)."""
    for pid in sh("ip", "netns", "pids", ns.name, check=False).stdout.split():
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                return int(pid)
    raise RuntimeError(f"no process {name} in {ns.name}")
