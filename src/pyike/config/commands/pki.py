"""IOS PKI: `crypto pki trustpoint` and its sub-commands, `crypto pki certificate chain` with
the certificates in hex as `show running-config` prints them, `crypto pki certificate map`,
and the `crypto key generate rsa|ec` exec commands some pasted configurations carry.

`crypto ca ...` is IOS's older spelling of `crypto pki ...`; both read the same. The
certificates are checked to be X.509 as they are read: a block whose hex or DER is corrupt is
an error naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography import x509

from pyike.config.build import Builder, Rejected
from pyike.config.diagnostics import Severity
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import DEFAULT_HOSTNAME, Secret
from pyike.config.modes import CERT_CHAIN, CERT_DATA, CERT_MAP, GLOBAL, TRUSTPOINT
from pyike.config.params import IFACE, interface_arg
from pyike.config.pki_hex import hex_serial, is_hex_word
from pyike.config.pki_model import (
    KeyPairConfig,
    PkiCertificate,
    PkiCertificateMap,
    PkiTrustpoint,
    domain_in,
)

# --- crypto pki trustpoint ------------------------------------------------------------------


@GLOBAL.command("crypto {pki|ca} trustpoint $ <name:WORD>", enters=TRUSTPOINT)
def _trustpoint(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    if negate:
        if name is not None:
            b.config.trustpoints.pop(name, None)
        return
    if name not in b.config.trustpoints:
        b.config.trustpoints[name] = PkiTrustpoint(name, source=b.source())
    b.enter(TRUSTPOINT, name)


def _update(b: Builder, **changes: Any) -> None:
    name = b.key()
    b.config.trustpoints[name] = replace(b.config.trustpoints[name], **changes)


_UNSET = PkiTrustpoint("")  # what `no SUB-COMMAND` restores


def _setting(pattern: str, attr: str, value: Callable[[Match], Any]) -> None:
    """A trustpoint sub-command that sets `attr` to `value(match)`; `no` restores the default."""

    def handler(b: Builder, m: Match, line: Line, negate: bool) -> None:
        _update(b, **{attr: getattr(_UNSET, attr) if negate else value(m)})

    TRUSTPOINT.add(pattern, handler)


_setting(
    "enrollment $ {terminal [pem]|selfsigned|pkcs12|url <url:WORD>}",
    "enrollment",
    lambda m: " ".join([*m.keywords()[1:], *([m.get("url")] if m.get("url") else [])]),
)
_setting("subject-name $ <name:LINE>", "subject_name", lambda m: m.get("name"))
_setting("subject-alt-name $ <name:LINE>", "subject_alt_name", lambda m: m.get("name"))
_setting(
    "revocation-check $ {crl|none|ocsp}+", "revocation_check", lambda m: tuple(m.keywords()[1:])
)
_setting("eckeypair $ <label:WORD>", "eckeypair", lambda m: m.get("label"))
_setting("fqdn $ <name:WORD>", "fqdn", lambda m: m.get("name"))
_setting("hash $ {md5|sha1|sha256|sha384|sha512}", "hash", lambda m: m.keywords()[1])
_setting("usage $ {ike|ssl-client|ssl-server}", "usage", lambda m: m.keywords()[1])
_setting("vrf $ <name:WORD>", "vrf", lambda m: m.get("name"))
_setting(
    "chain-validation $ {stop|continue [<parent:WORD>]}",
    "chain_validation",
    lambda m: " ".join([m.keywords()[1], *([m.get("parent")] if m.get("parent") else [])]),
)
_setting("crl query $ <url:WORD>", "crl_query", lambda m: m.get("url"))
_setting(
    "auto-enroll $ [<percent:INT(1,100)>] [regenerate]",
    "auto_enroll",
    lambda m: " ".join([str(m.get("percent") or ""), *m.keywords()[1:]]).strip(),
)


@TRUSTPOINT.command(f"ip-address $ {{none|<addr:IPV4>|{IFACE}}}")
def _ip_address(b: Builder, m: Match, line: Line, negate: bool) -> None:
    value = "none" if m.has("none") else (str(m.get("addr")) if m.get("addr") else None)
    _update(b, ip_address=None if negate else value or interface_arg(m))


@TRUSTPOINT.command("serial-number $ [none]")
def _serial_number(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(b, serial_number=not negate and not m.has("none"))


@TRUSTPOINT.command("rsakeypair $ <label:WORD> [<size:INT(360,16384)> [<esize:INT(360,16384)>]]")
def _rsakeypair(b: Builder, m: Match, line: Line, negate: bool) -> None:
    _update(
        b,
        rsakeypair=None if negate else m.get("label"),
        rsakeypair_size=None if negate else m.get("size"),
    )


@TRUSTPOINT.command("password $ [0|7] <password:SECRET>")
def _password(b: Builder, m: Match, line: Line, negate: bool) -> None:
    kind = 7 if m.has("7") else 0
    _update(b, password=None if negate else Secret(m.get("password"), kind))


def _keep_in_trustpoint(b: Builder, m: Match, line: Line, negate: bool) -> None:
    trustpoint: PkiTrustpoint = b.config.trustpoints[b.key()]
    _update(b, extra=(*trustpoint.extra, line.text))


# Trustpoint sub-commands IOS has that pyike keeps as written without acting on them.
_UNMODELLED = (
    "enrollment {mode|retry|http-proxy|profile|interface|credentials} <rest:LINE>",
    "crl {cache|optional} <rest:LINE>",
    "eku <rest:LINE>",
    "fingerprint <rest:LINE>",
    "match <rest:LINE>",
    "ocsp <rest:LINE>",
    "source <rest:LINE>",
    "storage <rest:LINE>",
    "on <rest:LINE>",
    "primary",
    "query <rest:LINE>",
    "regenerate",
    "rollover <rest:LINE>",
    "trustpool <rest:LINE>",
)
for _phrase in _UNMODELLED:
    TRUSTPOINT.add(_phrase, _keep_in_trustpoint, modelled=False)


# --- crypto pki certificate chain -------------------------------------------------------------


@dataclass
class _Draft:
    """A certificate whose hex is being read, up to its `quit`."""

    trustpoint: str
    role: str
    serial: str
    line: int  # the `certificate` line
    data: bytearray = field(default_factory=bytearray)
    corrupt: bool = False


@GLOBAL.command("crypto {pki|ca} certificate chain $ <name:WORD>", enters=CERT_CHAIN)
def _chain(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name = m.get("name")
    trustpoint = b.config.trustpoints.get(name)
    if negate:
        if trustpoint is not None:
            b.config.trustpoints[name] = replace(trustpoint, chain=())
        return
    if trustpoint is None:
        b.warn(f"no 'crypto pki trustpoint {name}' before its chain: made with IOS's defaults")
        b.config.trustpoints[name] = PkiTrustpoint(name, source=b.source())
    b.enter(CERT_CHAIN, name)


_ROLES = "ca|self-signed|ra-sign|ra-encrypt|ra-general|rollover"
_SERIAL = re.compile(r"[0-9A-Fa-f]{1,40}")


@CERT_CHAIN.command(f"certificate $ [{_ROLES}] <serial:WORD> [<file:WORD>]", enters=CERT_DATA)
def _certificate(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name, serial = b.key(), m.get("serial")
    roles = m.keywords()[1:]
    role = roles[0] if roles else "certificate"
    if _SERIAL.fullmatch(serial) is None:
        raise Rejected(token=len(m.keywords()))
    if negate:
        _remove_certificate(b, name, serial)
        return
    if m.get("file") is not None:
        b.warn(
            f"certificate {serial} of chain {name} is stored in {m.get('file')}, not in the "
            "configuration: pyike has no copy of it"
        )
        return
    b.enter(CERT_DATA, _Draft(name, role, serial.upper(), line.number))


def _remove_certificate(b: Builder, trustpoint: str, serial: str) -> None:
    tp = b.config.trustpoints[trustpoint]
    kept = tuple(c for c in tp.chain if int(c.serial, 16) != int(serial, 16))
    b.config.trustpoints[trustpoint] = replace(tp, chain=kept)


def _certificate_data(b: Builder, line: Line, ends: bool) -> bool:
    """A line of a certificate's hex; at `quit`, the certificate joins its trustpoint's chain."""
    draft: _Draft = b.key()
    if ends:
        _finish(b, draft)
        return True
    words = [t.text for t in line.tokens]
    if line.indent == 0 and not is_hex_word(words[0]):
        b.report(
            Severity.ERROR,
            f"certificate {draft.serial} of chain {draft.trustpoint} ends without 'quit'",
            draft.line,
        )
        return False
    bad = next((i for i, word in enumerate(words) if not is_hex_word(word)), None)
    if bad is not None:
        if not draft.corrupt:
            draft.corrupt = True
            raise Rejected(
                f"certificate {draft.serial} of chain {draft.trustpoint}: '{words[bad]}' is "
                "not hex (the certificate is left out)",
                token=bad,
            )
        return True
    draft.data += bytes.fromhex("".join(words))
    return True


def _finish(b: Builder, draft: _Draft) -> None:
    if draft.corrupt:
        return
    where = f"certificate {draft.serial} of chain {draft.trustpoint}"
    try:
        cert = x509.load_der_x509_certificate(bytes(draft.data))
    except ValueError:
        b.report(
            Severity.ERROR,
            f"{where} is not an X.509 certificate ({len(draft.data)} bytes of hex, cut short or "
            "corrupt): it is left out",
            draft.line,
        )
        return
    if int(draft.serial, 16) != cert.serial_number:
        b.warn(f"{where}: the certificate's serial number is {hex_serial(cert.serial_number)}")
    tp = b.config.trustpoints[draft.trustpoint]
    kept = tuple(c for c in tp.chain if c.serial != draft.serial)
    certificate = PkiCertificate(draft.role, draft.serial, bytes(draft.data))
    b.config.trustpoints[draft.trustpoint] = replace(tp, chain=(*kept, certificate))


CERT_DATA.data_handler = _certificate_data


# --- crypto pki certificate map -------------------------------------------------------------

_MAP_FIELDS = (
    "subject-name|issuer-name|unstructured-subject-name|alt-subject-name|name|"
    "serial-number|expires-on|valid-start"
)


@GLOBAL.command("crypto {pki|ca} certificate map <name:WORD> $ <seq:INT(1,65535)>", enters=CERT_MAP)
def _certificate_map(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name, seq = m.get("name"), m.get("seq")
    entries = {e.sequence: e for e in b.config.certificate_maps.get(name, ())}
    if negate:
        if seq is None:
            b.config.certificate_maps.pop(name, None)
        else:
            entries.pop(seq, None)
            b.config.certificate_maps[name] = tuple(entries[s] for s in sorted(entries))
        return
    if seq not in entries:
        entries[seq] = PkiCertificateMap(name, seq, source=b.source())
        b.config.certificate_maps[name] = tuple(entries[s] for s in sorted(entries))
    b.enter(CERT_MAP, (name, seq))


@CERT_MAP.command(f"{{{_MAP_FIELDS}}} {{eq|ne|co|nc|lt|le|gt|ge}} <value:LINE>")
def _map_rule(b: Builder, m: Match, line: Line, negate: bool) -> None:
    name, seq = b.key()
    field_name, op = m.keywords()
    rule = (field_name, op, m.get("value"))
    entries = list(b.config.certificate_maps[name])
    index = next(i for i, e in enumerate(entries) if e.sequence == seq)
    kept = tuple(r for r in entries[index].rules if r != rule)
    entries[index] = replace(entries[index], rules=kept if negate else (*kept, rule))
    b.config.certificate_maps[name] = tuple(entries)


# --- crypto pki authenticate | enroll -------------------------------------------------------


@GLOBAL.command("crypto {pki|ca} {authenticate|enroll} $ <name:WORD>")
def _request(b: Builder, m: Match, line: Line, negate: bool) -> None:
    """Global configuration commands IOS runs at once and never saves: fetch the CA's
    certificate into the trustpoint, enrol the router with the CA. The lab does both with its
    own CA (`pyike.lab.lab_enrol`); the gateway has no CA to ask."""
    if negate:
        raise Rejected(token=0)
    name, what = m.get("name"), m.keywords()[2]
    if name not in b.config.trustpoints:
        b.warn(f"crypto pki {what} {name}: no trustpoint {name} is configured")
        return
    b.config.pki_requests.append((what, name))
    b.note(f"crypto pki {what} {name}: pyike lab does it with its own CA; pyike run has no CA")


# --- crypto key generate --------------------------------------------------------------------

_KEY_OPTIONS = "exportable|redundancy|label <label:WORD>|storage <device:WORD>|on <device:WORD>"
_RSA_OPTIONS = (
    f"general-keys|usage-keys|signature|encryption|modulus <bits:INT(360,16384)>|{_KEY_OPTIONS}"
)
_DEFAULT_MODULUS = 2048  # IOS asks for the modulus when the command does not give it


@GLOBAL.command(f"crypto key generate rsa [{{{_RSA_OPTIONS}}}+]")
def _generate_rsa(b: Builder, m: Match, line: Line, negate: bool) -> None:
    bits = m.get("bits")
    if bits is None:
        b.note(f"crypto key generate rsa without 'modulus': pyike takes {_DEFAULT_MODULUS} bits")
    _key_pair(b, m, negate, "rsa", bits or _DEFAULT_MODULUS)


@GLOBAL.command(f"crypto key generate ec keysize {{256|384|521}} [{{{_KEY_OPTIONS}}}+]")
def _generate_ec(b: Builder, m: Match, line: Line, negate: bool) -> None:
    size = next(int(w) for w in m.keywords() if w in ("256", "384", "521"))
    _key_pair(b, m, negate, "ec", size)


def _key_pair(b: Builder, m: Match, negate: bool, kind: str, size: int) -> None:
    if negate:  # keys go with `crypto key zeroize`, not `no crypto key generate`
        raise Rejected(token=0)
    label = m.get("label") or _default_label(b)
    b.config.key_pairs[label] = KeyPairConfig(
        label, kind, size, exportable=m.has("exportable"), usage_keys=m.has("usage-keys")
    )


def _default_label(b: Builder) -> str:
    """IOS names an unlabelled key pair after the router: `hostname.domain`."""
    if b.config.hostname == DEFAULT_HOSTNAME:
        raise Rejected(f"% Please define a hostname other than {DEFAULT_HOSTNAME}.")
    for lines, _, _ in b.unmodelled:
        domain = domain_in(lines[0])
        if domain:
            return f"{b.config.hostname}.{domain}"
    raise Rejected("% Please define a domain-name first.")
