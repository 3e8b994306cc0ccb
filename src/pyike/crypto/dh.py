"""Key exchange (IKEv2 transform type 4): MODP, ECP and Montgomery-curve groups.

Wire formats and checks:
- MODP (RFC 2409, RFC 3526, RFC 5114): the public value and g^ir are big-endian, zero-padded
  to the prime's length (RFC 7296 section 2.14); a peer value must satisfy 1 < y < p-1
  (RFC 6989 section 2.1), and for a group with a small prime-order subgroup (groups 22 to 24)
  also y^q = 1 mod p (RFC 6989 section 2.2). A safe prime's group needs no subgroup test.
- ECP (RFC 5903; RFC 5114 groups 25 and 26; Brainpool, RFC 6954): the public value is x | y,
  each coordinate padded to the field size; g^ir is the x coordinate of the shared point. A
  peer point must be on the curve (RFC 6989 section 2.3), which also excludes the point at
  infinity. brainpoolP224r1, which `cryptography` lacks, is computed by `weierstrass`.
- Curve25519 / Curve448 (RFC 8031): 32 / 56 raw octets; an all-zero g^ir is rejected.

MODP exponentiation is constant-time with a full-length exponent. RFC 3526's groups (5 and 14
to 18) go to OpenSSL through `cryptography`'s DH keys, 1.5 to 1.8 times faster than gmpy2:
OpenSSL knows those primes by name (modp_1536 to modp_8192), so it skips the primality checks it
runs on parameters it does not know (some 40 ms per key). The other groups, and all of them if a
later `cryptography` drops finite-field DH (deprecated since 50), go to the same arithmetic in
the system's libcrypto (`libcrypto_modexp`); to gmpy2's `powmod_sec` where there is none, and
to cryptography's DH numbers where gmpy2 is not installed either.
"""

from __future__ import annotations

import functools
import importlib
import os
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_der_public_key
from cryptography.utils import CryptographyDeprecationWarning

from pyike.codec.registry import DhId
from pyike.crypto import catalogue, modp
from pyike.crypto.catalogue import DhGroup, EcpParameters
from pyike.crypto.errors import (
    CryptoError,
    InvalidKeyExchange,
    UnsupportedTransform,
    unsupported,
)
from pyike.crypto.libcrypto_modexp import libcrypto_modexp
from pyike.crypto.modp import ModpParameters
from pyike.crypto.weierstrass import WeierstrassCurve

if TYPE_CHECKING:  # a module `cryptography` may drop (deprecated): not imported at run time
    from cryptography.hazmat.primitives.asymmetric.dh import DHParameters

RandomBytes = Callable[[int], bytes]
ModExp = Callable[[int, int, int], int]


# --- MODP exponentiation backends ----------------------------------------------------------

# What `cryptography` says of every finite-field DH call is for its callers' authors, not for
# pyike's users: silenced for this module.
warnings.filterwarnings(
    "ignore", "Diffie-Hellman over finite fields", CryptographyDeprecationWarning, __name__
)


def _gmpy2_modexp() -> ModExp:
    gmpy2 = importlib.import_module("gmpy2")

    def modexp(base: int, exponent: int, modulus: int) -> int:
        return int(gmpy2.powmod_sec(base, exponent, modulus))

    return modexp


def _cryptography_modexp() -> ModExp:
    dh = importlib.import_module("cryptography.hazmat.primitives.asymmetric.dh")

    def modexp(base: int, exponent: int, modulus: int) -> int:
        # OpenSSL's DH derive computes peer^private mod p; the private key's own public
        # value and the generator are not used by it, so 2 stands in for both.
        params = dh.DHParameterNumbers(modulus, 2)
        own_public = dh.DHPublicNumbers(2, params)
        private = dh.DHPrivateNumbers(exponent, own_public).private_key()
        peer = dh.DHPublicNumbers(base, params).public_key()
        return int.from_bytes(private.exchange(peer), "big")

    return modexp


LIBCRYPTO_BACKEND = "libcrypto BN_mod_exp_mont_consttime"


