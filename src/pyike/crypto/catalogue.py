"""The transform catalogue: every transform pyike knows, declared once.

An entry is one IANA transform (an encryption transform at one key length, a PRF, an integrity
algorithm, a key exchange group, an ESN choice) with its sizes, the names IOS gives it (the
configuration keywords of `crypto ikev2 proposal` and `crypto ipsec transform-set`, the
spelling of `show` and `debug crypto ikev2`), strongSwan's proposal keyword, Wireshark's names
in its key tables, and what computes it (a `cryptography` primitive or group parameters).
Entries without an implementation carry names only: pyike can print and read them, not use
them. Config, engine, ESP, show, debug, explain, decode and the key log look transforms up
here; `pyike.crypto` builds its algorithms from the entries. Each entry is unique, so entries
compare and hash by identity.

IOS's smart defaults made of transforms (the default IKEv2 proposal and transform set) are
declared at the end, by keyword.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, algorithms

from pyike.codec.registry import (
    DhId,
    EncrId,
    EsnId,
    IntegId,
    PrfId,
    TransformType,
    is_aead,
    needs_key_length,
)
from pyike.crypto import modp
from pyike.crypto.modp import ModpParameters
from pyike.crypto.weierstrass import BRAINPOOL_P224R1, WeierstrassCurve

EncrMode = Literal["cbc", "ctr", "gcm", "ccm", "chacha20-poly1305", "null", "names-only"]
MacKind = Literal["hmac", "aes-xcbc", "aes-cmac", "names-only"]
GroupKind = Literal["modp", "ecp", "x25519", "x448"]


def _single_des(key: bytes) -> BlockCipherAlgorithm:
    # Three equal keys make EDE triple DES compute single DES (cryptography has no DES).
    return TripleDES(key * 3)


@dataclass(frozen=True, eq=False)
class EncrTransform:
    """An encryption transform (type 1) at one key length."""

    transform_type: ClassVar[TransformType] = TransformType.ENCR

    id: EncrId
    key_bits: int  # the cipher key, salt excluded; 0 for ENCR_NULL
    name: str  # pyike's own, in reprs and errors: "AES-CBC-128"
    mode: EncrMode
    block_size: int = 1
    iv_size: int = 0
    salt_size: int = 0
    icv_size: int = 0
    cipher: Callable[[bytes], BlockCipherAlgorithm] | None = None  # CBC's block cipher
    ios_name: str | None = None  # `debug` "id:" and show's "Encr:": "AES-CBC"
    ike_keyword: str | None = None  # `encryption aes-cbc-256`
    esp_keyword: str | None = None  # `esp-aes`; the key size, if any, is a second word
    esp_default: bool = False  # what the ESP keyword means without a key size
    esp_show: str | None = None  # `show crypto ipsec sa` "transform:": "esp-256-aes"
    strongswan: str | None = None
    wireshark_ike: str | None = None  # ikev2_decryption_table
    wireshark_esp: str | None = None  # esp_sa
    ios_aliases: tuple[str, ...] = ()  # other spellings in IOS, IOS-XE or ASA debug output
    warning: str | None = None  # what `config check` says when it is configured

    @property
    def key_length(self) -> int | None:
        """The Key Length attribute proposals carry (RFC 7296 3.3.5), None for fixed keys."""
        return self.key_bits if needs_key_length(self.id) else None

    @property
    def key_size(self) -> int:
        """Octets of keying material taken from the key schedule, salt included."""
        return self.key_bits // 8 + self.salt_size

    @property
    def is_aead(self) -> bool:
        """A combined-mode cipher (IANA's classification): no integrity transform with it."""
        return is_aead(self.id)

    @property
    def implemented(self) -> bool:
        return self.mode != "names-only"

    @property
    def show_name(self) -> str | None:
        """`show crypto ikev2 proposal`'s "AES-CBC-256"; "3DES" without a Key Length."""
        if self.ios_name is None or self.key_length is None:
            return self.ios_name
        return f"{self.ios_name}-{self.key_length}"

    @property
    def engine_name(self) -> str:
        """`show crypto engine connections active`'s name: "AES" (128-bit), "AES256", "3DES";
        a cipher other than CBC keeps its proposal name ("AES-GCM-256", not attested)."""
        if self.mode == "cbc" and self.ios_name == "AES-CBC":
            return "AES" if self.key_bits == 128 else f"AES{self.key_bits}"
        return self.show_name or self.name


def _engine_hash_name(hash_: hashes.HashAlgorithm | None, otherwise: str) -> str:
    """IOS's crypto engine names an HMAC by its hash, SHA-1 as "SHA"; anything else by
    `otherwise`."""
    if hash_ is None:
        return otherwise
    return "SHA" if hash_.name == "sha1" else hash_.name.upper()


@dataclass(frozen=True, eq=False)
class PrfTransform:
    """A pseudo-random function (type 2)."""

    transform_type: ClassVar[TransformType] = TransformType.PRF

    id: PrfId
    name: str  # "HMAC-SHA256"
    output_size: int
    key_size: int  # preferred key length: the size of SK_d, SK_pi, SK_pr (RFC 7296 2.14)
    mac: MacKind
    hash: hashes.HashAlgorithm | None = None  # for HMAC
    ios_name: str | None = None  # "SHA256"
    ike_keyword: str | None = None  # `prf sha256`
    strongswan: str | None = None

    @property
    def engine_name(self) -> str:
        """`show crypto engine connections active`'s name ("SHA512"), as for integrity."""
        return _engine_hash_name(self.hash, self.ios_name or self.name)

    @property
    def fixed_key(self) -> bool:
        """AES-XCBC and AES-CMAC take a fixed-size key: SKEYSEED is keyed differently."""
        return self.mac != "hmac"


@dataclass(frozen=True, eq=False)
class IntegTransform:
    """An integrity algorithm (type 3)."""

    transform_type: ClassVar[TransformType] = TransformType.INTEG

    id: IntegId
    name: str  # "HMAC-SHA1-96"
    key_size: int
    icv_size: int
    mac: MacKind
    hash: hashes.HashAlgorithm | None = None  # for HMAC
    prf: PrfId | None = None  # the PRF IOS uses with it when a proposal has no `prf`
    ios_name: str | None = None  # "SHA96"
    ike_keyword: str | None = None  # `integrity sha1`
    esp_keyword: str | None = None  # `esp-sha-hmac`
    strongswan: str | None = None
    wireshark_ike: str | None = None
    wireshark_esp: str | None = None
    ios_aliases: tuple[str, ...] = ()

    @property
    def implemented(self) -> bool:
        return self.mac != "names-only"

    @property
    def engine_name(self) -> str:
        """`show crypto engine connections active`'s name: "SHA" (SHA-1), "SHA256", "MD5"."""
        return _engine_hash_name(self.hash, self.ios_name or self.name)

    @property
    def esp_show(self) -> str | None:
        """The transform-set keyword IOS shows, or the lower-case debug name without one."""
        if self.esp_keyword is not None or self.ios_name is None:
            return self.esp_keyword
        return self.ios_name.lower()


@dataclass(frozen=True)
class EcpParameters:
    curve: ec.EllipticCurve | WeierstrassCurve  # the latter for a curve `cryptography` lacks
    order: int

    @property
    def size(self) -> int:
        """Octets of one coordinate."""
        return (self.curve.key_size + 7) // 8


@dataclass(frozen=True, eq=False)
class DhGroup:
    """A key exchange method (type 4, "Diffie-Hellman group")."""

    transform_type: ClassVar[TransformType] = TransformType.DH

    id: DhId
    kind: GroupKind
    ios_name: str  # "DH_GROUP_1024_MODP/Group 2"
    strongswan: str
    keyword: str | None = None  # `group 14`; `set pfs group14` adds "group"
    modp: ModpParameters | None = None
    ecp: EcpParameters | None = None
    ios: bool = True  # False for a pyike extension: IOS has no such group

    @property
    def pfs_keyword(self) -> str | None:
        return None if self.keyword is None else f"group{self.keyword}"

    @property
    def public_size(self) -> int:
        """Octets of Key Exchange Data (RFC 7296 2.14, RFC 5903, RFC 8031)."""
        if self.modp is not None:
            return self.modp.size
        if self.ecp is not None:
            return 2 * self.ecp.size
        return 32 if self.kind == "x25519" else 56


@dataclass(frozen=True, eq=False)
class EsnTransform:
    """Extended sequence numbers (type 5)."""

    transform_type: ClassVar[TransformType] = TransformType.ESN

    id: EsnId
    ios_name: str
    strongswan: str
    ios_aliases: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.id == EsnId.ESN


Transform = EncrTransform | PrfTransform | IntegTransform | DhGroup | EsnTransform


# --- encryption -------------------------------------------------------------------------------

_DES_WARNING = (
    "DES is a weak, legacy cipher (56-bit key); IOS XE 17.11 and later refuse it unless weak "
    "crypto is allowed: prefer AES"
)


def _cbc(
    encr_id: EncrId,
    bits: int,
    name: str,
    cipher: Callable[[bytes], BlockCipherAlgorithm],
    block: int,
    ios: str,
    ike: str | None,
    esp: str,
    esp_show: str,
    strongswan: str,
    wireshark_ike: str | None,
    wireshark_esp: str,
    *,
    esp_default: bool = True,
    warning: str | None = None,
) -> EncrTransform:
    return EncrTransform(
        encr_id, bits, name, "cbc", block, block, cipher=cipher, ios_name=ios, ike_keyword=ike,
        esp_keyword=esp, esp_default=esp_default, esp_show=esp_show, strongswan=strongswan,
        wireshark_ike=wireshark_ike, wireshark_esp=wireshark_esp, warning=warning,
    )  # fmt: skip


def _gcm(
    encr_id: EncrId,
    icv: int,
    bits: int,
    ios: str,
    ike: str | None,
    esp: str | None,
    esp_show: str,
    strongswan: str,
    wireshark_ike: str,
    wireshark_esp: str,
) -> EncrTransform:
    return EncrTransform(
        encr_id, bits, f"AES-GCM-{bits}-ICV{icv}", "gcm", 1, 8, 4, icv, ios_name=ios,
        ike_keyword=ike, esp_keyword=esp, esp_default=esp is not None and bits == 128,
        esp_show=esp_show, strongswan=strongswan, wireshark_ike=wireshark_ike,
        wireshark_esp=wireshark_esp,
    )  # fmt: skip


def _sized_keyword(keyword: str, bits: int) -> str:
    """How IOS shows an ESP cipher keyword at a key size: bare for 128 bits."""
    return keyword if bits == 128 else f"{keyword} {bits}"


# AES-CTR and AES-CCM are pyike extensions (`encryption aes-ctr-128`, `esp-aes-ccm 256`): IOS
# has neither; strongSwan negotiates both. Their keywords follow IOS's for AES-CBC and AES-GCM.
def _ctr(bits: int) -> EncrTransform:
    return EncrTransform(
        EncrId.AES_CTR, bits, f"AES-CTR-{bits}", "ctr", 1, 8, 4, ios_name="AES-CTR",
        ike_keyword=f"aes-ctr-{bits}", esp_keyword="esp-aes-ctr", esp_default=bits == 128,
        esp_show=_sized_keyword("esp-aes-ctr", bits), strongswan=f"aes{bits}ctr",
        wireshark_ike=f"AES-CTR-{bits} [RFC5930]", wireshark_esp="AES-CTR [RFC3686]",
    )  # fmt: skip


def _ccm(encr_id: EncrId, icv: int, bits: int) -> EncrTransform:
    """The 16-octet ICV is plain `aes-ccm`, as IOS's AES-GCM; the shorter ICVs name theirs
    (`aes-ccm8-128`, `esp-aes-ccm8`), as strongSwan does. Wireshark's esp_sa table has no
    AES-CCM: its ESP name is pyike's own, in Wireshark's style, for the key log."""
    family = "AES-CCM" if icv == 16 else f"AES-CCM-{icv}"
    short = "aes-ccm" if icv == 16 else f"aes-ccm{icv}"
    esp = f"esp-{short}"
    return EncrTransform(
        encr_id, bits, f"AES-CCM-{bits}-ICV{icv}", "ccm", 1, 8, 3, icv, ios_name=family,
        ike_keyword=f"{short}-{bits}", esp_keyword=esp,
        esp_default=bits == 128,
        esp_show=_sized_keyword(esp, bits), strongswan=f"aes{bits}ccm{icv}",
        wireshark_ike=f"AES-CCM-{bits} with {icv} octet ICV [RFC5282]",
        wireshark_esp=f"AES-CCM with {icv} octet ICV [RFC4309]",
    )  # fmt: skip


def _gmac_names(bits: int) -> EncrTransform:
    """AES-GMAC: read in debug logs and shown, not implemented."""
    return EncrTransform(
        EncrId.NULL_AUTH_AES_GMAC, bits, f"AES-GMAC-{bits}", "names-only", esp_show="esp-gmac",
        strongswan=f"aes{bits}gmac", ios_aliases=(f"AES-GMAC-{bits}",),
    )  # fmt: skip


_CCM = ((EncrId.AES_CCM_8, 8), (EncrId.AES_CCM_12, 12), (EncrId.AES_CCM_16, 16))

# fmt: off
ENCRYPTIONS: tuple[EncrTransform, ...] = (
    _cbc(EncrId.DES, 64, "DES", _single_des, 8, "DES", "des", "esp-des", "esp-des", "des",
         None, "DES-CBC [RFC2405]", warning=_DES_WARNING),
    _cbc(EncrId.TRIPLE_DES, 192, "3DES", TripleDES, 8, "3DES", "3des", "esp-3des", "esp-3des",
         "3des", "3DES [RFC2451]", "TripleDES-CBC [RFC2451]"),
    EncrTransform(
        EncrId.NULL, 0, "NULL", "null", ios_name="NULL", esp_keyword="esp-null",
        esp_default=True, esp_show="esp-null", strongswan="null",
        wireshark_ike="NULL [RFC2410]", wireshark_esp="NULL",
    ),
    _cbc(EncrId.AES_CBC, 128, "AES-CBC-128", algorithms.AES, 16, "AES-CBC", "aes-cbc-128",
         "esp-aes", "esp-aes", "aes128", "AES-CBC-128 [RFC3602]", "AES-CBC [RFC3602]"),
    _cbc(EncrId.AES_CBC, 192, "AES-CBC-192", algorithms.AES, 16, "AES-CBC", "aes-cbc-192",
         "esp-aes", "esp-192-aes", "aes192", "AES-CBC-192 [RFC3602]", "AES-CBC [RFC3602]",
         esp_default=False),
    _cbc(EncrId.AES_CBC, 256, "AES-CBC-256", algorithms.AES, 16, "AES-CBC", "aes-cbc-256",
         "esp-aes", "esp-256-aes", "aes256", "AES-CBC-256 [RFC3602]", "AES-CBC [RFC3602]",
         esp_default=False),
    *(_ctr(bits) for bits in (128, 192, 256)),
    *(_ccm(encr_id, icv, bits) for encr_id, icv in _CCM for bits in (128, 192, 256)),
    _gcm(EncrId.AES_GCM_8, 8, 128, "AES-GCM-8", None, None, "esp-aes-gcm-8", "aes128gcm8",
         "AES-GCM-128 with 8 octet ICV [RFC5282]", "AES-GCM with 8 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_8, 8, 192, "AES-GCM-8", None, None, "esp-aes-gcm-8 192", "aes192gcm8",
         "AES-GCM-192 with 8 octet ICV [RFC5282]", "AES-GCM with 8 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_8, 8, 256, "AES-GCM-8", None, None, "esp-aes-gcm-8 256", "aes256gcm8",
         "AES-GCM-256 with 8 octet ICV [RFC5282]", "AES-GCM with 8 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_12, 12, 128, "AES-GCM-12", None, None, "esp-aes-gcm-12", "aes128gcm12",
         "AES-GCM-128 with 12 octet ICV [RFC5282]", "AES-GCM with 12 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_12, 12, 192, "AES-GCM-12", None, None, "esp-aes-gcm-12 192",
         "aes192gcm12", "AES-GCM-192 with 12 octet ICV [RFC5282]",
         "AES-GCM with 12 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_12, 12, 256, "AES-GCM-12", None, None, "esp-aes-gcm-12 256",
         "aes256gcm12", "AES-GCM-256 with 12 octet ICV [RFC5282]",
         "AES-GCM with 12 octet ICV [RFC4106]"),
    # IOS configures GCM with the 16-octet ICV only, and not at 192 bits.
    _gcm(EncrId.AES_GCM_16, 16, 128, "AES-GCM", "aes-gcm-128", "esp-gcm", "esp-gcm",
         "aes128gcm16", "AES-GCM-128 with 16 octet ICV [RFC5282]",
         "AES-GCM with 16 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_16, 16, 192, "AES-GCM", None, None, "esp-gcm 192", "aes192gcm16",
         "AES-GCM-192 with 16 octet ICV [RFC5282]", "AES-GCM with 16 octet ICV [RFC4106]"),
    _gcm(EncrId.AES_GCM_16, 16, 256, "AES-GCM", "aes-gcm-256", "esp-gcm", "esp-gcm 256",
         "aes256gcm16", "AES-GCM-256 with 16 octet ICV [RFC5282]",
         "AES-GCM with 16 octet ICV [RFC4106]"),
    *(_gmac_names(bits) for bits in (128, 192, 256)),
    # `esp-chacha20-poly1305` is a pyike extension: IOS has no ChaCha20-Poly1305.
    EncrTransform(
        EncrId.CHACHA20_POLY1305, 256, "CHACHA20-POLY1305", "chacha20-poly1305", 1, 8, 4, 16,
        ios_name="CHACHA20-POLY1305", esp_keyword="esp-chacha20-poly1305", esp_default=True,
        esp_show="esp-chacha20-poly1305", strongswan="chacha20poly1305",
        wireshark_ike="CHACHA20-POLY1305 [RFC7634]",
        wireshark_esp="ChaCha20 with Poly1305 [RFC7634]",
    ),
)
# fmt: on


# --- PRF and integrity ------------------------------------------------------------------------

# fmt: off
PRFS: tuple[PrfTransform, ...] = (
    PrfTransform(PrfId.HMAC_MD5, "HMAC-MD5", 16, 16, "hmac", hashes.MD5(), "MD5", "md5",
                 "prfmd5"),
    PrfTransform(PrfId.HMAC_SHA1, "HMAC-SHA1", 20, 20, "hmac", hashes.SHA1(), "SHA1", "sha1",
                 "prfsha1"),
    PrfTransform(PrfId.AES128_XCBC, "AES-XCBC-PRF-128", 16, 16, "aes-xcbc", None, "AES-XCBC",
                 None, "prfaesxcbc"),
    PrfTransform(PrfId.HMAC_SHA2_256, "HMAC-SHA256", 32, 32, "hmac", hashes.SHA256(), "SHA256",
                 "sha256", "prfsha256"),
    PrfTransform(PrfId.HMAC_SHA2_384, "HMAC-SHA384", 48, 48, "hmac", hashes.SHA384(), "SHA384",
                 "sha384", "prfsha384"),
    PrfTransform(PrfId.HMAC_SHA2_512, "HMAC-SHA512", 64, 64, "hmac", hashes.SHA512(), "SHA512",
                 "sha512", "prfsha512"),
    PrfTransform(PrfId.AES128_CMAC, "AES-CMAC-PRF-128", 16, 16, "aes-cmac", None, "AES-CMAC",
                 None, "prfaescmac"),
)

INTEGRITIES: tuple[IntegTransform, ...] = (
    # AUTH_NONE: what an AEAD suite carries, named in dumps and key tables.
    IntegTransform(IntegId.NONE, "NONE", 0, 0, "names-only", ios_name="NONE",
                   wireshark_ike="NONE [RFC4306]", wireshark_esp="NULL"),
    IntegTransform(IntegId.HMAC_MD5_96, "HMAC-MD5-96", 16, 12, "hmac", hashes.MD5(),
                   PrfId.HMAC_MD5, "MD596", "md5", "esp-md5-hmac", "md5",
                   "HMAC_MD5_96 [RFC2403]", "HMAC-MD5-96 [RFC2403]"),
    IntegTransform(IntegId.HMAC_SHA1_96, "HMAC-SHA1-96", 20, 12, "hmac", hashes.SHA1(),
                   PrfId.HMAC_SHA1, "SHA96", "sha1", "esp-sha-hmac", "sha1",
                   "HMAC_SHA1_96 [RFC2404]", "HMAC-SHA-1-96 [RFC2404]"),
    IntegTransform(IntegId.AES_XCBC_96, "AES-XCBC-96", 16, 12, "aes-xcbc",
                   ios_name="AES-XCBC-96", strongswan="aesxcbc",
                   wireshark_ike="AES_XCBC_96 [RFC3566]"),
    IntegTransform(IntegId.HMAC_MD5_128, "HMAC-MD5-128", 16, 16, "hmac", hashes.MD5(),
                   strongswan="md5_128", wireshark_ike="HMAC_MD5_128 [RFC4595]"),
    # `integrity sha1-160` and `esp-sha1-160-hmac` are pyike extensions (strongSwan's sha1_160);
    # Wireshark's esp_sa has no such algorithm: its ESP name is pyike's, in Wireshark's style.
    IntegTransform(IntegId.HMAC_SHA1_160, "HMAC-SHA1-160", 20, 20, "hmac", hashes.SHA1(),
                   PrfId.HMAC_SHA1, ike_keyword="sha1-160", esp_keyword="esp-sha1-160-hmac",
                   strongswan="sha1_160", wireshark_ike="HMAC_SHA1_160 [RFC4595]",
                   wireshark_esp="HMAC-SHA-1-160 [RFC4595]"),
    IntegTransform(IntegId.AES_CMAC_96, "AES-CMAC-96", 16, 12, "aes-cmac",
                   strongswan="aescmac"),
    IntegTransform(IntegId.HMAC_SHA2_256_128, "HMAC-SHA256-128", 32, 16, "hmac",
                   hashes.SHA256(), PrfId.HMAC_SHA2_256, "SHA256", "sha256", "esp-sha256-hmac",
                   "sha256", "HMAC_SHA2_256_128 [RFC4868]", "HMAC-SHA-256-128 [RFC4868]",
                   ios_aliases=("SHA256-128",)),
    IntegTransform(IntegId.HMAC_SHA2_384_192, "HMAC-SHA384-192", 48, 24, "hmac",
                   hashes.SHA384(), PrfId.HMAC_SHA2_384, "SHA384", "sha384", "esp-sha384-hmac",
                   "sha384", "HMAC_SHA2_384_192 [RFC4868]", "HMAC-SHA-384-192 [RFC4868]",
                   ios_aliases=("SHA384-192",)),
    IntegTransform(IntegId.HMAC_SHA2_512_256, "HMAC-SHA512-256", 64, 32, "hmac",
                   hashes.SHA512(), PrfId.HMAC_SHA2_512, "SHA512", "sha512", "esp-sha512-hmac",
                   "sha512", "HMAC_SHA2_512_256 [RFC4868]", "HMAC-SHA-512-256 [RFC4868]",
                   ios_aliases=("SHA512-256",)),
    # SHA-256 truncated to 96 bits, before RFC 4868: in Wireshark's tables and strongSwan only.
    IntegTransform(IntegId.HMAC_SHA2_256_96, "HMAC-SHA256-96", 32, 12, "hmac", hashes.SHA256(),
                   strongswan="sha256_96",
                   wireshark_ike="HMAC_SHA2_256_96 [draft-ietf-ipsec-ciph-sha-256-00]",
                   wireshark_esp="HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]"),
)
# fmt: on


# --- key exchange -----------------------------------------------------------------------------

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    "C7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
    16,
)
_P521_ORDER = int(
    "1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA"
    "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
    16,
)
_P192_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFF99DEF836146BC9B1B4D22831
_P224_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D
# RFC 5639 section 3.
_BP256_ORDER = 0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7
_BP384_ORDER = int(
    "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B3"
    "1F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565",
    16,
)
_BP512_ORDER = int(
    "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870"
    "553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069",
    16,
)


