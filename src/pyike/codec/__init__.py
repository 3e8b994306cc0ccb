"""IKEv2 wire codec (RFC 7296 section 3, RFC 7383): messages to dataclasses and back.

Decoding validates every length, count and substructure before trusting it and raises only
DecodeError, which carries the notify a responder must answer with.
"""

from pyike.codec.configuration import CfgAttribute, CpPayload
from pyike.codec.errors import DecodeError
from pyike.codec.generic import PayloadBase
from pyike.codec.header import IkeHeader, decode_header, make_flags
from pyike.codec.message import (
    Message,
    Payload,
    decode_message,
    decode_payload_chain,
    encode_message,
    encode_payload_chain,
)
from pyike.codec.payloads import (
    AuthPayload,
    CertPayload,
    CertReqPayload,
    DeletePayload,
    EapPayload,
    IdPayload,
    KePayload,
    NoncePayload,
    NotifyPayload,
    SkfPayload,
    SkPayload,
    UnknownPayload,
    VendorPayload,
)
from pyike.codec.protect import (
    SkCipher,
    encode_protected,
    encode_protected_fragment,
    open_protected,
    open_protected_fragment,
    reassemble_fragments,
    split_for_fragments,
)
from pyike.codec.sa import Proposal, SaPayload, Transform, TransformAttribute
from pyike.codec.traffic_selectors import OpaqueTrafficSelector, TrafficSelector, TsPayload

__all__ = [
    "AuthPayload",
    "CertPayload",
    "CertReqPayload",
    "CfgAttribute",
    "CpPayload",
    "DecodeError",
    "DeletePayload",
    "EapPayload",
    "IdPayload",
    "IkeHeader",
    "KePayload",
    "Message",
    "NoncePayload",
    "NotifyPayload",
    "OpaqueTrafficSelector",
    "Payload",
    "PayloadBase",
    "Proposal",
    "SaPayload",
    "SkCipher",
    "SkPayload",
    "SkfPayload",
    "TrafficSelector",
    "Transform",
    "TransformAttribute",
    "TsPayload",
    "UnknownPayload",
    "VendorPayload",
    "decode_header",
    "decode_message",
    "decode_payload_chain",
    "encode_message",
    "encode_payload_chain",
    "encode_protected",
    "encode_protected_fragment",
    "make_flags",
    "open_protected",
    "open_protected_fragment",
    "reassemble_fragments",
    "split_for_fragments",
]
