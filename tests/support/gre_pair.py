"""Two `pyike run` daemons with a GRE-over-IPsec tunnel between network namespaces g1 and g2
(10.0.0.1 and 10.0.0.2 on a veth pair; LANs 192.168.1.1 and 192.168.2.1 on their loopbacks),
made from the seed's routers: `tunnel mode gre ip`, `tunnel key 7`, the transform sets given,
and more tunnel lines for each."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.daemons import seed_hosts, start_pyike_run, wait_for_control
from tests.support.netns import Lab, Namespace
from tests.support.paths import SEED_CONFIGS

TRANSPORT_SET = " esp-aes esp-sha-hmac\n mode transport\n"
TUNNEL_SET = " esp-aes esp-sha-hmac\n"


def gre_config(name: str, transform: str, tunnel_lines: str = "") -> str:
    text = (SEED_CONFIGS / name).read_text()
    for old, new in (
        (" tunnel mode ipsec ipv4\n", f" tunnel mode gre ip\n tunnel key 7\n{tunnel_lines}"),
        (" esp-3des esp-sha-hmac\n", transform),
        (" lifetime 120\n", " lifetime 3600\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


def gre_pair(
    netlab: Lab,
    work: Path,
    transforms: tuple[str, str] = (TRANSPORT_SET, TRANSPORT_SET),
    tunnel_lines: tuple[str, str] = ("", ""),
) -> tuple[Namespace, Namespace, list[subprocess.Popen[bytes]]]:
    r1, r2, left, right = seed_hosts(netlab, ("g1", "g2"))
    procs = []
    for ns, name, device, transform, lines in (
        (r1, "router1", left, transforms[0], tunnel_lines[0]),
        (r2, "router2", right, transforms[1], tunnel_lines[1]),
    ):
        config = work / f"{name}.cfg"
        config.write_text(gre_config(f"{name}.cfg", transform, lines))
        control = work / f"{name}.sock"
        procs.append(
            start_pyike_run(
                netlab, ns, config, control, work / f"{name}.log", "--bind", f"Ethernet0/0={device}"
            )
        )
        wait_for_control(control, name)
    return r1, r2, procs
