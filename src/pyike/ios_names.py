"""How IOS names things in its crypto `debug` and `show` output, shared by both.

IOS does not always use IANA's spelling: a payload is "VID" or "ENCR", the notify
ESP_TFC_PADDING_NOT_SUPPORTED is "ESP_TFC_NO_SUPPORT", an integrity algorithm is named by its
truncated output length. The spellings seen in the seed document (Cisco TAC note 115934) are
used where it shows them; elsewhere the IANA name stands, so nothing is ever printed as a bare
number alone. Transforms are named by `pyike.crypto.catalogue`; this module adds the fallbacks
for those it does not know, and IOS's ways of printing addresses and durations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

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
from pyike.crypto import catalogue

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

# `authentication local|remote` keywords for authentication with certificates.
SIGNATURE_METHODS = ("rsa-sig", "ecdsa-sig")


def _iana_name(enum_cls: type[IntEnum], value: int) -> str:
    try:
        return enum_cls(value).name
    except ValueError:
        return f"Unknown - {int(value)}"


def _namer(enum_cls: type[IntEnum], ios: dict[int, str] | None = None) -> Callable[[int], str]:
    """The name of a value of `enum_cls`: IOS's spelling where `ios` has one, else IANA's."""

    # every known value's name looked up once: show counters name each packet's notifies
    names: dict[int, str] = {member: member.name for member in enum_cls} | (ios or {})

    def name(value: int) -> str:
        known = names.get(value)
        return known if known is not None else _iana_name(enum_cls, value)

    return name


payload_name = _namer(PayloadType, PAYLOAD_NAMES)
exchange_name = _namer(ExchangeType)
notify_name = _namer(NotifyType, NOTIFY_NAMES)
protocol_name = _namer(ProtocolId, PROTOCOL_NAMES)
id_type_name = _namer(IdType, ID_TYPE_NAMES)
auth_method_name = _namer(AuthMethod, AUTH_METHOD_NAMES)
cert_encoding_name = _namer(CertEncoding, CERT_ENCODING_NAMES)
cfg_type_name = _namer(CfgType)
cfg_attribute_name = _namer(CfgAttributeType, CFG_ATTRIBUTE_NAMES)
ts_type_name = _namer(TsType)


# --- transforms ---------------------------------------------------------------------------------


def _catalogue_name(transform_type: int, transform_id: int) -> str | None:
    if transform_type == TransformType.ENCR:
        encr = catalogue.encryption_of(transform_id)
        return encr.ios_name if encr else None
    entry: catalogue.PrfTransform | catalogue.IntegTransform | catalogue.DhGroup | None
    if transform_type == TransformType.PRF:
        entry = catalogue.prf(transform_id)
    elif transform_type == TransformType.INTEG:
        entry = catalogue.integrity(transform_id)
    elif transform_type == TransformType.DH:
        entry = catalogue.dh_group(transform_id)
    elif transform_type == TransformType.ESN:
        esn = catalogue.esn(transform_id)
        return esn.ios_name if esn else None
    else:
        return None
    return entry.ios_name if entry else None


_TRANSFORM_IDS: dict[int, type[IntEnum]] = {
    TransformType.ENCR: EncrId,
    TransformType.PRF: PrfId,
    TransformType.INTEG: IntegId,
    TransformType.DH: DhId,
    TransformType.ESN: EsnId,
}


def transform_name(transform_type: int, transform_id: int) -> str:
    """The name IOS prints after `id:` for a transform of the given type (the catalogue's IOS
    name); the IANA name for one IOS has no name for."""
    name = _catalogue_name(transform_type, transform_id)
    if name is not None:
        return name
    if transform_type not in _TRANSFORM_IDS:
        return f"Unknown - {int(transform_id)}"
    return _iana_name(_TRANSFORM_IDS[transform_type], transform_id)


def ike_encryption(encr: EncrId) -> str:
    """The cipher's IOS name, without key length, for show's `Encr:` field."""
    return transform_name(TransformType.ENCR, encr)


def ike_encryption_with_key(encr: EncrId, key_bits: int | None) -> str:
    """`show crypto ikev2 proposal`'s name: the IOS name, then "-" and the key length if any."""
    name = ike_encryption(encr)
    return f"{name}-{key_bits}" if key_bits else name


def ike_integrity(integ: IntegId | None) -> str:
    """The integrity algorithm's IOS name; AEAD ciphers have none and IOS says "None"."""
    if integ is None or integ == IntegId.NONE:
        return "None"
    return transform_name(TransformType.INTEG, integ)


