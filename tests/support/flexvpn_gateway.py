"""A FlexVPN client spoke and its two hubs as three `pyike run` daemons in three namespaces:
the spoke's Ethernet0/0 is a bridge (10.0.0.100/24) joining a veth to each hub (Hub1 10.0.0.1,
Hub2 10.0.0.2). Each hub answers on 172.16.0.1 through its Tunnel0 (a static VTI toward the
spoke, `--passive`: only the spoke initiates) and has a LAN address of its own on loopback
(Hub1 10.100.1.1, Hub2 10.100.2.1), which the spoke routes into its Tunnel0: a ping to it
passes only through that hub."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tests.support.daemons import pyike_exec, start_pyike_run, wait_for_control
from tests.support.netns import Lab, Namespace, sh, wait_for
from tests.support.traffic import ping

DPD_INTERVAL, DPD_RETRY = 10, 2  # IOS's shortest `dpd` (10-3600, 2-60)
DPD_RETRANSMISSIONS = 5  # IOS retransmits a DPD five times, then declares the peer dead
# The longest a dead hub goes unnoticed: the first DPD leaves at most an interval after the
# hub was last heard, and the peer is dead one retry interval after its fifth retransmission.
DPD_BOUND = DPD_INTERVAL + (DPD_RETRANSMISSIONS + 1) * DPD_RETRY

HUB_LANS = {"hub1": "10.100.1.1", "hub2": "10.100.2.1"}
HUB_ADDRESSES = {"hub1": "10.0.0.1", "hub2": "10.0.0.2"}
SPOKE_TUNNEL = "172.16.0.2"

_KEYS = """crypto ikev2 keyring KEYS
 peer ANY
  address 0.0.0.0 0.0.0.0
  pre-shared-key FailoverKey
!
"""

_TUNNEL = """ tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile FLEX-IPSEC
!
crypto ipsec profile FLEX-IPSEC
 set ikev2-profile FLEX
!
"""


def spoke_config(client_lines: str, extra: str = "") -> str:
    """The spoke, its client `crypto ikev2 client flexvpn HUBS` made of `client_lines`."""
    return (
        f"hostname Spoke\n!\n{_KEYS}"
        "crypto ikev2 profile FLEX\n"
        " match identity remote address 10.0.0.1 255.255.255.255\n"
        " match identity remote address 10.0.0.2 255.255.255.255\n"
        " authentication remote pre-share\n"
        " authentication local pre-share\n"
        " keyring local KEYS\n"
        f" dpd {DPD_INTERVAL} {DPD_RETRY} periodic\n!\n"
        f"crypto ikev2 client flexvpn HUBS\n{client_lines} client connect Tunnel0\n!\n"
        "interface Ethernet0/0\n ip address 10.0.0.100 255.255.255.0\n!\n"
        f"interface Tunnel0\n ip address {SPOKE_TUNNEL} 255.255.255.252\n"
        f" tunnel destination dynamic\n{_TUNNEL}"
        "ip route 10.100.0.0 255.255.0.0 Tunnel0\n"
        f"{extra}"
    )


def hub_config(name: str) -> str:
    number = name[-1]
    return (
        f"hostname Hub{number}\n!\n{_KEYS}"
        "crypto ikev2 profile FLEX\n"
        " match identity remote address 10.0.0.100 255.255.255.255\n"
        " authentication remote pre-share\n"
        " authentication local pre-share\n"
        " keyring local KEYS\n!\n"
        f"interface Ethernet0/0\n ip address {HUB_ADDRESSES[name]} 255.255.255.0\n!\n"
        "interface Tunnel0\n ip address 172.16.0.1 255.255.255.252\n"
        f" tunnel destination 10.0.0.100\n{_TUNNEL}"
    )


@dataclass
class FailoverLab:
    lab: Lab
    work: Path
    spoke: Namespace
    hubs: dict[str, Namespace]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)

    def control(self, name: str) -> Path:
        return self.work / f"{name}.sock"

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    def spoke_exec(self, command: str) -> str:
        return pyike_exec(self.control("spoke"), command)

    def passes_through(self, hub: str) -> bool:
        """A ping from the spoke's tunnel address to the hub's LAN is answered."""
        return ping(self.spoke, SPOKE_TUNNEL, HUB_LANS[hub], 1).returncode == 0

    def wait_through(self, hub: str, timeout: float) -> None:
        try:
            wait_for(lambda: self.passes_through(hub), timeout, f"a ping through {hub}")
        except AssertionError as failed:
            raise AssertionError(f"{failed}\n{self.state()}") from None

    def down_at(self, hub: str, since: datetime) -> datetime | None:
        """When the spoke's log says its IKE SA with `hub` went down, at or after `since`."""
        marker = f"Crypto tunnel v2 is DOWN. Peer {HUB_ADDRESSES[hub]}:500"
        for line in self.log("spoke").splitlines():
            if marker in line:
                stamp = datetime.strptime(f"{since.year} {line[1:20]}", "%Y %b %d %H:%M:%S.%f")
                if stamp >= since:
                    return stamp
        return None

    def freeze(self, hub: str) -> None:
        self.procs[hub].send_signal(signal.SIGSTOP)
        self.frozen.add(hub)

    def resume(self, hub: str) -> None:
        self.procs[hub].send_signal(signal.SIGCONT)
        self.frozen.discard(hub)

    def state(self) -> str:
        parts = []
        for name in ("spoke", *self.hubs):
            if name in self.frozen:  # its control socket would not answer
                continue
            with contextlib.suppress(Exception):
                shown = pyike_exec(self.control(name), "show crypto ikev2 sa")
                parts.append(f"--- {name}\n{shown}")
            parts.append(self.log(name)[-3000:])
        return "\n".join(parts)


