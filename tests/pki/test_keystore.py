"""A router's private keys beside its configuration: by label, owner-only, refused otherwise."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pyike.config import load
from pyike.pki.keystore import KeyFileError, key_path, load_router_keys, write_private_key
from tests.support.pki_certs import rsa_key

CONFIG = """\
hostname R1
crypto pki trustpoint RSA-TP
 rsakeypair VPN-RSA
crypto pki trustpoint EC-TP
 eckeypair VPN-EC
crypto pki trustpoint PLAIN
"""


def _router(tmp_path: Path) -> Path:
    path = tmp_path / "R1.cfg"
    path.write_text(CONFIG)
    return path


def test_keys_are_found_by_the_labels_the_trustpoints_name(tmp_path: Path) -> None:
    path = _router(tmp_path)
    rsa, ecdsa, default = rsa_key(), ec.generate_private_key(ec.SECP256R1()), rsa_key()
    write_private_key(tmp_path / "R1.VPN-RSA.key.pem", rsa)
    write_private_key(tmp_path / "R1.VPN-EC.key.pem", ecdsa)
    write_private_key(tmp_path / "R1.key.pem", default)
    keys = load_router_keys(path, load(CONFIG).config)
    assert sorted(keys) == ["R1", "VPN-EC", "VPN-RSA"]
    assert keys["VPN-RSA"].private_numbers() == rsa.private_numbers()
    assert keys["VPN-EC"].private_numbers() == ecdsa.private_numbers()
    assert keys["R1"].private_numbers() == default.private_numbers()
    assert key_path(path, "VPN-EC") == tmp_path / "R1.VPN-EC.key.pem"


def test_written_keys_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "R1.key.pem"
    path.write_text("old")
    path.chmod(0o644)
    write_private_key(path, rsa_key())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_missing_key_is_left_out(tmp_path: Path) -> None:
    assert load_router_keys(_router(tmp_path), load(CONFIG).config) == {}


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    path = _router(tmp_path)
    key_file = tmp_path / "R1.VPN-RSA.key.pem"
    write_private_key(key_file, rsa_key())
    key_file.chmod(0o640)
    with pytest.raises(KeyFileError, match=r"readable by others \(mode 0640\).*chmod 600"):
        load_router_keys(path, load(CONFIG).config)


def test_a_file_that_is_no_key_is_named(tmp_path: Path) -> None:
    path = _router(tmp_path)
    key_file = tmp_path / "R1.VPN-EC.key.pem"
    key_file.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    key_file.chmod(0o600)
    with pytest.raises(KeyFileError, match=r"R1\.VPN-EC\.key\.pem: not a PEM private key"):
        load_router_keys(path, load(CONFIG).config)
