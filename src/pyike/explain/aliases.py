"""Names IOS, IOS-XE and ASA print that differ from the IANA registry names.

IOS abbreviates some notify names ("ESP_TFC_NO_SUPPORT" for ESP_TFC_PADDING_NOT_SUPPORTED),
prints integrity algorithms by their truncated output length and DH groups with their size,
kind and number ("DH_GROUP_<size>_<kind>/Group <n>"). Notify spellings are mapped here; transform
spellings are the catalogue's (:mod:`pyike.crypto.catalogue`), so that reports can name the
IANA transform and the config keyword.
"""

from __future__ import annotations

import re

from pyike.codec.registry import DhId, IntegId, NotifyType, TransformType
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
    """The key length at the end of an IOS cipher spelling ("...-256" -> 256), 0 if none."""
    match = re.search(r"-(128|192|256)$", ios_name.strip())
    return int(match.group(1)) if match else 0


def transform(ios_name: str, type_hint: int | None = None) -> tuple[TransformType, int] | None:
    """(transform type, IANA id) for an IOS transform spelling, or None when unknown.

    ``type_hint`` is the transform type number when the dump shows it ("type: 3, ... id: ...").
    A hash name alone is the PRF; as integrity, IOS names its truncated output while IOS-XE and
    ASA may print the PRF's name, which then means the integrity algorithm paired with it.
    """
    name = ios_name.strip().upper()
    if type_hint == TransformType.DH or name.startswith(("DH_GROUP", "GROUP")):
        group = dh_group(ios_name)
        return (TransformType.DH, group) if group is not None else None
    if type_hint == TransformType.ESN:
        return TransformType.ESN, 0 if "DON" in name or "NO" in name else 1
    # AUTH_NONE is no transform IOS lists: a name for it says nothing about a proposal.
    known = [t for t in catalogue.by_ios_name(name) if not _no_integrity(t)]
    if type_hint == TransformType.INTEG:
        integrity = _as_integrity(known)
        if integrity is not None:
            return TransformType.INTEG, integrity
    return (known[0].transform_type, known[0].id) if known else None


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