def _modp(group: DhId, ios: str, strongswan: str, keyword: str | None,
          params: ModpParameters) -> DhGroup:  # fmt: skip
    return DhGroup(group, "modp", ios, strongswan, keyword, modp=params)


def _ecp(group: DhId, ios: str, strongswan: str, keyword: str, curve: ec.EllipticCurve,
         order: int) -> DhGroup:  # fmt: skip
    return DhGroup(group, "ecp", ios, strongswan, keyword, ecp=EcpParameters(curve, order))


# Groups 22, 23 and 25 to 30 are pyike extensions (`group 28`): IOS has none of them; strongSwan
# negotiates them all. Their names follow IOS's for group 24.
def _modp_extension(group: DhId, ios: str, strongswan: str, params: ModpParameters) -> DhGroup:
    keyword = str(int(group))
    return DhGroup(group, "modp", f"{ios}/Group {keyword}", strongswan, keyword, modp=params,
                   ios=False)  # fmt: skip


def _ecp_extension(
    group: DhId, ios: str, strongswan: str, curve: ec.EllipticCurve | WeierstrassCurve, order: int
) -> DhGroup:
    keyword = str(int(group))
    return DhGroup(group, "ecp", f"{ios}/Group {keyword}", strongswan, keyword,
                   ecp=EcpParameters(curve, order), ios=False)  # fmt: skip


