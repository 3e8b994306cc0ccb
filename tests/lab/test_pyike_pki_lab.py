"""Two lab routers with keys and certificates made by `pyike pki` (not enrolled by the lab)
bring their tunnel up; with `revocation-check crl` and no CRL to read they refuse each other,
as IOS does, until the CA's CRL is where `crl query` says."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.cli import main
from tests.support.paths import EXAMPLES

_PING = "Hub: ping 10.1.0.1 source Loopback0"


def _two_routers(lab: Path) -> None:
    """The cert-hub example's hub and first spoke, without its `! lab:` checks (the other
    spokes are not in this lab), enrolled with one CA by `pyike pki`."""
    for name in ("hub.cfg", "spoke1.cfg"):
        text = (EXAMPLES / "cert-hub" / name).read_text()
        kept = [line for line in text.splitlines() if not line.startswith("! lab:")]
        (lab / name).write_text("\n".join(kept) + "\n")
    ca = str(lab / "ca")
    assert main(["pki", "ca", "init", ca, "--key", "p384", "--now", "2013-11-01"]) == 0
    for name, key in (("hub.cfg", "p384"), ("spoke1.cfg", "p256")):
        issue = ["pki", "issue", ca, str(lab / name), "--key", key, "--now", "2013-11-02"]
        assert main(issue) == 0


def _with_crl_query(config: Path) -> None:
    text = config.read_text().replace(
        " revocation-check crl\n", " revocation-check crl\n crl query flash:ca/ca.crl\n"
    )
    config.write_text(text)


def test_routers_enrolled_by_pyike_pki_bring_the_tunnel_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_routers(tmp_path)
    assert main(["pki", "crl", str(tmp_path / "ca"), "--now", "2013-11-02"]) == 0
    for name in ("hub.cfg", "spoke1.cfg"):
        _with_crl_query(tmp_path / name)
    capsys.readouterr()
    main(["lab", str(tmp_path), "--no-debug", "--exec", _PING])
    out = "".join(capsys.readouterr())
    assert "enrolled with the lab CA" not in out  # their own keys and certificates
    assert "Hub: Success rate is 100 percent (5/5)" in out
    assert "Tunnel1 peer 203.0.113.11" not in out  # the session to Spoke1 is not reported down


def test_without_the_crl_the_peers_refuse_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_routers(tmp_path)
    capsys.readouterr()
    main(["lab", str(tmp_path), "--exec", _PING])
    out = "".join(capsys.readouterr())
    assert "%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint EXAMPLE-CA failed" in out
    assert "Hub: Success rate is 0 percent" in out
    assert "Tunnel1 peer 203.0.113.11: session DOWN" in out
