"""`pyike decode` on a certificate exchange: CERT and CERTREQ blocks as `debug crypto ikev2
packet` prints them, and under them each certificate's subject, issuer and serial and each
CERTREQ's CA hashes (named when the capture carried that CA's certificate).

The seed's two routers, enrolled with `pyike pki` (an intermediate CA, so the chain has two
certificates), run in memory as `pyike run` drives them; Router1 writes its key log."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pyike.cli import main
from pyike.config import load_file
from pyike.net.keylog import KeyLog
from pyike.sim.pcap import PcapRecorder
from tests.support.cli import run_cli
from tests.support.memory_gateways import GatewayPair
from tests.support.paths import SEED_CONFIGS

PSK_AUTH = " authentication remote pre-share\n authentication local pre-share\n"
CERT_AUTH = (
    " authentication remote ecdsa-sig\n authentication local ecdsa-sig\n pki trustpoint LAB-CA\n"
)


def _enrolled(tmp_path: Path, name: str, address: str) -> Path:
    text = (SEED_CONFIGS / f"{name}.cfg").read_text()
    assert PSK_AUTH in text
    trustpoint = (
        f"crypto pki trustpoint LAB-CA\n enrollment terminal\n ip-address {address}\n"
        " revocation-check none\n!\n"
    )
    path = tmp_path / f"{name}.cfg"
    path.write_text(trustpoint + text.replace(PSK_AUTH, CERT_AUTH))
    now = "2013-11-01"  # the memory gateways' clock is the lab's (2013)
    assert (
        main(["pki", "issue", str(tmp_path / "ca"), str(path), "--intermediate", "--now", now]) == 0
    )
    return path


@pytest.fixture
def capture(tmp_path: Path) -> tuple[Path, Path, Path]:
    assert main(["pki", "ca", "init", str(tmp_path / "ca"), "--now", "2013-11-01"]) == 0
    r1, r2 = _enrolled(tmp_path, "router1", "10.0.0.1"), _enrolled(tmp_path, "router2", "10.0.0.2")
    keys, pcap = tmp_path / "keylog", tmp_path / "ike.pcap"
    log = KeyLog(keys)
    with PcapRecorder(pcap) as recorder:
        pair = GatewayPair(
            load_file(r1).config,
            load_file(r2).config,
            names=("router1", "router2"),
            capture=recorder,
            options=({"keylog": log}, {}),
        )
        pair.a.start_all()
        pair.pump()
    log.close()
    return keys, pcap, tmp_path / "ca"


def _sha1_of(path: Path) -> str:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha1(spki, usedforsecurity=False).hexdigest().upper()


def test_certificates_and_requests_decoded(
    capsys: pytest.CaptureFixture[str], capture: tuple[Path, Path, Path]
) -> None:
    keys, pcap, ca = capture
    code, out, err = run_cli(capsys, "decode", "--keys", str(keys), str(pcap))
    assert (code, err) == (0, "")
    blocks = [b for b in out.split("\n\n") if b.startswith("Frame ")]
    init_response = next(b for b in blocks if "IKE_SA_INIT, flags: RESPONDER MSG-RESPONSE" in b)
    intermediate = _sha1_of(ca / "intermediate.crt.pem")
    # the responder asks for its trustpoint's CA (the intermediate) in IKE_SA_INIT
    assert " CERTREQ  Next payload:" in init_response
    assert (
        f"    Cert encoding X.509 Certificate - Signature\n    CA: {intermediate}\n"
        in init_response
    )
    request = next(b for b in blocks if "IKE_AUTH, flags: INITIATOR Message id: 1" in b)
    # IDi, the router's certificate and the intermediate's, the CERTREQ, then AUTH
    assert " CERT  Next payload: CERT," in request and " CERTREQ  Next payload: AUTH," in request
    assert "    Subject: hostname=Router1,ipaddress=10.0.0.1\n" in request
    assert "    Issuer: cn=pyike lab CA intermediate\n" in request
    assert "    Subject: cn=pyike lab CA intermediate\n    Issuer: cn=pyike lab CA\n" in request
    # by now the capture carried the intermediate's certificate: its hash has a name
    assert f"    CA: {intermediate} (cn=pyike lab CA intermediate)" in request
    response = next(b for b in blocks if "IKE_AUTH, flags: RESPONDER MSG-RESPONSE" in b)
    assert "    Subject: hostname=Router2,ipaddress=10.0.0.2\n" in response
    assert "    Serial: 03, valid 2013-11-01 00:00:00 UTC to 2014-11-01 00:00:00 UTC\n" in request
    assert "Auth method Digital sig" in request and "Auth method Digital sig" in response