def select_backend() -> tuple[str, ModExp | None]:
    """Pick the MODP exponentiation backend: the system's libcrypto first, then gmpy2, then
    cryptography's DH."""
    for name, factory in (
        (LIBCRYPTO_BACKEND, libcrypto_modexp),
        ("gmpy2 powmod_sec", _gmpy2_modexp),
        ("cryptography dh", _cryptography_modexp),
    ):
        try:
            return name, factory()
        except ImportError:
            continue
    return "none (MODP groups unavailable)", None


_BACKEND_NAME, _MODEXP = select_backend()
# The daemon's own keys in groups 1 and 2 (safe primes OpenSSL knows no name for). With the
# system's libcrypto as the backend, the exponent comes from the kernel (full length) and g^x
# from libcrypto: a key 11 to 13% quicker than `cryptography` generating it (new_key_exchange,
# 1,000 of each, interleaved; bench/README.md, stop 20). With a slower backend, OpenSSL draws
# them (_drawn_by_openssl).
_KEYS_BY_OPENSSL = _BACKEND_NAME != LIBCRYPTO_BACKEND


def backend_name() -> str:
    """The finite-field DH backends in use (shown by `pyike --version`)."""
    if _OPENSSL_GROUPS:
        own = " and the daemon's own keys in groups 1 and 2" if _KEYS_BY_OPENSSL else ""
        return f"OpenSSL for RFC 3526 groups{own}, {_BACKEND_NAME} for the rest"
    return _BACKEND_NAME


# --- OpenSSL for the MODP groups it knows by name --------------------------------------------

_DH_KEY_AGREEMENT = bytes.fromhex("06092a864886f70d010301")  # OID 1.2.840.113549.1.3.1, PKCS #3


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes((tag, size)) + body
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(octets))) + octets + body


def _der_integer(value: int) -> bytes:
    """A non-negative INTEGER (a leading zero octet keeps the top bit clear)."""
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


class _DhPrivateKey(Protocol):
    def exchange(self, peer_public_key: Any, /) -> bytes: ...

    def public_key(self) -> Any: ...


class _OpenSslGroup:
    """A MODP group as the DER that OpenSSL loads keys of: PKCS #8 (RFC 5208) for our private
    value, from which OpenSSL computes the public one, and SubjectPublicKeyInfo (RFC 5280)
    for the peer's."""

    def __init__(self, params: ModpParameters) -> None:
        self._algorithm = _der(
            0x30,
            _DH_KEY_AGREEMENT
            + _der(0x30, _der_integer(params.prime) + _der_integer(params.generator)),
        )

    def private_key(self, private: int) -> _DhPrivateKey:
        pkcs8 = _der(0x30, _der_integer(0) + self._algorithm + _der(0x04, _der_integer(private)))
        return cast(_DhPrivateKey, load_der_private_key(pkcs8, None))

    def public_key(self, public: int) -> object:
        bits = _der(0x03, b"\x00" + _der_integer(public))
        return load_der_public_key(_der(0x30, self._algorithm + bits))


_OPENSSL_NAMED = (  # the parameters OpenSSL 3 knows by name
    modp.RFC3526_1536,
    modp.RFC3526_2048,
    modp.RFC3526_3072,
    modp.RFC3526_4096,
    modp.RFC3526_6144,
    modp.RFC3526_8192,
)


def _openssl_groups() -> dict[ModpParameters, _OpenSslGroup]:
    """OpenSSL's groups if this `cryptography` still loads finite-field DH keys, else none."""
    groups = {params: _OpenSslGroup(params) for params in _OPENSSL_NAMED}
    try:
        groups[modp.RFC3526_1536].private_key(3)
    except (UnsupportedAlgorithm, ValueError):
        return {}
    return groups


_OPENSSL_GROUPS = _openssl_groups()


@functools.cache
def _openssl_parameters(params: ModpParameters) -> DHParameters | None:
    """OpenSSL's copy of a group it does not know by name: loading it runs the primality
    checks (some 30 ms), once per process; keys generated from it skip them."""
    try:
        der = _der(0x30, _der_integer(params.prime) + _der_integer(params.generator))
        # read here, under this module's filter: the name itself warns of FFDH's deprecation
        return serialization.load_der_parameters(der)
    except (UnsupportedAlgorithm, ValueError):
        return None


