"""What can be checked without network namespaces: binding the config to host interfaces,
TUN names, port mapping, the key log, the control protocol, and a daemon on loopback that
shrugs off hostile datagrams."""

from __future__ import annotations

import ipaddress
import random
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from pyike.codec.registry import EncrId, IntegId
from pyike.config import load, load_file
from pyike.crypto.keys import IkeKeys
from pyike.net.binding import (
    BindingError,
    KernelRoute,
    bind_interfaces,
    parse_binds,
    tun_name,
)
from pyike.net.control import ControlClient, ControlError, decode_request, encode
from pyike.net.keylog import KeyLog, esp_key_lines, ike_key_line, split_keylog
from pyike.net.ports import PortMap, port_map
from pyike.wireshark_keys import parse_key_table
from tests.support.daemons import LOOPBACK_RESPONDER, start_loopback_responder
from tests.support.gateway_inputs import child_sa_info, host_interface
from tests.support.netns import PYIKE
from tests.support.paths import SEED_CONFIGS

HOST = [
    host_interface("lo", 1, "127.0.0.1/8", "192.168.1.1/24"),
    host_interface("eth1", 2, "10.0.0.1/24"),
]


def test_seed_interfaces_bind_by_address() -> None:
    binding = bind_interfaces(load_file(SEED_CONFIGS / "router1.cfg").config, HOST)
    assert binding.host_name("Ethernet0/0") == "eth1"
    assert binding.host_name("Loopback0") == "lo"
    (tunnel,) = binding.tunnels
    assert (tunnel.interface, tunnel.device, tunnel.mtu) == ("Tunnel0", "tun-Tunnel0", 1400)
    assert [str(a) for a in tunnel.addresses] == ["172.16.0.101/24"]
    # the default route via 10.0.0.2 belongs to the host; only the route into Tunnel0 is ours
    assert binding.routes == (KernelRoute(ipaddress.ip_network("192.168.2.1/32"), "tun-Tunnel0"),)


def test_explicit_bind_wins_and_bad_binds_are_errors() -> None:
    cfg = load_file(SEED_CONFIGS / "router1.cfg").config
    other = [*HOST, host_interface("veth9", 3)]
    binding = bind_interfaces(cfg, other, parse_binds(["e0/0=veth9"]))
    assert binding.host_name("Ethernet0/0") == "veth9"
    with pytest.raises(BindingError, match="no device eth7"):
        bind_interfaces(cfg, HOST, {"Ethernet0/0": "eth7"})
    with pytest.raises(BindingError, match="has no Serial0"):
        bind_interfaces(cfg, HOST, {"Serial0": "eth1"})
    with pytest.raises(BindingError, match="expected INTERFACE=HOSTDEVICE"):
        parse_binds(["Ethernet0/0"])


def test_unmatched_interface_stays_unbound() -> None:
    binding = bind_interfaces(
        load_file(SEED_CONFIGS / "router1.cfg").config, [host_interface("lo", 1, "127.0.0.1/8")]
    )
    assert binding.host_name("Ethernet0/0") is None


def test_tun_names_fit_ifnamsiz_and_stay_distinct() -> None:
    assert tun_name("Tunnel0") == "tun-Tunnel0"
    long_names = [f"Tunnel{n}" for n in (12345, 12346, 99999999)]
    names = [tun_name(n) for n in long_names]
    assert all(len(n) <= 15 for n in names)
    assert len(set(names)) == len(names)


def test_port_map_keeps_the_engine_on_500_and_4500() -> None:
    ports = port_map(20500)
    assert (ports.ike, ports.nat_t) == (20500, 24500)
    assert ports.to_engine(20500) == 500 and ports.to_engine(24500) == 4500
    assert ports.to_wire(4500) == 24500 and ports.to_wire(31000) == 31000
    assert PortMap().to_wire(500) == 500
    with pytest.raises(ValueError):
        port_map(65000)


