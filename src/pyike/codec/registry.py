"""IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" registries.

Member names follow IANA spelling with the registry prefix dropped (ENCR_, PRF_, AUTH_) and
characters Python does not accept adapted minimally (ENCR_3DES becomes TRIPLE_DES).
Values outside an enum (private use, unassigned) are kept as plain ints by the codec.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar

_E = TypeVar("_E", bound=IntEnum)


class ExchangeType(IntEnum):
    IKE_SA_INIT = 34
    IKE_AUTH = 35
    CREATE_CHILD_SA = 36
    INFORMATIONAL = 37
    IKE_SESSION_RESUME = 38
    GSA_AUTH = 39
    GSA_REGISTRATION = 40
    GSA_REKEY = 41
    GSA_INBAND_REKEY = 42
    IKE_INTERMEDIATE = 43
    IKE_FOLLOWUP_KE = 44


class PayloadType(IntEnum):
    NONE = 0
    SA = 33
    KE = 34
    IDi = 35
    IDr = 36
    CERT = 37
    CERTREQ = 38
    AUTH = 39
    NONCE = 40
    NOTIFY = 41
    DELETE = 42
    VENDOR = 43
    TSi = 44
    TSr = 45
    SK = 46
    CP = 47
    EAP = 48
    GSPM = 49
    IDg = 50
    GSA = 51
    KD = 52
    SKF = 53
    PS = 54


class TransformType(IntEnum):
    ENCR = 1
    PRF = 2
    INTEG = 3
    DH = 4
    ESN = 5
    ADDKE1 = 6
    ADDKE2 = 7
    ADDKE3 = 8
    ADDKE4 = 9
    ADDKE5 = 10
    ADDKE6 = 11
    ADDKE7 = 12
    KWA = 13
    GCAUTH = 14


class EncrId(IntEnum):
    DES_IV64 = 1
    DES = 2
    TRIPLE_DES = 3
    RC5 = 4
    IDEA = 5
    CAST = 6
    BLOWFISH = 7
    TRIPLE_IDEA = 8
    DES_IV32 = 9
    NULL = 11
    AES_CBC = 12
    AES_CTR = 13
    AES_CCM_8 = 14
    AES_CCM_12 = 15
    AES_CCM_16 = 16
    AES_GCM_8 = 18
    AES_GCM_12 = 19
    AES_GCM_16 = 20
    NULL_AUTH_AES_GMAC = 21
    CAMELLIA_CBC = 23
    CAMELLIA_CTR = 24
    CAMELLIA_CCM_8 = 25
    CAMELLIA_CCM_12 = 26
    CAMELLIA_CCM_16 = 27
    CHACHA20_POLY1305 = 28
    AES_CCM_8_IIV = 29
    AES_GCM_16_IIV = 30
    CHACHA20_POLY1305_IIV = 31
    KUZNYECHIK_MGM_KTREE = 32
    MAGMA_MGM_KTREE = 33
    KUZNYECHIK_MGM_MAC_KTREE = 34
    MAGMA_MGM_MAC_KTREE = 35


class PrfId(IntEnum):
    HMAC_MD5 = 1
    HMAC_SHA1 = 2
    HMAC_TIGER = 3
    AES128_XCBC = 4
    HMAC_SHA2_256 = 5
    HMAC_SHA2_384 = 6
    HMAC_SHA2_512 = 7
    AES128_CMAC = 8
    HMAC_STREEBOG_512 = 9


class IntegId(IntEnum):
    NONE = 0
    HMAC_MD5_96 = 1
    HMAC_SHA1_96 = 2
    DES_MAC = 3
    KPDK_MD5 = 4
    AES_XCBC_96 = 5
    HMAC_MD5_128 = 6
    HMAC_SHA1_160 = 7
    AES_CMAC_96 = 8
    AES_128_GMAC = 9
    AES_192_GMAC = 10
    AES_256_GMAC = 11
    HMAC_SHA2_256_128 = 12
    HMAC_SHA2_384_192 = 13
    HMAC_SHA2_512_256 = 14
    # Private use: SHA-256 truncated to 96 bits (draft-ietf-ipsec-ciph-sha-256-00), as Linux and
    # strongSwan knew it before RFC 4868; strongSwan's number for it, never proposed by pyike.
    HMAC_SHA2_256_96 = 1026


class DhId(IntEnum):
    """Transform Type 4 ("Key Exchange Method", formerly "Diffie-Hellman Group")."""

    NONE = 0
    MODP_768 = 1
    MODP_1024 = 2
    MODP_1536 = 5
    MODP_2048 = 14
    MODP_3072 = 15
    MODP_4096 = 16
    MODP_6144 = 17
    MODP_8192 = 18
    ECP_256 = 19
    ECP_384 = 20
    ECP_521 = 21
    MODP_1024_160 = 22
    MODP_2048_224 = 23
    MODP_2048_256 = 24
    ECP_192 = 25
    ECP_224 = 26
    BRAINPOOLP224R1 = 27
    BRAINPOOLP256R1 = 28
    BRAINPOOLP384R1 = 29
    BRAINPOOLP512R1 = 30
    CURVE25519 = 31
    CURVE448 = 32
    GOST3410_2012_256 = 33
    GOST3410_2012_512 = 34
    ML_KEM_512 = 35
    ML_KEM_768 = 36
    ML_KEM_1024 = 37


class EsnId(IntEnum):
    NO_ESN = 0
    ESN = 1


class ProtocolId(IntEnum):
    IKE = 1
    AH = 2
    ESP = 3
    FC_ESP_HEADER = 4
    FC_CT_AUTHENTICATION = 5
    GIKE_UPDATE = 6


class IdType(IntEnum):
    ID_IPV4_ADDR = 1
    ID_FQDN = 2
    ID_RFC822_ADDR = 3
    ID_IPV6_ADDR = 5
    ID_DER_ASN1_DN = 9
    ID_DER_ASN1_GN = 10
    ID_KEY_ID = 11
    ID_FC_NAME = 12
    ID_NULL = 13


class TsType(IntEnum):
    TS_IPV4_ADDR_RANGE = 7
    TS_IPV6_ADDR_RANGE = 8
    TS_FC_ADDR_RANGE = 9
    TS_SECLABEL = 10


class AuthMethod(IntEnum):
    RSA_SIG = 1
    SHARED_KEY_MIC = 2
    DSS_SIG = 3
    ECDSA_SHA256_P256 = 9
    ECDSA_SHA384_P384 = 10
    ECDSA_SHA512_P521 = 11
    GSPAM = 12
    NULL_AUTH = 13
    DIGITAL_SIGNATURE = 14


class NotifyType(IntEnum):
    # Error types (0 - 16383; 8192 - 16383 private use).
    UNSUPPORTED_CRITICAL_PAYLOAD = 1
    INVALID_IKE_SPI = 4
    INVALID_MAJOR_VERSION = 5
    INVALID_SYNTAX = 7
    INVALID_MESSAGE_ID = 9
    INVALID_SPI = 11
    NO_PROPOSAL_CHOSEN = 14
    INVALID_KE_PAYLOAD = 17
    AUTHENTICATION_FAILED = 24
    SINGLE_PAIR_REQUIRED = 34
    NO_ADDITIONAL_SAS = 35
    INTERNAL_ADDRESS_FAILURE = 36
    FAILED_CP_REQUIRED = 37
    TS_UNACCEPTABLE = 38
    INVALID_SELECTORS = 39
    UNACCEPTABLE_ADDRESSES = 40
    UNEXPECTED_NAT_DETECTED = 41
    USE_ASSIGNED_HoA = 42
    TEMPORARY_FAILURE = 43
    CHILD_SA_NOT_FOUND = 44
    INVALID_GROUP_ID = 45
    AUTHORIZATION_FAILED = 46
    STATE_NOT_FOUND = 47
    TS_MAX_QUEUE = 48
    REGISTRATION_FAILED = 49
    # Status types (16384 - 65535; 40960 - 65535 private use).
    INITIAL_CONTACT = 16384
    SET_WINDOW_SIZE = 16385
    ADDITIONAL_TS_POSSIBLE = 16386
    IPCOMP_SUPPORTED = 16387
    NAT_DETECTION_SOURCE_IP = 16388
    NAT_DETECTION_DESTINATION_IP = 16389
    COOKIE = 16390
    USE_TRANSPORT_MODE = 16391
    HTTP_CERT_LOOKUP_SUPPORTED = 16392
    REKEY_SA = 16393
    ESP_TFC_PADDING_NOT_SUPPORTED = 16394
    NON_FIRST_FRAGMENTS_ALSO = 16395
    MOBIKE_SUPPORTED = 16396
    ADDITIONAL_IP4_ADDRESS = 16397
    ADDITIONAL_IP6_ADDRESS = 16398
    NO_ADDITIONAL_ADDRESSES = 16399
    UPDATE_SA_ADDRESSES = 16400
    COOKIE2 = 16401
    NO_NATS_ALLOWED = 16402
    AUTH_LIFETIME = 16403
    MULTIPLE_AUTH_SUPPORTED = 16404
    ANOTHER_AUTH_FOLLOWS = 16405
    REDIRECT_SUPPORTED = 16406
    REDIRECT = 16407
    REDIRECTED_FROM = 16408
    TICKET_LT_OPAQUE = 16409
    TICKET_REQUEST = 16410
    TICKET_ACK = 16411
    TICKET_NACK = 16412
    TICKET_OPAQUE = 16413
    LINK_ID = 16414
    USE_WESP_MODE = 16415
    ROHC_SUPPORTED = 16416
    EAP_ONLY_AUTHENTICATION = 16417
    CHILDLESS_IKEV2_SUPPORTED = 16418
    QUICK_CRASH_DETECTION = 16419
    IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420
    IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED = 16421
    IKEV2_MESSAGE_ID_SYNC = 16422
    IPSEC_REPLAY_COUNTER_SYNC = 16423
    SECURE_PASSWORD_METHODS = 16424
    PSK_PERSIST = 16425
    PSK_CONFIRM = 16426
    ERX_SUPPORTED = 16427
    IFOM_CAPABILITY = 16428
    GROUP_SENDER = 16429
    IKEV2_FRAGMENTATION_SUPPORTED = 16430
    SIGNATURE_HASH_ALGORITHMS = 16431
    CLONE_IKE_SA_SUPPORTED = 16432
    CLONE_IKE_SA = 16433
    PUZZLE = 16434
    USE_PPK = 16435
    PPK_IDENTITY = 16436
    NO_PPK_AUTH = 16437
    INTERMEDIATE_EXCHANGE_SUPPORTED = 16438
    IP4_ALLOWED = 16439
    IP6_ALLOWED = 16440
    ADDITIONAL_KEY_EXCHANGE = 16441
    USE_AGGFRAG = 16442
    SUPPORTED_AUTH_METHODS = 16443
    SA_RESOURCE_INFO = 16444
    USE_PPK_INT = 16445
    PPK_IDENTITY_KEY = 16446


class CertEncoding(IntEnum):
    PKCS7_WRAPPED_X509 = 1
    PGP = 2
    DNS_SIGNED_KEY = 3
    X509_CERT_SIGNATURE = 4
    KERBEROS_TOKEN = 6
    CRL = 7
    ARL = 8
    SPKI = 9
    X509_CERT_ATTRIBUTE = 10
    RAW_RSA_KEY = 11
    HASH_URL_X509_CERT = 12
    HASH_URL_X509_BUNDLE = 13
    OCSP_CONTENT = 14
    RAW_PUBLIC_KEY = 15


class CfgType(IntEnum):
    CFG_REQUEST = 1
    CFG_REPLY = 2
    CFG_SET = 3
    CFG_ACK = 4


class CfgAttributeType(IntEnum):
    INTERNAL_IP4_ADDRESS = 1
    INTERNAL_IP4_NETMASK = 2
    INTERNAL_IP4_DNS = 3
    INTERNAL_IP4_NBNS = 4
    INTERNAL_IP4_DHCP = 6
    APPLICATION_VERSION = 7
    INTERNAL_IP6_ADDRESS = 8
    INTERNAL_IP6_DNS = 10
    INTERNAL_IP6_DHCP = 12
    INTERNAL_IP4_SUBNET = 13
    SUPPORTED_ATTRIBUTES = 14
    INTERNAL_IP6_SUBNET = 15
    MIP6_HOME_PREFIX = 16
    INTERNAL_IP6_LINK = 17
    INTERNAL_IP6_PREFIX = 18
    HOME_AGENT_ADDRESS = 19
    P_CSCF_IP4_ADDRESS = 20
    P_CSCF_IP6_ADDRESS = 21
    FTT_KAT = 22
    EXTERNAL_SOURCE_IP4_NAT_INFO = 23
    TIMEOUT_PERIOD_FOR_LIVENESS_CHECK = 24
    INTERNAL_DNS_DOMAIN = 25
    INTERNAL_DNSSEC_TA = 26
    ENCDNS_IP4 = 27
    ENCDNS_IP6 = 28
    ENCDNS_DIGEST_INFO = 29


class TransformAttributeType(IntEnum):
    KEY_LENGTH = 14


class HashAlgorithm(IntEnum):
    """RFC 7427 "IKEv2 Hash Algorithms" (used in SIGNATURE_HASH_ALGORITHMS)."""

    SHA1 = 1
    SHA2_256 = 2
    SHA2_384 = 3
    SHA2_512 = 4
    IDENTITY = 5
    STREEBOG_256 = 6
    STREEBOG_512 = 7


def name_of(enum_cls: type[IntEnum], value: int) -> str:
    """The IANA member name of ``value``, or ``UNKNOWN(value)`` when the enum has none."""
    try:
        return enum_cls(value).name
    except ValueError:
        return f"UNKNOWN({int(value)})"


def as_enum(enum_cls: type[_E], value: int) -> _E | int:
    """``value`` as a member of ``enum_cls`` when it has one, otherwise the plain int."""
    # The value-to-member map is what `enum_cls(value)` consults; asking it directly spares
    # the enum machinery on every payload, transform and notify decoded.
    member: _E | None = enum_cls._value2member_map_.get(value)  # type: ignore[assignment]
    return value if member is None else member


def by_value(enum_cls: type[_E]) -> dict[int, _E]:
    """``enum_cls``'s members by value, for hot loops: ``by_value(E).get(v, v)`` is
    ``as_enum(E, v)`` without the call."""
    return {member.value: member for member in enum_cls}


# AES and Camellia in their combined modes (CCM, GCM, with implicit IV too): AEAD ciphers whose
# key size the proposal names.
_BLOCK_CIPHER_AEAD_IDS = (
    EncrId.AES_CCM_8,
    EncrId.AES_CCM_12,
    EncrId.AES_CCM_16,
    EncrId.AES_GCM_8,
    EncrId.AES_GCM_12,
    EncrId.AES_GCM_16,
    EncrId.CAMELLIA_CCM_8,
    EncrId.CAMELLIA_CCM_12,
    EncrId.CAMELLIA_CCM_16,
    EncrId.AES_CCM_8_IIV,
    EncrId.AES_GCM_16_IIV,
)

AEAD_ENCR_IDS: frozenset[int] = frozenset(
    {*_BLOCK_CIPHER_AEAD_IDS, EncrId.CHACHA20_POLY1305, EncrId.CHACHA20_POLY1305_IIV}
)
"""ENCR transforms that are combined-mode ciphers: the proposal carries no INTEG (or INTEG NONE)."""

KEY_LENGTH_REQUIRED_ENCR_IDS: frozenset[int] = frozenset(
    {
        *_BLOCK_CIPHER_AEAD_IDS,
        EncrId.AES_CBC,
        EncrId.AES_CTR,
        EncrId.NULL_AUTH_AES_GMAC,
        EncrId.CAMELLIA_CBC,
        EncrId.CAMELLIA_CTR,
    }
)
"""ENCR transforms with a variable key size: a KEY_LENGTH attribute is required (RFC 7296 3.3.5)."""


def is_aead(encr_id: int) -> bool:
    return encr_id in AEAD_ENCR_IDS


def needs_key_length(encr_id: int) -> bool:
    return encr_id in KEY_LENGTH_REQUIRED_ENCR_IDS


KE_DATA_LENGTHS: dict[int, int] = {
    DhId.MODP_768: 96,
    DhId.MODP_1024: 128,
    DhId.MODP_1536: 192,
    DhId.MODP_2048: 256,
    DhId.MODP_3072: 384,
    DhId.MODP_4096: 512,
    DhId.MODP_6144: 768,
    DhId.MODP_8192: 1024,
    DhId.ECP_256: 64,
    DhId.ECP_384: 96,
    DhId.ECP_521: 132,
    DhId.MODP_1024_160: 128,
    DhId.MODP_2048_224: 256,
    DhId.MODP_2048_256: 256,
    DhId.ECP_192: 48,
    DhId.ECP_224: 56,
    DhId.BRAINPOOLP224R1: 56,
    DhId.BRAINPOOLP256R1: 64,
    DhId.BRAINPOOLP384R1: 96,
    DhId.BRAINPOOLP512R1: 128,
    DhId.CURVE25519: 32,
    DhId.CURVE448: 56,
}
"""Key Exchange Data length per group: the prime's length for MODP (RFC 7296 3.4), x|y for
ECP (RFC 5903 7, RFC 6954), the u-coordinate for Curve25519/448 (RFC 8031)."""