# fmt: off
GROUPS: tuple[DhGroup, ...] = (
    _modp(DhId.MODP_768, "DH_GROUP_768_MODP/Group 1", "modp768", "1", modp.RFC2409_768),
    _modp(DhId.MODP_1024, "DH_GROUP_1024_MODP/Group 2", "modp1024", "2", modp.RFC2409_1024),
    _modp(DhId.MODP_1536, "DH_GROUP_1536_MODP/Group 5", "modp1536", "5", modp.RFC3526_1536),
    _modp(DhId.MODP_2048, "DH_GROUP_2048_MODP/Group 14", "modp2048", "14", modp.RFC3526_2048),
    _modp(DhId.MODP_3072, "DH_GROUP_3072_MODP/Group 15", "modp3072", "15", modp.RFC3526_3072),
    _modp(DhId.MODP_4096, "DH_GROUP_4096_MODP/Group 16", "modp4096", "16", modp.RFC3526_4096),
    _modp(DhId.MODP_6144, "DH_GROUP_6144_MODP/Group 17", "modp6144", None, modp.RFC3526_6144),
    _modp(DhId.MODP_8192, "DH_GROUP_8192_MODP/Group 18", "modp8192", None, modp.RFC3526_8192),
    _ecp(DhId.ECP_256, "DH_GROUP_256_ECP/Group 19", "ecp256", "19", ec.SECP256R1(),
         _P256_ORDER),
    _ecp(DhId.ECP_384, "DH_GROUP_384_ECP/Group 20", "ecp384", "20", ec.SECP384R1(),
         _P384_ORDER),
    _ecp(DhId.ECP_521, "DH_GROUP_521_ECP/Group 21", "ecp521", "21", ec.SECP521R1(),
         _P521_ORDER),
    _modp(DhId.MODP_2048_256, "DH_GROUP_2048_256_MODP/Group 24", "modp2048s256", "24",
          modp.RFC5114_2048_256),
    # Groups 31 and 32 are a pyike extension: IOS has no Curve25519/Curve448 for IKEv2.
    DhGroup(DhId.CURVE25519, "x25519", "DH_GROUP_CURVE25519/Group 31", "curve25519", "31"),
    DhGroup(DhId.CURVE448, "x448", "DH_GROUP_CURVE448/Group 32", "curve448", "32"),
    _modp_extension(DhId.MODP_1024_160, "DH_GROUP_1024_160_MODP", "modp1024s160",
                    modp.RFC5114_1024_160),
    _modp_extension(DhId.MODP_2048_224, "DH_GROUP_2048_224_MODP", "modp2048s224",
                    modp.RFC5114_2048_224),
    _ecp_extension(DhId.ECP_192, "DH_GROUP_192_ECP", "ecp192", ec.SECP192R1(), _P192_ORDER),
    _ecp_extension(DhId.ECP_224, "DH_GROUP_224_ECP", "ecp224", ec.SECP224R1(), _P224_ORDER),
    _ecp_extension(DhId.BRAINPOOLP224R1, "DH_GROUP_224_BRAINPOOL", "ecp224bp", BRAINPOOL_P224R1,
                   BRAINPOOL_P224R1.order),
    _ecp_extension(DhId.BRAINPOOLP256R1, "DH_GROUP_256_BRAINPOOL", "ecp256bp",
                   ec.BrainpoolP256R1(), _BP256_ORDER),
    _ecp_extension(DhId.BRAINPOOLP384R1, "DH_GROUP_384_BRAINPOOL", "ecp384bp",
                   ec.BrainpoolP384R1(), _BP384_ORDER),
    _ecp_extension(DhId.BRAINPOOLP512R1, "DH_GROUP_512_BRAINPOOL", "ecp512bp",
                   ec.BrainpoolP512R1(), _BP512_ORDER),
)
# fmt: on

