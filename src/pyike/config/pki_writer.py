"""The PKI part of the running-config, as IOS prints it: each `crypto pki trustpoint`, then each
trustpoint's `crypto pki certificate chain` (empty when it holds no certificate), then the
certificate maps. A certificate is printed in hex (pki_hex), its block closed by IOS's
indented `quit`. `crypto key generate` lines are exec commands: IOS keeps the keys, not the
commands, so they are not printed.
"""

from __future__ import annotations

from pyike.config.model import Config
from pyike.config.pki_hex import hex_lines
from pyike.config.pki_model import PkiCertificate, PkiCertificateMap, PkiTrustpoint

Block = list[str]
QUIT = "  \tquit"  # IOS indents the end of a certificate with two spaces and a tab
HIDDEN = "*****"


def _password(tp: PkiTrustpoint, show_keys: bool) -> str | None:
    if tp.password is None:
        return None
    if not show_keys:
        return f" password {HIDDEN}"
    kind = "7 " if tp.password.encryption_type == 7 else ""
    return f" password {kind}{tp.password.reveal()}"


def _opt(words: str, value: object) -> str | None:
    return None if value is None else f" {words} {value}".rstrip()


def trustpoint_lines(tp: PkiTrustpoint, show_keys: bool = False) -> Block:
    rsakeypair = " ".join(str(x) for x in (tp.rsakeypair, tp.rsakeypair_size) if x is not None)
    lines = [
        _opt("enrollment", tp.enrollment),
        _opt("usage", tp.usage),
        " serial-number" if tp.serial_number else None,
        _opt("fqdn", tp.fqdn),
        _opt("ip-address", tp.ip_address),
        _password(tp, show_keys),
        _opt("subject-name", tp.subject_name),
        _opt("subject-alt-name", tp.subject_alt_name),
        _opt("vrf", tp.vrf),
        _opt("chain-validation", tp.chain_validation),
        _opt("crl query", tp.crl_query),
        _opt("revocation-check", " ".join(tp.revocation_check)),
        *(f" {text}" for text in tp.extra),
        _opt("rsakeypair", rsakeypair or None),
        _opt("eckeypair", tp.eckeypair),
        _opt("auto-enroll", tp.auto_enroll),
        _opt("hash", tp.hash),
    ]
    return [f"crypto pki trustpoint {tp.name}", *(line for line in lines if line is not None)]


def certificate_lines(cert: PkiCertificate) -> Block:
    """` certificate [ROLE] SERIAL`, the hex (a space after each full line, as IOS leaves it),
    and the `quit`."""
    role = "" if cert.role == "certificate" else f"{cert.role} "
    rows = hex_lines(cert.der)
    body = [f"  {row} " for row in rows[:-1]] + [f"  {row}" for row in rows[-1:]]
    return [f" certificate {role}{cert.serial}", *body, QUIT]


def chain_lines(tp: PkiTrustpoint) -> Block:
    block = [f"crypto pki certificate chain {tp.name}"]
    for cert in tp.chain:
        block += certificate_lines(cert)
    return block


def map_lines(entry: PkiCertificateMap) -> Block:
    block = [f"crypto pki certificate map {entry.name} {entry.sequence}"]
    return block + [f" {field} {op} {value}" for field, op, value in entry.rules]


def blocks(cfg: Config, show_keys: bool = False) -> list[Block]:
    out = [trustpoint_lines(tp, show_keys) for tp in cfg.trustpoints.values()]
    chains = [line for tp in cfg.trustpoints.values() for line in chain_lines(tp)]
    out += [chains] if chains else []  # IOS prints the chains without `!` between them
    out += [map_lines(e) for entries in cfg.certificate_maps.values() for e in entries]
    return out
