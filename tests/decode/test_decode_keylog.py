"""`pyike decode --keys` reads the key log `pyike run --keylog` writes, as it is.

Two gateways (the seed's routers) run in memory as `pyike run` drives them, one writing its
key log; what they send each other is captured with the lab's pcap writer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.config import load_file
from pyike.net.keylog import KeyLog
from pyike.sim.pcap import PcapRecorder
from tests.support.cli import run_cli
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import SEED_CONFIGS


@pytest.fixture
def keylog_and_capture(tmp_path: Path) -> tuple[Path, Path]:
    """The seed's tunnel brought up, its IKE SA and Child SA rekeyed, then cleared; Router1
    logging its keys."""
    keys, pcap = tmp_path / "keylog", tmp_path / "ike.pcap"
    log = KeyLog(keys)
    with PcapRecorder(pcap) as capture:
        pair = GatewayPair(
            load_file(SEED_CONFIGS / "router1.cfg").config,
            load_file(SEED_CONFIGS / "router2.cfg").config,
            names=("router1", "router2"),
            capture=capture,
            options=({"keylog": log}, {}),
        )
        router1, router2 = pair.a, pair.b
        for step in (
            router1.start_all,
            lambda: router1.rekey(ike=True),
            lambda: router2.rekey(ike=False),
            router1.clear,
        ):
            step()
            pair.pump()
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


def test_a_broken_ike_line_in_a_key_log_is_named_and_passed_over(
    capsys: pytest.CaptureFixture[str], keylog_and_capture: tuple[Path, Path], tmp_path: Path
) -> None:
    keys, pcap = keylog_and_capture
    lines = keys.read_text().splitlines()
    ike_at = next(n for n, line in enumerate(lines) if not line.startswith('"IPv'))
    spis = lines[ike_at].split(",")[:2]
    lines[ike_at] = lines[ike_at].replace(",", ",zz", 1)
    broken = tmp_path / "broken"
    broken.write_text("\n".join(lines) + "\n")
    code, out, err = run_cli(capsys, "decode", "--keys", str(broken), str(pcap))
    assert code == 1
    assert err == f"% {broken}:{ike_at + 1}: responder SPI is not hexadecimal; line skipped\n"
    assert f"no keys for IKE SA {'/'.join(spis).upper()}" in out  # that SA only
    assert "Auth method PSK" not in out and " DELETE  Next payload:" in out


def test_a_broken_esp_line_in_a_key_log_is_named_and_passed_over(
    capsys: pytest.CaptureFixture[str], keylog_and_capture: tuple[Path, Path], tmp_path: Path
) -> None:
    keys, pcap = keylog_and_capture
    lines = keys.read_text().splitlines()
    esp_at = next(n for n, line in enumerate(lines) if line.startswith('"IPv'))
    lines[esp_at] = lines[esp_at].rsplit(",", 1)[0]  # the integrity key lost
    broken = tmp_path / "broken"
    broken.write_text("\n".join(lines) + "\n")
    code, out, err = run_cli(capsys, "decode", "--keys", str(broken), str(pcap))
    assert code == 1
    assert err == (
        f"% {broken}:{esp_at + 1}: ESP SA line (esp_sa format): expected 8 comma-separated "
        "fields, got 7; line skipped\n"
    )
    assert "Auth method PSK" in out and "IKEv2-ERROR" not in out
