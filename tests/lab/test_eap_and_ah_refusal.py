"""What pyike does not negotiate never comes up in the lab, and nothing weaker comes up in its
place: a profile demanding EAP refuses a pre-shared key with AUTHENTICATION_FAILED, and a
tunnel whose transform sets have AH never comes up with ESP alone (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.paths import SEED_CONFIGS


def _seed(tmp: Path, name: str, old: str, new: str) -> Path:
    text = (SEED_CONFIGS / name).read_text()
    assert old in text
    path = tmp / name
    path.write_text(text.replace(old, new))
    return path


def _with_ah(tmp: Path, name: str) -> Path:
    return _seed(tmp, name, "transform-set TS esp-3des", "transform-set TS ah-sha-hmac esp-3des")


@pytest.mark.parametrize("remote", ["eap", "eap query-identity"])
def test_the_lab_refuses_a_psk_peer_where_eap_is_required(
    tmp_path: Path, remote: str, capsys: pytest.CaptureFixture[str]
) -> None:
    r2 = _seed(
        tmp_path,
        "router2.cfg",
        " authentication remote pre-share\n",
        f" authentication remote {remote}\n",
    )
    assert main(["lab", str(SEED_CONFIGS / "router1.cfg"), str(r2)]) == 1
    captured = capsys.readouterr()
    assert "Session status: UP-ACTIVE" not in captured.out
    assert "Router2 Tunnel0 peer 10.0.0.1: session DOWN" in captured.err
    assert "(AUTHENTICATION_FAILED)" in captured.err


def test_the_lab_says_tunnels_with_ah_are_not_negotiated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [_with_ah(tmp_path, "router1.cfg"), _with_ah(tmp_path, "router2.cfg")]
    assert main(["lab", *map(str, files)]) == 1
    captured = capsys.readouterr()
    assert "UP-ACTIVE" not in captured.out
    for host in ("Router1", "Router2"):
        assert f"{host} Tunnel0 offers only transform sets with AH (TS: ah-sha-hmac)" in (
            captured.err
        )
    assert "no router protects anything" not in captured.err  # the tunnels are named instead


def test_a_peer_offering_esp_alone_is_refused_where_ah_is_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r2 = _with_ah(tmp_path, "router2.cfg")
    assert main(["lab", str(SEED_CONFIGS / "router1.cfg"), str(r2)]) == 1
    captured = capsys.readouterr()
    assert "UP-ACTIVE" not in captured.out
    assert "Router1 Tunnel0 peer 10.0.0.2: session UP-IDLE" in captured.err
    assert "NO_PROPOSAL_CHOSEN" in captured.err
