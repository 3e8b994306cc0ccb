"""`pyike pki issue`: a router certificate from the router's configuration, written beside it
(key, certificate, CA chain, PKCS#12 for strongSwan) and into it (the trustpoint when missing,
and its `crypto pki certificate chain` block as IOS prints it)."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from pyike.config import load
from pyike.config.model import Config
from pyike.config.pki_hex import hex_serial
from pyike.config.pki_model import PkiCertificate, PkiTrustpoint
from pyike.config.pki_writer import chain_lines, trustpoint_lines
from pyike.crypto.auth import PrivateKey
from pyike.pki.ca import (
    KEY_TYPES,
    ROOT,
    Authority,
    CaDir,
    CaError,
    end_certificate,
    intermediate,
    key_type,
)
from pyike.pki.config_edit import add_trustpoint_line, install_chain
from pyike.pki.identity import dn_text
from pyike.pki.keystore import KeyFileError, key_path, read_private_key, write_private_key
from pyike.pki.router_names import SubjectNameError, router_alt_names, router_subject

DEFAULT_TRUSTPOINT = "LAB-CA"
# What a trustpoint `pyike pki issue` adds looks like: the certificates are pasted in, and
# the CRL is checked when the router has one (`none`: accepted when it has none).
NEW_TRUSTPOINT = PkiTrustpoint("", enrollment="terminal", revocation_check=("crl", "none"))


@dataclass(frozen=True)
class Request:
    """What to issue: the key type, validity, issuer and outputs."""

    key: str = "p256"
    days: int = 365
    use_intermediate: bool = False
    p12: bool = False
    p12_password: str | None = None
    trustpoint: str | None = None
    now: datetime.datetime | None = None


@dataclass(frozen=True)
class Issued:
    config: Path
    trustpoint: str
    serial: str
    subject: str
    files: tuple[Path, ...]
    key_replaced: bool  # an existing key file of another type was replaced


def _read_config(path: Path) -> tuple[str, Config]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not a text file"
        raise CaError(f"{path}: cannot read the configuration ({reason or error})") from None
    result = load(text, str(path))
    if result.errors:
        raise CaError(f"{result.errors[0].format()}\n{path}: fix the configuration first")
    return text, result.config


def _trustpoint(config: Config, path: Path, chosen: str | None) -> PkiTrustpoint:
    parents = {tp.parent for tp in config.trustpoints.values()}
    names = [name for name in config.trustpoints if name not in parents]  # roots only anchor
    if chosen is None and len(names) > 1:
        raise CaError(f"{path}: several trustpoints ({', '.join(names)}): choose with --trustpoint")
    name = chosen or (names[0] if names else DEFAULT_TRUSTPOINT)
    return config.trustpoints.get(name) or replace(NEW_TRUSTPOINT, name=name)


def _check_key_kind(tp: PkiTrustpoint, key: str, path: Path) -> None:
    named = f"{path}: trustpoint {tp.name} names"
    if tp.rsakeypair and not key.startswith("rsa"):
        raise CaError(f"{named} rsakeypair {tp.rsakeypair}: use --key rsa2048|rsa3072")
    if tp.eckeypair and key.startswith("rsa"):
        raise CaError(f"{named} eckeypair {tp.eckeypair}: use --key p256|p384")


def _router_key(file: Path, wanted: str) -> tuple[PrivateKey, bool]:
    """The router's key: the one in `file` when it is of the wanted type, else a new one
    (and whether an existing key is being replaced)."""
    if file.exists():
        try:
            existing = read_private_key(file)
        except KeyFileError as error:
            raise CaError(str(error)) from None
        if key_type(existing) == wanted:
            return existing, False
        return KEY_TYPES[wanted](), True
    return KEY_TYPES[wanted](), False


def _write_private(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)


def _issuer(
    ca: CaDir, state: dict[str, Any], request: Request, now: datetime.datetime
) -> tuple[Authority, list[x509.Certificate]]:
    """The CA that signs, and the CA certificates from it up to the root."""
    root = ca.authority(ROOT)
    if not request.use_intermediate:
        return root, [root.cert]
    days = (root.cert.not_valid_after_utc - now).days
    sub = intermediate(ca, state, now, days)
    return sub, [sub.cert, root.cert]


def issue(ca_path: str | Path, config_path: str | Path, request: Request) -> Issued:
    ca, path = CaDir(ca_path), Path(config_path)
    state = ca.state()
    now = request.now or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    text, config = _read_config(path)
    tp = _trustpoint(config, path, request.trustpoint)
    _check_key_kind(tp, request.key, path)
    key_file = key_path(path, tp.key_label)
    key, replaced = _router_key(key_file, request.key)
    issuer, cas = _issuer(ca, state, request, now)
    try:
        subject = router_subject(config, tp)
    except SubjectNameError as error:
        raise CaError(f"{path}: {error}") from None
    serial = ca.next_serial(state)
    cert = end_certificate(
        issuer,
        subject,
        router_alt_names(config, tp),
        key,
        serial,
        now,
        request.days,
        state.get("cdp"),
    )
    state["issued"][f"{serial:X}"] = {
        "issuer": issuer.name,
        "subject": subject.rfc4514_string(),
        "config": str(path),
    }
    files = _write_outputs(path, key_file, key, cert, cas, request)
    _write_config(path, text, config, tp, cas, cert)
    ca.save(state)
    return Issued(path, tp.name, hex_serial(serial), dn_text(subject), (*files, path), replaced)


def _write_outputs(
    path: Path,
    key_file: Path,
    key: PrivateKey,
    cert: x509.Certificate,
    cas: list[x509.Certificate],
    request: Request,
) -> list[Path]:
    stem = path.with_suffix("")
    write_private_key(key_file, key)
    cert_file, chain_file = Path(f"{stem}.crt.pem"), Path(f"{stem}.chain.pem")
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    chain_file.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in cas))
    files = [key_file, cert_file, chain_file]
    if request.p12:
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        secret = request.p12_password
        protection = (
            serialization.BestAvailableEncryption(secret.encode())
            if secret
            else serialization.NoEncryption()
        )
        data = pkcs12.serialize_key_and_certificates(stem.name.encode(), key, cert, cas, protection)
        p12_file = Path(f"{stem}.p12")
        _write_private(p12_file, data)
        files.append(p12_file)
    return files


def _write_config(
    path: Path,
    text: str,
    config: Config,
    tp: PkiTrustpoint,
    cas: list[x509.Certificate],
    cert: x509.Certificate,
) -> None:
    """The configuration with the new chain (router certificate first, as IOS prints it), read
    back before it replaces the file. Under an intermediate CA the trustpoint holds the
    intermediate and, as IOS is set up for a CA hierarchy, `chain-validation continue
    ROOT-TP` names a trustpoint holding the root (`TP-ROOT`, added when missing), so the
    intermediate is itself validated; a trustpoint that says `chain-validation stop` keeps
    the intermediate as its anchor."""
    issuer = cas[0]
    chain = (_entry("certificate", cert), _entry("ca", issuer))
    root_name = _root_trustpoint(tp) if len(cas) > 1 else None
    if root_name is not None and tp.chain_validation is None:
        tp = replace(tp, chain_validation=f"continue {root_name}")
    new_tp = replace(tp, chain=chain)
    updated = text
    if root_name is not None:
        root = config.trustpoints.get(root_name) or replace(NEW_TRUSTPOINT, name=root_name)
        root = replace(root, chain=(_entry("ca", cas[-1]),))
        fresh_root = root_name not in config.trustpoints
        updated = install_chain(
            updated, root_name, trustpoint_lines(root) if fresh_root else [], chain_lines(root)
        )
    fresh = tp.name not in config.trustpoints
    updated = install_chain(
        updated, tp.name, trustpoint_lines(new_tp) if fresh else [], chain_lines(new_tp)
    )
    if not fresh and config.trustpoints[tp.name].chain_validation is None and root_name:
        updated = add_trustpoint_line(updated, tp.name, f" chain-validation continue {root_name}")
    check = load(updated, str(path))
    read = check.config.trustpoints.get(tp.name)
    if check.errors or read is None or read.chain != chain or read.parent != tp.parent:
        problem = check.errors[0].format() if check.errors else "the chain does not read back"
        raise CaError(f"{path}: not rewritten: {problem}")
    temporary = path.with_name(path.name + ".pyike-tmp")
    temporary.write_text(updated, encoding="utf-8")
    temporary.replace(path)


def _entry(role: str, cert: x509.Certificate) -> PkiCertificate:
    der = cert.public_bytes(serialization.Encoding.DER)
    return PkiCertificate(role, hex_serial(cert.serial_number), der)


def _root_trustpoint(tp: PkiTrustpoint) -> str | None:
    """Where the root CA goes under an intermediate: the trustpoint's `chain-validation
    continue PARENT`, else TP-ROOT; None with `chain-validation stop` (or a bare
    `continue`)."""
    if tp.chain_validation is None:
        return f"{tp.name}-ROOT"
    return tp.parent
