"""Enrolment in the lab of routers that cannot sign: a real router's running-config carries
its certificate chain but never its private key (IOS keeps keys in private NVRAM), and a
configuration written for the lab may have a trustpoint that was never enrolled. The lab
does what an engineer does in a lab: each trustpoint an IKEv2 profile signs with that has no
usable key (none beside the configuration, one that cannot be read, or one that does not
match the router's certificate) gets a key and a certificate from the lab's CA (`lab_ca`,
deterministic from the seed), which replace its chain for the run. Every router that was
enrolled trusts the lab CA through that trustpoint, and gets the CA's (empty) CRL, as a CDP
would hand it. A pasted `crypto pki enroll TP` enrols TP even when the router could sign, and
`crypto pki authenticate TP` alone installs the lab CA's certificate in TP.

The key is RSA for `rsakeypair` (its modulus, 2048 bits by default) or a profile that signs
with `rsa-sig`, else ECDSA (P-256, or P-384 for `crypto key generate ec keysize 384`); the
certificate carries the trustpoint's `subject-name` (else cn=HOSTNAME), and in its
subjectAltName the router's FQDN and every IPv4 address of its interfaces, so whatever
identity the router sends (`identity local dn|address|fqdn`) is in it. RSA keys come from a
pseudo-random generator seeded from the lab's seed, so a run prints the same bytes."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cache
from ipaddress import IPv4Address

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from pyike.adapter.config_pki import RouterKeys
from pyike.adapter.config_policy import policy_for_config, router_keys
from pyike.config import query
from pyike.config.model import Config
from pyike.config.pki_hex import hex_serial
from pyike.config.pki_model import PkiCertificate, PkiTrustpoint
from pyike.crypto.auth import PrivateKey, key_kind
from pyike.ike.policy import Policy, TunnelSpec
from pyike.lab.lab_ca import NOW, authority, end_builder, lab_crl, lab_key, signed
from pyike.pki.keystore import default_label
from pyike.pki.router_names import router_fqdn, router_subject

Factory = Callable[[Config], tuple[Policy, Sequence[TunnelSpec]]]
_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]


@dataclass
class Enrolment:
    """The configurations as the lab runs them, the keys and CRLs of the routers it enrolled,
    and one console line per enrolled router."""

    configs: list[Config]
    keys: dict[str, RouterKeys] = field(default_factory=dict)
    crls: dict[str, dict[str, tuple[x509.CertificateRevocationList, ...]]] = field(
        default_factory=dict
    )
    messages: list[str] = field(default_factory=list)

    def factory(self, given: Factory) -> Factory:
        """`given` for the routers the lab left alone; for an enrolled one, its policy with
        the lab's key and CRL."""

        def policy(cfg: Config) -> tuple[Policy, Sequence[TunnelSpec]]:
            keys = self.keys.get(cfg.hostname)
            if keys is None:
                return given(cfg)
            return policy_for_config(cfg, keys=keys, crls=self.crls.get(cfg.hostname))

        return policy


def _probable_prime(candidate: int, rng: random.Random) -> bool:
    if any(candidate % p == 0 for p in _SMALL_PRIMES):
        return False
    d, s = candidate - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(40):
        x = pow(rng.randrange(2, candidate - 1), d, candidate)
        if x in (1, candidate - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, candidate)
            if x == candidate - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if candidate % 65537 != 1 and _probable_prime(candidate, rng):
            return candidate


@cache
def rsa_key(seed: int, name: str, bits: int) -> rsa.RSAPrivateKey:
    """An RSA key the same for the same seed, name and size."""
    rng = random.Random(hashlib.sha256(f"pyike-lab-rsa/{seed}/{name}/{bits}".encode()).digest())
    p = _prime(bits // 2, rng)
    q = _prime(bits - bits // 2, rng)
    while q == p:
        q = _prime(bits - bits // 2, rng)
    e = 65537
    d = pow(e, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(e, p * q)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    )
    return numbers.private_key()


def _new_key(cfg: Config, tp: PkiTrustpoint, label: str, rsa_sig: bool, seed: int) -> PrivateKey:
    name = f"{cfg.hostname}/{label}"
    if tp.rsakeypair or (rsa_sig and not tp.eckeypair):
        return rsa_key(seed, name, tp.rsakeypair_size or 2048)
    generated = cfg.key_pairs.get(label)
    if generated is not None and generated.kind == "ec" and generated.size == 384:
        return ec.derive_private_key(_scalar(seed, name), ec.SECP384R1())
    return lab_key(seed, name)


def _scalar(seed: int, name: str) -> int:
    return (
        int.from_bytes(hashlib.sha384(f"pyike-lab-ec/{seed}/{name}".encode()).digest()) % (2**383)
        + 1
    )


def _addresses(cfg: Config) -> list[IPv4Address]:
    found = [address for i in cfg.interfaces.values() for address, _mask in i.addresses]
    return list(dict.fromkeys(found))


def _certificate(
    cfg: Config, tp: PkiTrustpoint, key: PrivateKey, serial: int, seed: int
) -> x509.Certificate:
    ca = authority(seed)
    fqdn = router_fqdn(cfg, tp)
    names: list[x509.GeneralName] = [x509.DNSName(fqdn)] if fqdn else []
    names += [x509.IPAddress(a) for a in _addresses(cfg)]
    subject = (
        router_subject(cfg, replace(tp, fqdn="none", ip_address=None, serial_number=False))
        if tp.subject_name
        else x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, cfg.hostname)])
    )
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=3650)
    usage = (True, False, key_kind(key) == "rsa")
    builder = end_builder(subject, ca.cert.subject, key, serial, start, end, names, usage=usage)
    return signed(builder, ca)


