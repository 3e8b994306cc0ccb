"""What `pyike decode` adds to IOS's CERT and CERTREQ blocks: the subject, issuer, serial
number and validity of each X.509 certificate, and the SHA-1 hash of each CA a CERTREQ
asks for (RFC 7296 3.7), with the CA's subject when the capture carried that CA's
certificate."""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pyike.codec.message import Payload
from pyike.codec.payloads import CertPayload, CertReqPayload
from pyike.codec.registry import CertEncoding
from pyike.pki.identity import dn_text
from pyike.pki.validate import serial_text

SHA1_SIZE = 20


class CertificateNotes:
    """Remembers the certificates seen so far in a capture, to name the CAs of later
    CERTREQs."""

    def __init__(self) -> None:
        self.authorities: dict[bytes, str] = {}  # SHA-1 of the SubjectPublicKeyInfo -> subject

    def __call__(self, payload: Payload) -> list[str]:
        if isinstance(payload, CertPayload):
            return self._certificate(payload)
        if isinstance(payload, CertReqPayload):
            return self._request(payload)
        return []

    def _certificate(self, payload: CertPayload) -> list[str]:
        if payload.cert_encoding != CertEncoding.X509_CERT_SIGNATURE:
            return []
        try:
            cert = x509.load_der_x509_certificate(payload.data)
        except ValueError:
            return [f"    Certificate: not X.509 DER ({len(payload.data)} bytes)"]
        spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        subject = dn_text(cert.subject)
        self.authorities[hashlib.sha1(spki, usedforsecurity=False).digest()] = subject
        return [
            f"    Subject: {subject}",
            f"    Issuer: {dn_text(cert.issuer)}",
            f"    Serial: {serial_text(cert)}, valid {_day(cert.not_valid_before_utc)} to "
            f"{_day(cert.not_valid_after_utc)}",
        ]

    def _request(self, payload: CertReqPayload) -> list[str]:
        data = payload.data
        if payload.cert_encoding != CertEncoding.X509_CERT_SIGNATURE:
            return []
        if len(data) % SHA1_SIZE:
            return [f"    CA hashes: {len(data)} bytes, not a whole number of SHA-1 hashes"]
        lines = []
        for at in range(0, len(data), SHA1_SIZE):
            digest = data[at : at + SHA1_SIZE]
            known = self.authorities.get(digest)
            lines.append(f"    CA: {digest.hex().upper()}" + (f" ({known})" if known else ""))
        return lines


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
