"""IOS packet-dump layout, checked against the seed document's IKE_SA_INIT request."""

from __future__ import annotations

import ipaddress
import re

from pyike.codec.configuration import CfgAttribute, CpPayload
from pyike.codec.header import IkeHeader, make_flags
from pyike.codec.message import Message, decode_message, encode_message
from pyike.codec.payloads import (
    AuthPayload,
    CertReqPayload,
    DeletePayload,
    IdPayload,
    KePayload,
    NoncePayload,
    NotifyPayload,
    SkfPayload,
    UnknownPayload,
    VendorPayload,
)
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
    TransformAttributeType,
    TransformType,
)
from pyike.codec.sa import Proposal, SaPayload, Transform, TransformAttribute
from pyike.codec.traffic_selectors import TrafficSelector, TsPayload
from pyike.trace.packet_dump import message_lines, payload_lines
from tests.support.paths import SEED_DOCUMENT

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")


def seed_ike_sa_init() -> Message:
    """Router 1's IKE_SA_INIT request as the seed shows it (payload sizes from its dump)."""
    key_128 = (TransformAttribute(TransformAttributeType.KEY_LENGTH, 128),)
    proposal = Proposal(
        1,
        ProtocolId.IKE,
        b"",
        (
            Transform(TransformType.ENCR, EncrId.TRIPLE_DES),
            Transform(TransformType.ENCR, EncrId.AES_CBC, key_128),
            Transform(TransformType.PRF, PrfId.HMAC_SHA1),
            Transform(TransformType.INTEG, IntegId.HMAC_SHA1_96),
            Transform(TransformType.DH, DhId.MODP_1024),
        ),
    )
    payloads = [
        SaPayload((proposal,)),
        KePayload(DhId.MODP_1024, bytes(128)),
        NoncePayload(bytes(20)),
        VendorPayload(bytes(19)),
        VendorPayload(bytes(17)),
        NotifyPayload(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(20), ProtocolId.IKE),
        NotifyPayload(NotifyType.NAT_DETECTION_DESTINATION_IP, bytes(20), ProtocolId.IKE),
    ]
    header = IkeHeader(
        bytes.fromhex("F074D8BBD5A59F0B"), flags=make_flags(initiator=True, response=False)
    )
    return decode_message(encode_message(Message(header, payloads)))


EXPECTED_SEED_DUMP = """\
Next payload: SA, version: 2.0 Exchange type: IKE_SA_INIT, flags: INITIATOR Message id: 0, length: 344
Payload contents:
 SA  Next payload: KE, reserved: 0x0, length: 56
  last proposal: 0x0, reserved: 0x0, length: 52
  Proposal: 1, Protocol id: IKE, SPI size: 0, #trans: 5    last transform: 0x3, reserved: 0x0: length: 8
    type: 1, reserved: 0x0, id: 3DES
    last transform: 0x3, reserved: 0x0: length: 12
    type: 1, reserved: 0x0, id: AES-CBC
    last transform: 0x3, reserved: 0x0: length: 8
    type: 2, reserved: 0x0, id: SHA1
    last transform: 0x3, reserved: 0x0: length: 8
    type: 3, reserved: 0x0, id: SHA96
    last transform: 0x0, reserved: 0x0: length: 8
    type: 4, reserved: 0x0, id: DH_GROUP_1024_MODP/Group 2
 KE  Next payload: N, reserved: 0x0, length: 136
    DH group: 2, Reserved: 0x0
 N  Next payload: VID, reserved: 0x0, length: 24
 VID  Next payload: VID, reserved: 0x0, length: 23
 VID  Next payload: NOTIFY, reserved: 0x0, length: 21
 NOTIFY(NAT_DETECTION_SOURCE_IP)  Next payload: NOTIFY, reserved: 0x0, length: 28
    Security protocol id: IKE, spi size: 0, type: NAT_DETECTION_SOURCE_IP
 NOTIFY(NAT_DETECTION_DESTINATION_IP)  Next payload: NONE, reserved: 0x0, length: 28
    Security protocol id: IKE, spi size: 0, type: NAT_DETECTION_DESTINATION_IP"""


def test_seed_ike_sa_init_dump_in_english() -> None:
    message = seed_ike_sa_init()
    assert "\n".join(message_lines(message.header, message.payloads)) == EXPECTED_SEED_DUMP


