"""Names IOS, IOS-XE and ASA print that differ from the IANA registry names.

IOS abbreviates some notify names ("ESP_TFC_NO_SUPPORT" for ESP_TFC_PADDING_NOT_SUPPORTED),
prints integrity algorithms by their truncated output length and DH groups with their size,
kind and number ("DH_GROUP_<size>_<kind>/Group <n>"). Notify spellings are mapped here; transform
spellings are the catalogue's (:mod:`pyike.crypto.catalogue`), so that reports can name the
IANA transform and the config keyword.
"""

from __future__ import annotations

import re
from enum import IntEnum

from pyike.codec.registry import (
    DhId,
    EncrId,
    IntegId,
    NotifyType,
    PrfId,
    TransformType,
)
from pyike.crypto import catalogue

NOTIFY_ALIASES: dict[str, NotifyType] = {
    "ESP_TFC_NO_SUPPORT": NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED,
    "NON_FIRST_FRAGS": NotifyType.NON_FIRST_FRAGMENTS_ALSO,
    "INVALID_KE": NotifyType.INVALID_KE_PAYLOAD,
    "AUTH_FAILED": NotifyType.AUTHENTICATION_FAILED,
    "FRAGMENTATION_SUPPORTED": NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
    "IKEV2_FRAGMENTATION": NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
    "REDIRECT_SUPPORT": NotifyType.REDIRECT_SUPPORTED,
}