def test_keylog_lines_read_back_and_file_is_private(tmp_path: Path) -> None:
    # SK_ei and SK_er of AES-CBC-128's 16 octets, the others of SHA-1's 20
    ike_keys = IkeKeys(*(bytes([i]) * (16 if i in (3, 4) else 20) for i in range(7)))
    line = ike_key_line(
        b"\xaa" * 8, b"\xbb" * 8, EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96, ike_keys
    )
    esp = esp_key_lines(child_sa_info())
    assert esp[0] == (
        '"IPv4","10.0.0.1","10.0.0.2","0x0badf00d","AES-CBC [RFC3602]",'
        f'"0x{"01" * 16}","HMAC-SHA-1-96 [RFC2404]","0x{"02" * 20}"'
    )
    assert esp[1].startswith('"IPv4","10.0.0.2","10.0.0.1","0xc0ffee01"')
    path = tmp_path / "keys"
    path.write_text("")
    path.chmod(0o644)  # a pre-existing file loses its wider mode
    log = KeyLog(path)
    log.write([line, *esp])
    log.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ike, esp_lines = split_keylog(path.read_text())
    (entry,) = parse_key_table("\n".join(ike))
    assert entry.spi_i == b"\xaa" * 8 and entry.sk_ei == ike_keys.sk_ei
    assert esp_lines == esp


def test_control_requests_decode_only_commands() -> None:
    assert decode_request(encode({"command": "show crypto session"})) == "show crypto session"
    for bad in (b"", b"{", b"[1]", b'{"command": 7}', b"\xff\xfe"):
        assert decode_request(bad) is None


def test_exec_without_daemon_says_so(tmp_path: Path) -> None:
    with pytest.raises(ControlError, match="cannot reach the pyike daemon"):
        ControlClient(tmp_path / "none.sock")
    done = subprocess.run(
        [*PYIKE, "exec", "--control", str(tmp_path / "none.sock"), "show crypto session"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1 and "cannot reach" in done.stderr and "Traceback" not in done.stderr


def _hostile_datagrams(rng: random.Random) -> list[bytes]:
    header = bytes(8) + bytes(8) + bytes([33, 0x20, 34, 0x08]) + bytes(4)
    return [
        b"",
        b"\x00",
        rng.randbytes(27),
        rng.randbytes(300),
        header + (0xFFFFFFFF).to_bytes(4, "big"),  # IKE_SA_INIT claiming 4 GiB
        rng.randbytes(8) + bytes(8) + bytes([33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28]),
        rng.randbytes(8)
        + bytes(8)
        + bytes([33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 1, 0])
        + bytes([99, 0, 0, 4]) * 58,
    ]


def test_hostile_datagrams_do_not_stop_the_daemon(tmp_path: Path) -> None:
    assert not load(LOOPBACK_RESPONDER).errors
    control = tmp_path / "lo.sock"
    log = (tmp_path / "lo.log").open("wb")
    proc, base = start_loopback_responder(tmp_path, "--debug", stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not control.exists():
            assert proc.poll() is None, (tmp_path / "lo.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        rng = random.Random(6)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for data in _hostile_datagrams(rng) * 3:
            sock.sendto(data, ("127.0.0.1", base))
            sock.sendto(b"\x00\x00\x00\x00" + data, ("127.0.0.1", base + 4000))
            sock.sendto(data or b"\xff", ("127.0.0.1", base + 4000))  # ESP in UDP / keepalive
        sock.close()
        time.sleep(1)
        assert proc.poll() is None
        client = ControlClient(control)
        assert client.run("show crypto ikev2 sa").startswith(" IPv4 Crypto IKEv2  SA")
        assert "Invalid input" in client.run("show crypto bogus")
        assert stat.S_IMODE(control.stat().st_mode) == 0o600
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    output = (tmp_path / "lo.log").read_text()
    assert proc.returncode == 0
    assert "Traceback" not in output and "INTERNAL" not in output
    assert "cisco" not in output  # the PSK never reaches the debug output
    assert not control.exists()


def test_a_config_with_errors_stops_the_start_with_each_error_at_its_line(tmp_path: Path) -> None:
    from pyike.net.runtime import StartupError, load_config

    bad = tmp_path / "bad.cfg"
    bad.write_text(
        "crypto map CMAP 10 ipsec-isakmp\n match address NOPE\n"
        "interface Ethernet0/0\n crypto mapp CMAP\n"
    )
    with pytest.raises(StartupError) as caught:
        load_config(bad)
    text = str(caught.value)
    assert f"{bad}:1: error: crypto map CMAP 10: access list NOPE does not exist" in text
    assert f"{bad}:4: crypto mapp CMAP" in text  # IOS's echo and ^ marker for the typo
    assert "% Invalid input detected at '^' marker." in text
    assert "Diagnostic(" not in text and "Severity" not in text