ESNS: tuple[EsnTransform, ...] = (
    EsnTransform(EsnId.NO_ESN, "Don't use ESN", "noesn"),
    EsnTransform(EsnId.ESN, "Use ESN", "esn", ios_aliases=("ESN",)),
)


# --- lookups ----------------------------------------------------------------------------------

_T = TypeVar("_T")


def _index(entries: Iterable[_T], *keys: Callable[[_T], object]) -> dict[object, _T]:
    """The first entry per key; a key function returns None for entries it does not name."""
    index: dict[object, _T] = {}
    for key in keys:
        for entry in entries:
            value = key(entry)
            if value is not None:
                index.setdefault(value, entry)
    return index


def _wireshark_key(name: str | None) -> str | None:
    """Wireshark's names compare without their "[RFC...]" reference, case aside."""
    return None if name is None else name.partition("[")[0].strip().upper()


def _esp_sized(entry: EncrTransform) -> tuple[str, int] | None:
    return None if entry.esp_keyword is None else (entry.esp_keyword, entry.key_bits)


def _esp_default(entry: EncrTransform) -> str | None:
    return entry.esp_keyword if entry.esp_default else None


# A fixed-length cipher is found without a Key Length attribute and, leniently, with its length.
_ENCR = _index(ENCRYPTIONS, lambda e: (e.id, e.key_length), lambda e: (e.id, e.key_bits))
_ENCR_OF_ID = _index(ENCRYPTIONS, lambda e: e.id)
_ENCR_IKE_WORD = _index(ENCRYPTIONS, lambda e: e.ike_keyword)
_ENCR_ESP_WORD = _index(ENCRYPTIONS, _esp_sized)
_ENCR_ESP_DEFAULT = _index(ENCRYPTIONS, _esp_default)
_ENCR_WIRESHARK = _index(ENCRYPTIONS, lambda e: _wireshark_key(e.wireshark_ike))
_PRF = _index(PRFS, lambda p: p.id)
_INTEG_WIRESHARK_ESP = _index(INTEGRITIES, lambda i: _wireshark_key(i.wireshark_esp))
_PRF_WORD = _index(PRFS, lambda p: p.ike_keyword)
_INTEG = _index(INTEGRITIES, lambda i: i.id)
_INTEG_IKE_WORD = _index(INTEGRITIES, lambda i: i.ike_keyword)
_INTEG_ESP_WORD = _index(INTEGRITIES, lambda i: i.esp_keyword)
_INTEG_WIRESHARK = _index(INTEGRITIES, lambda i: _wireshark_key(i.wireshark_ike))
_GROUP = _index(GROUPS, lambda g: g.id)
_GROUP_WORD = _index(GROUPS, lambda g: g.keyword, lambda g: g.pfs_keyword)
_ESN = _index(ESNS, lambda e: e.id)
_STRONGSWAN: dict[object, Transform] = _index(
    [*ENCRYPTIONS, *PRFS, *INTEGRITIES, *GROUPS, *ESNS], lambda t: t.strongswan
)


