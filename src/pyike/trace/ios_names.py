"""The names IOS prints for IKEv2 numbers in `debug crypto ikev2 packet` output.

IOS does not always use IANA's spelling: integrity HMAC-SHA1-96 is "SHA96", the notify
ESP_TFC_PADDING_NOT_SUPPORTED is "ESP_TFC_NO_SUPPORT", a payload is "VID" or "ENCR".
The spellings seen in the seed document (Cisco TAC note 115934) are used where it shows
them; elsewhere the IANA name stands, so nothing is ever printed as a bare number alone.
"""

from __future__ import annotations

from enum import IntEnum

from pyike.codec.registry import (
    AuthMethod,
    CertEncoding,
    CfgAttributeType,
    CfgType,
    DhId,
    EncrId,
    EsnId,
    ExchangeType,
    IdType,
    IntegId,
    NotifyType,
    PayloadType,
    PrfId,
    ProtocolId,
    TransformType,
    TsType,
)

PAYLOAD_NAMES: dict[int, str] = {
    PayloadType.NONE: "NONE",
    PayloadType.SA: "SA",
    PayloadType.KE: "KE",
    PayloadType.IDi: "IDi",
    PayloadType.IDr: "IDr",
    PayloadType.CERT: "CERT",
    PayloadType.CERTREQ: "CERTREQ",
    PayloadType.AUTH: "AUTH",
    PayloadType.NONCE: "N",
    PayloadType.NOTIFY: "NOTIFY",
    PayloadType.DELETE: "DELETE",
    PayloadType.VENDOR: "VID",
    PayloadType.TSi: "TSi",
    PayloadType.TSr: "TSr",
    PayloadType.SK: "ENCR",
    PayloadType.CP: "CFG",
    PayloadType.EAP: "EAP",
    PayloadType.SKF: "ENCR_FRAG",
}

ENCR_NAMES: dict[int, str] = {
    EncrId.DES: "DES",
    EncrId.TRIPLE_DES: "3DES",
    EncrId.NULL: "NULL",
    EncrId.AES_CBC: "AES-CBC",
    EncrId.AES_CTR: "AES-CTR",
    EncrId.AES_GCM_8: "AES-GCM-8",
    EncrId.AES_GCM_12: "AES-GCM-12",
    EncrId.AES_GCM_16: "AES-GCM",
    EncrId.CHACHA20_POLY1305: "CHACHA20-POLY1305",
}

PRF_NAMES: dict[int, str] = {
    PrfId.HMAC_MD5: "MD5",
    PrfId.HMAC_SHA1: "SHA1",
    PrfId.AES128_XCBC: "AES-XCBC",
    PrfId.HMAC_SHA2_256: "SHA256",
    PrfId.HMAC_SHA2_384: "SHA384",
    PrfId.HMAC_SHA2_512: "SHA512",
    PrfId.AES128_CMAC: "AES-CMAC",
}

INTEG_NAMES: dict[int, str] = {
    IntegId.NONE: "NONE",
    IntegId.HMAC_MD5_96: "MD596",
    IntegId.HMAC_SHA1_96: "SHA96",
    IntegId.AES_XCBC_96: "AES-XCBC-96",
    IntegId.HMAC_SHA2_256_128: "SHA256",
    IntegId.HMAC_SHA2_384_192: "SHA384",
    IntegId.HMAC_SHA2_512_256: "SHA512",
}

DH_NAMES: dict[int, str] = {
    DhId.MODP_768: "DH_GROUP_768_MODP/Group 1",
    DhId.MODP_1024: "DH_GROUP_1024_MODP/Group 2",
    DhId.MODP_1536: "DH_GROUP_1536_MODP/Group 5",
    DhId.MODP_2048: "DH_GROUP_2048_MODP/Group 14",
    DhId.MODP_3072: "DH_GROUP_3072_MODP/Group 15",
    DhId.MODP_4096: "DH_GROUP_4096_MODP/Group 16",
    DhId.MODP_6144: "DH_GROUP_6144_MODP/Group 17",
    DhId.MODP_8192: "DH_GROUP_8192_MODP/Group 18",
    DhId.ECP_256: "DH_GROUP_256_ECP/Group 19",
    DhId.ECP_384: "DH_GROUP_384_ECP/Group 20",
    DhId.ECP_521: "DH_GROUP_521_ECP/Group 21",
    DhId.MODP_2048_256: "DH_GROUP_2048_256_MODP/Group 24",
    DhId.CURVE25519: "DH_GROUP_CURVE25519/Group 31",
    DhId.CURVE448: "DH_GROUP_CURVE448/Group 32",
}

ESN_NAMES: dict[int, str] = {EsnId.NO_ESN: "Don't use ESN", EsnId.ESN: "Use ESN"}

NOTIFY_NAMES: dict[int, str] = {
    NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED: "ESP_TFC_NO_SUPPORT",
    NotifyType.NON_FIRST_FRAGMENTS_ALSO: "NON_FIRST_FRAGS",
}

PROTOCOL_NAMES: dict[int, str] = {
    ProtocolId.IKE: "IKE",
    ProtocolId.AH: "AH",
    ProtocolId.ESP: "ESP",
}

