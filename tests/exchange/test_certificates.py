"""IKEv2 with certificates between two engines: RSA and ECDSA signatures (Digital Signature
when both announce SIGNATURE_HASH_ALGORITHMS), CERTREQ in IKE_SA_INIT and CERT in IKE_AUTH,
chains through an intermediate CA, and every way a peer's certificate is refused: an
untrusted issuer, expired, revoked, no CRL, an identity its certificate does not name, no
key to sign with; and a profile never accepts a signature where it demands a PSK."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pyike.codec import AuthPayload, CertPayload, CertReqPayload
from pyike.codec.registry import AuthMethod, NotifyType
from pyike.ike import IkeSaUp, NegotiationFailed
from pyike.ike.events import ConsoleAlert
from pyike.ike.policy import Identity, IdentityMatch
from pyike.ike.trace import ErrorTrace, InfoTrace, PacketTrace, PkiTrace
from tests.support.harness import Harness, pair
from tests.support.pki import NOW, YEAR, crl, issue, make_ca, trustpoint, with_certificates
from tests.support.policies import PHASE1_PROP, R1, R2, site

ROOT = make_ca()
R1_CERT = issue(ROOT, "R1", address=R1, serial=0x11)
R2_CERT = issue(ROOT, "R2", address=R2, serial=0x12)


def _sites(
    one: list, two: list, *, auth1: str = "rsa-sig", auth2: str = "rsa-sig", **kw: object
) -> Harness:
    p1 = with_certificates(site(R1, R2, proposals=(PHASE1_PROP,)), one, "TP", auth=auth1, **kw)  # type: ignore[arg-type]
    p2 = with_certificates(site(R2, R1, proposals=(PHASE1_PROP,)), two, "TP", auth=auth2, **kw)  # type: ignore[arg-type]
    return pair(p1=p1, p2=p2)


def _up(h: Harness) -> bool:
    return bool(h["R1"].of_type(IkeSaUp)) and bool(h["R2"].of_type(IkeSaUp))


def _received(h: Harness, node: str, kind: type) -> list:
    out = []
    for record in h[node].trace:
        if isinstance(record, PacketTrace) and record.direction == "received":
            payloads = record.inner if record.inner is not None else record.message.payloads
            out += [p for p in payloads if isinstance(p, kind)]
    return out


def _info(h: Harness, node: str) -> list[str]:
    return [r.text for r in h[node].trace if isinstance(r, InfoTrace)]


def _errors(h: Harness, node: str) -> list[str]:
    return [r.text for r in h[node].trace if isinstance(r, ErrorTrace)]


def _refused_by_r2(h: Harness) -> None:
    failed = [(e.notify, e.sent) for e in h["R2"].of_type(NegotiationFailed)]
    assert (NotifyType.AUTHENTICATION_FAILED, True) in failed
    assert not h["R1"].of_type(IkeSaUp) and h["R2"].engine.ike_sas == []
    assert "Verify cert failed" in _info(h, "R2")
    assert ("R_VERIFY_AUTH", "EV_CERT_FAIL") in h["R2"].sm()


def test_rsa_certificates_bring_the_sa_up_with_cert_and_certreq() -> None:
    h = _sites([trustpoint("TP", ROOT, R1_CERT)], [trustpoint("TP", ROOT, R2_CERT)])
    assert _up(h)
    # CERTREQ in both IKE_SA_INIT messages: the SHA-1 of the root's public key
    for node in ("R1", "R2"):
        requests = _received(h, node, CertReqPayload)
        assert len(requests) == 1 and len(requests[0].data) == 20
        certs = _received(h, node, CertPayload)
        assert [c.data for c in certs] == [R2_CERT.der if node == "R1" else R1_CERT.der]
        auth = _received(h, node, AuthPayload)
        assert [a.method for a in auth] == [AuthMethod.DIGITAL_SIGNATURE]
        assert "Peer's authentication method is 'RSA'" in _info(h, node)
        assert "Verification of peer's authentication data PASSED" in _info(h, node)
    up = h["R2"].of_type(IkeSaUp)[0]
    assert up.remote_id == R1  # ID_IPV4_ADDR, in the certificate's SAN


@pytest.mark.parametrize("kind", ["p256", "p384", "p521"])
def test_ecdsa_certificates(kind: str) -> None:
    ca = make_ca(kind="p384")
    one, two = issue(ca, "R1", kind=kind, address=R1), issue(ca, "R2", kind=kind, address=R2)
    h = _sites(
        [trustpoint("TP", ca, one)],
        [trustpoint("TP", ca, two)],
        auth1="ecdsa-sig",
        auth2="ecdsa-sig",
    )
    assert _up(h)
    assert "Peer's authentication method is 'ECDSA'" in _info(h, "R2")


def test_a_chain_through_an_intermediate_is_sent_and_validated() -> None:
    sub = make_ca("Lab Issuing CA", parent=ROOT, serial=2)
    one = issue(sub, "R1", address=R1)
    # R1 is enrolled under the issuing CA (and trusts the root for R2's); R2 trusts the root
    h = _sites(
        [trustpoint("TP", sub, one), trustpoint("ROOT", ROOT)], [trustpoint("TP", ROOT, R2_CERT)]
    )
    assert _up(h)
    assert [c.data for c in _received(h, "R2", CertPayload)] == [one.der, sub.der]


def test_distinguished_names_as_identities() -> None:
    dn1 = Identity.dn(R1_CERT.cert.subject.public_bytes(), "cn=R1,o=pyike lab")
    dn2 = Identity.dn(R2_CERT.cert.subject.public_bytes(), "cn=R2,o=pyike lab")
    p1 = with_certificates(
        site(R1, R2, proposals=(PHASE1_PROP,), match=(IdentityMatch("any", ""),)),
        [trustpoint("TP", ROOT, R1_CERT)],
        "TP",
        local_id=dn1,
    )
    p2 = with_certificates(
        site(R2, R1, proposals=(PHASE1_PROP,), match=(IdentityMatch("any", ""),)),
        [trustpoint("TP", ROOT, R2_CERT)],
        "TP",
        local_id=dn2,
    )
    h = pair(p1=p1, p2=p2)
    assert _up(h)
    assert h["R2"].of_type(IkeSaUp)[0].remote_id == "cn=R1,o=pyike lab"
    assert h["R1"].of_type(IkeSaUp)[0].remote_id == "cn=R2,o=pyike lab"


def test_an_untrusted_issuer_is_refused() -> None:
    other = make_ca("Other CA")
    stranger = issue(other, "R1", address=R1)
    h = _sites([trustpoint("TP", other, stranger)], [trustpoint("TP", ROOT, R2_CERT)])
    _refused_by_r2(h)
    pki = [r.text for r in h["R2"].trace if isinstance(r, PkiTrace)]
    assert any("No suitable trustpoints found" in t for t in pki)


def test_an_expired_certificate_is_refused_with_ios_alert() -> None:
    old = issue(ROOT, "R1", address=R1, start=NOW - 2 * YEAR, end=NOW - timedelta(days=1))
    h = _sites([trustpoint("TP", ROOT, old)], [trustpoint("TP", ROOT, R2_CERT)])
    _refused_by_r2(h)
    alerts = [e.text for e in h["R2"].of_type(ConsoleAlert)]
    assert len(alerts) == 1 and alerts[0].startswith("%PKI-3-CERTIFICATE_INVALID_EXPIRED: ")
    assert "(SN: 10) has expired." in alerts[0] and "Nov 10 2013" in alerts[0]


def test_a_certificate_valid_only_later_is_refused() -> None:
    young = issue(ROOT, "R1", address=R1, start=NOW + timedelta(hours=1))
    h = _sites([trustpoint("TP", ROOT, young)], [trustpoint("TP", ROOT, R2_CERT)])
    _refused_by_r2(h)
    assert "NOT_YET_VALID" in h["R2"].of_type(ConsoleAlert)[0].text


@pytest.mark.parametrize(
    ("revocation", "crls", "up", "alert"),
    [
        (("crl",), (crl(ROOT, (0x11,)),), False, "%PKI-3-CERTIFICATE_REVOKED"),
        (("crl",), (crl(ROOT, (0x99,)),), True, None),
        (("crl",), (), False, "%PKI-3-CRL_FETCH_FAIL"),
        (("crl", "none"), (), True, None),
        (("none",), (crl(ROOT, (0x11,)),), True, None),
    ],
)
def test_revocation_as_the_trustpoint_says(
    revocation: tuple[str, ...], crls: tuple, up: bool, alert: str | None
) -> None:
    two = trustpoint("TP", ROOT, R2_CERT, revocation=revocation, crls=crls)
    one = trustpoint("TP", ROOT, R1_CERT, revocation=("none",))
    h = _sites([one], [two])
    assert bool(h["R2"].of_type(IkeSaUp)) is up
    alerts = [e.text for e in h["R2"].of_type(ConsoleAlert)]
    assert [a.split(":")[0] for a in alerts] == ([alert] if alert else [])


def test_an_identity_the_certificate_does_not_name_is_refused() -> None:
    liar = issue(ROOT, "R1", address="10.9.9.9")
    h = _sites([trustpoint("TP", ROOT, liar)], [trustpoint("TP", ROOT, R2_CERT)])
    _refused_by_r2(h)
    assert any("is not in its certificate" in t for t in _errors(h, "R2"))


def test_asymmetric_rsa_one_way_psk_the_other() -> None:
    p1 = with_certificates(
        site(R1, R2, proposals=(PHASE1_PROP,)),
        [trustpoint("TP", ROOT, R1_CERT)],
        "TP",
        auth="rsa-sig",
        remote=("pre-share",),
    )
    p2 = with_certificates(
        site(R2, R1, proposals=(PHASE1_PROP,)),
        [trustpoint("TP", ROOT)],
        None,
        auth="pre-share",
        remote=("rsa-sig",),
    )
    h = pair(p1=p1, p2=p2)
    assert _up(h)
    assert [a.method for a in _received(h, "R2", AuthPayload)] == [AuthMethod.DIGITAL_SIGNATURE]
    assert [a.method for a in _received(h, "R1", AuthPayload)] == [AuthMethod.SHARED_KEY_MIC]


def test_a_signature_where_a_psk_is_demanded_is_refused() -> None:
    p1 = with_certificates(
        site(R1, R2, proposals=(PHASE1_PROP,)), [trustpoint("TP", ROOT, R1_CERT)], "TP"
    )
    p2 = with_certificates(
        site(R2, R1, proposals=(PHASE1_PROP,)),
        [trustpoint("TP", ROOT, R2_CERT)],
        "TP",
        remote=("pre-share",),
    )
    h = pair(p1=p1, p2=p2)
    assert not _up(h)
    assert any("mismatching with the method proposed" in t for t in _errors(h, "R2"))


def test_a_certificate_without_a_key_cannot_sign() -> None:
    keyless = trustpoint("TP", ROOT, R1_CERT)
    keyless = type(keyless)(keyless.name, keyless.ca, keyless.certificate, None, ("none",))
    h = _sites([keyless], [trustpoint("TP", ROOT, R2_CERT)])
    assert not _up(h)
    assert any("has a certificate but no private key" in t for t in _errors(h, "R1"))
    assert not [r for r in h.wire if r.exchange == "IKE_AUTH"]


def test_an_rsa_key_cannot_sign_for_ecdsa_sig() -> None:
    h = _sites(
        [trustpoint("TP", ROOT, R1_CERT)], [trustpoint("TP", ROOT, R2_CERT)], auth1="ecdsa-sig"
    )
    assert not _up(h)
    assert any("RSA key" in t for t in _errors(h, "R1"))