def encryption(encr_id: int, key_length: int | None) -> EncrTransform | None:
    """By IANA id and Key Length attribute (None when the proposal carries none)."""
    return _ENCR.get((encr_id, key_length))


def encryption_of(encr_id: int) -> EncrTransform | None:
    """One key length of an encryption id, for what they all share (the IOS name)."""
    return _ENCR_OF_ID.get(encr_id)


def ike_encryption_keyword(word: str) -> EncrTransform | None:
    """`encryption WORD` in `crypto ikev2 proposal` ("aes-cbc-256")."""
    return _ENCR_IKE_WORD.get(word)


def esp_encryption_keyword(word: str, key_bits: int | None = None) -> EncrTransform | None:
    """`WORD [KEY-BITS]` in `crypto ipsec transform-set`; without a size, IOS's default."""
    if key_bits is None:
        return _ENCR_ESP_DEFAULT.get(word)
    return _ENCR_ESP_WORD.get((word, key_bits))


def wireshark_encryption(name: str) -> EncrTransform | None:
    """By its name in Wireshark's ikev2_decryption_table ("AES-CBC-128 [RFC3602]")."""
    return _ENCR_WIRESHARK.get(_wireshark_key(name))


def wireshark_esp_encryption(name: str) -> tuple[EncrTransform, ...]:
    """By its name in Wireshark's esp_sa table ("AES-CBC [RFC3602]"): one entry per key length,
    which the key's size tells apart."""
    key = _wireshark_key(name)
    return tuple(e for e in ENCRYPTIONS if e.implemented and _wireshark_key(e.wireshark_esp) == key)


