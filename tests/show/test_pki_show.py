"""`show crypto pki certificates|trustpoints` and `show crypto key mypubkey` as IOS prints them:
from a real router's running-config with its certificate chains, and from routers enrolled by
`pyike pki`; parsed by the public ntc-templates TextFSM template."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from ntc_templates.parse import parse_output

from pyike.cli import main
from pyike.config import load_file
from pyike.host.pki_exec import register_pki_show_commands
from pyike.node.exec.filters import run_line
from pyike.node.exec.parser import CommandTree
from pyike.show.pki import show_crypto_pki_certificates, show_crypto_pki_trustpoints
from tests.support.genie_parse import parse
from tests.support.pki_certs import PUBLIC_SWITCH

ROUTER = """\
hostname R1
ip domain name lab.example
crypto pki trustpoint VPN
 subject-name CN=R1,OU=VPN,O=Lab,C=SE
 rsakeypair VPN
 revocation-check none
"""


def _ntc(text: str) -> list[dict[str, str]]:
    parsed: list[dict[str, str]] = parse_output(
        platform="cisco_ios", command="show crypto pki certificates", data=text
    )
    return parsed


@pytest.fixture
def router(tmp_path: Path) -> Path:
    path = tmp_path / "R1.cfg"
    path.write_text(ROUTER)
    ca = str(tmp_path / "ca")
    assert (
        main(
            ["pki", "ca", "init", ca, "--subject", "CN=Lab Root CA", "--now", "2013-11-01T08:09:10"]
        )
        == 0
    )
    args = ["pki", "issue", ca, str(path), "--key", "rsa2048", "--now", "2013-11-02T01:02:03"]
    assert main(args) == 0
    return path


def test_the_public_template_parses_an_enrolled_router(router: Path) -> None:
    tps = list(load_file(router).config.trustpoints.values())
    text = "\n".join(show_crypto_pki_certificates(tps))
    mine, ca = _ntc(text)
    assert (mine["certificate_type"], ca["certificate_type"]) == ("Certificate", "CA Certificate")
    assert (mine["status"], mine["serial_number"], ca["serial_number"]) == ("Available", "02", "01")
    assert (mine["certificate_usage"], ca["certificate_usage"]) == ("General Purpose", "Signature")
    assert mine["issuer_cn"] == ca["subject_cn"] == "Lab Root CA"
    assert (mine["subject_cn"], mine["subject_ou"], mine["subject_c"]) == ("R1", "VPN", "SE")
    assert mine["subject_name"] == mine["subject_hostname"] == "R1.lab.example"
    assert mine["start_date"] == "01:02:03 UTC Nov 2 2013"
    assert mine["end_date"] == "01:02:03 UTC Nov 2 2014"
    assert mine["associated_trustpoints"] == ca["associated_trustpoints"] == "VPN"
    assert (mine["storage"], ca["storage"]) == ("nvram:LabRootCA#2.cer", "nvram:LabRootCA#1CA.cer")


def test_a_real_running_configs_certificates() -> None:
    tps = list(load_file(PUBLIC_SWITCH).config.trustpoints.values())
    lines = show_crypto_pki_certificates(tps, "SLA-TrustPoint")
    (ca,) = _ntc("\n".join(lines))
    assert ca["certificate_type"] == "CA Certificate" and ca["serial_number"] == "01"
    assert (ca["issuer_cn"], ca["issuer_o"]) == ("Cisco Licensing Root CA", "Cisco")
    assert (ca["start_date"], ca["end_date"]) == (
        "19:48:47 UTC May 30 2013",
        "19:48:47 UTC May 30 2038",
    )
    assert ca["associated_trustpoints"] == "SLA-TrustPoint"
    # The name IOS gives this certificate's file (its startup-config says so).
    assert ca["storage"] == "nvram:CiscoLicensi#1CA.cer"
    own = show_crypto_pki_certificates(tps, "TP-self-signed-3639644206")
    assert own[0] == "Router Self-Signed Certificate"
    assert "  Storage: nvram:IOS-Self-Sig#1.cer" in own


def test_verbose_adds_key_fingerprints_and_extensions(router: Path) -> None:
    tps = list(load_file(router).config.trustpoints.values())
    lines = show_crypto_pki_certificates(tps, "VPN", verbose=True)
    der = x509.load_pem_x509_certificate((router.parent / "R1.crt.pem").read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    sha1 = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
    words = " ".join(sha1[i : i + 8] for i in range(0, 40, 8))
    assert f"  Fingerprint SHA1: {words} " in lines
    mine = lines[: lines.index("")]
    assert "    RSA Public Key: (2048 bit)" in mine
    assert "  Signature Algorithm: SHA256 with ECDSA" in mine  # the CA's key is P-256
    at = mine.index("    X509v3 Key Usage: A0000000")
    assert mine[at + 1 : at + 3] == ["      Digital Signature", "      Key Encipherment"]
    assert "  Key Label: VPN" in mine and "  Version: 3" in mine


def test_trustpoints_and_their_status(router: Path) -> None:
    tps = list(load_file(router).config.trustpoints.values())
    assert show_crypto_pki_trustpoints(tps) == [
        "Trustpoint VPN:",
        "    Subject Name:",
        "    cn=Lab Root CA",
        "          Serial Number (hex): 01",
        "    Certificate configured.",
        "",
    ]
    status = show_crypto_pki_trustpoints(tps, status=True, keys={"VPN": False})
    assert status[1] == "  Issuing CA certificate configured:"
    assert "  Router General Purpose certificate configured:" in status
    assert "     hostname=R1.lab.example,cn=R1,ou=VPN,o=Lab,c=SE" in status
    assert "    Keys generated ............. Yes (General Purpose, non-exportable)" in status
    assert "    Issuing CA authenticated ....... Yes" in status


def test_exec_commands_read_the_config_and_its_key_files(router: Path) -> None:
    config = load_file(router).config
    tree = CommandTree()
    register_pki_show_commands(tree, lambda: config)
    shown = run_line(tree, "show crypto pki certificates VPN verbose", "R1#").text
    assert shown.startswith("Certificate\n  Status: Available\n  Version: 3\n")
    key = run_line(tree, "show crypto key mypubkey rsa", "R1#").text.splitlines()
    assert key[0].startswith("% Key pair was generated at: ")
    assert key[1:7] == [
        "Key name: VPN",
        "Key type: RSA KEYS      2048 bits",
        " Storage Device: private-config",
        " Usage: General Purpose Key",
        " Key is not exportable. Redundancy enabled.",
        " Key Data:",
    ]
    cert = x509.load_pem_x509_certificate((router.parent / "R1.crt.pem").read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert bytes.fromhex("".join(key[7:]).replace(" ", "")) == spki
    assert all(len(line.split()) <= 8 for line in key[7:])
    assert run_line(tree, "show crypto key mypubkey ec", "R1#").text == ""
    every = run_line(tree, "show crypto key mypubkey all", "R1#").text
    assert every == run_line(tree, "show crypto key mypubkey rsa", "R1#").text
    assert parse("show crypto key mypubkey all", every.splitlines())  # genie reads it
    status = run_line(tree, "show crypto pki trustpoints status", "R1#").text
    assert "Keys generated ............. Yes" in status
    assert "PRIVATE" not in shown + status and "BEGIN" not in shown


def test_a_key_file_others_can_read_is_said_not_shown(router: Path) -> None:
    (router.parent / "R1.VPN.key.pem").chmod(0o644)
    config = load_file(router).config
    tree = CommandTree()
    register_pki_show_commands(tree, lambda: config)
    text = run_line(tree, "show crypto key mypubkey rsa", "R1#").text
    assert text.startswith("% ") and "readable by others" in text and "Key Data" not in text


def test_cisco_genie_parses_trustpoints_status(router: Path) -> None:
    """Cisco's genie IOS-XE parser for `show crypto pki trustpoints status` reads pyike's."""
    tps = list(load_file(router).config.trustpoints.values())
    lines = show_crypto_pki_trustpoints(tps, status=True, keys={"VPN": False})
    parsed = parse("show crypto pki trustpoints status", lines)
    tp = parsed["Trustpoints"][tps[0].name]
    assert tp["state"] == {
        "keys_generated": "yes",
        "issuing_ca_authenticated": "yes",
        "certificate_requests": "yes",
    }
    configured = tp["certificate_configured"]
    assert set(configured) == {"Issuing CA", "Router General Purpose"}
    fingerprint = configured["Router General Purpose"]["subject"]["sha1"]
    assert f"    Fingerprint SHA1: {fingerprint} " in lines
