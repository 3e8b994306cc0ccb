from __future__ import annotations

import ipaddress
import struct

import pytest

from pyike.codec import (
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
    decode_message,
    encode_message,
)
from pyike.codec.registry import (
    AuthMethod,
    CertEncoding,
    DhId,
    IdType,
    NotifyType,
    PayloadType,
    ProtocolId,
)
from tests.support.ike_bytes import decode_single, expect_single_error, single


def only(payload_type: PayloadType, body: bytes, flags: int = 0) -> object:
    message = decode_single(payload_type, body, flags)
    assert encode_message(message) == single(payload_type, body, flags)
    (payload,) = message.payloads
    return payload


# --- KE ------------------------------------------------------------------------------------


def test_ke_payload() -> None:
    ke = only(PayloadType.KE, struct.pack("!HH", 19, 0) + bytes(range(64)))
    assert ke == KePayload(DhId.ECP_256, bytes(range(64)))


def test_ke_of_unknown_group_keeps_its_data() -> None:
    ke = only(PayloadType.KE, struct.pack("!HH", 4000, 0xABCD) + b"xyz")
    assert ke == KePayload(4000, b"xyz", reserved=0xABCD)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x00", "Diffie-Hellman group needs 2 bytes"),
        (struct.pack("!HH", 14, 0) + bytes(255), "group 14 is 255 bytes, expected 256"),
        (struct.pack("!HH", 31, 0) + bytes(33), "group 31 is 33 bytes, expected 32"),
        (struct.pack("!HH", 4000, 0), "key exchange data is empty"),
    ],
)
def test_malformed_ke(body: bytes, match: str) -> None:
    expect_single_error(PayloadType.KE, body, match)


# --- IDi / IDr -----------------------------------------------------------------------------


def test_idi_ipv4() -> None:
    payload = only(PayloadType.IDi, b"\x01\x00\x00\x00" + bytes([10, 0, 0, 1]))
    assert payload == IdPayload(IdType.ID_IPV4_ADDR, bytes([10, 0, 0, 1]), initiator=True)
    assert isinstance(payload, IdPayload)
    assert payload.address == ipaddress.IPv4Address("10.0.0.1")
    assert payload.payload_type is PayloadType.IDi


def test_idr_ipv6_and_fqdn() -> None:
    address = ipaddress.IPv6Address("2001:db8::1")
    idr = only(PayloadType.IDr, b"\x05\x00\x00\x00" + address.packed)
    assert isinstance(idr, IdPayload)
    assert idr.address == address and not idr.initiator
    assert idr.payload_type is PayloadType.IDr
    fqdn = only(PayloadType.IDr, b"\x02\x00\x00\x07" + b"r2.example")
    assert fqdn == IdPayload(IdType.ID_FQDN, b"r2.example", initiator=False, reserved=7)
    assert isinstance(fqdn, IdPayload) and fqdn.address is None


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x01\x00\x00", "reserved needs 3 bytes"),
        (b"\x01\x00\x00\x00" + bytes(5), "ID_IPV4_ADDR data is 5 bytes, expected 4"),
        (b"\x05\x00\x00\x00" + bytes(4), "ID_IPV6_ADDR data is 4 bytes, expected 16"),
    ],
)
def test_malformed_id(body: bytes, match: str) -> None:
    expect_single_error(PayloadType.IDi, body, match)


# --- CERT, CERTREQ, AUTH, Nonce, Vendor, EAP -------------------------------------------------


def test_cert_certreq_auth_vendor_eap() -> None:
    assert only(PayloadType.CERT, b"\x04DER") == CertPayload(
        CertEncoding.X509_CERT_SIGNATURE, b"DER"
    )
    assert only(PayloadType.CERTREQ, b"\x04" + bytes(20)) == CertReqPayload(
        CertEncoding.X509_CERT_SIGNATURE, bytes(20)
    )
    assert only(PayloadType.AUTH, b"\x02\x00\x00\x00" + bytes(20)) == AuthPayload(
        AuthMethod.SHARED_KEY_MIC, bytes(20)
    )
    assert only(PayloadType.VENDOR, b"strongSwan") == VendorPayload(b"strongSwan")
    assert only(PayloadType.EAP, b"\x01\x02\x00\x05\x01") == EapPayload(b"\x01\x02\x00\x05\x01")


@pytest.mark.parametrize("payload_type", [PayloadType.CERT, PayloadType.CERTREQ, PayloadType.AUTH])
def test_payloads_with_a_type_octet_need_it(payload_type: PayloadType) -> None:
    expect_single_error(payload_type, b"", "needs 1 bytes but only 0 remain")


@pytest.mark.parametrize("size", [16, 32, 256])
def test_nonce_sizes_accepted(size: int) -> None:
    assert only(PayloadType.NONCE, bytes(size)) == NoncePayload(bytes(size))


@pytest.mark.parametrize("size", [0, 15, 257])
def test_nonce_sizes_rejected(size: int) -> None:
    expect_single_error(PayloadType.NONCE, bytes(size), f"nonce is {size} bytes")


