"""pyike run against strongSwan's charon with certificates from `pyike pki`: RSA and ECDSA,
pyike as initiator and as responder, a chain through an intermediate CA, and CRLs: each
side refuses the other once the CA has revoked it. No private key ever reaches a log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.interop import Interop, check_traffic, pyike_log, topology
from tests.support.netns import Lab, wait_for
from tests.support.strongswan import CBC256_SUITE, GCM_SUITE, Suite
from tests.support.swan_pki import (
    CHARON_FQDN,
    SwanPki,
    charon_credentials,
    make_pki,
    pki,
    strongswan_cert_conf,
    swanctl_cert_config,
)
from tests.support.traffic import ping

pytestmark = pytest.mark.interop
SESSION_UP = "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP. "


def _pair(
    netlab: Lab, work: Path, suite: Suite, made: SwanPki, *args: str, crl: bool = False
) -> Interop:
    charon_credentials(made, work, crl=crl)
    return topology(
        netlab,
        work,
        suite,
        *args,
        pyike_cfg=made.pyike_cfg.read_text(),
        swanctl_conf=swanctl_cert_config(suite),
        charon_conf=strongswan_cert_conf(work / "charon-run" / "charon.log"),
    )


def _no_secrets(work: Path, made: SwanPki) -> None:
    log = pyike_log(work)
    assert "PRIVATE KEY" not in log
    for key_file in work.glob("*.key.pem"):
        body = "".join(key_file.read_text().splitlines()[1:-1])
        assert body[:40] not in log.replace("\n", "")


@pytest.mark.parametrize(
    ("key", "suite"), [("rsa2048", CBC256_SUITE), ("p256", GCM_SUITE)], ids=["rsa", "ecdsa"]
)
def test_pyike_responds_to_charon_with_certificates(
    netlab: Lab, tmp_path: Path, key: str, suite: Suite
) -> None:
    made = make_pki(tmp_path, suite, key)
    t = _pair(netlab, tmp_path, suite, made, "--passive")
    t.charon.swan("--initiate", "--child", "net", "--timeout", "20")
    check_traffic(t)
    log = pyike_log(tmp_path)
    assert "(R) MsgID = 00000001 CurState: READY" in log
    assert _charon_verified_pyike(t, "RSA" if key.startswith("rsa") else "ECDSA")
    _no_secrets(tmp_path, made)


@pytest.mark.parametrize(
    ("key", "suite"), [("rsa2048", GCM_SUITE), ("p384", CBC256_SUITE)], ids=["rsa", "ecdsa"]
)
def test_pyike_initiates_to_charon_with_certificates(
    netlab: Lab, tmp_path: Path, key: str, suite: Suite
) -> None:
    made = make_pki(tmp_path, suite, key)
    t = _pair(netlab, tmp_path, suite, made)
    check_traffic(t)
    log = pyike_log(tmp_path)
    assert "(I) MsgID = 00000001 CurState: READY" in log
    assert f"{SESSION_UP} Peer 10.0.0.2:4500       Id: {CHARON_FQDN}" in log
    assert _charon_verified_pyike(t, "RSA" if key.startswith("rsa") else "ECDSA")
    _no_secrets(tmp_path, made)


def test_a_chain_through_an_intermediate_ca(netlab: Lab, tmp_path: Path) -> None:
    """Both certificates are issued by an intermediate CA. pyike's trustpoint holds the
    intermediate and continues to its root trustpoint (`chain-validation continue
    LAB-CA-ROOT`); charon holds only the root and takes the intermediate pyike sends."""
    made = make_pki(tmp_path, GCM_SUITE, "p256", intermediate=True)
    assert "chain-validation continue LAB-CA-ROOT" in made.pyike_cfg.read_text()
    t = _pair(netlab, tmp_path, GCM_SUITE, made)
    check_traffic(t)
    # pyike sent the intermediate after its own certificate; charon, which holds only the
    # root, validated pyike's certificate through it
    assert "CERT  Next payload: CERT," in pyike_log(tmp_path)
    assert 'using untrusted intermediate certificate "O=Lab, CN=pyike interop CA' in t.charon.log
    assert _charon_verified_pyike(t, "ECDSA")


def _charon_verified_pyike(t: Interop, scheme: str) -> bool:
    return f"authentication of 'unstructuredName=PyIke' with {scheme}" in t.charon.log


def _refused(t: Interop, work: Path) -> None:
    """The exchange ended in AUTHENTICATION_FAILED; no SA on pyike's side, no traffic."""
    wait_for(lambda: "AUTHENTICATION_FAILED" in pyike_log(work), 40, "AUTHENTICATION_FAILED")
    assert "READY" not in t.exec("show crypto ikev2 sa")
    assert ping(t.py, "192.168.1.1", "192.168.2.1", 1).returncode != 0


def test_pyike_refuses_charon_revoked_on_its_crl(netlab: Lab, tmp_path: Path) -> None:
    """pyike's trustpoint checks CRLs (`revocation-check crl`) with the CA's CRL file
    (`crl query flash:ca/ca.crl`, beside the configuration); the CA revoked charon."""
    made = make_pki(
        tmp_path,
        CBC256_SUITE,
        "rsa2048",
        revocation="crl",
        trustpoint_extra=" crl query flash:ca/ca.crl\n",
    )
    pki("revoke", str(made.ca), str(made.charon_cfg))
    t = _pair(netlab, tmp_path, CBC256_SUITE, made)
    _refused(t, tmp_path)
    serial = made.charon_serial().zfill(2)
    log = pyike_log(tmp_path)
    assert (
        f"%PKI-3-CERTIFICATE_REVOKED: Certificate chain validation has failed.  The certificate (SN: {serial}) is revoked"
        in log
    )


def test_charon_refuses_pyike_revoked_on_its_crl(netlab: Lab, tmp_path: Path) -> None:
    """charon holds the CA's CRL (swanctl's x509crl) on which the CA revoked pyike."""
    made = make_pki(tmp_path, GCM_SUITE, "p256")
    pki("revoke", str(made.ca), str(made.pyike_cfg))
    t = _pair(netlab, tmp_path, GCM_SUITE, made, crl=True)
    _refused(t, tmp_path)
    assert "certificate was revoked" in t.charon.log
    assert not _charon_verified_pyike(t, "ECDSA")


def test_a_key_file_others_can_read_is_not_used(netlab: Lab, tmp_path: Path) -> None:
    """pyike reads its private key only from a file no one else can read: with mode 0644
    it cannot sign, says why, and brings no tunnel up."""
    made = make_pki(tmp_path, GCM_SUITE, "p256")
    (tmp_path / "pyike.key.pem").chmod(0o644)
    t = _pair(netlab, tmp_path, GCM_SUITE, made)
    wait_for(lambda: "readable by others" in pyike_log(tmp_path), 30, "the key file refused")
    log = pyike_log(tmp_path)
    assert "chmod 600" in log and "PRIVATE KEY" not in log
    assert "READY" not in t.exec("show crypto ikev2 sa")
    assert "ESTABLISHED" not in t.charon.sas()
