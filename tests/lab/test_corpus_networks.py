"""Every network of the real-configuration corpus runs in the lab (issue 13): the published
configurations of each group's routers, with what the page leaves out added after them (as an
engineer would paste it: the interface addresses of the page's diagram, a hostname), and the
routers the page does not show (an ISP between the sites) beside them, bring their IKEv2 tunnels
up and pass pings through them. A group whose routers also have tunnels pyike does not negotiate
(IKEv1 beside IKEv2) names the lab's verdict on each in `# expected:` lines, checked exactly.

Each group is a directory of tests/data/realnetworks (tests/support/realnetworks.py says how
one is laid out). The corpus files
whose networks do not run here are in NOT_RUN with the reason (a routing protocol the
lab does not run; IKEv1-only pairs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.realnetworks import (
    CORPUS,
    GROUPS,
    NETNS_GROUPS,
    assemble,
    expected_verdicts,
    members,
    paired_files,
)

_REFUSED = re.compile(r"^% pyike lab: \S+: \d+ line\(s\) refused as IOS refuses them")

_NETNS = "runs in `pyike lab --netns` only, as group "
_IKEV1 = "IKEv1 only: no IKEv2 tunnel to bring up (pyike names IKEv1 tunnels, never runs them)"
# Corpus files with a partner whose network does not run here, and why: what it waits for, or
# why it is no IKEv2 network to run.
NOT_RUN: dict[str, str] = {
    **dict.fromkeys(
        ["flexvpn/bw-flexvpn-p2p-doha-dvti.cfg", "flexvpn/bw-flexvpn-p2p-tokyo-svti.cfg"],
        _NETNS + "bw-flexvpn-p2p (tests/gateway/test_netns_corpus_eigrp.py): its LANs' only "
        "routes are EIGRP's over Doha's Virtual-Access1, and the simulated lab runs no EIGRP",
    ),
    **dict.fromkeys(
        [
            "certificates/jc-csr-pki-ikev1-cmap-client.cfg",
            "certificates/jc-csr-pki-ikev1-dynmap-server.cfg",
            "crypto-map/jc-ra-gw-1-ikev1-dynamic-map-aggressive.cfg",
            "gre-ipsec/jc-ce1-gre-ikev1-cmap-hostname-id.cfg",
            "dmvpn/ij-dmvpn-p1-ikev1-r11-hub.cfg",
            "dmvpn/ij-dmvpn-p1-ikev1-r5-spoke.cfg",
            "dmvpn/ij-dmvpn-p3-ikev1-r11-hub.cfg",
            "dmvpn/ij-dmvpn-p3-ikev1-r5-spoke.cfg",
            "ipv6/jc-ipv6-gre-ipsec-ikev1-site-a.cfg",
            "ipv6/jc-ipv6-gre-ipsec-ikev1-site-b.cfg",
            "remote-access/jc-ezvpn-server-ikev1-dvti.cfg",
            "remote-access/jc-ezvpn-server-ikev1-dynamic-map.cfg",
        ],
        _IKEV1,
    ),
    **dict.fromkeys(
        [
            "cloud/gcp-asr1000-ios-xe-16.6-cloud-vpn.cfg",
            "cloud/gcp-asr1000-redundant-tunnels-fragment.cfg",
        ],
        "one router (the second file extends the first); the other end is Google Cloud VPN",
    ),
}


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
    assert not covered & set(NOT_RUN)
    assert paired_files() == covered | set(NOT_RUN)


@pytest.mark.parametrize("name", sorted(n for n, why in NOT_RUN.items() if why == _IKEV1))
def test_an_ikev1_only_file_has_no_ikev2_tunnel(name: str) -> None:
    assert "crypto ikev2 profile" not in (CORPUS / name).read_text(errors="replace")


@pytest.mark.parametrize("group", NETNS_GROUPS, ids=[g.name for g in NETNS_GROUPS])
def test_a_netns_only_network_is_named_and_the_simulated_lab_says_why_it_fails(
    group: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for member in members(group):
        assert NOT_RUN[member.relative_to(CORPUS).as_posix()].startswith(_NETNS + group.name)
    assemble(group, tmp_path)
    assert main(["lab", "--quiet", str(tmp_path)]) == 1
    printed = capsys.readouterr()
    verdicts = [v for v in (printed.out + printed.err).splitlines() if v.startswith("% pyike")]
    failed = [line for line in verdicts if "did not print" in line]
    not_run = [line for line in verdicts if "kept but not run: the lab routes by" in line]
    # its tunnels come up (no verdict names one), the routing is named as not run
    assert len(not_run) == len(members(group))
    assert [v for v in verdicts if v not in failed + not_run and not _REFUSED.match(v)] == []
    # every check fails, and says the routes it needs come from the routing protocol
    assert len(failed) == (group / "network.lab").read_text().count("\nexpect ")
    assert all(
        line.endswith(
            "(this router's routes come from router eigrp, which the simulated lab "
            "does not run; try --netns)"
        )
        for line in failed
    ), failed
