"""GRE over IPsec between two `pyike run` daemons in network namespaces: the kernel here has no
GRE device, so the TUN device carries the inner packets and pyike adds the GRE (with the
tunnel's key) inside ESP. Transport mode when both sides allow it, tunnel mode when one side
answers it; traffic both ways across child and IKE SA rekeys, which keep the mode."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.support.daemons import packets, pyike_exec, terminate_cleanly
from tests.support.gre_pair import TRANSPORT_SET, TUNNEL_SET, gre_pair
from tests.support.netns import Lab, Namespace, wait_for
from tests.support.traffic import ping, ping_stream


def ipsec_sa(work: Path, name: str) -> str:
    return pyike_exec(work / f"{name}.sock", "show crypto ipsec sa")


def errors(shown: str) -> tuple[int, int]:
    """(`#send errors`, `#recv errors`) of `show crypto ipsec sa`."""
    found = re.search(r"#send errors (\d+), #recv errors (\d+)", shown)
    assert found, shown
    return int(found[1]), int(found[2])


def through_tunnel(r1: Namespace, r2: Namespace) -> None:
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "GRE ping")
    assert " 0% packet loss" in ping(r1, "192.168.1.1", "192.168.2.1", 5).stdout
    assert " 0% packet loss" in ping(r2, "192.168.2.1", "192.168.1.1", 5).stdout


@pytest.mark.parametrize(
    ("transforms", "mode"),
    [((TRANSPORT_SET, TRANSPORT_SET), "Transport"), ((TRANSPORT_SET, TUNNEL_SET), "Tunnel")],
    ids=["transport", "fallback-to-tunnel"],
)
def test_gre_over_ipsec_between_two_daemons_across_rekeys(
    netlab: Lab, tmp_path: Path, transforms: tuple[str, str], mode: str
) -> None:
    r1, r2, procs = gre_pair(netlab, tmp_path, transforms)
    through_tunnel(r1, r2)
    for name, (me, peer) in (("router1", ("1", "2")), ("router2", ("2", "1"))):
        shown = ipsec_sa(tmp_path, name)
        assert shown.count(f"in use settings ={{{mode}, }}") == 2, shown
        assert f"(10.0.0.{me}/255.255.255.255/47/0)" in shown
        assert f"(10.0.0.{peer}/255.255.255.255/47/0)" in shown
        assert packets(shown, "decaps") >= 10
    # The first pings may meet no SA yet (a daemon slow to start under load): IOS counts
    # each as `#pkts no sa (send)`. Only what the rekeys add counts here.
    before = {name: errors(ipsec_sa(tmp_path, name)) for name in ("router1", "router2")}
    stream = ping_stream(
        netlab, r1, "192.168.1.1", "192.168.2.1", tmp_path / "stream.log", count=120
    )
    for command in (
        "test crypto ipsec rekey",
        "test crypto ikev2 rekey",
        "test crypto ipsec rekey",
    ):
        time.sleep(1.5)
        assert pyike_exec(tmp_path / "router1.sock", command) != ""
    sent, received = stream.result()
    assert (sent, received) == (120, 120)  # make-before-break: no rekey loses a packet
    through_tunnel(r1, r2)
    for name in ("router1", "router2"):
        shown = ipsec_sa(tmp_path, name)
        modes = set(re.findall(r"in use settings =\{(\w+)", shown))
        assert modes == {mode}, shown  # the rekeys kept the mode
        assert errors(shown) == before[name], shown
    terminate_cleanly(procs)
    for name in ("router1", "router2"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()


def test_mismatched_tunnel_keys_carry_nothing(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, procs = gre_pair(netlab, tmp_path, (TRANSPORT_SET, TRANSPORT_SET))
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 20, "GRE ping")
    config = (tmp_path / "router2.cfg").read_text().replace(" tunnel key 7\n", " tunnel key 8\n")
    (tmp_path / "router2.cfg").write_text(config)
    procs[1].send_signal(1)  # SIGHUP: Router2 reloads with the other key
    wait_for(
        lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode != 0, 20, "the key to apply"
    )
    assert ping(r1, "192.168.1.1", "192.168.2.1", 3).returncode != 0
    assert packets(ipsec_sa(tmp_path, "router2"), "decaps") > 0  # decrypted, then dropped
    terminate_cleanly(procs)
