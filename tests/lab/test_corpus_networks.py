"""Every network of the real-configuration corpus runs in the lab (issue 13): the published
configurations of each group's routers, with what the page leaves out added after them (as an
engineer would paste it: the interface addresses of the page's diagram, a hostname), and the
routers the page does not show (an ISP between the sites) beside them, bring their IKEv2 tunnels
up and pass pings through them. A group whose routers also have tunnels pyike does not negotiate
(IKEv1 beside IKEv2) names the lab's verdict on each in `# expected:` lines, checked exactly.

Each group is a directory of tests/data/realnetworks (tests/support/realnetworks.py says how
one is laid out). The groups that need DMVPN or FlexVPN
are listed in PENDING until those land.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.realnetworks import CORPUS, GROUPS, assemble, expected_verdicts, members

_REFUSED = re.compile(r"^% pyike lab: \S+: \d+ line\(s\) refused as IOS refuses them")

# Corpus networks that cannot run yet, and what they need.
PENDING: dict[str, str] = {}


@pytest.mark.parametrize("group", GROUPS, ids=[g.name for g in GROUPS])
def test_the_network_comes_up_and_passes_traffic(
    group: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert members(group), f"{group.name}/network.lab names no corpus file"
    assert "ping" in (group / "network.lab").read_text()
    assemble(group, tmp_path)
    code = main(["lab", "--quiet", str(tmp_path)])
    err = capsys.readouterr().err
    verdicts = [line for line in err.splitlines() if line.startswith("% pyike lab: ")]
    unexplained = [line for line in verdicts if not _REFUSED.match(line)]
    # every tunnel UP-ACTIVE but those the group names, every expect (ping) held
    assert unexplained == expected_verdicts(group), err
    assert code == (1 if verdicts else 0)  # refused lines and named tunnels keep it at 1


def test_every_corpus_network_runs_or_says_what_it_waits_for() -> None:
    covered = {m.relative_to(CORPUS).as_posix() for g in GROUPS for m in members(g)}
    assert all((CORPUS / m).exists() for m in covered)
    assert not covered & set(PENDING)