# --- Notify --------------------------------------------------------------------------------


def test_status_notify_without_spi() -> None:
    notify = only(PayloadType.NOTIFY, struct.pack("!BBH", 0, 0, 16430))
    assert notify == NotifyPayload(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)
    assert isinstance(notify, NotifyPayload) and not notify.is_error


def test_error_notify_with_esp_spi_and_data() -> None:
    body = struct.pack("!BBH", 3, 4, 44) + b"\x01\x02\x03\x04" + b"data"
    notify = only(PayloadType.NOTIFY, body)
    assert notify == NotifyPayload(
        NotifyType.CHILD_SA_NOT_FOUND, b"data", ProtocolId.ESP, b"\x01\x02\x03\x04"
    )
    assert isinstance(notify, NotifyPayload) and notify.is_error


def test_private_use_notify_type_is_kept_as_int() -> None:
    notify = only(PayloadType.NOTIFY, struct.pack("!BBH", 0, 0, 40960) + b"x")
    assert isinstance(notify, NotifyPayload)
    assert notify.notify_type == 40960 and not isinstance(notify.notify_type, NotifyType)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x00\x00\x40", "notify message type needs 2 bytes"),
        (struct.pack("!BBH", 3, 8, 16393) + bytes(8), "SPI size 8 is wrong for ESP"),
        (struct.pack("!BBH", 1, 4, 16384) + bytes(4), "SPI size 4 is wrong for IKE"),
        (struct.pack("!BBH", 9, 6, 16384) + bytes(5), "SPI needs 6 bytes"),
    ],
)
def test_malformed_notify(body: bytes, match: str) -> None:
    expect_single_error(PayloadType.NOTIFY, body, match)


# --- Delete --------------------------------------------------------------------------------


def test_delete_ike_sa() -> None:
    assert only(PayloadType.DELETE, struct.pack("!BBH", 1, 0, 0)) == DeletePayload(
        ProtocolId.IKE, 0
    )


def test_delete_child_sas() -> None:
    body = struct.pack("!BBH", 3, 4, 2) + b"\x00\x00\x00\x01\x00\x00\x00\x02"
    assert only(PayloadType.DELETE, body) == DeletePayload(
        ProtocolId.ESP, 4, (b"\x00\x00\x00\x01", b"\x00\x00\x00\x02")
    )


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (struct.pack("!BB", 3, 4), "number of SPIs needs 2 bytes"),
        (struct.pack("!BBH", 1, 8, 1) + bytes(8), "IKE SA delete carries SPI size 8"),
        (struct.pack("!BBH", 3, 8, 1) + bytes(8), "SPI size 8 is wrong for ESP"),
        (struct.pack("!BBH", 3, 4, 2) + bytes(4), "2 SPIs of 4 bytes do not fill 4 bytes"),
        (struct.pack("!BBH", 3, 4, 1) + bytes(5), "1 SPIs of 4 bytes do not fill 5 bytes"),
        (struct.pack("!BBH", 9, 0, 3), "3 SPIs of size 0"),
    ],
)
def test_malformed_delete(body: bytes, match: str) -> None:
    expect_single_error(PayloadType.DELETE, body, match)


def test_delete_encode_refuses_spis_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="must be 4 bytes"):
        DeletePayload(ProtocolId.ESP, 4, (b"\x01",)).encode_body()


# --- SK, SKF, unknown ----------------------------------------------------------------------


def test_sk_keeps_first_inner_type_and_body() -> None:
    data = single(PayloadType.SK, b"iv..ciphertext..icv")
    data = data[:28] + b"\x23" + data[29:]  # SK's Next Payload: IDi
    message = decode_message(data)
    assert message.payloads == [SkPayload(PayloadType.IDi, b"iv..ciphertext..icv")]
    assert encode_message(message) == data


def test_skf_fields() -> None:
    skf = only(PayloadType.SKF, struct.pack("!HH", 2, 3) + b"chunk")
    assert skf == SkfPayload(PayloadType.NONE, 2, 3, b"chunk")


@pytest.mark.parametrize(
    ("number", "total"), [(0, 3), (4, 3), (1, 0)], ids=["zero", "beyond", "none"]
)
def test_impossible_fragment_numbers(number: int, total: int) -> None:
    expect_single_error(
        PayloadType.SKF, struct.pack("!HH", number, total), f"fragment number {number} of {total}"
    )


def test_skf_needs_its_numbering() -> None:
    expect_single_error(PayloadType.SKF, b"\x00\x01\x00", "total fragments needs 2 bytes")


def test_unknown_non_critical_payload_is_kept() -> None:
    payload = only(PayloadType.GSPM, b"opaque", flags=0x05)
    assert payload == UnknownPayload(49, b"opaque", header_reserved=5)
    assert isinstance(payload, UnknownPayload) and payload.payload_type is PayloadType.GSPM