# strongSwan's short notify names, as charon prints them in its message summaries
# (`parsed IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]`).
CHARON_NOTIFY_ALIASES: dict[str, NotifyType] = {
    "NO_PROP": NotifyType.NO_PROPOSAL_CHOSEN,
    "AUTH_FAILED": NotifyType.AUTHENTICATION_FAILED,
    "TS_UNACCEPT": NotifyType.TS_UNACCEPTABLE,
    "INVAL_KE": NotifyType.INVALID_KE_PAYLOAD,
    "INVAL_SYN": NotifyType.INVALID_SYNTAX,
    "INVAL_SPI": NotifyType.INVALID_SPI,
    "INVAL_IKE_SPI": NotifyType.INVALID_IKE_SPI,
    "INVAL_MID": NotifyType.INVALID_MESSAGE_ID,
    "INVAL_MAJOR": NotifyType.INVALID_MAJOR_VERSION,
    "UNSUPP_CRIT": NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
    "SINGLE_PAIR": NotifyType.SINGLE_PAIR_REQUIRED,
    "NO_ADD_SAS": NotifyType.NO_ADDITIONAL_SAS,
    "INT_ADDR_FAIL": NotifyType.INTERNAL_ADDRESS_FAILURE,
    "FAIL_CP_REQ": NotifyType.FAILED_CP_REQUIRED,
    "INVAL_SEL": NotifyType.INVALID_SELECTORS,
    "TEMP_FAIL": NotifyType.TEMPORARY_FAILURE,
    "NO_CHILD_SA": NotifyType.CHILD_SA_NOT_FOUND,
    "UNEXPECT_NAT": NotifyType.UNEXPECTED_NAT_DETECTED,
    "AUTHZ_FAILED": NotifyType.AUTHORIZATION_FAILED,
    "INIT_CONTACT": NotifyType.INITIAL_CONTACT,
    "SET_WINSIZE": NotifyType.SET_WINDOW_SIZE,
    "NATD_S_IP": NotifyType.NAT_DETECTION_SOURCE_IP,
    "NATD_D_IP": NotifyType.NAT_DETECTION_DESTINATION_IP,
    "USE_TRANSP": NotifyType.USE_TRANSPORT_MODE,
    "ESP_TFC_PAD_N": NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED,
    "NON_FIRST_FRAG": NotifyType.NON_FIRST_FRAGMENTS_ALSO,
    "MOBIKE_SUP": NotifyType.MOBIKE_SUPPORTED,
    "NO_ADD_ADDR": NotifyType.NO_ADDITIONAL_ADDRESSES,
    "MULT_AUTH": NotifyType.MULTIPLE_AUTH_SUPPORTED,
    "REDIR_SUP": NotifyType.REDIRECT_SUPPORTED,
    "EAP_ONLY": NotifyType.EAP_ONLY_AUTHENTICATION,
    "CHDLESS_SUP": NotifyType.CHILDLESS_IKEV2_SUPPORTED,
    "MSG_ID_SYN_SUP": NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED,
    "FRAG_SUP": NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
    "HASH_ALG": NotifyType.SIGNATURE_HASH_ALGORITHMS,
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


def charon_notify_name(short: str) -> str:
    """The IANA name of a notify as charon abbreviates it (unknown names as they are)."""
    found = CHARON_NOTIFY_ALIASES.get(short.strip().upper())
    return found.name if found is not None else notify_name(short)


def dh_group(text: str) -> int | None:
    match = _DH_GROUP.search(text)
    if match is None:
        return None
    value = int(match.group(1))
    return value if value in DhId._value2member_map_ else None


def key_length(name: str) -> int:
    """The key length at the end of a cipher's spelling, IOS's ("...-256") or charon's
    ("..._256"): 256; 0 if none."""
    match = re.search(r"[-_](128|192|256)$", name.strip())
    return int(match.group(1)) if match else 0


# charon prints transforms by strongSwan's names for the IANA ones: mostly the registry's
# name, a PRF behind "PRF_", a cipher with its key length, a few spelled differently.
_CHARON_ESN = {"NO_EXT_SEQ": False, "EXT_SEQ": True}  # whether extended sequence numbers
_CHARON_TYPES: tuple[tuple[TransformType, type[IntEnum]], ...] = (
    (TransformType.DH, DhId),
    (TransformType.INTEG, IntegId),
    (TransformType.ENCR, EncrId),
)


def charon_transform(name: str) -> tuple[TransformType, int] | None:
    """(transform type, IANA id) of a transform in a charon proposal
    (`IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024`), or None when unknown."""
    word = name.strip().upper()
    if word in _CHARON_ESN:
        return TransformType.ESN, catalogue.esn_for(_CHARON_ESN[word]).id
    if word.startswith("PRF_") and word[4:] in PrfId.__members__:
        return TransformType.PRF, int(PrfId[word[4:]])
    cipher = re.sub(r"_(?:64|128|192|256)$", "", word)
    bare = re.sub(r"_CBC$", "", cipher)  # the registry names the two legacy ciphers bare
    for candidate in (word, cipher, bare, re.sub(r"^3", "TRIPLE_", bare)):
        for kind, registry in _CHARON_TYPES:
            found = _compact_member(registry, candidate)
            if found is not None and (kind is TransformType.ENCR or candidate == word):
                return kind, found
    return None


# Libreswan names its AEAD ciphers by ICV length (A: 8, B: 12, C: 16 octets).
_PLUTO_AEAD = {"A": "8", "B": "12", "C": "16"}


def pluto_transform(name: str, kind: TransformType) -> tuple[TransformType, int] | None:
    """(transform type, IANA id) of a transform as pluto prints it, by the type it has in its
    proposal: a PRF is named like the HMAC (`HMAC_SHA2_256`), a DH group `MODP2048`,
    `ECP_384` or `DH31`, an AEAD cipher `AES_GCM_C_256`."""
    word = name.strip().upper()
    if kind is TransformType.PRF and not word.startswith("PRF_"):
        word = f"PRF_{word}"
    elif kind is TransformType.DH and (group := re.fullmatch(r"DH(\d+)", word)):
        return TransformType.DH, int(group.group(1))
    elif kind is TransformType.ESN:
        return TransformType.ESN, catalogue.esn_for("ENABLED" in word.split("+")[0]).id
    aead = re.fullmatch(r"(AES_(?:GCM|CCM))_([ABC])(_\d+)?", word)
    if aead is not None:
        word = f"{aead.group(1)}_{_PLUTO_AEAD[aead.group(2)]}{aead.group(3) or ''}"
    return charon_transform(word)


def _compact_member(registry: type[IntEnum], word: str) -> int | None:
    """The member of ``registry`` named ``word``, underscores aside (CURVE_25519)."""
    compact = word.replace("_", "")
    for member in registry:
        if member.name.replace("_", "") == compact:
            return int(member)
    return None


def transform(ios_name: str, type_hint: int | None = None) -> tuple[TransformType, int] | None:
    """(transform type, IANA id) for an IOS transform spelling, or None when unknown.

    ``type_hint`` is the transform type number when the dump shows it ("type: 3, ... id: ...").
    A hash name alone is the PRF; as integrity, IOS names its truncated output while IOS-XE and
    ASA may print the PRF's name, which then means the integrity algorithm paired with it.
    """
    name = ios_name.strip().upper()
    if type_hint == TransformType.DH or name.startswith(("DH_GROUP", "GROUP")):
        group = dh_group(ios_name)
        return (TransformType.DH, group) if group is not None else charon_transform(name)
    if type_hint == TransformType.ESN:
        return TransformType.ESN, 0 if "DON" in name or "NO" in name else 1
    # AUTH_NONE is no transform IOS lists: a name for it says nothing about a proposal.
    known = [t for t in catalogue.by_ios_name(name) if not _no_integrity(t)]
    if type_hint == TransformType.INTEG:
        integrity = _as_integrity(known)
        if integrity is not None:
            return TransformType.INTEG, integrity
    if known:
        return known[0].transform_type, known[0].id
    return pluto_transform(name, TransformType(type_hint)) if type_hint else charon_transform(name)


def _no_integrity(entry: catalogue.Transform) -> bool:
    return isinstance(entry, catalogue.IntegTransform) and entry.id == IntegId.NONE


def _as_integrity(candidates: list[catalogue.Transform]) -> int | None:
    """An integrity algorithm among the candidates, or the one whose PRF is among them."""
    for entry in candidates:
        if isinstance(entry, catalogue.IntegTransform):
            return entry.id
    prfs = {entry.id for entry in candidates if isinstance(entry, catalogue.PrfTransform)}
    paired = (i for i in catalogue.INTEGRITIES if i.prf is not None and i.prf in prfs)
    return next((i.id for i in paired), None)


def split_transforms(text: str) -> list[str]:
    """Split a transform listing as IOS prints it (names separated by spaces) into names, keeping
    together the names that contain spaces: the ESN ones and the "/Group <n>" of DH groups."""
    for name in _SPACED_NAMES:
        text = text.replace(name, name.replace(" ", _JOINER))
    words = text.split()
    names: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.endswith("/Group") and index + 1 < len(words):
            word = f"{word} {words[index + 1]}"
            index += 1
        names.append(word.replace(_JOINER, " "))
        index += 1
    return names


_JOINER = "\0"
_SPACED_NAMES = sorted(
    (e.ios_name for e in catalogue.ESNS if " " in e.ios_name), key=len, reverse=True
)
