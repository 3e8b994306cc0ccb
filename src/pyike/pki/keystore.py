"""A router's private keys, kept beside its configuration file as IOS keeps them beside its
running-config: `R1.cfg` has `R1.<label>.key.pem` for each key pair a trustpoint names
(`rsakeypair LABEL`, `eckeypair LABEL`), else `R1.key.pem` (the router's general-purpose
pair, labelled after the router as IOS labels it). `pyike pki issue` writes them with mode
0600; a key file that others may read is refused, as ssh refuses such a key.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pyike.config.model import Config
from pyike.crypto.auth import PrivateKey

KEY_SUFFIX = ".key.pem"


class KeyFileError(Exception):
    """A key file that cannot be used; the message names the file and what to do."""


def key_path(config_path: Path, label: str | None) -> Path:
    """Where the key pair `label` of the router configured in `config_path` lives (None: the
    router's default pair)."""
    stem = config_path.with_suffix("").name
    name = f"{stem}.{label}{KEY_SUFFIX}" if label else f"{stem}{KEY_SUFFIX}"
    return config_path.with_name(name)


def default_label(config: Config) -> str:
    """The label of a router's default key pair: IOS names it after the router."""
    return config.hostname


def key_labels(config: Config) -> list[str]:
    """The labels of the key pairs the router's trustpoints sign with, in configuration order;
    a trustpoint naming none signs with the router's default pair."""
    labels = [tp.key_label or default_label(config) for tp in config.trustpoints.values()]
    return list(dict.fromkeys(labels))


def _path_for(config_path: Path, config: Config, label: str) -> Path:
    named = key_path(config_path, label)
    if label == default_label(config) and not named.exists():
        return key_path(config_path, None)
    return named


def read_private_key(path: Path) -> PrivateKey:
    """One PEM private key, refused when group- or world-accessible or not RSA/ECDSA."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"{path}: private key readable by others (mode {stat.S_IMODE(mode):04o}); "
                f"run 'chmod 600 {path}'"
            )
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: {error.strerror or error}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        reason = "it is encrypted" if isinstance(error, TypeError) else "not a PEM private key"
        raise KeyFileError(f"{path}: {reason}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyFileError(f"{path}: only RSA and ECDSA keys can sign IKE_AUTH")
    return key


def load_router_keys(config_path: str | Path, config: Config) -> dict[str, PrivateKey]:
    """The private keys of the router configured in `config_path`, by label, for the key pairs
    its trustpoints use. A key pair without a file is left out (the router then cannot sign
    with it); a file that exists but cannot be used raises KeyFileError."""
    path = Path(config_path)
    keys: dict[str, PrivateKey] = {}
    for label in key_labels(config):
        file = _path_for(path, config, label)
        if file.exists():
            keys[label] = read_private_key(file)
    return keys


def write_private_key(path: Path, key: PrivateKey) -> None:
    """Write `key` as unencrypted PKCS#8 PEM, readable by its owner only from the start."""
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