def start_failover_lab(
    lab: Lab, work: Path, spoke: str, *spoke_args: str, netns_hosts: str | None = None
) -> FailoverLab:
    """The three namespaces and daemons, the spoke with configuration text `spoke`;
    `netns_hosts`: the spoke namespace's /etc/hosts (`ip netns exec` mounts
    /etc/netns/NAME/hosts over it), for the system resolver. Waits for the control sockets."""
    ns = lab.namespace("spoke")
    hubs = {name: lab.namespace(name) for name in HUB_ADDRESSES}
    ns.ip("link", "add", "br0", "type", "bridge")
    ns.ip("addr", "add", "10.0.0.100/24", "dev", "br0")
    ns.ip("link", "set", "br0", "up")
    for number, (name, hub) in enumerate(hubs.items(), 1):
        near, far = f"fs{lab.tag}{number}", f"fh{lab.tag}{number}"
        sh("ip", "link", "add", near, "netns", ns.name, "type", "veth", "peer", "name", far,
           "netns", hub.name)  # fmt: skip
        ns.ip("link", "set", near, "master", "br0", "up")
        hub.ip("addr", "add", f"{HUB_ADDRESSES[name]}/24", "dev", far)
        hub.ip("link", "set", far, "up")
        hub.ip("addr", "add", f"{HUB_LANS[name]}/24", "dev", "lo")
    if netns_hosts is not None:
        hosts = Path("/etc/netns") / ns.name
        hosts.mkdir(parents=True)
        (hosts / "hosts").write_text(netns_hosts)
    failover = FailoverLab(lab, work, ns, hubs)
    for number, (name, hub) in enumerate(hubs.items(), 1):
        config = work / f"{name}.cfg"
        config.write_text(hub_config(name))
        failover.procs[name] = start_pyike_run(
            lab, hub, config, failover.control(name), work / f"{name}.log",
            "--bind", f"Ethernet0/0=fh{lab.tag}{number}", "--passive",
        )  # fmt: skip
    config = work / "spoke.cfg"
    config.write_text(spoke)
    failover.procs["spoke"] = start_pyike_run(
        lab, ns, config, failover.control("spoke"), work / "spoke.log",
        "--bind", "Ethernet0/0=br0", *spoke_args,
    )  # fmt: skip
    for name in failover.procs:
        wait_for_control(failover.control(name), name)
    return failover


@contextlib.contextmanager
def failover_lab(
    lab: Lab, work: Path, spoke: str, *spoke_args: str, netns_hosts: str | None = None
) -> Iterator[FailoverLab]:
    """`start_failover_lab`, and afterwards: frozen hubs resumed (so that they end on SIGTERM),
    the namespace's hosts file removed; the lab removes the rest."""
    failover: FailoverLab | None = None
    try:
        failover = start_failover_lab(lab, work, spoke, *spoke_args, netns_hosts=netns_hosts)
        yield failover
    finally:
        for proc in lab.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
        for ns in lab.namespaces:
            shutil.rmtree(Path("/etc/netns") / ns.name, ignore_errors=True)
