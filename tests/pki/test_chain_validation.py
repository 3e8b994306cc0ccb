"""`chain-validation continue PARENT`: a trustpoint holding an intermediate CA has that CA
validated in turn with its parent trustpoint's root (issuer, dates, the parent's CRL), as
IOS validates a CA hierarchy; `stop` (or no parent) keeps the intermediate as the anchor.
Also `crl query` naming a local file loads that CRL for the trustpoint."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from pyike.adapter.config_pki import RouterKeys, router_pki
from pyike.config import load
from pyike.config.pki_model import PkiCertificate, PkiTrustpoint, local_crl_file
from pyike.config.pki_writer import chain_lines
from pyike.pki.validate import Anchor, validate
from tests.support.pki import NOW, Issued, crl, issue, make_ca, trustpoint

ROOT = make_ca("Lab Root CA")
SUB = make_ca("Lab Issuing CA", parent=ROOT, serial=2)
PEER = issue(SUB, "peer", serial=0x20)


def _anchor(parent: Anchor | None, *, sub_revocation: tuple[str, ...] = ("none",)) -> Anchor:
    sub = trustpoint("SUB", SUB, revocation=sub_revocation).anchor
    assert sub is not None
    return replace(sub, parent=parent)


def _root(revoked: tuple[int, ...] = (), ca: Issued = ROOT) -> Anchor:
    tp = trustpoint("ROOT", ca, revocation=("crl",), crls=(crl(ca, revoked),))
    assert tp.anchor is not None
    return tp.anchor


def test_an_intermediate_trustpoint_continues_to_its_root() -> None:
    result = validate([PEER.der], [_anchor(_root())], NOW, "1")
    assert result.ok, result.failure
    assert (
        "validation",
        "(1) Attempting to validate certificate using ROOT policy",
    ) in result.lines


def test_a_revoked_intermediate_fails_on_the_parents_crl() -> None:
    result = validate([PEER.der], [_anchor(_root(revoked=(2,)))], NOW, "1")
    assert (result.cause, result.failure) == ("revoked", "Certificate (SN: 02) is revoked")


def test_a_parent_that_did_not_issue_the_intermediate_is_untrusted() -> None:
    other = make_ca("Some Other Root")
    result = validate([PEER.der], [_anchor(_root(ca=other))], NOW, "1")
    assert result.cause == "untrusted"
    assert "not issued by the CA of ROOT" in (result.failure or "")


def test_without_a_parent_the_intermediate_is_the_anchor() -> None:
    assert validate([PEER.der], [_anchor(None)], NOW, "1").ok


def _der(issued: Issued) -> bytes:
    return issued.cert.public_bytes(Encoding.DER)


def test_the_adapter_links_parents_and_reads_crl_query_files(tmp_path: Path) -> None:
    (tmp_path / "root.crl").write_bytes(crl(ROOT, (2,)).public_bytes(Encoding.DER))
    sub = PkiTrustpoint("SUB", chain=(PkiCertificate("ca", "02", _der(SUB)),))
    root = PkiTrustpoint("ROOT", chain=(PkiCertificate("ca", "01", _der(ROOT)),))
    text = "\n".join(
        [
            "crypto pki trustpoint SUB",
            " chain-validation continue ROOT",
            " revocation-check none",
            "crypto pki trustpoint ROOT",
            " crl query flash:root.crl",
            " revocation-check crl",
            *chain_lines(sub),
            *chain_lines(root),
        ]
    )
    config = load(text, str(tmp_path / "R1.cfg")).config
    pki = router_pki(config, RouterKeys(), "R1", lambda name: None, NOW)
    assert pki is not None
    anchor = pki.trustpoints["SUB"].anchor
    assert anchor is not None and anchor.parent is not None
    assert anchor.parent.trustpoint == "ROOT" and len(anchor.parent.crls) == 1
    result = validate([PEER.der], [anchor], NOW, "1")
    assert result.cause == "revoked"  # the intermediate (serial 02) on the root's CRL


def test_crl_query_urls_naming_local_files() -> None:
    assert local_crl_file("flash:ca.crl") == "ca.crl"
    assert local_crl_file("file:///var/lib/pyike/ca.crl") == "/var/lib/pyike/ca.crl"
    assert local_crl_file("/etc/pyike/ca.crl") == "/etc/pyike/ca.crl"
    assert local_crl_file("http://10.0.0.9/ca.crl") is None
    assert local_crl_file("ldap://10.0.0.9") is None