# Wireshark's esp_sa names of transforms pyike has no implementation of.
WIRESHARK_ESP_NOT_IMPLEMENTED = (
    "CAST5-CBC [RFC2144]",
    "BLOWFISH-CBC [RFC2451]",
    "TWOFISH-CBC",
    "AES-GCM with IIV and 16 octet ICV [RFC4106 & RFC8750]",
    "ChaCha20 with Poly1305 and IIV [RFC7634 & RFC8750]",
    "MAC-RIPEMD-160-96 [RFC2857]",
)

# Wireshark's first AES-GCM entry in esp_sa names every ICV length: its integrity column, "ANY
# 128 bit authentication [no checking]" or the like, gives the length.
WIRESHARK_ESP_GCM_ANY_ICV = "AES-GCM [RFC4106]"


def wireshark_esp_gcm(icv_size: int) -> tuple[EncrTransform, ...]:
    """What Wireshark's WIRESHARK_ESP_GCM_ANY_ICV means with an ICV of `icv_size` octets: one
    entry per key length."""
    return tuple(e for e in ENCRYPTIONS if e.mode == "gcm" and e.icv_size == icv_size)


def wireshark_esp_integrity(name: str) -> IntegTransform | None:
    """By its name in Wireshark's esp_sa table ("HMAC-SHA-1-96 [RFC2404]", "NULL")."""
    return _INTEG_WIRESHARK_ESP.get(_wireshark_key(name))


