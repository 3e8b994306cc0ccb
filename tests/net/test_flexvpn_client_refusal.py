"""`pyike run` and FlexVPN clients, without namespaces: a client line that follows a track
object pyike run cannot probe (an IPv6 icmp-echo, a kind of track other than `ip sla`) is
refused at start, naming the line and why (the track would never change); IPv4 icmp-echo
tracks are run (tests/gateway/test_ip_sla_gateway.py); names `ip host` lacks are asked of the
system resolver, off the event loop."""

from __future__ import annotations

import asyncio
import subprocess
from ipaddress import IPv4Address
from pathlib import Path

from pyike.config import load
from pyike.net.flexvpn_names import SystemNames
from pyike.net.runtime import unprobed_tracking
from tests.support.netns import PYIKE
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "flexvpn-client-failover" / "spoke.cfg"

CLIENT = """crypto ikev2 client flexvpn HUBS
 peer 1 10.0.0.1
 peer 2 fqdn hub2.example.com
 client connect Tunnel0
"""


def test_pyike_run_refuses_an_ipv6_probe_naming_the_tracked_peer(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace(
        " icmp-echo 10.0.0.1 source-interface Ethernet0/0\n  frequency 5\n",
        " icmp-echo 2001:db8::1\n",
    )
    assert "icmp-echo 2001:db8::1" in text
    config = tmp_path / "spoke.cfg"
    config.write_text(text)
    done = subprocess.run(
        [*PYIKE, "run", str(config), "--control", str(tmp_path / "s.sock"), "--no-drop"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"% pyike run: {config}:29: crypto ikev2 client flexvpn HUBS: 'peer 1 10.0.0.1 "
        "track 1' follows track 1, whose ip sla 1 'icmp-echo 2001:db8::1' pyike run does not "
        "probe (it probes IPv4 icmp-echo operations only)\n"
    )


def test_ipv4_echo_tracks_run_and_other_kinds_are_refused() -> None:
    assert unprobed_tracking(load(CLIENT).config) is None
    assert unprobed_tracking(load(EXAMPLE.read_text()).config) is None  # track 1: IPv4 echo
    reactivate = CLIENT + " peer reactivate\n connect track 3 down\n"
    assert unprobed_tracking(load(reactivate).config) is None  # track 3 undefined: Down
    interface = "track 3 interface Ethernet0/0 line-protocol\n"
    refusal = unprobed_tracking(load(reactivate + interface).config)
    assert refusal == (
        "<config>:1: crypto ikev2 client flexvpn HUBS: 'connect track 3 down' follows 'track 3 "
        "interface Ethernet0/0 line-protocol', a kind of track pyike run does not follow"
    )
    tracked = CLIENT.replace("fqdn hub2.example.com", "fqdn hub2.example.com track 2 down")
    ipv6 = "track 2 ip sla 2\nip sla 2\n icmp-echo 2001:db8::2\n"
    refusal = unprobed_tracking(load(tracked + ipv6).config)
    assert refusal is not None and "'peer 2 fqdn hub2.example.com track 2 down'" in refusal
    assert "'icmp-echo 2001:db8::2'" in refusal


def test_system_names_are_looked_up_once_and_unknown_ones_logged() -> None:
    clients = load(CLIENT.replace("hub2.example.com", "localhost")).config.flexvpn.clients
    unknown = load(CLIENT.replace("hub2.example.com", "nowhere.invalid")).config.flexvpn.clients
    logged: list[str] = []

    async def look_up() -> SystemNames:
        names = SystemNames(logged.append)
        loop = asyncio.get_running_loop()
        await names.resolve_all(loop, [*clients.values(), *unknown.values()], {})
        return names

    names = asyncio.run(look_up())
    assert names.get("LOCALHOST.", False) == IPv4Address("127.0.0.1")
    assert names.get("nowhere.invalid", False) is None
    assert logged and logged[0].startswith(
        "%PYIKE-4-FLEXVPN_NAME: nowhere.invalid does not resolve"
    )


def test_a_name_ip_host_gives_is_not_asked_of_the_resolver() -> None:
    config = load(CLIENT.replace("hub2.example.com", "nowhere.invalid")).config
    hosts = {"nowhere.invalid": (IPv4Address("10.0.0.2"),)}

    async def look_up() -> SystemNames:
        names = SystemNames(lambda line: None)
        await names.resolve_all(asyncio.get_running_loop(), config.flexvpn.clients.values(), hosts)
        return names

    assert asyncio.run(look_up()).answers == {}


def test_a_dynamic_name_is_looked_up_again_in_the_background() -> None:
    clients = load(CLIENT.replace("hub2.example.com", "localhost")).config.flexvpn.clients

    async def look_up_twice() -> tuple[SystemNames, bool]:
        names = SystemNames(lambda line: None)
        await names.resolve_all(asyncio.get_running_loop(), clients.values(), {})
        names.answers.clear()  # as if the first answer had been a different address
        names.refresh("localhost", False)
        pending = names.get("localhost", False) is None  # the lookup runs off the loop
        for _ in range(200):
            if names.get("localhost", False) is not None:
                break
            await asyncio.sleep(0.05)
        return names, pending

    names, pending = asyncio.run(look_up_twice())
    assert pending
    assert names.get("localhost", False) == IPv4Address("127.0.0.1")
