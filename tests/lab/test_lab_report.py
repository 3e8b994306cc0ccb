"""`pyike lab --report [text|markdown|json|html]`: one row per configured session with its
status, ends, negotiated algorithms and, for failures, `pyike explain`'s cause, judged on a
network that half works: two working tunnels (a VTI and a crypto map), a PSK mismatch, a
peer that is not in the lab, a transform-set mismatch, and a GRE tunnel whose keys differ
(its SAs up, every packet dropped). The HTML page is rendered by headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.browser import rendered_dom
from tests.support.cli import run_cli
from tests.support.paths import EXAMPLES, SEED_CONFIGS

HUB_KEY, WRONG_KEY = "hub-and-spoke-key", "not-the-hub-key"
MAP = "GigabitEthernet0/0 crypto map CMAP 10"

# (router, session) -> (status, cause): what an engineer must read off the report
EXPECTED = {
    ("Hub", "Tunnel1"): ("established", "-"),
    ("Hub", "Tunnel2"): ("IKE failed", "psk_mismatch"),
    ("Hub", "Tunnel3"): ("IPsec failed", "child_proposal_mismatch"),
    ("Hub", "Tunnel4"): ("peer not in lab", "no_response"),
    ("Router1", "Tunnel0"): ("up, no traffic", "probe lost"),
    ("Router2", "Tunnel0"): ("up, no traffic", "probe lost"),
    ("SiteA", MAP): ("established", "-"),
    ("SiteB", MAP): ("established", "-"),
    ("Spoke1", "Tunnel0"): ("established", "-"),
    ("Spoke2", "Tunnel0"): ("IKE failed", "psk_mismatch"),
    ("Spoke3", "Tunnel0"): ("IPsec failed", "child_proposal_mismatch"),
}
ROUTERS = sorted({router for router, _ in EXPECTED})


def _edited(text: str, *changes: tuple[str, str]) -> str:
    """`text` without its lab directives, each `old` replaced by its `new`."""
    text = "".join(line for line in text.splitlines(True) if not line.startswith("! lab:"))
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text


def write_network(directory: Path) -> Path:
    """The examples' hub and spokes, crypto-map sites and the seed's routers, broken in four
    ways an engineer gets wrong."""
    spokes = EXAMPLES / "hub-and-spokes"
    missing_peer = (
        "interface Tunnel4\n ip address 172.16.4.1 255.255.255.252\n tunnel source "
        "GigabitEthernet0/0\n tunnel mode ipsec ipv4\n tunnel destination 203.0.113.14\n "
        "tunnel protection ipsec profile VTI\n"
    )
    files = {
        "hub.cfg": _edited((spokes / "hub.cfg").read_text()) + missing_peer,
        "spoke1.cfg": _edited((spokes / "spoke1.cfg").read_text()),
        "spoke2.cfg": _edited((spokes / "spoke2.cfg").read_text(), (HUB_KEY, WRONG_KEY)),
        "spoke3.cfg": _edited(
            (spokes / "spoke3.cfg").read_text(),
            ("transform-set TSET esp-gcm 256", "transform-set TSET esp-aes 256 esp-sha256-hmac"),
        ),
    }
    for site in ("site-a", "site-b"):
        files[f"{site}.cfg"] = _edited((EXAMPLES / "crypto-map" / f"{site}.cfg").read_text())
    for name, key in (("router1", 100), ("router2", 200)):
        files[f"{name}.cfg"] = _edited(
            (SEED_CONFIGS / f"{name}.cfg").read_text(),
            (" tunnel mode ipsec ipv4\n", f" tunnel mode gre ip\n tunnel key {key}\n"),
        )
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_network(tmp_path_factory.mktemp("report") / "network")


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "lab", "--report", *args)


# --- reading each format back ------------------------------------------------------------------


def text_rows(text: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(router, session) -> (status, cause) from the aligned table, cut at the header's
    column starts."""
    header, *lines = text.split("\n\n")[0].splitlines()
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    rows = {}
    for line in lines:
        ends = zip(starts, [*starts[1:], None], strict=True)
        cells = dict(zip(names, (line[a:b].strip() for a, b in ends), strict=True))
        rows[(cells["ROUTER"], cells["SESSION"])] = (cells["STATUS"], cells["CAUSE"])
    return rows


