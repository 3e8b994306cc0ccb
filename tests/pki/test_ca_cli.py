"""`pyike pki`: a lab CA that issues router certificates from the routers' configurations and
writes them back into them as IOS prints them, revokes them and publishes CRLs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from pyike.cli import main
from pyike.config import load_file
from pyike.pki.identity import UNSTRUCTURED_ADDRESS, UNSTRUCTURED_NAME
from pyike.pki.keystore import load_router_keys

NOW = "2013-11-01"
R1 = """\
hostname R1
ip domain name lab.example
!
crypto ikev2 proposal P
 encryption aes-cbc-256
 integrity sha256
 group 19
!
interface GigabitEthernet1
 ip address 10.0.0.1 255.255.255.0
end
"""
R2 = """\
hostname R2
crypto pki trustpoint TP
 subject-name CN=R2,OU=VPN,O=Lab
 ip-address 10.0.0.2
 serial-number
 rsakeypair R2-KEY
 revocation-check crl
!
interface GigabitEthernet1
 ip address 10.0.0.2 255.255.255.0
"""


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    (tmp_path / "R1.cfg").write_text(R1)
    (tmp_path / "R2.cfg").write_text(R2)
    assert main(["pki", "ca", "init", str(tmp_path / "ca"), "--now", NOW]) == 0
    return tmp_path


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _issue(lab: Path, *args: str) -> int:
    return main(["pki", "issue", str(lab / "ca"), *args, "--now", NOW])


def test_issue_writes_the_chain_into_the_config_as_ios_prints_it(lab: Path) -> None:
    assert _issue(lab, str(lab / "R1.cfg")) == 0
    result = load_file(lab / "R1.cfg")
    assert result.errors == ()
    tp = result.config.trustpoints["LAB-CA"]  # added: the configuration had none
    assert tp.enrollment == "terminal" and tp.revocation_check == ("crl", "none")
    mine, ca = tp.chain
    assert (mine.role, mine.serial, ca.role, ca.serial) == ("certificate", "02", "ca", "01")
    router, root = _cert(lab / "R1.crt.pem"), _cert(lab / "ca" / "ca.crt.pem")
    assert mine.der == router.public_bytes(serialization.Encoding.DER)
    router.verify_directly_issued_by(root)
    assert router.subject.get_attributes_for_oid(UNSTRUCTURED_NAME)[0].value == "R1.lab.example"
    alt = router.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.DNSName) == ["R1.lab.example"]
    text = (lab / "R1.cfg").read_text()
    assert text.index("crypto pki trustpoint LAB-CA") < text.index("crypto ikev2 proposal P")
    assert " ip address 10.0.0.1 255.255.255.0" in text and "  \tquit" in text


def test_subject_and_key_come_from_the_trustpoint(lab: Path) -> None:
    assert _issue(lab, "--key", "rsa2048", str(lab / "R2.cfg")) == 0
    key_file = lab / "R2.R2-KEY.key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    cert = _cert(lab / "R2.crt.pem")
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "R2"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "VPN"
    assert subject.get_attributes_for_oid(UNSTRUCTURED_ADDRESS)[0].value == "10.0.0.2"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert subject.rdns[0].get_attributes_for_oid(NameOID.ORGANIZATION_NAME)  # IOS's order
    config = load_file(lab / "R2.cfg").config
    keys = load_router_keys(lab / "R2.cfg", config)
    assert keys["R2-KEY"].public_key() == cert.public_key()
    assert config.trustpoints["TP"].revocation_check == ("crl",)  # the user's lines are kept


def test_reissuing_keeps_the_key_and_replaces_the_chain(lab: Path) -> None:
    assert _issue(lab, str(lab / "R1.cfg")) == 0
    first = _cert(lab / "R1.crt.pem")
    assert _issue(lab, str(lab / "R1.cfg")) == 0
    second = _cert(lab / "R1.crt.pem")
    assert second.serial_number == first.serial_number + 1
    assert second.public_key() == first.public_key()
    text = (lab / "R1.cfg").read_text()
    assert text.count("crypto pki certificate chain LAB-CA") == 1
    assert text.count("crypto pki trustpoint LAB-CA") == 1
    (mine, _) = load_file(lab / "R1.cfg").config.trustpoints["LAB-CA"].chain
    assert int(mine.serial, 16) == second.serial_number


def test_intermediate_in_an_existing_trustpoint_gains_chain_validation(lab: Path) -> None:
    assert _issue(lab, "--intermediate", "--key", "rsa2048", str(lab / "R2.cfg")) == 0
    text = (lab / "R2.cfg").read_text()
    block = text[text.index("crypto pki trustpoint TP\n") :].split("!")[0]
    assert block.endswith(" revocation-check crl\n chain-validation continue TP-ROOT\n")
    assert "crypto pki trustpoint TP-ROOT\n enrollment terminal\n" in text
    assert _issue(lab, "--intermediate", "--key", "rsa2048", str(lab / "R2.cfg")) == 0
    again = (lab / "R2.cfg").read_text()
    assert again.count("chain-validation") == 1 and again.count("trustpoint TP-ROOT") == 1
    assert load_file(lab / "R2.cfg").config.trustpoints["TP"].parent == "TP-ROOT"


def test_intermediate_ca_and_pkcs12(lab: Path) -> None:
    args = ["--intermediate", "--p12", "--p12-password", "s3cret", str(lab / "R1.cfg")]
    assert _issue(lab, *args) == 0
    router, sub, root = (
        _cert(lab / "R1.crt.pem"),
        _cert(lab / "ca" / "intermediate.crt.pem"),
        _cert(lab / "ca" / "ca.crt.pem"),
    )
    router.verify_directly_issued_by(sub)
    sub.verify_directly_issued_by(root)
    chain = x509.load_pem_x509_certificates((lab / "R1.chain.pem").read_bytes())
    assert chain == [sub, root]
    trustpoints = load_file(lab / "R1.cfg").config.trustpoints
    (_, ca) = trustpoints["LAB-CA"].chain
    assert ca.der == sub.public_bytes(serialization.Encoding.DER)
    # as IOS holds a CA hierarchy: the intermediate's trustpoint continues to the root's
    assert trustpoints["LAB-CA"].chain_validation == "continue LAB-CA-ROOT"
    (anchor,) = trustpoints["LAB-CA-ROOT"].chain
    assert (anchor.role, anchor.der) == ("ca", root.public_bytes(serialization.Encoding.DER))
    key, cert, extra = pkcs12.load_key_and_certificates((lab / "R1.p12").read_bytes(), b"s3cret")
    assert cert == router and extra == [sub, root]
    assert key is not None and key.public_key() == router.public_key()
    assert stat.S_IMODE((lab / "R1.p12").stat().st_mode) == 0o600


def test_revoked_certificates_are_in_their_issuers_crl(lab: Path) -> None:
    assert _issue(lab, str(lab / "R1.cfg")) == 0
    assert _issue(lab, "--intermediate", "--key", "rsa2048", str(lab / "R2.cfg")) == 0
    ca_dir = lab / "ca"
    assert (
        main(["pki", "revoke", str(ca_dir), str(lab / "R2.cfg"), "02", "--now", "2013-11-05"]) == 0
    )
    root_crl = x509.load_der_x509_crl((ca_dir / "ca.crl").read_bytes())
    sub_crl = x509.load_pem_x509_crl((ca_dir / "intermediate.crl.pem").read_bytes())
    r2 = _cert(lab / "R2.crt.pem")
    assert [c.serial_number for c in root_crl] == [2]
    assert [c.serial_number for c in sub_crl] == [r2.serial_number]
    assert root_crl.is_signature_valid(_cert(ca_dir / "ca.crt.pem").public_key())  # type: ignore[arg-type]
    assert sub_crl.is_signature_valid(_cert(ca_dir / "intermediate.crt.pem").public_key())  # type: ignore[arg-type]
    number = root_crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert main(["pki", "crl", str(ca_dir), "--now", "2013-11-06"]) == 0
    again = x509.load_der_x509_crl((ca_dir / "ca.crl").read_bytes())
    assert again.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == number + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pki", "issue", "{lab}/nowhere", "{lab}/R1.cfg"], "no CA here"),
        (["pki", "issue", "{lab}/ca", "{lab}/missing.cfg"], "cannot read the configuration"),
        (
            ["pki", "issue", "{lab}/ca", "{lab}/R2.cfg", "--key", "p256"],
            "use --key rsa2048|rsa3072",
        ),
        (["pki", "issue", "{lab}/ca", "{lab}/bad.cfg"], "fix the configuration first"),
        (["pki", "ca", "init", "{lab}/ca"], "already holds a CA"),
        (["pki", "revoke", "{lab}/ca", "77"], "serial 77 was not issued"),
    ],
)
def test_clear_errors(
    lab: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (lab / "bad.cfg").write_text("crypto ikev2 proposal P\n encryption des-what\n")
    assert main([a.format(lab=lab) for a in args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_issuing_after_the_ca_expired_is_a_clear_error(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pki", "issue", str(lab / "ca"), str(lab / "R1.cfg"), "--now", "2030-01-01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("pyike pki: the root CA's certificate expired on 2023-10-30")
    assert "Traceback" not in err