def _openssl_drawing(params: ModpParameters) -> DHParameters | None:
    """What OpenSSL draws keys from for a safe-prime group it does not know by name (groups 1
    and 2): its x is full length there, two bits shorter than p with its top bit set (1,021
    random bits in group 2), and g^x constant-time, a third faster than gmpy2. None for the
    named groups, for which OpenSSL would draw a short exponent, and the RFC 5114 ones."""
    if params in _OPENSSL_GROUPS or params.subgroup_order is not None:
        return None
    return _openssl_parameters(params)


def _drawn_by_openssl(params: ModpParameters) -> tuple[int, int] | None:
    """(x, g^x) drawn and computed by OpenSSL, for the groups `_openssl_drawing` names."""
    openssl = _openssl_drawing(params)
    if openssl is None:
        return None
    key = openssl.generate_private_key()
    return key.private_numbers().x, key.public_key().public_numbers().y


def prepare(groups: Iterable[DhId]) -> None:
    """Do now what a daemon's first key exchange in these groups would otherwise do: load
    OpenSSL's checked copy of groups 1 and 2 (some 30 ms each), at start-up or reload rather
    than while a peer waits for the answer to its IKE_SA_INIT (when OpenSSL draws the
    daemon's keys there: _KEYS_BY_OPENSSL)."""
    if not _KEYS_BY_OPENSSL:
        return
    for group in groups:
        entry = catalogue.dh_group(group)
        if entry is not None and entry.modp is not None:
            _openssl_drawing(entry.modp)


# --- Key exchange objects ------------------------------------------------------------------