def prf(prf_id: int) -> PrfTransform | None:
    return _PRF.get(prf_id)


def prf_keyword(word: str) -> PrfTransform | None:
    """`prf WORD` in `crypto ikev2 proposal` ("sha256")."""
    return _PRF_WORD.get(word)


def integrity(integ_id: int) -> IntegTransform | None:
    return _INTEG.get(integ_id)


def integrity_keyword(word: str) -> IntegTransform | None:
    """`integrity WORD` in `crypto ikev2 proposal` ("sha1")."""
    return _INTEG_IKE_WORD.get(word)


def esp_integrity_keyword(word: str) -> IntegTransform | None:
    """`esp-sha-hmac` and friends in `crypto ipsec transform-set`."""
    return _INTEG_ESP_WORD.get(word)


def wireshark_integrity(name: str) -> IntegTransform | None:
    """By its name in Wireshark's ikev2_decryption_table ("HMAC_SHA1_96 [RFC2404]")."""
    return _INTEG_WIRESHARK.get(_wireshark_key(name))


def dh_group(group_id: int) -> DhGroup | None:
    return _GROUP.get(group_id)


def group_keyword(word: str) -> DhGroup | None:
    """`group 14` in `crypto ikev2 proposal` ("14"), `set pfs group14` ("group14")."""
    return _GROUP_WORD.get(word)


def esn(esn_id: int) -> EsnTransform | None:
    return _ESN.get(esn_id)


def esn_for(enabled: bool) -> EsnTransform:
    """The ESN transform that says whether extended sequence numbers are used."""
    return next(e for e in ESNS if e.enabled == enabled)


# --- IKEv1 keywords ---------------------------------------------------------------------------
# `crypto isakmp policy` names transforms declared above with words of its own. pyike reads and
# keeps IKEv1 policies; it does not negotiate IKEv1.


def _declared(entry: _T | None) -> _T:
    assert entry is not None
    return entry


ISAKMP_ENCRYPTIONS: dict[str, tuple[EncrTransform, ...]] = {  # `encryption aes 256`
    "des": (_declared(encryption(EncrId.DES, None)),),
    "3des": (_declared(encryption(EncrId.TRIPLE_DES, None)),),
    "aes": tuple(_declared(encryption(EncrId.AES_CBC, bits)) for bits in (128, 192, 256)),
}
ISAKMP_HASHES: dict[str, IntegTransform] = {  # `hash sha`
    "sha": _declared(integrity(IntegId.HMAC_SHA1_96)),
    "sha256": _declared(integrity(IntegId.HMAC_SHA2_256_128)),
    "sha384": _declared(integrity(IntegId.HMAC_SHA2_384_192)),
    "sha512": _declared(integrity(IntegId.HMAC_SHA2_512_256)),
    "md5": _declared(integrity(IntegId.HMAC_MD5_96)),
}
ISAKMP_GROUPS: tuple[DhGroup, ...] = tuple(  # `group 14`: IKEv1 has IOS's MODP and ECP groups
    g for g in GROUPS if g.keyword is not None and g.ios and g.kind in ("modp", "ecp")
)


# --- AH keywords ------------------------------------------------------------------------------
# `crypto ipsec transform-set` may add one AH transform (RFC 4302) to its ESP transforms. AH's
# transforms are integrity algorithms (type 3, under protocol AH), so each keyword names an entry
# declared above. pyike reads, keeps and shows them; it has no AH, so it never negotiates them.

