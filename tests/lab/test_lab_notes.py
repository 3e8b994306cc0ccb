"""What the lab does not run is said, not left for the user to find: a router's dynamic routing
protocols (kept in its configuration, never run), a router without a hostname (named after its
file), lines IOS refuses (the router runs without them, and the verdict stays 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from pyike.config import load_file
from pyike.netns.run import runnable_copies
from pyike.topology import TopologyError, load_topology
from tests.support.paths import EXAMPLES, SEED_CONFIGS


def _seed_pair(tmp: Path, extra1: str = "", extra2: str = "") -> list[Path]:
    files = []
    for name, extra in (("router1.cfg", extra1), ("router2.cfg", extra2)):
        path = tmp / name
        path.write_text((SEED_CONFIGS / name).read_text() + extra)
        files.append(path)
    return files


def test_a_routing_protocol_is_named_as_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ospf = "router ospf 1\n network 192.168.1.0 0.0.0.255 area 0\nrouter eigrp 10\n"
    assert main(["lab", "--quiet", *map(str, _seed_pair(tmp_path, extra1=ospf))]) == 0
    out = capsys.readouterr().out
    assert (
        "% pyike lab: Router1: router eigrp, router ospf kept but not run: the lab routes by "
        "connected and static routes only\n"
    ) in out
    assert "Router2: router" not in out


def test_routers_without_a_hostname_take_their_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seed_pair(tmp_path, extra1="no hostname Router1\n", extra2="no hostname Router2\n")
    check = "! lab: expect router1: show crypto session => UP-ACTIVE\n"
    files[0].write_text(check + files[0].read_text())
    assert main(["lab", "--quiet", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert f"% pyike lab: {files[0]} has no hostname: this lab calls it router1\n" in out
    assert "UP-ACTIVE on router1, router2; 1 checks passed." in out


def test_a_refused_line_is_shown_the_router_runs_without_it_and_the_verdict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seed_pair(tmp_path, extra2="sh cyrpto ikev2 sa\n")
    assert main(["lab", "--quiet", *map(str, files)]) == 1
    captured = capsys.readouterr()
    assert f"{files[1]}:" in captured.err and "% Invalid input detected at '^' marker." in (
        captured.err
    )
    assert "2 crypto sessions UP-ACTIVE on Router1, Router2; 0 checks passed." in captured.out
    assert captured.err.strip().splitlines()[-1] == (
        f"% pyike lab: {files[1]}: 1 line(s) refused as IOS refuses them (shown above); the "
        "router ran without them"
    )


def test_netns_runs_a_router_from_a_copy_without_its_refused_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seed_pair(tmp_path, extra2="sh cyrpto ikev2 sa\nhostname Router2\n")
    work = tmp_path / "work"
    work.mkdir()
    copies = runnable_copies(load_topology(files), work)
    assert "% Invalid input detected at '^' marker." in capsys.readouterr().err
    assert list(copies) == [str(files[1])]  # Router1 loads clean: its own file
    published = files[1].read_text().splitlines()
    ran = copies[str(files[1])].read_text().splitlines()
    refused = published.index("sh cyrpto ikev2 sa")
    # the refused line blanked, every other line where it was (messages keep their numbers)
    assert ran == [*published[:refused], "!", *published[refused + 1 :]]
    assert not load_file(copies[str(files[1])]).errors


def test_netns_refuses_a_router_with_trustpoints_that_does_not_load_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seed_pair(tmp_path, extra2="crypto pki trustpoint CA\nsh cyrpto ikev2 sa\n")
    with pytest.raises(TopologyError, match="with trustpoints only from a configuration that"):
        runnable_copies(load_topology(files), tmp_path)


def test_a_crypto_map_line_without_an_sa_fails_the_verdict_though_its_entry_is_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show crypto session` folds every ACL line of an entry into one session: the first line
    up is UP-ACTIVE, but a second line whose selectors the peer refuses is traffic in clear."""
    second = {"a": "172.31.10.0 0.0.0.255 172.31.20.0", "b": "172.31.21.0 0.0.0.255 172.31.10.0"}
    files = []
    for site, line in second.items():
        text = (EXAMPLES / "crypto-map" / f"site-{site}.cfg").read_text()
        text = "".join(x for x in text.splitlines(True) if not x.startswith("! lab:"))
        path = tmp_path / f"site-{site}.cfg"
        path.write_text(f"{text}ip access-list extended VPN-TRAFFIC\n permit ip {line} 0.0.0.255\n")
        files.append(path)
    assert main(["lab", "--quiet", *map(str, files)]) == 1
    err = capsys.readouterr().err
    for host in ("SiteA", "SiteB"):
        assert (
            f"% pyike lab: {host} crypto map CMAP 10 line 2: no IPsec SA (the entry's session is "
            "up, this line's traffic is not protected)"
        ) in err
    assert "session UP-IDLE" not in err and "DOWN" not in err