def _usable(cfg: Config, tp: PkiTrustpoint, keys: RouterKeys, label: str) -> str | None:
    """Why the router cannot sign with `tp` (None when it can)."""
    key = keys.keys.get(label)
    if key is None:
        problem = keys.problems.get(label) or keys.problems.get("")
        return f"no usable private key ({problem})" if problem else "no private key"
    own = tp.router_certificate
    if own is None:
        return "no router certificate"
    try:
        cert = x509.load_der_x509_certificate(own.der)
    except ValueError:
        return "an unreadable router certificate"
    if cert.public_key() != key.public_key():
        return "a private key that is not its certificate's"
    return None


def _signing(cfg: Config) -> dict[str, bool]:
    """The trustpoints the router's profiles sign with, and whether one signs with rsa-sig."""
    found: dict[str, bool] = {}
    for profile in cfg.profiles.values():
        name = query.sign_trustpoint(profile)
        methods = [m for m in profile.auth_local if m in ("rsa-sig", "ecdsa-sig")]
        if name is not None and name in cfg.trustpoints and methods:
            found[name] = found.get(name, False) or "rsa-sig" in methods
    return found


def _lab_ca_entry(seed: int) -> PkiCertificate:
    return PkiCertificate("ca", "01", authority(seed).cert.public_bytes(Encoding.DER))


def _targets(cfg: Config) -> tuple[dict[str, bool], set[str], set[str]]:
    """The trustpoints to look at (whether each signs with rsa-sig), those `crypto pki
    enroll` names, and those only `crypto pki authenticate` names."""
    targets = _signing(cfg)
    asked = [(w, n) for w, n in cfg.pki_requests if n in cfg.trustpoints]  # still configured
    forced = {n for w, n in asked if w == "enroll"}
    authenticate = {n for w, n in asked if w == "authenticate"} - forced
    for name in forced:
        targets.setdefault(name, False)
    return targets, forced, authenticate


def _message(host: str, reasons: list[str], accepted: list[str]) -> str:
    done = [f"{'; '.join(reasons)}; enrolled with the lab CA for this run"] if reasons else []
    return f"% pyike lab: {host}: {'; '.join(done + accepted)}"


def enrol_keyless(configs: Sequence[Config], seed: int) -> Enrolment:
    """The routers that cannot sign enrolled with the lab CA, and the trustpoints a pasted
    `crypto pki enroll|authenticate` line names enrolled or given the lab CA's certificate
    (see the module's text)."""
    result = Enrolment(list(configs))
    serial = 0x100
    for index, cfg in enumerate(configs):
        keys = router_keys(cfg)
        trustpoints = dict(cfg.trustpoints)
        enrolled = dict(keys.keys)
        reasons, accepted = [], []
        targets, forced, authenticate = _targets(cfg)
        for name, rsa_sig in targets.items():
            tp = trustpoints[name]
            label = tp.key_label or default_label(cfg)
            why = f"crypto pki enroll {name}" if name in forced else _usable(cfg, tp, keys, label)
            if why is None:
                continue
            key = enrolled[label] = _new_key(cfg, tp, label, rsa_sig, seed)
            cert = _certificate(cfg, tp, key, serial, seed)
            own = PkiCertificate("certificate", hex_serial(serial), cert.public_bytes(Encoding.DER))
            trustpoints[name] = replace(tp, chain=(own, _lab_ca_entry(seed)))
            result.crls.setdefault(cfg.hostname, {})[name] = (lab_crl(seed),)
            reasons.append(why if name in forced else f"{why} for trustpoint {name}")
            serial += 1
        for name in sorted(authenticate):
            tp = trustpoints[name]
            mine = tuple(c for c in tp.chain if c.role != "ca")
            trustpoints[name] = replace(tp, chain=(*mine, _lab_ca_entry(seed)))
            result.crls.setdefault(cfg.hostname, {})[name] = (lab_crl(seed),)
            accepted.append(f"crypto pki authenticate {name}: the lab CA's certificate accepted")
        if reasons or accepted:
            result.configs[index] = replace(cfg, trustpoints=trustpoints)
            result.keys[cfg.hostname] = RouterKeys(enrolled)
            result.messages.append(_message(cfg.hostname, reasons, accepted))
    return result