AH_INTEGRITIES: dict[str, IntegTransform] = {  # `ah-sha-hmac`
    "ah-md5-hmac": _declared(integrity(IntegId.HMAC_MD5_96)),
    "ah-sha-hmac": _declared(integrity(IntegId.HMAC_SHA1_96)),
    "ah-sha256-hmac": _declared(integrity(IntegId.HMAC_SHA2_256_128)),
    "ah-sha384-hmac": _declared(integrity(IntegId.HMAC_SHA2_384_192)),
    "ah-sha512-hmac": _declared(integrity(IntegId.HMAC_SHA2_512_256)),
}


def prfs_paired_with(integrity: Iterable[int]) -> tuple[PrfId, ...]:
    """IOS's PRFs for a proposal without `prf`: each integrity algorithm's paired PRF."""
    entries = (_INTEG.get(i) for i in integrity)
    return tuple(e.prf for e in entries if e is not None and e.prf is not None)


def strongswan(name: str) -> Transform | None:
    """By strongSwan's proposal keyword ("aes256", "prfsha384", "modp2048s256", "esn")."""
    return _STRONGSWAN.get(name)


def by_ios_name(name: str) -> tuple[Transform, ...]:
    """What IOS, IOS-XE or ASA debug output may mean by `name` (case aside), in transform type
    order: "SHA256" is a PRF and an integrity algorithm; "AES-CBC-256" names one key length,
    "AES-CBC" the algorithm (its first entry)."""
    return _IOS_NAMES.get(name.strip().upper(), ())


def _ios_name_index() -> dict[str, tuple[Transform, ...]]:
    index: dict[str, tuple[Transform, ...]] = {}

    def add(spelling: str | None, entry: Transform) -> None:
        if spelling is not None and entry not in index.get(spelling.upper(), ()):
            index[spelling.upper()] = (*index.get(spelling.upper(), ()), entry)

    for encr in ENCRYPTIONS:
        add(encr.ios_name, _ENCR_OF_ID[encr.id])
        add(encr.show_name, encr)
        for alias in encr.ios_aliases:
            add(alias, encr)
    others: tuple[PrfTransform | IntegTransform | DhGroup | EsnTransform, ...] = (
        *PRFS,
        *INTEGRITIES,
        *GROUPS,
        *ESNS,
    )
    for entry in others:
        add(entry.ios_name, entry)
        for alias in getattr(entry, "ios_aliases", ()):
            add(alias, entry)
    return index


_IOS_NAMES = _ios_name_index()


# --- IOS smart defaults made of transforms ----------------------------------------------------


def _found(entry: _T | None, word: str) -> _T:
    if entry is None:
        raise LookupError(f"no transform for keyword {word!r}")
    return entry


@dataclass(frozen=True)
class IkeProposalTransforms:
    """A `crypto ikev2 proposal` made of catalogue entries, its PRFs left to IOS's pairing."""

    encryption: tuple[EncrTransform, ...]
    integrity: tuple[IntegTransform, ...]
    groups: tuple[DhGroup, ...]

    @property
    def prf(self) -> tuple[PrfTransform, ...]:
        """IOS's PRFs for a proposal without `prf`: each integrity algorithm's own."""
        return tuple(_found(prf(p), p.name) for p in self.prf_ids)

    # The same as IANA ids, encryption with its Key Length attribute, as proposals carry them.
    @property
    def encryption_ids(self) -> tuple[tuple[EncrId, int | None], ...]:
        return tuple((e.id, e.key_length) for e in self.encryption)

    @property
    def integrity_ids(self) -> tuple[IntegId, ...]:
        return tuple(i.id for i in self.integrity)

    @property
    def prf_ids(self) -> tuple[PrfId, ...]:
        return prfs_paired_with(self.integrity_ids)

    @property
    def group_ids(self) -> tuple[DhId, ...]:
        return tuple(g.id for g in self.groups)


def _ike_proposal(encryption: str, integrity: str, groups: str) -> IkeProposalTransforms:
    return IkeProposalTransforms(
        tuple(_found(ike_encryption_keyword(w), w) for w in encryption.split()),
        tuple(_found(integrity_keyword(w), w) for w in integrity.split()),
        tuple(_found(group_keyword(w), w) for w in groups.split()),
    )


# IOS 15.x / IOS-XE 3.x smart defaults (see pyike.config.defaults for the source):
#
#   show crypto ikev2 proposal default
#    IKEv2 proposal: default
#        Encryption : AES-CBC-256 AES-CBC-192 AES-CBC-128
#        Integrity  : SHA512 SHA384 SHA256 SHA96 MD596
#        PRF        : SHA512 SHA384 SHA256 SHA1 MD5
#        DH Group   : DH_GROUP_1536_MODP/Group 5 DH_GROUP_1024_MODP/Group 2
#   show crypto ipsec transform-set default
#    Transform set default: { esp-aes esp-sha-hmac }
#      will negotiate = { Transport, },
IOS_DEFAULT_IKE_PROPOSAL = _ike_proposal(
    "aes-cbc-256 aes-cbc-192 aes-cbc-128", "sha512 sha384 sha256 sha1 md5", "5 2"
)
IOS_DEFAULT_ESP_ENCRYPTION = _found(esp_encryption_keyword("esp-aes"), "esp-aes")
IOS_DEFAULT_ESP_INTEGRITY = _found(esp_integrity_keyword("esp-sha-hmac"), "esp-sha-hmac")
# `set pfs` without a group means group 1.
IOS_PFS_GROUP_UNNAMED = _found(group_keyword("1"), "1")
# What a transform set without a cipher (`esp-sha-hmac` alone) negotiates: ENCR_NULL.
ESP_NO_CIPHER = _found(esp_encryption_keyword("esp-null"), "esp-null")