def markdown_rows(text: str) -> dict[tuple[str, str], tuple[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    names = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[1:]:
        cells = dict(zip(names, (c.strip() for c in line.strip("|").split("|")), strict=True))
        rows[(cells["Router"], cells["Session"])] = (cells["Status"], cells["Cause"])
    return rows


def json_rows(document: dict[str, object]) -> dict[tuple[str, str], dict[str, object]]:
    rows = document["rows"]
    assert isinstance(rows, list)
    return {
        (row["router"], row["interface"] + (f" {row['entry']}" if row["entry"] else "")): row
        for row in rows
    }


def _status_and_cause(row: dict[str, object]) -> tuple[str, str]:
    cause = row["cause"]
    if isinstance(cause, dict):
        return str(row["status"]), str(cause["id"])
    return str(row["status"]), "probe lost" if row["status"] == "up, no traffic" else "-"


# --- the four formats --------------------------------------------------------------------------


def test_text_names_each_sessions_status_and_cause_with_explains_lines(
    capsys: pytest.CaptureFixture[str], network: Path
) -> None:
    code, out, err = report(capsys, str(network))
    assert code == 1  # not every session is established
    assert text_rows(out) == EXPECTED
    psk = out.split("Hub Tunnel2 peer 203.0.113.12 (Spoke2): IKE failed\n")[1].split("\n\n")[0]
    assert "psk_mismatch: Pre-shared key mismatch" in psk
    assert "Verification of peer's authentication data FAILED" in psk  # a decisive line
    assert "Spoke2 Tunnel0 peer 203.0.113.1 (Hub): IKE failed\n  as for Hub Tunnel2" in out
    assert "retransmitted" in out.split("Hub Tunnel4 peer 203.0.113.14: peer not in lab")[1]
    dropped = out.split("Router1 Tunnel0 peer 10.0.0.2 (Router2): up, no traffic\n")[1]
    assert dropped.startswith("  the peer decrypted 1 packet(s) and dropped 1 as not its")
    assert "% pyike lab: 11 sessions: 4 established, 2 up, no traffic, 2 IKE failed" in out
    assert WRONG_KEY not in out + err and HUB_KEY not in out + err
    assert "debug crypto ikev2" not in out + err  # the debug ran, unseen without --debug


def test_markdown_is_a_table_of_the_same_sessions(
    capsys: pytest.CaptureFixture[str], network: Path
) -> None:
    code, out, _ = report(capsys, "markdown", str(network))
    assert code == 1
    assert markdown_rows(out) == EXPECTED
    heads = "| Router | Session | Kind | Local | Peer | Status | Cause | IKE | ESP |\n"
    assert out.startswith(heads)  # acronyms kept
    assert "## Sessions not established" in out
    assert "```\nHub:" in out  # the decisive lines, as they appear in the router's console


def test_json_report_has_rows_counts_and_a_verdict(
    capsys: pytest.CaptureFixture[str], network: Path
) -> None:
    code, out, _ = report(capsys, "json", str(network))
    assert code == 1
    document = json.loads(out)
    assert document["schema"] == "pyike-lab-report/1"
    rows = json_rows(document)
    assert {key: _status_and_cause(row) for key, row in rows.items()} == EXPECTED
    working = rows[("Hub", "Tunnel1")]
    assert working["peer_router"] == "Spoke1" and working["local"] == "203.0.113.1"
    assert working["ike"] == {
        "encryption": "AES-CBC-256",
        "prf": "SHA256",
        "integrity": "SHA256",
        "dh_group": 14,
    }
    assert working["esp"] == {"transform": "esp-gcm 256", "mode": "tunnel"}
    assert rows[("Hub", "Tunnel3")]["ike"] is not None  # IKE came up, the child did not
    assert rows[("Hub", "Tunnel3")]["esp"] is None
    lost = rows[("Hub", "Tunnel4")]
    assert lost["peer_router"] is None and lost["peer"] == "203.0.113.14"
    cause = rows[("Spoke2", "Tunnel0")]["cause"]
    assert isinstance(cause, dict)
    texts = [line["text"] for line in cause["lines"]]
    assert any("AUTHENTICATION_FAILED" in text for text in texts)
    assert {line["router"] for line in cause["lines"]} == {"Hub", "Spoke2"}  # both ends
    assert "GRE key" in str(rows[("Router2", "Tunnel0")]["reason"])
    assert document["counts"] == {
        "established": 4,
        "up, no traffic": 2,
        "IKE failed": 2,
        "IPsec failed": 2,
        "peer not in lab": 1,
        "configuration error": 0,
        "not run": 0,
    }
    verdict = document["verdict"]
    assert verdict["ok"] is False and verdict["summary"] is None
    assert len(verdict["problems"]) == 7


def test_the_html_page_renders_the_table_and_the_topology_in_chromium(
    capsys: pytest.CaptureFixture[str], network: Path, tmp_path: Path
) -> None:
    code, out, _ = report(capsys, "html", str(network))
    assert code == 1
    assert not re.search(r"""(src|href)=|url\(|@import""", out)  # nothing fetched
    page = tmp_path / "report.html"
    page.write_text(out)
    done = rendered_dom(page)
    dom = done.stdout
    table = re.findall(r'<tr class="session-row [^"]*">(.*?)</tr>', dom, re.DOTALL)
    assert len(table) == len(EXPECTED), done.stderr[-2000:]
    heads = ["Router", "Session", "Kind", "Local", "Peer", "Status", "Cause", "IKE", "ESP"]
    assert re.findall(r"<th>([^<]*)</th>", dom) == heads
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in table]
    assert {(c[0], c[1]): (c[5], c[6]) for c in cells} == EXPECTED
    svg = re.search(r'<svg class="topology".*?</svg>', dom, re.DOTALL)
    assert svg is not None
    routers = re.findall(r'<g class="router" data-name="([^"]*)"', svg.group(0))
    assert sorted(routers) == ROUTERS
    assert re.findall(r'<g class="outside" data-name="([^"]*)"', svg.group(0)) == ["203.0.113.14"]
    lines = re.findall(
        r'<path class="session [^"]*" data-router="([^"]*)" data-session="([^"]*)" '
        r'data-status="([^"]*)"',
        svg.group(0),
    )
    assert {(r, s): status for r, s, status in lines} == {
        key: status for key, (status, _) in EXPECTED.items()
    }


# --- what else the report judges ----------------------------------------------------------------


def test_a_healthy_network_exits_0_with_the_labs_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = report(capsys, str(EXAMPLES / "crypto-map"))
    assert code == 0
    assert "% pyike lab: 2 sessions: 2 established; 3 of 3 checks passed" in out
    assert "% pyike lab: 2 crypto sessions UP-ACTIVE on SiteA, SiteB; 3 checks passed." in out


def test_without_config_the_report_is_on_the_seeds_routers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = report(capsys, "json")
    assert code == 0
    rows = json_rows(json.loads(out))
    assert {key: row["status"] for key, row in rows.items()} == {
        ("Router1", "Tunnel0"): "established",
        ("Router2", "Tunnel0"): "established",
    }


def test_each_crypto_map_acl_line_is_a_session_of_its_own(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The entry's first line comes up; the second's selectors do not mirror: that line alone
    is IPsec failed, with explain's traffic-selector cause."""
    second = {"a": "172.31.10.0 0.0.0.255 172.31.20.0", "b": "172.31.21.0 0.0.0.255 172.31.10.0"}
    for site, line in second.items():
        text = _edited((EXAMPLES / "crypto-map" / f"site-{site}.cfg").read_text())
        (tmp_path / f"site-{site}.cfg").write_text(
            f"{text}ip access-list extended VPN-TRAFFIC\n permit ip {line} 0.0.0.255\n"
        )
    code, out, _ = report(capsys, "json", str(tmp_path))
    assert code == 1
    rows = json_rows(json.loads(out))
    assert {key: _status_and_cause(row) for key, row in rows.items()} == {
        ("SiteA", MAP): ("established", "-"),
        ("SiteA", f"{MAP} line 2"): ("IPsec failed", "ts_mismatch"),
        ("SiteB", MAP): ("established", "-"),
        ("SiteB", f"{MAP} line 2"): ("IPsec failed", "ts_mismatch"),
    }


def test_sessions_the_lab_does_not_run_say_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """AH, which pyike does not negotiate, is `not run`; a tunnel without a destination is a
    `configuration error`; a shut-down tunnel is no session."""
    extra = (
        "crypto ipsec transform-set AH-ONLY ah-sha-hmac\ncrypto ipsec profile AH\n set "
        "transform-set AH-ONLY\n set ikev2-profile IKEV2-SETUP\n"
        "interface Tunnel1\n tunnel source Ethernet0/0\n tunnel mode ipsec ipv4\n tunnel "
        "destination 10.0.0.2\n tunnel protection ipsec profile AH\n"
        "interface Tunnel2\n tunnel source Ethernet0/0\n tunnel mode ipsec ipv4\n tunnel "
        "protection ipsec profile phse2-prof\n"
        "interface Tunnel3\n shutdown\n tunnel source Ethernet0/0\n tunnel destination "
        "10.0.0.2\n tunnel protection ipsec profile phse2-prof\n"
    )
    (tmp_path / "router1.cfg").write_text((SEED_CONFIGS / "router1.cfg").read_text() + extra)
    (tmp_path / "router2.cfg").write_text((SEED_CONFIGS / "router2.cfg").read_text())
    code, out, _ = report(capsys, "json", str(tmp_path))
    assert code == 1
    rows = json_rows(json.loads(out))
    assert {key: row["status"] for key, row in rows.items()} == {
        ("Router1", "Tunnel0"): "established",
        ("Router1", "Tunnel1"): "not run",
        ("Router1", "Tunnel2"): "configuration error",
        ("Router2", "Tunnel0"): "established",
    }
    assert "pyike does not negotiate AH" in str(rows[("Router1", "Tunnel1")]["reason"])
    assert "no tunnel destination" in str(rows[("Router1", "Tunnel2")]["reason"])


def test_a_line_a_router_refused_fails_the_report_as_it_fails_the_lab(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for site in ("site-a", "site-b"):
        text = (EXAMPLES / "crypto-map" / f"{site}.cfg").read_text()
        (tmp_path / f"{site}.cfg").write_text(
            text + ("show running-config\n" if site == "site-a" else "")
        )
    code, out, err = report(capsys, "json", str(tmp_path))
    assert code == 1
    document = json.loads(out)
    assert document["counts"]["established"] == 2
    assert document["verdict"]["problems"] == [
        f"{tmp_path / 'site-a.cfg'}: 1 line(s) refused as IOS refuses them (shown above); the "
        "router ran without them"
    ]
    assert "% Invalid input detected at '^' marker." in err


def test_debug_shows_the_routers_consoles_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = report(capsys, "json", "--debug", str(EXAMPLES / "crypto-map"))
    assert code == 0
    assert json.loads(out)["verdict"]["ok"] is True  # stdout stays the report alone
    assert "SiteA: SiteA#debug crypto ikev2 packet" in err
    assert re.search(r"^SiteB: \*\S+ \S+ \S+: IKEv2:\(SA ID = 1\):", err, re.MULTILINE)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--report", "--json"], "--json and --report cannot be used together"),
        (["--report", "--quiet"], "--quiet does not apply to --report"),
        (["--report", "--no-debug"], "--no-debug does not apply to --report"),
        (["--report", "--netns"], "--report does not apply to --netns"),
        (["--report", "htm"], "--report: 'htm' is neither a format (text, markdown, json, html)"),
    ],
)
def test_report_options_that_cannot_apply_are_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["lab", *argv])
    assert exit_.value.code == 2
    assert f"pyike lab: error: {message}" in capsys.readouterr().err
