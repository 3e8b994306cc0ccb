"""The lab enrols routers that cannot sign with their trustpoint (a real running-config has
its chain but never its key) with its own CA, deterministic from the seed, and says so; a
router with a usable key and certificate is left as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pyike.cli import main
from pyike.config import load_file
from pyike.config.model import Config
from pyike.config.writer import render
from pyike.lab.lab_ca import authority
from pyike.lab.lab_enrol import enrol_keyless
from tests.support.paths import REALCONFIGS

HUB2 = REALCONFIGS / "certificates" / "skydevil-hub2-dmvpn-ikev2-rsa-sig.cfg"
R1 = """\
hostname R1
crypto pki trustpoint TP
 enrollment terminal
 revocation-check crl
!
crypto ikev2 profile P
 match identity remote any
 authentication remote ecdsa-sig
 authentication local ecdsa-sig
 pki trustpoint TP
!
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
"""


def _config(path: Path) -> Config:
    return load_file(path).config


def _own(cfg: Config, trustpoint: str) -> x509.Certificate:
    own = cfg.trustpoints[trustpoint].router_certificate
    assert own is not None
    return x509.load_der_x509_certificate(own.der)


def test_a_running_config_without_its_key_is_enrolled_for_the_run() -> None:
    cfg = _config(HUB2)
    published = cfg.trustpoints["CA"].chain
    done = enrol_keyless([cfg], seed=7)
    assert done.messages == [
        f"% pyike lab: {cfg.hostname}: no private key for trustpoint CA; enrolled with the lab "
        "CA for this run"
    ]
    enrolled = done.configs[0]
    assert (
        enrolled.trustpoints["CA"].chain != published and cfg.trustpoints["CA"].chain == published
    )
    cert = _own(enrolled, "CA")
    cert.verify_directly_issued_by(authority(7).cert)
    assert cert.subject.rfc4514_string() == "CN=Hub2"  # `subject-name cn=Hub2`
    key = done.keys[cfg.hostname].keys["VPN"]  # `rsakeypair VPN`, `authentication local rsa-sig`
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert cert.public_key() == key.public_key()
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "172.17.100.2" in [str(a) for a in alt.get_values_for_type(x509.IPAddress)]
    again = enrol_keyless([cfg], seed=7).configs[0]
    assert again.trustpoints["CA"].chain == enrolled.trustpoints["CA"].chain  # deterministic
    assert (
        enrol_keyless([cfg], seed=8).configs[0].trustpoints["CA"].chain
        != again.trustpoints["CA"].chain
    )


def test_an_ecdsa_profile_gets_an_ec_key_and_the_lab_crl(tmp_path: Path) -> None:
    (tmp_path / "R1.cfg").write_text(R1)
    cfg = _config(tmp_path / "R1.cfg")
    done = enrol_keyless([cfg], seed=0)
    assert done.messages == [
        "% pyike lab: R1: no private key for trustpoint TP; enrolled with the lab CA for this run"
    ]
    assert isinstance(done.keys["R1"].keys["R1"], ec.EllipticCurvePrivateKey)
    (crl,) = done.crls["R1"]["TP"]  # `revocation-check crl` finds the lab CA's CRL
    assert crl.issuer == authority(0).cert.subject


def test_a_router_that_can_sign_is_left_alone_and_a_readable_key_is_not_used(
    tmp_path: Path,
) -> None:
    (tmp_path / "R1.cfg").write_text(R1)
    assert main(["pki", "ca", "init", str(tmp_path / "ca"), "--now", "2013-11-01"]) == 0
    issue = ["pki", "issue", str(tmp_path / "ca"), str(tmp_path / "R1.cfg"), "--now", "2013-11-02"]
    assert main(issue) == 0
    cfg = _config(tmp_path / "R1.cfg")
    left = enrol_keyless([cfg], seed=0)
    assert left.messages == [] and left.configs[0] is cfg and left.keys == {}
    (tmp_path / "R1.key.pem").chmod(0o644)
    (message,) = enrol_keyless([cfg], seed=0).messages
    assert "R1: no usable private key (" in message and "readable by others" in message


def test_the_lab_says_it_enrolled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "R1.cfg").write_text(R1)
    main(["lab", str(tmp_path)])
    out = capsys.readouterr().out
    assert "% pyike lab: R1: no private key for trustpoint TP; enrolled with the lab CA" in out


def test_pasted_authenticate_and_enroll_lines_are_done_with_the_lab_ca(tmp_path: Path) -> None:
    """`crypto pki enroll TP` enrols even a router that could sign (a new key and
    certificate, as IOS would get them); `crypto pki authenticate TP` alone installs the lab
    CA's certificate. Neither line is written back (IOS never saves them)."""
    (tmp_path / "R1.cfg").write_text(R1)
    assert main(["pki", "ca", "init", str(tmp_path / "ca"), "--now", "2013-11-01"]) == 0
    issue = ["pki", "issue", str(tmp_path / "ca"), str(tmp_path / "R1.cfg"), "--now", "2013-11-02"]
    assert main(issue) == 0
    text = (tmp_path / "R1.cfg").read_text()
    extra = "crypto pki trustpoint OTHER\n enrollment terminal\n!\n"
    requests = "crypto pki authenticate OTHER\ncrypto pki enroll TP\n"
    (tmp_path / "R1.cfg").write_text(text + extra + requests)
    cfg = _config(tmp_path / "R1.cfg")
    assert cfg.pki_requests == [("authenticate", "OTHER"), ("enroll", "TP")]
    done = enrol_keyless([cfg], seed=3)
    assert done.messages == [
        "% pyike lab: R1: crypto pki enroll TP; enrolled with the lab CA for this run; "
        "crypto pki authenticate OTHER: the lab CA's certificate accepted"
    ]
    enrolled = done.configs[0]
    _own(enrolled, "TP").verify_directly_issued_by(authority(3).cert)
    (ca,) = enrolled.trustpoints["OTHER"].chain
    assert ca.role == "ca" and x509.load_der_x509_certificate(ca.der) == authority(3).cert
    assert "crypto pki enroll" not in render(cfg) and "authenticate" not in render(cfg)
