"""Certificates for the PKI tests, made with `cryptography` on fixed dates, and the public
running-config with real IOS certificate chains (tests/data/pki)."""

from __future__ import annotations

import datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pyike.lab.lab_ca import ca_builder
from tests.support.paths import DATA

PKI_DATA = DATA / "pki"
PUBLIC_SWITCH = PKI_DATA / "public-ios-xe-17.6-switch.cfg"  # Cisco Licensing Root CA and more
START = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def self_signed(
    cn: str, serial: int = 1, key: ec.EllipticCurvePrivateKey | None = None, days: int = 30
) -> bytes:
    """A self-signed CA certificate `CN=cn,O=pyike lab` (P-256 unless `key` is given), as DER."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    end = START + datetime.timedelta(days=days)
    cert = ca_builder(cn, None, key, serial, START, end).sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.DER)


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, bits)


def hex_block(der: bytes, words_per_line: int = 8) -> str:
    """A certificate's hex as a person might paste it: upper-case 4-byte words."""
    words = [der[i : i + 4].hex().upper() for i in range(0, len(der), 4)]
    rows = [words[i : i + words_per_line] for i in range(0, len(words), words_per_line)]
    return "".join("  " + " ".join(row) + "\n" for row in rows)