def ike_prf(prf: PrfId) -> str:
    return transform_name(TransformType.PRF, prf)


def dh_group_long(group: DhId) -> str:
    """The group's long IOS name, as `show crypto ikev2 proposal` lists groups."""
    return transform_name(TransformType.DH, group)


def dh_group_keyword(group: DhId) -> str:
    """The group as `set pfs` takes it ("group" and its number) and IPsec show output prints it."""
    entry = catalogue.dh_group(group)
    return entry.pfs_keyword if entry and entry.pfs_keyword else f"group{int(group)}"


def esp_encryption(encr: EncrId, key_bits: int | None) -> str:
    """The transform-set keyword as IOS shows it, which for some ciphers puts the key length
    inside the keyword (the catalogue's `esp_show`); a Key Length of None is the keyword's
    default size."""
    entry = catalogue.encryption(encr, key_bits)
    if entry is None and key_bits is None:
        default = catalogue.encryption_of(encr)
        keyword = default.esp_keyword if default else None
        entry = catalogue.esp_encryption_keyword(keyword) if keyword else None
    if entry is not None and entry.esp_show is not None:
        return entry.esp_show
    fallback = "esp-" + ike_encryption(encr).lower()
    return fallback if key_bits in (None, 128) else f"{fallback} {key_bits}"


def esp_integrity(integ: IntegId | None) -> str | None:
    if integ is None or integ == IntegId.NONE:
        return None
    entry = catalogue.integrity(integ)
    if entry is not None and entry.esp_show is not None:
        return entry.esp_show
    return transform_name(TransformType.INTEG, integ).lower()


def esp_transform(encr: EncrId | None, key_bits: int | None, integ: IntegId | None) -> str:
    """A transform set as IOS shows it: the cipher, then the integrity algorithm, if any."""
    parts = [esp_encryption(encr, key_bits)] if encr is not None else []
    integrity = esp_integrity(integ)
    if integrity:
        parts.append(integrity)
    return " ".join(parts)


# --- addresses and times ------------------------------------------------------------------------


def address(addr: IPv4Address | IPv6Address) -> str:
    """IOS prints IPv6 addresses in upper case."""
    return str(addr).upper() if addr.version == 6 else str(addr)


def network_slash_mask(network: IPv4Network | IPv6Network) -> str:
    """ "10.1.0.0/255.255.0.0" (IPv4) or "2001:DB8::/64" (IPv6)."""
    if isinstance(network, IPv4Network):
        return f"{network.network_address}/{network.netmask}"
    return f"{address(network.network_address)}/{network.prefixlen}"


def milliseconds(seconds: float) -> int:
    """A round trip as IOS prints it: whole milliseconds, rounded."""
    return int(seconds * 1000 + 0.5)


def hms(seconds: int) -> str:
    """ "00:01:08": IOS's clock for lifetimes and uptimes under a day."""
    seconds = max(seconds, 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def uptime(seconds: int) -> str:
    """IOS uptimes: "00:00:52" under a day, then "1d02h", then "2w3d"."""
    seconds = max(seconds, 0)
    if seconds < 86400:
        return hms(seconds)
    days, rest = divmod(seconds, 86400)
    if days < 7:
        return f"{days}d{rest // 3600:02d}h"
    return f"{days // 7}w{days % 7}d"


def yes_no(flag: bool) -> str:
    return "Y" if flag else "N"


# How IOS shortens interface types in its tables (`show vrf`, `show interfaces description`,
# `show crypto sockets`).
_SHORT = {
    "GigabitEthernet": "Gi",
    "TenGigabitEthernet": "Te",
    "FastEthernet": "Fa",
    "Ethernet": "Et",
    "Loopback": "Lo",
    "Tunnel": "Tu",
    "Serial": "Se",
    "Vlan": "Vl",
    "Port-channel": "Po",
    "Dialer": "Di",
    "Virtual-Template": "Vt",
    "Virtual-Access": "Vi",
    "Cellular": "Ce",
    "BDI": "BD",
    "Null": "Nu",
}
_TYPE = re.compile(r"([A-Za-z-]+)(.*)")


def mac(address: int) -> str:
    """A MAC address as IOS writes it: `aabb.cc00.0100`."""
    text = f"{address:012x}"
    return f"{text[:4]}.{text[4:8]}.{text[8:]}"


def short_interface(interface: str) -> str:
    """`GigabitEthernet0/1` -> `Gi0/1`, as IOS lists interfaces in its tables."""
    m = _TYPE.fullmatch(interface)
    if m is None:
        return interface
    return _SHORT.get(m.group(1), m.group(1)) + m.group(2)
