"""`pyike decode --keys` reads the key log `pyike run --keylog` writes, as it is.

Two gateways (the seed's routers) run in memory as `pyike run` drives them, one writing its
key log; what they send each other is captured with the lab's pcap writer.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load_file
from pyike.ike.events import ChildSaInfo, Endpoint
from pyike.net.gateway import Gateway
from pyike.net.keylog import KeyLog
from pyike.node.ip import PROTO_UDP, IPv4Packet
from pyike.node.udp import UdpDatagram
from pyike.sim.network import CapturedPacket
from pyike.sim.pcap import PcapRecorder
from tests.decode.test_decode_cli import run_cli

SEED = Path(__file__).parents[2] / "src" / "pyike" / "data" / "seed"


class _NoTimer:
    def cancel(self) -> None:
        return None


class _CapturingWire:
    """Delivers IKE to the peer gateway (queued: no re-entrance) and captures it."""

    def __init__(self, queue: list[Callable[[], None]], capture: PcapRecorder) -> None:
        self.queue = queue
        self.capture = capture
        self.peer: Gateway | None = None

    def send_ike(self, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        src, dst = int(local.address), int(remote.address)
        udp = UdpDatagram(local.port, remote.port, data).to_bytes(src, dst)
        packet = IPv4Packet(src, dst, PROTO_UDP, udp).to_bytes()
        self.capture(CapturedPacket(self.capture.count * 0.001, "wan", "", "", packet))
        peer = self.peer
        assert peer is not None
        self.queue.append(lambda: peer.receive_ike(remote, local, data))

    def send_esp(self, child: ChildSaInfo, esp: bytes, udp: bool) -> None:
        return None

    def write_tunnel(self, tunnel: str, packet: bytes) -> None:
        return None


def _gateway(name: str, wire: _CapturingWire, keylog: KeyLog | None) -> Gateway:
    config = load_file(SEED / f"{name}.cfg").config
    policy, tunnels = policy_for_config(config)
    return Gateway(
        config,
        policy,
        tunnels,
        wire,
        clock=lambda: 100.0,
        call_later=lambda _delay, _callback: _NoTimer(),
        random_bytes=random.Random(name).randbytes,
        keylog=keylog,
    )


@pytest.fixture
def keylog_and_capture(tmp_path: Path) -> tuple[Path, Path]:
    """The seed's tunnel brought up, its IKE SA and Child SA rekeyed, then cleared; Router1
    logging its keys."""
    keys, pcap = tmp_path / "keylog", tmp_path / "ike.pcap"
    queue: list[Callable[[], None]] = []
    log = KeyLog(keys)
    with PcapRecorder(pcap) as capture:
        wire1, wire2 = _CapturingWire(queue, capture), _CapturingWire(queue, capture)
        router1 = _gateway("router1", wire1, log)
        router2 = _gateway("router2", wire2, None)
        wire1.peer, wire2.peer = router2, router1
        for step in (
            router1.start_all,
            lambda: router1.rekey(ike=True),
            lambda: router2.rekey(ike=False),
            router1.clear,
        ):
            step()
            while queue:
                queue.pop(0)()
    log.close()
    return keys, pcap


def test_decode_reads_the_gateway_key_log_as_it_is(
    capsys: pytest.CaptureFixture[str], keylog_and_capture: tuple[Path, Path]
) -> None:
    keys, pcap = keylog_and_capture
    lines = keys.read_text().splitlines()
    assert any(line.startswith('"IPv4","10.0.0.1","10.0.0.2"') for line in lines)  # ESP SAs
    code, out, err = run_cli(capsys, "decode", "--keys", str(keys), str(pcap))
    assert (code, err) == (0, "")
    blocks = [b for b in out.split("\n\n") if b.startswith("Frame ")]
    encrypted = [b for b in blocks if " ENCR  Next payload:" in b]
    assert len(encrypted) >= 8  # IKE_AUTH, two CREATE_CHILD_SA exchanges, the deletes
    assert "no keys" not in out and "IKEv2-ERROR" not in out
    assert "Auth method PSK" in out  # IKE_AUTH, under the first IKE SA's keys
    assert out.count(" DELETE  Next payload:") >= 2  # the rekeyed IKE SA's and the clear's
    assert "Protocol id: IKE, SPI size: 8" in out  # the IKE SA rekey, inside ENCR


def test_a_broken_ike_line_in_a_key_log_is_named(
    capsys: pytest.CaptureFixture[str], keylog_and_capture: tuple[Path, Path], tmp_path: Path
) -> None:
    keys, pcap = keylog_and_capture
    lines = keys.read_text().splitlines()
    ike_at = next(n for n, line in enumerate(lines) if not line.startswith('"IPv'))
    lines[ike_at] = lines[ike_at].replace(",", ",zz", 1)
    broken = tmp_path / "broken"
    broken.write_text("\n".join(lines) + "\n")
    code, out, err = run_cli(capsys, "decode", "--keys", str(broken), str(pcap))
    assert code == 2 and out == ""
    assert err == (
        f"% Bad key table {broken}: line {ike_at + 1}: responder SPI is not hexadecimal\n"
    )


def test_a_broken_esp_line_in_a_key_log_is_named(
    capsys: pytest.CaptureFixture[str], keylog_and_capture: tuple[Path, Path], tmp_path: Path
) -> None:
    keys, pcap = keylog_and_capture
    lines = keys.read_text().splitlines()
    esp_at = next(n for n, line in enumerate(lines) if line.startswith('"IPv'))
    lines[esp_at] = lines[esp_at].rsplit(",", 1)[0]  # the integrity key lost
    broken = tmp_path / "broken"
    broken.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "decode", "--keys", str(broken), str(pcap))
    assert code == 2
    assert f"line {esp_at + 1}: ESP SA line (esp_sa format): expected 8" in err