class KeyExchange(ABC):
    """One side of one key exchange. The private value never appears in its repr."""

    group: DhId

    @abstractmethod
    def public_key(self) -> bytes:
        """Our KE payload data."""

    @abstractmethod
    def shared_secret(self, peer_public: bytes) -> bytes:
        """g^ir from the peer's KE payload data; raises InvalidKeyExchange if it is bad."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.group.name}>"

    def _check_length(self, peer_public: bytes, expected: int) -> None:
        if len(peer_public) != expected:
            raise InvalidKeyExchange(
                f"{self.group.name}: public value is {len(peer_public)} octets, expected {expected}"
            )


def _group(group: int) -> DhGroup:
    entry = catalogue.dh_group(group)
    if entry is None:
        raise unsupported(DhId, group)
    return entry


class ModpKeyExchange(KeyExchange):
    def __init__(
        self,
        group: DhId,
        private: int,
        modexp: ModExp | None = None,
        *,
        public: int | None = None,
    ) -> None:
        """``public``: g^private as OpenSSL computed it with the private value it drew."""
        self.group = group
        params = _group(group).modp
        if params is None:
            raise unsupported(DhId, group)
        self._params: ModpParameters = params
        self._prime = params.prime
        self._size = params.size
        # an explicit `modexp` (a test's backend) is used for everything
        self._openssl = _OPENSSL_GROUPS.get(params) if modexp is None else None
        if modexp is None:
            modexp = _MODEXP
        if modexp is None and self._openssl is None:
            raise UnsupportedTransform(f"{group.name}: no MODP backend is installed")
        if not _private_in_range(params, private):
            raise CryptoError(f"{group.name}: private exponent out of range")
        self._private = private
        if self._openssl is not None:
            self._key = self._openssl.private_key(private)
            public = self._key.public_key().public_numbers().y
        else:
            assert modexp is not None
            self._modexp = modexp
            if public is None:
                public = modexp(params.generator, private, self._prime)
        self._public = public.to_bytes(self._size, "big")

    def public_key(self) -> bytes:
        return self._public

    def shared_secret(self, peer_public: bytes) -> bytes:
        self._check_length(peer_public, self._size)
        peer = int.from_bytes(peer_public, "big")
        if not 1 < peer < self._prime - 1:
            raise InvalidKeyExchange(f"{self.group.name}: public value out of range (1, p-1)")
        if self._openssl is not None:  # a safe prime: no subgroup to check
            secret = self._key.exchange(self._openssl.public_key(peer))
            return secret.rjust(self._size, b"\x00")
        order = self._params.subgroup_order
        if order is not None and self._modexp(peer, order, self._prime) != 1:
            raise InvalidKeyExchange(f"{self.group.name}: public value is not in the subgroup")
        return self._modexp(peer, self._private, self._prime).to_bytes(self._size, "big")


def _private_in_range(params: ModpParameters, private: int) -> bool:
    """[1, q-1] in a prime-order subgroup (RFC 5114, NIST SP 800-56A), else (1, p-1)."""
    if params.subgroup_order is not None:
        return 0 < private < params.subgroup_order
    return 1 < private < params.prime - 1


def _ecp_curve(group: DhId) -> EcpParameters:
    curve = _group(group).ecp
    if curve is None:
        raise unsupported(DhId, group)
    return curve


def _ecp_parameters(group: DhId, private: int) -> EcpParameters:
    curve = _ecp_curve(group)
    if not 0 < private < curve.order:
        raise CryptoError(f"{group.name}: private scalar out of range")
    return curve


class EcpKeyExchange(KeyExchange):
    def __init__(self, group: DhId, private: int | None) -> None:
        """``private`` None: a scalar OpenSSL draws from its own DRBG, which skips the checks
        `derive_private_key` runs on a scalar it is given (a third of the key's cost)."""
        self.group = group
        parameters = _ecp_curve(group) if private is None else _ecp_parameters(group, private)
        assert isinstance(parameters.curve, ec.EllipticCurve)
        self._curve: ec.EllipticCurve = parameters.curve
        self._size = parameters.size
        self._private = (
            ec.generate_private_key(self._curve)
            if private is None
            else ec.derive_private_key(private, self._curve)
        )

    def public_key(self) -> bytes:
        numbers = self._private.public_key().public_numbers()
        return numbers.x.to_bytes(self._size, "big") + numbers.y.to_bytes(self._size, "big")

    def shared_secret(self, peer_public: bytes) -> bytes:
        self._check_length(peer_public, 2 * self._size)
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(self._curve, b"\x04" + peer_public)
        except ValueError:
            raise InvalidKeyExchange(
                f"{self.group.name}: public value is not on the curve"
            ) from None
        return self._private.exchange(ec.ECDH(), peer)


class WeierstrassKeyExchange(KeyExchange):
    """ECP on a curve `cryptography` lacks (`weierstrass`), with the same wire format."""

    def __init__(self, group: DhId, private: int) -> None:
        self.group = group
        parameters = _ecp_parameters(group, private)
        assert isinstance(parameters.curve, WeierstrassCurve)
        self._curve: WeierstrassCurve = parameters.curve
        self._size = parameters.size
        self._private = private

    def public_key(self) -> bytes:
        point = self._curve.multiply(self._private, self._curve.generator)
        assert point is not None  # 0 < private < order
        return b"".join(c.to_bytes(self._size, "big") for c in point)

    def shared_secret(self, peer_public: bytes) -> bytes:
        self._check_length(peer_public, 2 * self._size)
        peer = (
            int.from_bytes(peer_public[: self._size], "big"),
            int.from_bytes(peer_public[self._size :], "big"),
        )
        if not self._curve.contains(peer):
            raise InvalidKeyExchange(f"{self.group.name}: public value is not on the curve")
        shared = self._curve.multiply(self._private, peer)
        assert shared is not None  # a point of the prime-order group times 0 < private < order
        return shared[0].to_bytes(self._size, "big")


def _ecp_key_exchange(group: DhId, private: int) -> KeyExchange:
    if _on_weierstrass(group):
        return WeierstrassKeyExchange(group, private)
    return EcpKeyExchange(group, private)


def _on_weierstrass(group: DhId) -> bool:
    return isinstance(_ecp_curve(group).curve, WeierstrassCurve)


class _MontgomeryKeyExchange(KeyExchange):
    """Curve25519 and Curve448 (RFC 8031): raw private and public keys of ``size`` octets."""

    size: ClassVar[int]
    _private_class: ClassVar[Any]  # cryptography's private and public key classes
    _public_class: ClassVar[Any]

    def __init__(self, private: bytes) -> None:
        if len(private) != self.size:
            raise CryptoError(f"{self.group.name}: private key must be {self.size} octets")
        self._private = self._private_class.from_private_bytes(private)

    def public_key(self) -> bytes:
        return bytes(self._private.public_key().public_bytes_raw())

    def shared_secret(self, peer_public: bytes) -> bytes:
        self._check_length(peer_public, self.size)
        peer = self._public_class.from_public_bytes(peer_public)
        try:
            return self._check_secret(self._private.exchange(peer))
        except ValueError:
            raise InvalidKeyExchange(f"{self.group.name}: shared secret is all zero") from None

    def _check_secret(self, secret: bytes) -> bytes:
        if not any(secret):
            raise InvalidKeyExchange(f"{self.group.name}: shared secret is all zero")
        return secret


class X25519KeyExchange(_MontgomeryKeyExchange):
    group = DhId.CURVE25519
    size = 32
    _private_class = x25519.X25519PrivateKey
    _public_class = x25519.X25519PublicKey


class X448KeyExchange(_MontgomeryKeyExchange):
    group = DhId.CURVE448
    size = 56
    _private_class = x448.X448PrivateKey
    _public_class = x448.X448PublicKey


# --- Construction ---------------------------------------------------------------------------


SUPPORTED_GROUPS: tuple[DhId, ...] = tuple(g.id for g in catalogue.GROUPS)


def public_key_size(group: DhId) -> int:
    """Octets of KE payload data for a group."""
    return _group(group).public_size


def _random_below(limit: int, random_bytes: RandomBytes) -> int:
    """A uniform integer in [0, limit) by rejection sampling."""
    bits = limit.bit_length()
    while True:
        candidate = int.from_bytes(random_bytes((bits + 7) // 8), "big") >> (-bits % 8)
        if candidate < limit:
            return candidate


def _random_private(params: ModpParameters, random_bytes: RandomBytes) -> int:
    if params.subgroup_order is not None:
        return 1 + _random_below(params.subgroup_order - 1, random_bytes)
    # Uniform in [2, p-2]: a full-length exponent, as ANSI X9.42 asks.
    return 2 + _random_below(params.prime - 3, random_bytes)


def new_key_exchange(group: DhId, random_bytes: RandomBytes) -> KeyExchange:
    """A fresh key exchange whose private value is drawn from `random_bytes(n)`. Given
    `os.urandom` (the daemon's source), an ECP scalar is drawn by OpenSSL from its DRBG, which
    the kernel seeds: a key `cryptography` makes is cheaper than one it is handed; so is the
    exponent of groups 1 and 2 when the MODP backend is slower than OpenSSL (_KEYS_BY_OPENSSL)."""
    entry = _group(group)
    system = random_bytes is os.urandom
    if entry.modp is not None:
        drawn = _drawn_by_openssl(entry.modp) if system and _KEYS_BY_OPENSSL else None
        if drawn is not None:
            return ModpKeyExchange(group, drawn[0], public=drawn[1])
        return ModpKeyExchange(group, _random_private(entry.modp, random_bytes))
    if entry.ecp is not None:
        if system and not _on_weierstrass(group):
            return EcpKeyExchange(group, None)  # the same source: the kernel's, through OpenSSL
        return _ecp_key_exchange(group, 1 + _random_below(entry.ecp.order - 1, random_bytes))
    if entry.kind == "x25519":
        return X25519KeyExchange(random_bytes(X25519KeyExchange.size))
    return X448KeyExchange(random_bytes(X448KeyExchange.size))


def key_exchange_from_private(group: DhId, private: bytes) -> KeyExchange:
    """A key exchange with a known private value (big-endian exponent or scalar for MODP and
    ECP, the raw private key for Curve25519/448): for tests and known-answer replays."""
    entry = _group(group)
    if entry.modp is not None:
        return ModpKeyExchange(group, int.from_bytes(private, "big"))
    if entry.ecp is not None:
        return _ecp_key_exchange(group, int.from_bytes(private, "big"))
    if entry.kind == "x25519":
        return X25519KeyExchange(private)
    return X448KeyExchange(private)