ID_TYPE_NAMES: dict[int, str] = {
    IdType.ID_IPV4_ADDR: "IPv4 address",
    IdType.ID_FQDN: "FQDN",
    IdType.ID_RFC822_ADDR: "RFC822 address",
    IdType.ID_IPV6_ADDR: "IPv6 address",
    IdType.ID_DER_ASN1_DN: "DER ASN1 DN",
    IdType.ID_DER_ASN1_GN: "DER ASN1 GN",
    IdType.ID_KEY_ID: "KEY ID",
    IdType.ID_FC_NAME: "FC name",
    IdType.ID_NULL: "NULL",
}

AUTH_METHOD_NAMES: dict[int, str] = {
    AuthMethod.RSA_SIG: "RSA sig",
    AuthMethod.SHARED_KEY_MIC: "PSK",
    AuthMethod.DSS_SIG: "DSS sig",
    AuthMethod.ECDSA_SHA256_P256: "ECDSA sig 256",
    AuthMethod.ECDSA_SHA384_P384: "ECDSA sig 384",
    AuthMethod.ECDSA_SHA512_P521: "ECDSA sig 521",
    AuthMethod.NULL_AUTH: "NULL",
    AuthMethod.DIGITAL_SIGNATURE: "Digital sig",
}

CERT_ENCODING_NAMES: dict[int, str] = {
    CertEncoding.PKCS7_WRAPPED_X509: "PKCS #7 wrapped X.509",
    CertEncoding.X509_CERT_SIGNATURE: "X.509 Certificate - Signature",
    CertEncoding.CRL: "Certificate Revocation List",
    CertEncoding.RAW_RSA_KEY: "Raw RSA Key",
    CertEncoding.HASH_URL_X509_CERT: "Hash and URL of PKIX",
    CertEncoding.HASH_URL_X509_BUNDLE: "Hash and URL of X.509 bundle",
}

CFG_ATTRIBUTE_NAMES: dict[int, str] = {
    CfgAttributeType.INTERNAL_IP4_ADDRESS: "internal IP4 address",
    CfgAttributeType.INTERNAL_IP4_NETMASK: "internal IP4 netmask",
    CfgAttributeType.INTERNAL_IP4_DNS: "internal IP4 DNS",
    CfgAttributeType.INTERNAL_IP4_NBNS: "internal IP4 NBNS",
    CfgAttributeType.INTERNAL_IP4_DHCP: "internal IP4 DHCP",
    CfgAttributeType.APPLICATION_VERSION: "application version",
    CfgAttributeType.INTERNAL_IP6_ADDRESS: "internal IP6 address",
    CfgAttributeType.INTERNAL_IP6_DNS: "internal IP6 DNS",
    CfgAttributeType.INTERNAL_IP4_SUBNET: "internal IP4 subnet",
    CfgAttributeType.INTERNAL_IP6_SUBNET: "internal IP6 subnet",
    CfgAttributeType.INTERNAL_DNS_DOMAIN: "internal DNS domain",
}


def _lookup(table: dict[int, str], enum_cls: type[IntEnum], value: int) -> str:
    if value in table:
        return table[value]
    try:
        return enum_cls(value).name
    except ValueError:
        return f"Unknown - {int(value)}"


def payload_name(value: int) -> str:
    return _lookup(PAYLOAD_NAMES, PayloadType, value)


def exchange_name(value: int) -> str:
    return _lookup({}, ExchangeType, value)


def notify_name(value: int) -> str:
    return _lookup(NOTIFY_NAMES, NotifyType, value)


def protocol_name(value: int) -> str:
    return _lookup(PROTOCOL_NAMES, ProtocolId, value)


def id_type_name(value: int) -> str:
    return _lookup(ID_TYPE_NAMES, IdType, value)


def auth_method_name(value: int) -> str:
    return _lookup(AUTH_METHOD_NAMES, AuthMethod, value)


def cert_encoding_name(value: int) -> str:
    return _lookup(CERT_ENCODING_NAMES, CertEncoding, value)


def cfg_type_name(value: int) -> str:
    return _lookup({}, CfgType, value)


def cfg_attribute_name(value: int) -> str:
    return _lookup(CFG_ATTRIBUTE_NAMES, CfgAttributeType, value)


def ts_type_name(value: int) -> str:
    return _lookup({}, TsType, value)


_TRANSFORM_TABLES: dict[int, tuple[dict[int, str], type[IntEnum]]] = {
    TransformType.ENCR: (ENCR_NAMES, EncrId),
    TransformType.PRF: (PRF_NAMES, PrfId),
    TransformType.INTEG: (INTEG_NAMES, IntegId),
    TransformType.DH: (DH_NAMES, DhId),
    TransformType.ESN: (ESN_NAMES, EsnId),
}


def transform_name(transform_type: int, transform_id: int) -> str:
    """The name IOS prints after `id:` for a transform of the given type."""
    if transform_type not in _TRANSFORM_TABLES:
        return f"Unknown - {int(transform_id)}"
    table, enum_cls = _TRANSFORM_TABLES[transform_type]
    return _lookup(table, enum_cls, transform_id)
