"""IOS PKI configuration: trustpoints, certificate chains in hex as `show running-config` prints
them (a real router's included), certificate maps and `crypto key generate`, read and printed
back."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pyike.config import load, load_file
from pyike.config.diagnostics import INVALID_INPUT
from pyike.config.pki_model import KeyPairConfig, PkiCertificateMap
from pyike.config.writer import render
from tests.support.config_compare import comparable
from tests.support.pki_certs import PUBLIC_SWITCH, hex_block, self_signed

TRUSTPOINT = """\
hostname R1
crypto pki trustpoint LAB
 enrollment url http://10.0.0.5:80
 usage ike
 serial-number
 fqdn R1.lab.example
 ip-address GigabitEthernet1
 password 0 challenge-Pass
 subject-name CN=R1.lab.example,OU=VPN,O=Lab
 subject-alt-name R1-alt.lab.example
 vrf MGMT
 revocation-check crl none
 ocsp url http://10.0.0.5/ocsp
 rsakeypair R1-KEY 3072
 auto-enroll 70 regenerate
 hash sha384
"""


def test_trustpoint_sub_commands_are_modelled() -> None:
    result = load(TRUSTPOINT)
    assert result.errors == ()
    tp = result.config.trustpoints["LAB"]
    assert tp.enrollment == "url http://10.0.0.5:80"
    assert (tp.usage, tp.serial_number, tp.fqdn) == ("ike", True, "R1.lab.example")
    assert tp.ip_address == "GigabitEthernet1"
    assert tp.password is not None and tp.password.reveal() == "challenge-Pass"
    assert tp.subject_name == "CN=R1.lab.example,OU=VPN,O=Lab"
    assert tp.subject_alt_name == "R1-alt.lab.example"
    assert (tp.vrf, tp.revocation_check) == ("MGMT", ("crl", "none"))
    assert (tp.rsakeypair, tp.rsakeypair_size, tp.key_label) == ("R1-KEY", 3072, "R1-KEY")
    assert (tp.auto_enroll, tp.hash) == ("70 regenerate", "sha384")
    assert tp.extra == ("ocsp url http://10.0.0.5/ocsp",)
    assert any("ca-trustpoint: ocsp" in d.message for d in result.diagnostics)


def test_trustpoint_defaults_and_no_forms() -> None:
    text = (
        "crypto ca trustpoint TP\n eckeypair EC1\n serial-number\n enrollment terminal pem\n"
        " no serial-number\n no enrollment\n ip-address none\n serial-number none\n"
    )
    tp = load(text).config.trustpoints["TP"]
    assert tp.revocation_check == ("crl",)  # IOS's default
    assert (tp.eckeypair, tp.key_label, tp.serial_number, tp.enrollment) == (
        "EC1",
        "EC1",
        False,
        None,
    )
    assert tp.ip_address == "none"
    assert "TP" not in load(text + "no crypto pki trustpoint TP\n").config.trustpoints


@pytest.mark.parametrize(
    ("line", "column"),
    [(" bogus-command 1", 1), (" revocation-check maybe", 18), (" hash sha999", 6)],
)
def test_unknown_trustpoint_sub_commands_get_ios_marker(line: str, column: int) -> None:
    (error,) = load(f"crypto pki trustpoint TP\n{line}\n").errors
    assert error.message == INVALID_INPUT and error.line == 2
    assert error.column == column - 1


def test_enrollment_forms() -> None:
    for typed, model in [
        ("terminal", "terminal"),
        ("terminal pem", "terminal pem"),
        ("selfsigned", "selfsigned"),
        ("pkcs12", "pkcs12"),
        ("url http://ca.example/cgi-bin", "url http://ca.example/cgi-bin"),
    ]:
        tp = load(f"crypto pki trustpoint T\n enrollment {typed}\n").config.trustpoints["T"]
        assert tp.enrollment == model
    retry = load("crypto pki trustpoint T\n enrollment retry count 5\n")
    assert retry.errors == () and retry.config.trustpoints["T"].extra == (
        "enrollment retry count 5",
    )


# --- certificate chains ---------------------------------------------------------------------


def test_a_real_running_config_loads_with_its_certificates() -> None:
    result = load_file(PUBLIC_SWITCH)
    assert result.errors == ()
    sla = result.config.trustpoints["SLA-TrustPoint"]
    (ca,) = sla.chain
    assert (ca.role, ca.serial, sla.enrollment) == ("ca", "01", "pkcs12")
    cert = x509.load_der_x509_certificate(ca.der)
    assert cert.subject.rfc4514_string() == "CN=Cisco Licensing Root CA,O=Cisco"
    cert.verify_directly_issued_by(cert)  # every byte of the hex read right
    own = result.config.trustpoints["TP-self-signed-3639644206"]
    assert own.router_certificate is not None and own.router_certificate.role == "self-signed"
    assert own.revocation_check == ("none",) and own.rsakeypair == "TP-self-signed-3639644206"


def test_chain_blocks_print_back_as_ios_printed_them() -> None:
    source = PUBLIC_SWITCH.read_text().splitlines()
    printed = render(load_file(PUBLIC_SWITCH).config).splitlines()
    start = source.index("crypto pki certificate chain SLA-TrustPoint")
    end = source.index("crypto pki certificate pool") - 1
    first = printed.index("crypto pki certificate chain SLA-TrustPoint")
    assert printed[first : first + end - start] == source[start:end]


def _chain(der: bytes, serial: str = "01", role: str = "ca ") -> str:
    return (
        f"crypto pki trustpoint TP\ncrypto pki certificate chain TP\n certificate {role}{serial}\n"
        f"{hex_block(der)}  \tquit\n"
    )


def test_certificates_keep_their_role_and_bytes_in_chain_order() -> None:
    ca, router = self_signed("ca.lab", 1), self_signed("r1.lab", 0xDC)
    text = _chain(ca) + f" certificate 00DC\n{hex_block(router, 5)}  quit\n"
    tp = load(text).config.trustpoints["TP"]
    assert [(c.role, c.serial, c.der) for c in tp.chain] == [
        ("ca", "01", ca),
        ("certificate", "00DC", router),
    ]
    assert tp.ca_certificates == tp.chain[:1] and tp.router_certificate == tp.chain[1]
    removed = load(text + "crypto pki certificate chain TP\n no certificate DC\n")
    assert [c.serial for c in removed.config.trustpoints["TP"].chain] == ["01"]


def test_corrupt_hex_is_an_error_at_its_line_and_reading_goes_on() -> None:
    der = self_signed("ca.lab")
    lines = hex_block(der).splitlines()
    words = lines[2].split()
    lines[2] = "  " + " ".join([words[0], "XYZ00000", *words[2:]])
    text = _chain(der).replace(hex_block(der), "\n".join(lines) + "\n")
    result = load(text + "crypto ikev2 proposal P\n encryption aes-cbc-128\n")
    (error,) = result.errors
    assert error.line == 6 and "'XYZ00000' is not hex" in error.message and error.column == 9
    assert result.config.trustpoints["TP"].chain == ()
    assert "P" in result.config.proposals


def test_truncated_certificate_is_an_error_naming_its_line() -> None:
    der = self_signed("ca.lab")
    (error,) = load(_chain(der[:-40])).errors
    assert (
        error.line == 3
        and "certificate 01 of chain TP is not an X.509 certificate" in error.message
    )


def test_block_without_quit_ends_at_the_next_command() -> None:
    text = _chain(self_signed("ca.lab")).replace("  \tquit\n", "") + "hostname R9\n"
    result = load(text)
    (error,) = result.errors
    assert "ends without 'quit'" in error.message and error.line == 3
    assert result.config.hostname == "R9"


def test_serial_that_does_not_match_the_certificate_is_a_warning() -> None:
    result = load(_chain(self_signed("ca.lab", 5), serial="06"))
    assert any("the certificate's serial number is 05" in d.message for d in result.warnings)
    assert result.config.trustpoints["TP"].chain[0].serial == "06"


def test_startup_config_form_names_an_nvram_file() -> None:
    text = "crypto pki trustpoint TP\ncrypto pki certificate chain TP\n certificate ca 01 nvram:CA#1CA.cer\n"
    result = load(text)
    assert result.errors == () and result.config.trustpoints["TP"].chain == ()
    assert any("nvram:CA#1CA.cer" in d.message for d in result.warnings)


def test_chain_before_its_trustpoint_makes_it_with_a_warning() -> None:
    result = load(_chain(self_signed("ca.lab")).replace("crypto pki trustpoint TP\n", ""))
    assert result.errors == () and len(result.config.trustpoints["TP"].chain) == 1
    assert any("no 'crypto pki trustpoint TP'" in d.message for d in result.warnings)


# --- certificate maps and key pairs -----------------------------------------------------------


def test_certificate_map_rules_in_sequence_order() -> None:
    text = (
        "crypto pki certificate map SPOKES 20\n issuer-name eq cn = lab-ca\n"
        "crypto pki certificate map SPOKES 10\n subject-name co ou = vpn\n"
        " alt-subject-name nc bad.example\n expires-on lt 01:00:00 UTC Jan 1 2030\n"
        " no alt-subject-name nc bad.example\n"
    )
    result = load(text)
    assert result.errors == ()
    assert result.config.certificate_maps["SPOKES"] == (
        PkiCertificateMap(
            "SPOKES",
            10,
            (("subject-name", "co", "ou = vpn"), ("expires-on", "lt", "01:00:00 UTC Jan 1 2030")),
            result.config.certificate_maps["SPOKES"][0].source,
        ),
        PkiCertificateMap(
            "SPOKES",
            20,
            (("issuer-name", "eq", "cn = lab-ca"),),
            result.config.certificate_maps["SPOKES"][1].source,
        ),
    )
    (error,) = load("crypto pki certificate map M 10\n subject-name like x\n").errors
    assert error.message == INVALID_INPUT and error.column == 13


def test_crypto_key_generate_lines() -> None:
    text = (
        "hostname R1\nip domain name lab.example\ncrypto key generate rsa modulus 2048\n"
        "crypto key generate rsa general-keys label VPN exportable modulus 3072\n"
        "crypto key generate ec keysize 384 label ECK\n"
    )
    result = load(text)
    assert result.errors == ()
    assert result.config.key_pairs == {
        "R1.lab.example": KeyPairConfig("R1.lab.example", "rsa", 2048),
        "VPN": KeyPairConfig("VPN", "rsa", 3072, exportable=True),
        "ECK": KeyPairConfig("ECK", "ec", 384),
    }
    assert "crypto key generate" not in render(result.config)  # an exec command: IOS keeps keys


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("crypto key generate rsa modulus 2048\n", "% Please define a hostname other than Router."),
        (
            "hostname R1\ncrypto key generate rsa modulus 2048\n",
            "% Please define a domain-name first.",
        ),
    ],
)
def test_unlabelled_keys_need_the_routers_name(text: str, message: str) -> None:
    (error,) = load(text).errors
    assert error.message == message


def test_ec_key_sizes_are_ioss() -> None:
    (error,) = load("crypto key generate ec keysize 512 label X\n").errors
    assert error.message == INVALID_INPUT


# --- printing -------------------------------------------------------------------------------


def test_pki_configuration_round_trips() -> None:
    ca = self_signed("ca.lab", 1, ec.generate_private_key(ec.SECP384R1()))
    text = (
        TRUSTPOINT
        + _chain(ca).replace("crypto pki trustpoint TP\n", "").replace("chain TP", "chain LAB")
        + "crypto pki certificate map M 10\n subject-name co cn = r2\n"
    )
    original = load(text)
    assert original.errors == ()
    printed = render(original.config, show_keys=True)
    again = load(printed)
    assert again.errors == ()
    assert comparable(again.config) == comparable(original.config)
    assert render(again.config, show_keys=True) == printed


def test_trustpoint_password_is_hidden_unless_keys_are_shown() -> None:
    cfg = load(TRUSTPOINT).config
    assert "challenge-Pass" not in render(cfg) and " password *****" in render(cfg)
    assert " password challenge-Pass" in render(cfg, show_keys=True)


def test_authenticate_and_enroll_lines_are_kept_as_requests_never_written() -> None:
    text = (
        "hostname R1\ncrypto pki trustpoint TP\n enrollment terminal\n"
        " chain-validation continue ROOT\n crl query flash:tp.crl\n!\n"
        "crypto pki authenticate TP\ncrypto ca enroll TP\ncrypto pki enroll NOPE\n"
    )
    result = load(text)
    assert result.errors == ()
    assert result.config.pki_requests == [("authenticate", "TP"), ("enroll", "TP")]
    assert [w.message for w in result.warnings] == [
        "crypto pki enroll NOPE: no trustpoint NOPE is configured"
    ]
    tp = result.config.trustpoints["TP"]
    assert (tp.parent, tp.crl_query) == ("ROOT", "flash:tp.crl")
    written = render(result.config)
    assert " chain-validation continue ROOT\n crl query flash:tp.crl\n" in written
    assert "authenticate" not in written and "enroll TP" not in written
