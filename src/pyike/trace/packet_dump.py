"""IKEv2 messages as IOS prints them under `debug crypto ikev2 packet`.

The layout follows the seed document (Cisco TAC note 115934): the header line
"Next payload: SA, version: 2.0 Exchange type: IKE_SA_INIT, flags: INITIATOR Message id: 0,
length: 344", then "Payload contents:" and one block per payload whose first line starts with
a space and the payload's IOS name, with its details indented by four spaces. IOS prints
neither key material nor nonces nor identities' values, and neither does this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyike import ios_names
from pyike.codec.configuration import CpPayload
from pyike.codec.generic import GENERIC_HEADER_SIZE
from pyike.codec.header import IkeHeader
from pyike.codec.message import Payload
from pyike.codec.payloads import (
    AuthPayload,
    CertPayload,
    CertReqPayload,
    DeletePayload,
    IdPayload,
    KePayload,
    NotifyPayload,
    SkfPayload,
    SkPayload,
)
from pyike.codec.registry import PayloadType
from pyike.codec.sa import Proposal, SaPayload, Transform
from pyike.codec.traffic_selectors import OpaqueTrafficSelector, TsPayload

_LAST_PROPOSAL, _MORE_PROPOSALS = 0, 2
_LAST_TRANSFORM, _MORE_TRANSFORMS = 0, 3


def header_line(header: IkeHeader) -> str:
    role = "INITIATOR" if header.initiator else "RESPONDER"
    flags = f"{role} MSG-RESPONSE" if header.response else role
    return (
        f"Next payload: {ios_names.payload_name(header.next_payload)}, "
        f"version: {header.major_version}.{header.minor_version} "
        f"Exchange type: {ios_names.exchange_name(header.exchange_type)}, flags: {flags} "
        f"Message id: {header.message_id}, length: {header.length}"
    )


def _payload_type(payload: Payload) -> int:
    return int(payload.payload_type)


def _payload_length(payload: Payload) -> int:
    return GENERIC_HEADER_SIZE + len(payload.encode_body())


def _title(payload: Payload) -> str:
    if isinstance(payload, NotifyPayload):
        return f"NOTIFY({ios_names.notify_name(payload.notify_type)})"
    return ios_names.payload_name(_payload_type(payload))


def _first_line(payload: Payload, next_type: int) -> str:
    return (
        f" {_title(payload)}  Next payload: {ios_names.payload_name(next_type)}, "
        f"reserved: 0x{payload.flags_octet:X}, length: {_payload_length(payload)}"
    )


def _transform_lines(transform: Transform, is_last: bool, first: bool) -> list[str]:
    last = _LAST_TRANSFORM if is_last else _MORE_TRANSFORMS
    length = len(transform.encode(is_last))
    head = f"last transform: 0x{last:X}, reserved: 0x{transform.reserved1:X}: length: {length}"
    body = (
        f"    type: {int(transform.type)}, reserved: 0x{transform.reserved2:X}, "
        f"id: {ios_names.transform_name(transform.type, transform.id)}"
    )
    # IOS prints the first transform's header at the end of the proposal line.
    return [head, body] if first else [f"    {head}", body]


def _proposal_lines(proposal: Proposal, is_last: bool) -> list[str]:
    last = _LAST_PROPOSAL if is_last else _MORE_PROPOSALS
    lines = [
        f"  last proposal: 0x{last:X}, reserved: 0x{proposal.reserved:X}, "
        f"length: {len(proposal.encode(is_last))}"
    ]
    protocol = ios_names.protocol_name(proposal.protocol)
    intro = (
        f"  Proposal: {proposal.number}, Protocol id: {protocol}, "
        f"SPI size: {len(proposal.spi)}, #trans: {len(proposal.transforms)}"
    )
    transforms = proposal.transforms
    if not transforms:
        return [*lines, intro]
    for index, transform in enumerate(transforms):
        t_lines = _transform_lines(transform, index == len(transforms) - 1, index == 0)
        if index == 0:
            lines.append(f"{intro}    {t_lines[0]}")
            lines.extend(t_lines[1:])
        else:
            lines.extend(t_lines)
    return lines


def _details(payload: Payload) -> list[str]:
    if isinstance(payload, SaPayload):
        out: list[str] = []
        for index, proposal in enumerate(payload.proposals):
            out.extend(_proposal_lines(proposal, index == len(payload.proposals) - 1))
        return out
    if isinstance(payload, KePayload):
        return [f"    DH group: {int(payload.group)}, Reserved: 0x{payload.reserved:X}"]
    if isinstance(payload, IdPayload):
        reserved = payload.reserved.to_bytes(3, "big")
        return [
            f"    Id type: {ios_names.id_type_name(payload.id_type)}, "
            f"Reserved: 0x{reserved[0]:X} 0x{int.from_bytes(reserved[1:], 'big'):X}"
        ]
    if isinstance(payload, AuthPayload):
        reserved = payload.reserved.to_bytes(3, "big")
        return [
            f"    Auth method {ios_names.auth_method_name(payload.method)}, "
            f"reserved: 0x{reserved[0]:X}, reserved 0x{int.from_bytes(reserved[1:], 'big'):X}"
        ]
    if isinstance(payload, (CertPayload, CertReqPayload)):
        return [f"    Cert encoding {ios_names.cert_encoding_name(payload.cert_encoding)}"]
    if isinstance(payload, NotifyPayload):
        return [
            f"    Security protocol id: {ios_names.protocol_name(payload.protocol)}, "
            f"spi size: {len(payload.spi)}, type: {ios_names.notify_name(payload.notify_type)}"
        ]
    if isinstance(payload, DeletePayload):
        lines = [
            f"    Security protocol id: {ios_names.protocol_name(payload.protocol)}, "
            f"spi size: {payload.spi_size}, num of spi: {len(payload.spis)}"
        ]
        lines.extend(f"    spi: 0x{spi.hex().upper()}" for spi in payload.spis)
        return lines
    if isinstance(payload, TsPayload):
        return _ts_lines(payload)
    if isinstance(payload, CpPayload):
        reserved = payload.reserved.to_bytes(3, "big")
        lines = [
            f"    cfg type: {ios_names.cfg_type_name(payload.cfg_type)}, "
            f"reserved: 0x{reserved[0]:X}, reserved: 0x{int.from_bytes(reserved[1:], 'big'):X}"
        ]
        lines.extend(
            f"    attrib type: {ios_names.cfg_attribute_name(a.type)}, length: {len(a.value)}"
            for a in payload.attributes
        )
        return lines
    if isinstance(payload, SkfPayload):
        return [f"    fragment: {payload.fragment_number} of {payload.total_fragments}"]
    return []


def _ts_lines(payload: TsPayload) -> list[str]:
    reserved = payload.reserved.to_bytes(3, "big")
    lines = [
        f"    Num of TSs: {len(payload.selectors)}, reserved 0x{reserved[0]:X}, "
        f"reserved 0x{int.from_bytes(reserved[1:], 'big'):X}"
    ]
    for selector in payload.selectors:
        encoded = selector.encode()
        if isinstance(selector, OpaqueTrafficSelector):
            lines.append(
                f"    TS type: {ios_names.ts_type_name(selector.ts_type)}, length: {len(encoded)}"
            )
            continue
        lines.extend(
            [
                f"    TS type: {ios_names.ts_type_name(selector.ts_type)}, "
                f"proto id: {selector.ip_protocol}, length: {len(encoded)}",
                f"    start port: {selector.start_port}, end port: {selector.end_port}",
                f"    start addr: {selector.start_address}, end addr: {selector.end_address}",
            ]
        )
    return lines


def payload_lines(
    payloads: Sequence[Payload],
    *,
    last_next: int = PayloadType.NONE,
    extra: Callable[[Payload], list[str]] | None = None,
) -> list[str]:
    """One block per payload; ``last_next`` is the Next Payload of the last one (an inner chain
    ends with NONE, like an outer one). ``extra``: lines a reader other than IOS's debug adds
    to a payload's block (`pyike decode`: certificate subjects)."""
    lines: list[str] = []
    for index, payload in enumerate(payloads):
        if isinstance(payload, (SkPayload, SkfPayload)):
            next_type = int(payload.first_inner_type)
        elif index + 1 < len(payloads):
            next_type = _payload_type(payloads[index + 1])
        else:
            next_type = last_next
        lines.append(_first_line(payload, next_type))
        lines.extend(_details(payload))
        if extra is not None:
            lines.extend(extra(payload))
    return lines


def message_lines(header: IkeHeader, payloads: Sequence[Payload]) -> list[str]:
    """The header line, "Payload contents:" and every payload block of one message."""
    return [header_line(header), "Payload contents:", *payload_lines(payloads)]
