"""Certificates between pyike and strongSwan's charon, all made with `pyike pki`: a CA
(optionally with an intermediate), pyike's certificate written into its configuration, and
charon's issued from a small IOS configuration standing for it, then handed to charon as
PEM files in swanctl's x509 / x509ca / x509crl / private directories."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from pyike.cli import main
from tests.support.strongswan import (
    PLUGINS,
    Suite,
    pyike_config,
    strongswan_conf,
    swanctl_config,
)

# charon's name in its certificate (subjectAltName dNSName, from its hostname and domain)
CHARON_FQDN = "charon.lab.example"
# charon checks CRLs (revocation) and path constraints, and reads PKCS#8 keys (pkcs8)
CERT_PLUGINS = f"{PLUGINS} pkcs8 revocation constraints"
KEY_KINDS = {"rsa2048": "rsa-sig", "p256": "ecdsa-sig", "p384": "ecdsa-sig"}


@dataclass(frozen=True)
class SwanPki:
    """Where `pyike pki` left everything."""

    ca: Path  # the CA directory
    pyike_cfg: Path
    charon_cfg: Path

    def charon_serial(self) -> str:
        return _pem_serial(self.charon_cfg.with_suffix(".crt.pem"))

    def pyike_serial(self) -> str:
        return _pem_serial(self.pyike_cfg.with_suffix(".crt.pem"))


def _pem_serial(path: Path) -> str:
    return f"{x509.load_pem_x509_certificate(path.read_bytes()).serial_number:X}"


def pki(*args: str) -> None:
    assert main(["pki", *args]) == 0, f"pyike pki {' '.join(args)} failed"


def pyike_cert_config(
    suite: Suite, key: str, *, revocation: str = "none", trustpoint_extra: str = ""
) -> str:
    """pyike's usual configuration toward charon (tests.support.strongswan.pyike_config),
    authenticating both ways with certificates of trustpoint LAB-CA, its identity its DN."""
    method = KEY_KINDS[key]
    profile = f"""crypto ikev2 profile PROF
 match identity remote fqdn {CHARON_FQDN}
 identity local dn
 authentication remote {method}
 authentication local {method}
 pki trustpoint LAB-CA
!
"""
    base = pyike_config(suite)
    start = base.index("crypto ikev2 keyring KEYS")
    end = base.index("crypto ipsec transform-set TS")
    trustpoint = (
        f"crypto pki trustpoint LAB-CA\n enrollment terminal\n revocation-check {revocation}\n"
        f"{trustpoint_extra}!\n"
    )
    return trustpoint + base[:start] + profile + base[end:]


CHARON_STAND_IN = "hostname charon\nip domain name lab.example\n"


def make_pki(
    work: Path,
    suite: Suite,
    key: str,
    *,
    intermediate: bool = False,
    revocation: str = "none",
    trustpoint_extra: str = "",
) -> SwanPki:
    """A CA in work/ca, pyike.cfg with its certificate, charon.cfg (charon's stand-in)
    with charon's; both of `key` ("rsa2048", "p256", ...)."""
    ca = work / "ca"
    ca_key = "rsa2048" if key.startswith("rsa") else key
    pki("ca", "init", str(ca), "--key", ca_key, "--subject", "CN=pyike interop CA,O=Lab")
    pyike_cfg, charon_cfg = work / "pyike.cfg", work / "charon.cfg"
    pyike_cfg.write_text(
        pyike_cert_config(suite, key, revocation=revocation, trustpoint_extra=trustpoint_extra)
    )
    charon_cfg.write_text(CHARON_STAND_IN)
    extra = ["--intermediate"] if intermediate else []
    pki("issue", str(ca), str(pyike_cfg), "--key", key, *extra)
    pki("issue", str(ca), str(charon_cfg), "--key", key, *extra)
    return SwanPki(ca, pyike_cfg, charon_cfg)


def charon_credentials(made: SwanPki, work: Path, *, crl: bool = False) -> None:
    """charon's key, its certificate, the root CA's (charon has no copy of an intermediate:
    it takes the one pyike sends) and, with `crl`, the CA's CRLs, in swanctl's directories
    beside work/swanctl.conf."""
    dirs = {d: work / d for d in ("x509", "x509ca", "x509crl", "private")}
    for path in dirs.values():
        path.mkdir(mode=0o700, exist_ok=True)
    stem = made.charon_cfg.with_suffix("")
    shutil.copy(f"{stem}.crt.pem", dirs["x509"] / "charon.pem")
    key = made.charon_cfg.with_name("charon.key.pem")
    shutil.copy(key, dirs["private"] / "charon.pem")
    (dirs["private"] / "charon.pem").chmod(0o600)
    shutil.copy(made.ca / "ca.crt.pem", dirs["x509ca"] / "root.pem")
    if crl:
        for name in ("ca", "intermediate"):
            if (made.ca / f"{name}.crl.pem").exists():
                shutil.copy(made.ca / f"{name}.crl.pem", dirs["x509crl"] / f"{name}.pem")


def swanctl_cert_config(suite: Suite) -> str:
    """charon's connection to pyike, both sides authenticated by certificates: charon's
    identity its FQDN, pyike's any the CA vouches for (pyike sends its DN)."""
    return swanctl_config(
        suite,
        conn_extra="    send_cert = always\n",
        pubkey=(
            ("auth = pubkey", "certs = charon.pem", f"id = {CHARON_FQDN}"),
            ("auth = pubkey", "id = %any"),
        ),
    )


def strongswan_cert_conf(log: Path) -> str:
    """strongswan.conf with the plugins certificates need."""
    return strongswan_conf(log, load=CERT_PLUGINS)
