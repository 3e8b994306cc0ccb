"""Names IOS, IOS-XE and ASA print that differ from the IANA registry names.

IOS abbreviates some notify names ("ESP_TFC_NO_SUPPORT" for ESP_TFC_PADDING_NOT_SUPPORTED),
prints integrity algorithms by their truncated output length ("SHA96" is HMAC_SHA1_96) and
DH groups as "DH_GROUP_1024_MODP/Group 2". The tables map those spellings to the members of
:mod:`pyike.codec.registry`, so that reports can name the IANA transform and the config keyword.
"""

from __future__ import annotations

import re

from pyike.codec.registry import DhId, EncrId, IntegId, NotifyType, PrfId, TransformType

NOTIFY_ALIASES: dict[str, NotifyType] = {
    "ESP_TFC_NO_SUPPORT": NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED,
    "NON_FIRST_FRAGS": NotifyType.NON_FIRST_FRAGMENTS_ALSO,
    "INVALID_KE": NotifyType.INVALID_KE_PAYLOAD,
    "AUTH_FAILED": NotifyType.AUTHENTICATION_FAILED,
    "FRAGMENTATION_SUPPORTED": NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
    "IKEV2_FRAGMENTATION": NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
    "REDIRECT_SUPPORT": NotifyType.REDIRECT_SUPPORTED,
}

# IOS spelling -> (transform type, IANA id). "SHA1" alone is the PRF; as integrity IOS says SHA96.
_TRANSFORMS: dict[str, tuple[TransformType, int]] = {
    "DES": (TransformType.ENCR, EncrId.DES),
    "3DES": (TransformType.ENCR, EncrId.TRIPLE_DES),
    "AES-CBC": (TransformType.ENCR, EncrId.AES_CBC),
    "AES-CBC-128": (TransformType.ENCR, EncrId.AES_CBC),
    "AES-CBC-192": (TransformType.ENCR, EncrId.AES_CBC),
    "AES-CBC-256": (TransformType.ENCR, EncrId.AES_CBC),
    "AES-CTR": (TransformType.ENCR, EncrId.AES_CTR),
    "AES-GCM": (TransformType.ENCR, EncrId.AES_GCM_16),
    "AES-GCM-128": (TransformType.ENCR, EncrId.AES_GCM_16),
    "AES-GCM-192": (TransformType.ENCR, EncrId.AES_GCM_16),
    "AES-GCM-256": (TransformType.ENCR, EncrId.AES_GCM_16),
    "AES-GMAC-128": (TransformType.ENCR, EncrId.NULL_AUTH_AES_GMAC),
    "AES-GMAC-256": (TransformType.ENCR, EncrId.NULL_AUTH_AES_GMAC),
    "NULL": (TransformType.ENCR, EncrId.NULL),
    "MD5": (TransformType.PRF, PrfId.HMAC_MD5),
    "SHA1": (TransformType.PRF, PrfId.HMAC_SHA1),
    "SHA256": (TransformType.PRF, PrfId.HMAC_SHA2_256),
    "SHA384": (TransformType.PRF, PrfId.HMAC_SHA2_384),
    "SHA512": (TransformType.PRF, PrfId.HMAC_SHA2_512),
    "MD596": (TransformType.INTEG, IntegId.HMAC_MD5_96),
    "SHA96": (TransformType.INTEG, IntegId.HMAC_SHA1_96),
    "SHA256-128": (TransformType.INTEG, IntegId.HMAC_SHA2_256_128),
    "SHA384-192": (TransformType.INTEG, IntegId.HMAC_SHA2_384_192),
    "SHA512-256": (TransformType.INTEG, IntegId.HMAC_SHA2_512_256),
    "DON'T USE ESN": (TransformType.ESN, 0),
    "USE ESN": (TransformType.ESN, 1),
    "ESN": (TransformType.ESN, 1),
}

# When the dump says which transform type a name is, an ambiguous spelling is resolved by it.
_INTEG_BY_NAME: dict[str, int] = {
    "SHA1": IntegId.HMAC_SHA1_96,
    "SHA256": IntegId.HMAC_SHA2_256_128,
    "SHA384": IntegId.HMAC_SHA2_384_192,
    "SHA512": IntegId.HMAC_SHA2_512_256,
    "MD5": IntegId.HMAC_MD5_96,
}

_DH_GROUP = re.compile(r"(?:Group\s*|DH_GROUP_\S*?/Group\s*|DH\s*group:?\s*)(\d+)", re.IGNORECASE)

TRANSFORM_TYPE_WORDS: dict[TransformType, str] = {
    TransformType.ENCR: "encryption",
    TransformType.PRF: "PRF",
    TransformType.INTEG: "integrity",
    TransformType.DH: "DH group",
    TransformType.ESN: "ESN",
}


def notify_name(ios_name: str) -> str:
    """The IANA name of a notify as IOS printed it (unknown names are returned unchanged)."""
    name = ios_name.strip().upper()
    if name in NOTIFY_ALIASES:
        return NOTIFY_ALIASES[name].name
    if name in NotifyType.__members__:
        return name
    # ASA glues the next message on: "NAT_DETECTION_DESTINATION_IPAdding trusted ...".
    known = [*NOTIFY_ALIASES, *NotifyType.__members__]
    prefixes = [candidate for candidate in known if name.startswith(candidate)]
    if prefixes:
        return notify_name(max(prefixes, key=len))
    return name


def dh_group(text: str) -> int | None:
    match = _DH_GROUP.search(text)
    if match is None:
        return None
    value = int(match.group(1))
    return value if value in DhId._value2member_map_ else None


def key_length(ios_name: str) -> int:
    """The key length an IOS spelling names ("AES-CBC-256" -> 256), 0 when it names none."""
    match = re.search(r"-(128|192|256)$", ios_name.strip())
    return int(match.group(1)) if match else 0


def transform(ios_name: str, type_hint: int | None = None) -> tuple[TransformType, int] | None:
    """(transform type, IANA id) for an IOS transform spelling, or None when unknown.

    ``type_hint`` is the transform type number when the dump shows it ("type: 3, ... id: SHA96").
    """
    name = ios_name.strip().upper()
    if type_hint == TransformType.DH or name.startswith(("DH_GROUP", "GROUP")):
        group = dh_group(ios_name)
        return (TransformType.DH, group) if group is not None else None
    if type_hint == TransformType.INTEG and name in _INTEG_BY_NAME:
        return TransformType.INTEG, _INTEG_BY_NAME[name]
    if type_hint == TransformType.ESN:
        return TransformType.ESN, 0 if "DON" in name or "NO" in name else 1
    known = _TRANSFORMS.get(name)
    if known is not None:
        return known
    return None


def split_transforms(text: str) -> list[str]:
    """Split a transform listing such as "AES-CBC SHA96 DH_GROUP_1024_MODP/Group 2" into names."""
    words = text.replace("Don't use ESN", "Don't-use-ESN").split()
    names: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.endswith("/Group") and index + 1 < len(words):
            word = f"{word} {words[index + 1]}"
            index += 1
        names.append(word.replace("Don't-use-ESN", "Don't use ESN"))
        index += 1
    return names
