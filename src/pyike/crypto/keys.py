"""The IKEv2 key schedule (RFC 7296 sections 2.13, 2.14, 2.17, 2.18)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId
from pyike.crypto.encr import EncrAlgorithm, encr_algorithm
from pyike.crypto.errors import CryptoError
from pyike.crypto.integ import IntegAlgorithm, integ_algorithm
from pyike.crypto.prf import Prf, prf_algorithm, prf_plus


class _Redacted:
    """repr that shows each key's length, never its bytes."""

    def __repr__(self) -> str:
        parts = (f"{f.name}=<{len(getattr(self, f.name))} octets>" for f in fields(self))  # type: ignore[arg-type]
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclass(frozen=True)
class IkeSuite:
    """The transforms negotiated for an IKE SA."""

    encr: EncrId
    encr_key_bits: int | None
    prf: PrfId
    integ: IntegId
    dh: DhId

    def encr_algorithm(self) -> EncrAlgorithm:
        return encr_algorithm(self.encr, self.encr_key_bits)

    def prf_algorithm(self) -> Prf:
        return prf_algorithm(self.prf)

    def integ_algorithm(self) -> IntegAlgorithm | None:
        """None for an AEAD suite; an AEAD with an INTEG, or a cipher without one, is refused."""
        return integ_for_encr(self.encr_algorithm(), self.integ)


def integ_for_encr(encr: EncrAlgorithm, integ: IntegId) -> IntegAlgorithm | None:
    if encr.is_aead:
        if integ != IntegId.NONE:
            raise CryptoError(f"{encr.name} is combined-mode: it takes no integrity transform")
        return None
    if integ == IntegId.NONE:
        raise CryptoError(f"{encr.name} needs an integrity transform")
    return integ_algorithm(integ)


@dataclass(frozen=True, repr=False)
class IkeKeys(_Redacted):
    sk_d: bytes
    sk_ai: bytes
    sk_ar: bytes
    sk_ei: bytes
    sk_er: bytes
    sk_pi: bytes
    sk_pr: bytes


@dataclass(frozen=True, repr=False)
class ChildKeys(_Redacted):
    """KEYMAT of a child SA. `encr_*` includes the salt for AEAD; `integ_*` is empty then."""

    encr_i: bytes
    integ_i: bytes
    encr_r: bytes
    integ_r: bytes


def _split(keymat: bytes, sizes: list[int]) -> list[bytes]:
    parts, offset = [], 0
    for size in sizes:
        parts.append(keymat[offset : offset + size])
        offset += size
    return parts


def _ike_keys_from_skeyseed(
    suite: IkeSuite, skeyseed: bytes, ni: bytes, nr: bytes, spi_i: bytes, spi_r: bytes
) -> IkeKeys:
    prf = suite.prf_algorithm()
    integ = suite.integ_algorithm()
    encr_size = suite.encr_algorithm().key_size
    integ_size = integ.key_size if integ else 0
    sizes = [prf.key_size, integ_size, integ_size, encr_size, encr_size]
    sizes += [prf.key_size, prf.key_size]
    keymat = prf_plus(prf, skeyseed, ni + nr + spi_i + spi_r, sum(sizes))
    return IkeKeys(*_split(keymat, sizes))


def derive_ike_keys(
    suite: IkeSuite, shared_secret: bytes, ni: bytes, nr: bytes, spi_i: bytes, spi_r: bytes
) -> tuple[bytes, IkeKeys]:
    """SKEYSEED = prf(Ni | Nr, g^ir) and the seven SK_* keys of a new IKE SA.

    A PRF with a fixed key size (the AES-based ones) is keyed with the first 64 bits of Ni
    and of Nr instead (RFC 7296 section 2.14).
    """
    prf = suite.prf_algorithm()
    key = ni[:8] + nr[:8] if prf.fixed_key else ni + nr
    skeyseed = prf(key, shared_secret)
    return skeyseed, _ike_keys_from_skeyseed(suite, skeyseed, ni, nr, spi_i, spi_r)


def derive_rekeyed_ike_keys(
    suite: IkeSuite,
    old_sk_d: bytes,
    shared_secret: bytes,
    ni: bytes,
    nr: bytes,
    spi_i: bytes,
    spi_r: bytes,
    *,
    old_prf: PrfId | None = None,
) -> tuple[bytes, IkeKeys]:
    """Keys of an IKE SA made by rekeying: SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr).

    `suite` is the new SA's; SKEYSEED uses the old SA's PRF (RFC 7296 section 2.18), which
    is `old_prf` when the rekey changed it.
    """
    prf = prf_algorithm(suite.prf if old_prf is None else old_prf)
    skeyseed = prf(old_sk_d, shared_secret + ni + nr)
    return skeyseed, _ike_keys_from_skeyseed(suite, skeyseed, ni, nr, spi_i, spi_r)


def derive_child_keys(
    prf_id: PrfId,
    sk_d: bytes,
    ni: bytes,
    nr: bytes,
    shared_secret: bytes | None,
    encr: EncrId,
    encr_key_bits: int | None,
    integ: IntegId,
) -> ChildKeys:
    """Child SA KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (RFC 7296 sections 2.17).

    `shared_secret` is the PFS key exchange's g^ir, or None without PFS. `sk_d` is that of
    the IKE SA carrying the exchange.
    """
    encr_size = encr_algorithm(encr, encr_key_bits).key_size
    integ_size = 0 if integ == IntegId.NONE else integ_algorithm(integ).key_size
    sizes = [encr_size, integ_size, encr_size, integ_size]
    seed = (shared_secret or b"") + ni + nr
    keymat = prf_plus(prf_algorithm(prf_id), sk_d, seed, sum(sizes))
    return ChildKeys(*_split(keymat, sizes))
