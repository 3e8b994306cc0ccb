"""NHRP in GRE in the clear (a DMVPN network without `tunnel protection`): `pyike decode`
shows it as it shows NHRP opened from ESP, in `debug nhrp packet`'s words; tshark agrees on
which frames are NHRP and what each is. The capture is the lab's own wire."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.lab.lab import Lab
from pyike.sim.pcap import PcapRecorder
from tests.support.cli import run_cli
from tests.support.dmvpn import PING, texts, unprotected
from tests.support.tools import require_tool

NHRP_TYPES = {  # RFC 2332 packet type -> IOS's name
    1: "Resolution Request",
    2: "Resolution Reply",
    3: "Registration Request",
    4: "Registration Reply",
    8: "Traffic Indication",
}


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spokes registering, then Spoke1 pinging Spoke3's LAN (redirect, resolution)."""
    path = tmp_path_factory.mktemp("nhrp") / "dmvpn-clear.pcap"
    configs = [load(text, name).raise_for_errors() for name, text in texts(unprotected).items()]
    lab = Lab(configs, policy_for_config)
    with PcapRecorder(path) as recorder:
        lab.network.add_capture(recorder)
        lab.bring_up_tunnels()
        lab.run_for(20)
        assert "Success rate is 100 percent" in lab.exec("Spoke1", PING)
        lab.run_for(5)
    return path


def decoded(capsys: pytest.CaptureFixture[str], pcap: Path) -> tuple[int, str]:
    code, out, _ = run_cli(capsys, "decode", str(pcap))
    return code, out


def test_nhrp_in_clear_gre_is_shown_as_ios_debugs_it(
    capsys: pytest.CaptureFixture[str], capture: Path
) -> None:
    code, out = decoded(capsys, capture)
    assert code == 0
    assert ": 198.51.100.2 -> 203.0.113.2 (GRE)\nNHRP: Registration Request, packet size: " in out
    assert "     src NBMA: 198.51.100.2\n" in out
    assert "     src protocol: 10.0.0.11, dst protocol: 10.0.0.1\n" in out
    assert "NHRP: Registration Reply, packet size: " in out
    assert "NHRP: Traffic Indication, packet size: " in out  # the hub's redirect
    assert "NHRP: Resolution Request, packet size: " in out
    assert "dmvpn3" not in out  # the NHRP password: its type only, as IOS prints it
    assert "NHRP packet(s) in GRE in " in out.splitlines()[-1]


def test_the_nhrp_frames_are_the_ones_tshark_sees(
    capsys: pytest.CaptureFixture[str], capture: Path
) -> None:
    """The pings' GRE carries IP, not NHRP: only NHRP frames are shown, each as tshark
    reads its type and size."""
    command = [require_tool("tshark"), "-r", str(capture), "-Y", "nhrp", "-T", "fields"]
    command += ["-E", "separator=;", "-e", "frame.number", "-e", "nhrp.hdr.op.type"]
    command += ["-e", "nhrp.hdr.pktsz"]
    rows = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    theirs: dict[int, tuple[str, int]] = {}
    for row in rows.splitlines():
        number, kind, size = row.split(";")
        theirs[int(number)] = (NHRP_TYPES[int(kind)], int(size))
    _, out = decoded(capsys, capture)
    ours: dict[int, tuple[str, int]] = {}
    frame = 0
    for line in out.splitlines():
        if line.startswith("Frame "):
            frame = int(line.split()[1])
        elif line.startswith("NHRP: "):
            kind, size = line.removeprefix("NHRP: ").split(", packet size: ")
            ours[frame] = (kind, int(size))
    assert len(ours) > 12 and ours == theirs


def test_json_gives_each_nhrp_packet(capsys: pytest.CaptureFixture[str], capture: Path) -> None:
    code, out, _ = run_cli(capsys, "decode", "--json", str(capture))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    first = records[0]
    assert (first["src"], first["dst"]) == ("198.51.100.2", "203.0.113.2")
    assert first["gre"]["nhrp"][0].startswith("NHRP: Registration Request")
    assert all(r["problems"] == [] for r in records)
