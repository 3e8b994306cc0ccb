"""Constant-time modular exponentiation by OpenSSL's libcrypto, called through ctypes.

`cryptography` computes finite-field DH only with keys it builds and checks itself: for a
group OpenSSL does not know by name (groups 1, 2, 22 to 24) that is a primality test of the
parameters, some 40 ms, for every peer's public value. The arithmetic under it,
`BN_mod_exp_mont_consttime`, is what OpenSSL's own DH uses for g^x and y^x; called here
directly it costs what OpenSSL's DH costs, about half of gmpy2's `powmod_sec` on CPUs its GMP
has no tuned code for (0.38-0.44 against 0.76-1.02 ms for a 1,024-bit exponent, on a Xeon of
family 6 model 207).

The library is the one Python's own `hashlib` and `ssl` link (libcrypto.so.3 on Debian 12),
so it is already in the process. Every BIGNUM is freed on every path; the ones that held the
exponent or the result are cleared first (`BN_clear_free`)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

_BN_FLG_CONSTTIME = 0x04  # openssl/bn.h: the exponent is secret
_MIN_VERSION = 0x30000000  # OpenSSL 3.0: BN_bn2binpad and BN_mod_exp_mont_consttime as used here

_p = ctypes.c_void_p


class LibcryptoUnavailable(ImportError):
    """No usable libcrypto: the caller falls back to another backend."""


def _load() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypto")
    if name is None:
        raise LibcryptoUnavailable("libcrypto not found")
    try:
        lib = ctypes.CDLL(name)
        version = lib.OpenSSL_version_num
    except (OSError, AttributeError) as exc:
        raise LibcryptoUnavailable(f"{name}: {exc}") from None
    version.restype, version.argtypes = ctypes.c_ulong, []
    if version() < _MIN_VERSION:
        raise LibcryptoUnavailable(f"{name}: OpenSSL {version():#x} is older than 3.0")
    for function, restype, argtypes in (
        ("BN_new", _p, []),
        ("BN_free", None, [_p]),
        ("BN_clear_free", None, [_p]),
        ("BN_bin2bn", _p, [ctypes.c_char_p, ctypes.c_int, _p]),
        ("BN_bn2binpad", ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_int]),
        ("BN_set_flags", None, [_p, ctypes.c_int]),
        ("BN_CTX_new", _p, []),
        ("BN_CTX_free", None, [_p]),
        ("BN_MONT_CTX_new", _p, []),
        ("BN_MONT_CTX_set", ctypes.c_int, [_p, _p, _p]),
        ("BN_mod_exp_mont_consttime", ctypes.c_int, [_p, _p, _p, _p, _p, _p]),
    ):
        try:
            symbol = getattr(lib, function)
        except AttributeError:
            raise LibcryptoUnavailable(f"{name} has no {function}") from None
        symbol.restype, symbol.argtypes = restype, argtypes
    return lib


class _Modulus:
    """An odd modulus as OpenSSL keeps it, with its Montgomery form computed once. Kept for
    the life of the process: a handful of MODP primes, never freed."""

    def __init__(self, lib: ctypes.CDLL, modulus: int) -> None:
        self.size = (modulus.bit_length() + 7) // 8
        # made once: ctypes makes a new array type for each `create_string_buffer`, a
        # reference cycle that only the collector frees
        self.buffer = ctypes.c_char * self.size
        octets = modulus.to_bytes(self.size, "big")
        self.bn = lib.BN_bin2bn(octets, self.size, None)
        self.mont = lib.BN_MONT_CTX_new()
        ctx = lib.BN_CTX_new()
        ok = bool(self.bn and self.mont and ctx) and lib.BN_MONT_CTX_set(self.mont, self.bn, ctx)
        lib.BN_CTX_free(ctx)
        if not ok:
            raise MemoryError("OpenSSL could not set up a Montgomery context")


def libcrypto_modexp() -> Callable[[int, int, int], int]:
    """base^exponent mod modulus (odd) in constant time; LibcryptoUnavailable if this
    system's libcrypto cannot be used."""
    lib = _load()
    moduli = functools.cache(functools.partial(_Modulus, lib))

    def modexp(base: int, exponent: int, modulus: int) -> int:
        if modulus % 2 == 0 or not 0 <= base < modulus or exponent < 0:
            raise ValueError("libcrypto modexp: an odd modulus, 0 <= base < modulus, exponent >= 0")
        m = moduli(modulus)
        size = m.size
        exponent_octets = exponent.to_bytes((exponent.bit_length() + 7) // 8 or 1, "big")
        a = lib.BN_bin2bn(base.to_bytes(size, "big"), size, None)
        e = lib.BN_bin2bn(exponent_octets, len(exponent_octets), None)
        r = lib.BN_new()
        ctx = lib.BN_CTX_new()
        out = m.buffer()
        try:
            if not (a and e and r and ctx):
                raise MemoryError("OpenSSL could not allocate a BIGNUM")
            lib.BN_set_flags(e, _BN_FLG_CONSTTIME)
            if lib.BN_mod_exp_mont_consttime(r, a, e, m.bn, ctx, m.mont) != 1:
                raise ArithmeticError("OpenSSL's BN_mod_exp_mont_consttime failed")
            if lib.BN_bn2binpad(r, out, size) != size:
                raise ArithmeticError("OpenSSL's result does not fit the modulus")
            return int.from_bytes(out.raw, "big")
        finally:
            ctypes.memset(out, 0, size)
            lib.BN_free(a)
            lib.BN_clear_free(e)
            lib.BN_clear_free(r)
            lib.BN_CTX_free(ctx)

    return modexp
