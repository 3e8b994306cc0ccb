"""SA payloads from configured proposals, and proposal selection the way IOS does it.

Selection (responder): IOS walks its own configured proposals in order and, within one, takes
for each transform type the first of its own values that the peer also offers
(``prefer_own=True``); ``prefer_own=False`` takes the initiator's order instead, as RFC 7296
section 2.7 leaves either to the responder. An IKE DH group the initiator already sent a KE
payload for wins over a preferred one, avoiding a needless INVALID_KE_PAYLOAD round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from pyike.codec import Proposal, SaPayload, Transform, TransformAttribute
from pyike.codec.registry import (
    DhId,
    EncrId,
    EsnId,
    IntegId,
    PrfId,
    ProtocolId,
    TransformAttributeType,
    TransformType,
    as_enum,
    is_aead,
)
from pyike.crypto import catalogue
from pyike.crypto.keys import IkeSuite
from pyike.ike.policy import IkeProposalSpec, TransformSetSpec


def _encr_transform(encr: EncrId, bits: int | None) -> Transform:
    attrs = () if bits is None else (TransformAttribute(TransformAttributeType.KEY_LENGTH, bits),)
    return Transform(TransformType.ENCR, encr, attrs)


def ike_proposal_of(spec: IkeProposalSpec, number: int, spi: bytes = b"") -> Proposal:
    return Proposal(number, ProtocolId.IKE, spi, _ike_transforms(spec))


@lru_cache(maxsize=256)  # made once per configured proposal, not for every IKE SA
def _ike_transforms(spec: IkeProposalSpec) -> tuple[Transform, ...]:
    transforms = [_encr_transform(e, b) for e, b in spec.encryption]
    transforms += [Transform(TransformType.PRF, p) for p in spec.prf]
    if not all(is_aead(e) for e, _ in spec.encryption):
        transforms += [Transform(TransformType.INTEG, i) for i in spec.integrity]
    transforms += [Transform(TransformType.DH, g) for g in spec.groups]
    return tuple(transforms)


def ike_sa_payload(specs: Sequence[IkeProposalSpec], spi: bytes = b"") -> SaPayload:
    return SaPayload(tuple(ike_proposal_of(s, i + 1, spi) for i, s in enumerate(specs)))


def _pick(own: Sequence[object], offered: Sequence[object], prefer_own: bool) -> object | None:
    if prefer_own:
        return next((v for v in own if v in offered), None)
    return next((v for v in offered if v in own), None)


@dataclass  # made per SA: a plain dataclass (DESIGN.md, Per-SA cost)
class IkeChoice:
    proposal: Proposal  # the one-of-each proposal to answer with (peer's number and SPI)
    suite: IkeSuite
    spec_name: str


# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_ENCR, _PRF, _INTEG, _DH, _ESN = (
    TransformType.ENCR,
    TransformType.PRF,
    TransformType.INTEG,
    TransformType.DH,
    TransformType.ESN,
)
_IKE, _ESP = ProtocolId.IKE, ProtocolId.ESP
_NO_INTEG, _NO_DH = IntegId.NONE, DhId.NONE

_IKE_TYPES = frozenset(
    {TransformType.ENCR, TransformType.PRF, TransformType.INTEG, TransformType.DH}
)
_ESP_TYPES = frozenset(
    {TransformType.ENCR, TransformType.INTEG, TransformType.DH, TransformType.ESN}
)


def _offered_values(p: Proposal, allowed: frozenset[int]) -> dict[int, list[object]] | None:
    """The values ``p`` offers of each transform type, in the peer's order (an ENCR with its
    key length); None when it has a type outside ``allowed``."""
    values: dict[int, list[object]] = {}
    for t in p.transforms:
        kind = int(t.type)
        if kind not in allowed:
            return None
        value = (t.id, t.key_length) if kind == _ENCR else t.id
        values.setdefault(kind, []).append(value)
    return values


def select_ike(
    own: Sequence[IkeProposalSpec],
    offered: SaPayload,
    ke_group: int | None,
    prefer_own: bool = True,
) -> IkeChoice | None:
    # computed once per offered proposal, not once per own proposal
    offers = [
        (p, values)
        for p in offered.proposals
        if p.protocol == _IKE and (values := _offered_values(p, _IKE_TYPES)) is not None
    ]
    for spec in own:
        for p, values in offers:
            encr = _pick(spec.encryption, values.get(_ENCR, ()), prefer_own)
            prf = _pick(spec.prf, values.get(_PRF, ()), prefer_own)
            groups = values.get(_DH, ())
            group: object | None
            if ke_group is not None and ke_group in spec.groups and ke_group in groups:
                group = ke_group
            else:
                group = _pick(spec.groups, groups, prefer_own)
            if encr is None or prf is None or group is None:
                continue
            assert isinstance(encr, tuple)
            encr_id, bits = encr
            aead = is_aead(encr_id)
            offered_integ = values.get(_INTEG, ())
            if aead:
                if any(i != _NO_INTEG for i in offered_integ):
                    continue
                integ: object = _NO_INTEG
            else:
                picked = _pick(spec.integrity, offered_integ, prefer_own)
                if picked is None:
                    continue
                integ = picked
            assert isinstance(prf, int) and isinstance(integ, int) and isinstance(group, int)
            transforms, suite = _ike_answer(encr_id, bits, prf, integ, group)
            return IkeChoice(Proposal(p.number, _IKE, p.spi, transforms), suite, spec.name)
    return None


@lru_cache(maxsize=64)  # made once per combination chosen (each one of this side's own)
def _ike_answer(
    encr: int, bits: int | None, prf: int, integ: int, group: int
) -> tuple[tuple[Transform, ...], IkeSuite]:
    """The transforms answering with a chosen combination (no INTEG with an AEAD cipher), and
    its suite."""
    transforms = [_encr_transform(EncrId(encr), bits), Transform(TransformType.PRF, prf)]
    if not is_aead(encr):
        transforms.append(Transform(TransformType.INTEG, integ))
    transforms.append(Transform(TransformType.DH, group))
    return tuple(transforms), _suite(encr, bits, prf, integ, group)


@lru_cache(maxsize=64)  # enum conversions are slow; the combinations are this side's own
def _suite(encr: int, bits: int | None, prf: int, integ: int, dh: int) -> IkeSuite:
    """The suite of a combination of transform IDs (ValueError when one is unknown)."""
    return IkeSuite(EncrId(encr), bits, PrfId(prf), IntegId(integ), DhId(dh))


def _transform_keys(p: Proposal) -> set[tuple[int, int, int | None]]:
    """What each transform of ``p`` is: its type, ID and key length."""
    return {(t.type, t.id, t.key_length) for t in p.transforms}


def accepted_ike(offered: SaPayload, answer: SaPayload) -> IkeChoice | None:
    """Checks a responder's answer against what this side offered: one proposal, one
    transform of each type, each one of the offered values."""
    if len(answer.proposals) != 1:
        return None
    chosen = answer.proposals[0]
    mine = next((p for p in offered.proposals if p.number == chosen.number), None)
    if mine is None or chosen.protocol != ProtocolId.IKE:
        return None
    by_type: dict[int, Transform] = {}
    offered_keys = _transform_keys(mine)
    for t in chosen.transforms:
        if int(t.type) in by_type or (t.type, t.id, t.key_length) not in offered_keys:
            return None
        by_type[int(t.type)] = t
    try:
        encr = by_type[TransformType.ENCR]
        prf = by_type[TransformType.PRF]
        dh = by_type[TransformType.DH]
        integ = by_type.get(TransformType.INTEG)
        suite = _suite(
            encr.id,
            encr.key_length,
            prf.id,
            integ.id if integ is not None else IntegId.NONE,
            dh.id,
        )
    except (KeyError, ValueError):
        return None
    if is_aead(suite.encr) != (integ is None or integ.id == IntegId.NONE):
        return None
    return IkeChoice(chosen, suite, "")


# --- ESP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildTransform:
    encr: EncrId
    key_bits: int | None
    integ: IntegId
    esn: bool
    dh: DhId | None
    mode: str  # as configured until the negotiation settles it (pyike.ike.child_mode)
    transform_set: str
    transport_required: bool = False


@lru_cache(maxsize=256)  # made once per configured set, not for every Child SA
def _esp_transforms(ts: TransformSetSpec, dh: DhId | None) -> tuple[Transform, ...]:
    """The transforms of transform set ``ts`` (with PFS group ``dh``), as proposed or chosen."""
    transforms = [_encr_transform(ts.encr, ts.key_bits)]
    if ts.integ != IntegId.NONE:
        transforms.append(Transform(TransformType.INTEG, ts.integ))
    if dh is not None:
        transforms.append(Transform(TransformType.DH, dh))
    transforms.append(Transform(TransformType.ESN, _esn_id(ts.esn)))
    return tuple(transforms)


@cache  # two answers, each read per ESP proposal chosen (esn_for searches the catalogue)
def _esn_id(enabled: bool) -> EsnId:
    return catalogue.esn_for(enabled).id


def esp_proposal_of(ts: TransformSetSpec, number: int, spi: bytes, pfs: DhId | None) -> Proposal:
    return Proposal(number, ProtocolId.ESP, spi, _esp_transforms(ts, pfs))


def esp_sa_payload(
    sets: Sequence[TransformSetSpec], spi: bytes, pfs: DhId | None = None
) -> SaPayload:
    return SaPayload(tuple(esp_proposal_of(s, i + 1, spi, pfs) for i, s in enumerate(sets)))


def select_esp(
    own: Sequence[TransformSetSpec],
    offered: SaPayload,
    pfs: DhId | None,
    *,
    allow_dh: bool,
    prefer_own: bool = True,
) -> tuple[Proposal, ChildTransform] | None:
    """The responder's choice among ESP proposals. With ``allow_dh`` False (IKE_AUTH) DH
    transforms are ignored; otherwise a configured PFS group must be offered, and an offered
    group is accepted when none is configured."""
    # computed once per offered proposal, not once per transform set
    offers = [
        (p, values)
        for p in offered.proposals
        if p.protocol == _ESP
        and len(p.spi) == 4
        and (values := _offered_values(p, _ESP_TYPES)) is not None
    ]
    pairs = (
        [(ts, p, values) for ts in own for p, values in offers]
        if prefer_own
        else [(ts, p, values) for p, values in offers for ts in own]
    )
    for ts, p, values in pairs:
        if (ts.encr, ts.key_bits) not in values.get(_ENCR, ()):
            continue
        integs = values.get(_INTEG, ())
        if ts.integ == _NO_INTEG:
            if any(i != _NO_INTEG for i in integs):
                continue
        elif ts.integ not in integs:
            continue
        wanted_esn = _esn_id(ts.esn)
        esns = values.get(_ESN) or [_esn_id(False)]
        if wanted_esn not in esns:
            continue
        groups = [g for g in values.get(_DH, ()) if g != _NO_DH]
        dh: DhId | None = None
        if allow_dh:
            if pfs is not None:
                if pfs not in groups:
                    continue
                dh = pfs
            elif groups:
                first = as_enum(DhId, int(groups[0]))  # type: ignore[call-overload]
                if not isinstance(first, DhId):
                    continue
                dh = first
        choice = _child_transform(ts, ts.esn, dh)
        return Proposal(p.number, _ESP, p.spi, _esp_transforms(ts, dh)), choice
    return None


def accepted_esp(
    offered: SaPayload, answer: SaPayload, sets: Sequence[TransformSetSpec]
) -> tuple[Proposal, ChildTransform] | None:
    """Checks the responder's ESP choice against this side's offer."""
    if len(answer.proposals) != 1:
        return None
    chosen = answer.proposals[0]
    index = chosen.number - 1
    if chosen.protocol != ProtocolId.ESP or len(chosen.spi) != 4 or not 0 <= index < len(sets):
        return None
    mine = _transform_keys(next(p for p in offered.proposals if p.number == chosen.number))
    if any((t.type, t.id, t.key_length) not in mine for t in chosen.transforms):
        return None
    ts = sets[index]
    encrs = chosen.transforms_of(TransformType.ENCR)
    esns = chosen.transforms_of(TransformType.ESN)
    dhs = [t for t in chosen.transforms_of(TransformType.DH) if t.id != DhId.NONE]
    if len(encrs) != 1 or len(esns) > 1 or len(dhs) > 1:
        return None
    dh = DhId(dhs[0].id) if dhs else None
    chosen_esn = catalogue.esn(esns[0].id) if esns else None
    esn = chosen_esn is not None and chosen_esn.enabled
    return chosen, _child_transform(ts, esn, dh)


@lru_cache(maxsize=256)  # made once per transform set, ESN and PFS group negotiated
def _child_transform(ts: TransformSetSpec, esn: bool, dh: DhId | None) -> ChildTransform:
    return ChildTransform(
        ts.encr, ts.key_bits, ts.integ, esn, dh, ts.mode, ts.name, ts.transport_required
    )
