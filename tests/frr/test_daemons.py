"""What FRR's daemons leave for reading: the IOS lines FRR refused, named by the IOS line
(keys masked), never by FRR's quote of the line."""

from __future__ import annotations

from pathlib import Path

from pyike.config import load
from pyike.frr.daemons import FrrInstance
from pyike.frr.translate import translate

CONFIG = """hostname R1
interface Loopback0
 ip address 10.1.0.1 255.255.255.0
router bgp 65001
 neighbor 10.0.0.1 remote-as 65000
 neighbor 10.0.0.1 password s3cret-key
 neighbor 10.0.0.1 fall-over bfd
"""


def test_refused_lines_are_named_by_the_ios_line_with_keys_masked(tmp_path: Path) -> None:
    setup = translate(load(CONFIG, "r1.cfg").config, {"Loopback0": "lo"})
    assert setup is not None
    bgpd = setup.daemon("bgpd")
    assert bgpd is not None
    lines = bgpd.text.splitlines()
    password = lines.index(" neighbor 10.0.0.1 password s3cret-key") + 1
    bfd = lines.index(" neighbor 10.0.0.1 fall-over bfd") + 1
    instance = FrrInstance("R1", setup, "pyike-t-R1", "pyike-t-R1-test", tmp_path)
    log = instance.log("bgpd")
    log.write_text(
        f"BGP: [SHWNK-NWT5S] No such command on config line {bfd}:  neighbor 10.0.0.1 "
        "fall-over bfd\n"
        f"BGP: [SHWNK-NWT5S] Config Failed on config line {password}:  neighbor 10.0.0.1 "
        "password s3cret-key\n"
    )
    expected = [
        "R1: FRR bgpd did not take `neighbor 10.0.0.1 fall-over bfd`",
        "R1: FRR bgpd did not take `neighbor 10.0.0.1 password *****`",
    ]
    assert list(instance.refused()) == expected
    instance.stop()  # nothing runs; the log a failed run keeps loses the key
    text = log.read_text()
    assert "s3cret-key" not in text
    assert f"config line {password} (IOS: neighbor 10.0.0.1 password *****)" in text
    assert list(instance.refused()) == expected