def test_lengths_follow_the_seed_document() -> None:
    """The numbers the seed prints for Router 1's first packet, in order, are ours."""
    start = SEED.index("IKEv2:(SA ID = 1):Next payload: SA")
    end = SEED.index("Initiator가 IKE_INIT_SA")
    seed_block = " ".join(SEED[start:end].split())  # undo the page's line wrapping
    seed_lengths = [int(n) for n in re.findall(r"(?:length|길이): (\d+)", seed_block)]
    message = seed_ike_sa_init()
    ours = " ".join(message_lines(message.header, message.payloads))
    assert [int(n) for n in re.findall(r"length: (\d+)", ours)] == seed_lengths


def test_ike_auth_payloads() -> None:
    any_v4 = TrafficSelector(
        0, 0, 65535, ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("255.255.255.255")
    )
    esp = Proposal(
        1,
        ProtocolId.ESP,
        bytes(4),
        (
            Transform(TransformType.ENCR, EncrId.TRIPLE_DES),
            Transform(TransformType.INTEG, IntegId.HMAC_SHA1_96),
            Transform(TransformType.ESN, EsnId.NO_ESN),
        ),
    )
    inner = [
        VendorPayload(bytes(16)),
        IdPayload(IdType.ID_IPV4_ADDR, bytes([10, 0, 0, 1])),
        AuthPayload(AuthMethod.SHARED_KEY_MIC, bytes(20)),
        CpPayload(CfgType.CFG_REQUEST, (CfgAttribute(CfgAttributeType.INTERNAL_IP4_DNS),)),
        SaPayload((esp,)),
        TsPayload((any_v4,), initiator=True),
        TsPayload((any_v4,), initiator=False),
        NotifyPayload(NotifyType.INITIAL_CONTACT, protocol=ProtocolId.IKE),
        NotifyPayload(NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED, protocol=ProtocolId.IKE),
        NotifyPayload(NotifyType.NON_FIRST_FRAGMENTS_ALSO, protocol=ProtocolId.IKE),
    ]
    lines = payload_lines(inner)
    assert lines[0] == " VID  Next payload: IDi, reserved: 0x0, length: 20"
    assert lines[1:5] == [
        " IDi  Next payload: AUTH, reserved: 0x0, length: 12",
        "    Id type: IPv4 address, Reserved: 0x0 0x0",
        " AUTH  Next payload: CFG, reserved: 0x0, length: 28",
        "    Auth method PSK, reserved: 0x0, reserved 0x0",
    ]
    assert "    cfg type: CFG_REQUEST, reserved: 0x0, reserved: 0x0" in lines
    assert "    attrib type: internal IP4 DNS, length: 0" in lines
    assert " SA  Next payload: TSi, reserved: 0x0, length: 40" in lines
    assert "    type: 5, reserved: 0x0, id: Don't use ESN" in lines
    ts_at = lines.index(" TSi  Next payload: TSr, reserved: 0x0, length: 24")
    assert lines[ts_at + 1 : ts_at + 5] == [
        "    Num of TSs: 1, reserved 0x0, reserved 0x0",
        "    TS type: TS_IPV4_ADDR_RANGE, proto id: 0, length: 16",
        "    start port: 0, end port: 65535",
        "    start addr: 0.0.0.0, end addr: 255.255.255.255",
    ]
    assert " NOTIFY(ESP_TFC_NO_SUPPORT)  Next payload: NOTIFY, reserved: 0x0, length: 8" in lines
    assert lines[-2] == " NOTIFY(NON_FIRST_FRAGS)  Next payload: NONE, reserved: 0x0, length: 8"
    assert lines[-1] == "    Security protocol id: IKE, spi size: 0, type: NON_FIRST_FRAGS"


def test_other_payloads_and_flags() -> None:
    header = IkeHeader(
        bytes(8),
        bytes(8),
        exchange_type=ExchangeType.INFORMATIONAL,
        flags=make_flags(initiator=False, response=True),
        message_id=7,
    )
    payloads = [
        DeletePayload(ProtocolId.ESP, 4, (bytes.fromhex("c0ffee01"),)),
        CertReqPayload(CertEncoding.HASH_URL_X509_CERT, bytes(20)),
        UnknownPayload(200, b"xy"),
        SkfPayload(PayloadType.IDi, 1, 2, bytes(16)),
    ]
    lines = message_lines(header, payloads)
    assert lines[0].startswith("Next payload: NONE, version: 2.0 Exchange type: INFORMATIONAL")
    assert "flags: RESPONDER MSG-RESPONSE Message id: 7" in lines[0]
    assert "    Security protocol id: ESP, spi size: 4, num of spi: 1" in lines
    assert "    spi: 0xC0FFEE01" in lines
    assert "    Cert encoding Hash and URL of PKIX" in lines
    assert " Unknown - 200  Next payload: ENCR_FRAG, reserved: 0x0, length: 6" in lines
    assert lines[-1] == "    fragment: 1 of 2"
