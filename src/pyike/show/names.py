"""How IOS names algorithms, addresses and durations in its crypto `show` output.

IKE algorithm names come from `pyike.trace.ios_names` (the debug output uses the same
spellings: "AES-CBC", "SHA96", "DH_GROUP_1024_MODP/Group 2"). ESP transforms are printed as
the transform-set keywords, with IOS's own spelling of AES key lengths: `esp-aes 256` is
"esp-256-aes", while `esp-gcm 256` stays "esp-gcm 256".
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId, TransformType
from pyike.trace import ios_names

_ESP_ENCR_KEYWORDS: dict[int, str] = {
    EncrId.DES: "esp-des",
    EncrId.TRIPLE_DES: "esp-3des",
    EncrId.NULL: "esp-null",
    EncrId.AES_CBC: "esp-aes",
    EncrId.AES_GCM_16: "esp-gcm",
    EncrId.NULL_AUTH_AES_GMAC: "esp-gmac",
    EncrId.CHACHA20_POLY1305: "esp-chacha20-poly1305",
}

_ESP_INTEG_KEYWORDS: dict[int, str] = {
    IntegId.HMAC_MD5_96: "esp-md5-hmac",
    IntegId.HMAC_SHA1_96: "esp-sha-hmac",
    IntegId.HMAC_SHA2_256_128: "esp-sha256-hmac",
    IntegId.HMAC_SHA2_384_192: "esp-sha384-hmac",
    IntegId.HMAC_SHA2_512_256: "esp-sha512-hmac",
}


def ike_encryption(encr: EncrId) -> str:
    """ "AES-CBC", "3DES", "AES-GCM" for the `Encr:` field."""
    return ios_names.transform_name(TransformType.ENCR, encr)


def ike_encryption_with_key(encr: EncrId, key_bits: int | None) -> str:
    """ "AES-CBC-256" for `show crypto ikev2 proposal`; ciphers without a key length alone."""
    name = ike_encryption(encr)
    return f"{name}-{key_bits}" if key_bits else name


def ike_integrity(integ: IntegId | None) -> str:
    """ "SHA96", "SHA256"; AEAD ciphers have no integrity and IOS says "None"."""
    if integ is None or integ == IntegId.NONE:
        return "None"
    return ios_names.transform_name(TransformType.INTEG, integ)


def ike_prf(prf: PrfId) -> str:
    return ios_names.transform_name(TransformType.PRF, prf)


def dh_group_long(group: DhId) -> str:
    """ "DH_GROUP_1024_MODP/Group 2" as `show crypto ikev2 proposal` lists groups."""
    return ios_names.transform_name(TransformType.DH, group)


def dh_group_keyword(group: DhId) -> str:
    """ "group14" as `set pfs` takes it and IPsec show output prints it."""
    return f"group{int(group)}"


def esp_encryption(encr: EncrId, key_bits: int | None) -> str:
    fallback = "esp-" + ios_names.transform_name(TransformType.ENCR, encr).lower()
    keyword = _ESP_ENCR_KEYWORDS.get(encr, fallback)
    if encr == EncrId.AES_CBC:
        return keyword if key_bits in (None, 128) else f"esp-{key_bits}-aes"
    if key_bits is not None and key_bits != 128 and encr != EncrId.CHACHA20_POLY1305:
        return f"{keyword} {key_bits}"
    return keyword


def esp_integrity(integ: IntegId | None) -> str | None:
    if integ is None or integ == IntegId.NONE:
        return None
    return _ESP_INTEG_KEYWORDS.get(
        integ, ios_names.transform_name(TransformType.INTEG, integ).lower()
    )


def esp_transform(encr: EncrId | None, key_bits: int | None, integ: IntegId | None) -> str:
    """ "esp-3des esp-sha-hmac", "esp-256-aes esp-sha256-hmac", "esp-gcm 256"."""
    parts = [esp_encryption(encr, key_bits)] if encr is not None else []
    integrity = esp_integrity(integ)
    if integrity:
        parts.append(integrity)
    return " ".join(parts)


def address(addr: IPv4Address | IPv6Address) -> str:
    """IOS prints IPv6 addresses in upper case."""
    return str(addr).upper() if addr.version == 6 else str(addr)


def network_slash_mask(network: IPv4Network | IPv6Network) -> str:
    """ "10.1.0.0/255.255.0.0" (IPv4) or "2001:DB8::/64" (IPv6)."""
    if isinstance(network, IPv4Network):
        return f"{network.network_address}/{network.netmask}"
    return f"{address(network.network_address)}/{network.prefixlen}"


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
