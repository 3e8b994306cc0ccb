"""A profile demanding a signature is never satisfied with a pre-shared key (issue 11, item 1):
the lab refuses the PSK peer with AUTHENTICATION_FAILED, and `config check` / `config
explain` say plainly that such a tunnel cannot come up (here: no trustpoint to validate the
peer's certificate with)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.paths import SEED_CONFIGS


def _router2_demanding(tmp: Path, method: str) -> list[Path]:
    r2 = (SEED_CONFIGS / "router2.cfg").read_text()
    assert " authentication remote pre-share\n" in r2
    r2 = r2.replace(" authentication remote pre-share\n", f" authentication remote {method}\n")
    (tmp / "r2.cfg").write_text(r2)
    return [SEED_CONFIGS / "router1.cfg", tmp / "r2.cfg"]


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("method", ["rsa-sig", "ecdsa-sig"])
def test_the_lab_refuses_a_psk_peer_where_a_signature_is_required(
    tmp_path: Path, method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _router2_demanding(tmp_path, method)
    assert main(["lab", *map(str, files)]) == 1
    captured = capsys.readouterr()
    assert "Router2: Session status: UP-ACTIVE" not in captured.out
    assert "Auth verify: PSK" not in captured.out
    assert "Router2 Tunnel0 peer 10.0.0.1: session DOWN" in captured.err
    assert "(AUTHENTICATION_FAILED)" in captured.err


def test_config_check_says_the_tunnel_cannot_come_up_at_the_authentication_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r2 = _router2_demanding(tmp_path, "rsa-sig")[1]
    assert main(["config", "check", str(r2)]) == 1
    out = capsys.readouterr().out
    auth_line = _line_of(r2, "authentication remote rsa-sig")
    tunnel_line = _line_of(r2, "interface Tunnel0")
    assert (
        f"r2.cfg:{auth_line}: warning: crypto ikev2 profile IKEV2-SETUP: requires "
        "'authentication remote rsa-sig' of the peer, but no trustpoint" in out
    )
    assert f"r2.cfg:{tunnel_line}: warning: Tunnel0 cannot come up" in out
    assert out.rstrip().endswith("usable, but Tunnel0 cannot come up")


def test_config_explain_does_not_claim_a_signature_is_checked_with_a_psk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r2 = _router2_demanding(tmp_path, "rsa-sig")[1]
    main(["config", "explain", str(r2)])
    out = capsys.readouterr().out
    assert "the peer must authenticate with rsa-sig\n" in out
    assert "remote key of keyring" not in out
    assert "this tunnel cannot come up" in out


def test_a_psk_alongside_a_signature_method_still_comes_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r2 = (SEED_CONFIGS / "router2.cfg").read_text()
    r2 = r2.replace(
        " authentication remote pre-share\n",
        " authentication remote rsa-sig\n authentication remote pre-share\n",
    )
    (tmp_path / "r2.cfg").write_text(r2)
    assert main(["lab", str(SEED_CONFIGS / "router1.cfg"), str(tmp_path / "r2.cfg")]) == 0
    assert main(["config", "check", str(tmp_path / "r2.cfg")]) == 0
    out = capsys.readouterr().out
    assert "only peers using a pre-shared key are accepted" in out


def test_key_warnings_point_at_the_authentication_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r2 = (SEED_CONFIGS / "router2.cfg").read_text()
    r2 = r2.replace(
        " authentication local pre-share\n",
        " authentication local pre-share key 6 AbCdEfGhIjKlMnOp\n",
    )
    path = tmp_path / "r2.cfg"
    path.write_text(r2)
    main(["config", "check", str(path)])
    out = capsys.readouterr().out
    line = _line_of(path, "authentication local pre-share key 6")
    assert f"r2.cfg:{line}: warning: crypto ikev2 profile IKEV2-SETUP authentication local" in out
