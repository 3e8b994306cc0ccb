from __future__ import annotations

import ipaddress

import pytest

from pyike.codec import DecodeError, NotifyPayload, decode_message
from pyike.codec import notify_data as nd
from pyike.codec.registry import DhId, HashAlgorithm, NotifyType, PayloadType, ProtocolId
from tests.support.vectors import CAPTURES, ike_datagrams


def malformed(notify: NotifyPayload, match: str) -> None:
    with pytest.raises(DecodeError, match=match) as caught:
        nd.check_notify_data(notify)
    assert caught.value.payload is PayloadType.NOTIFY
    assert caught.value.notify is NotifyType.INVALID_SYNTAX


def test_cookie() -> None:
    notify = nd.cookie_notify(b"c" * 64)
    assert nd.cookie_value(notify) == b"c" * 64
    malformed(NotifyPayload(NotifyType.COOKIE, b""), "COOKIE notify: cookie of 0 bytes")
    malformed(NotifyPayload(NotifyType.COOKIE, bytes(65)), "cookie of 65 bytes")
    with pytest.raises(ValueError):
        nd.cookie_notify(b"")


def test_nat_detection_hash_matches_strongswan() -> None:
    """In both IKE_SA_INIT messages NAT_DETECTION_DESTINATION_IP is SHA1(SPIi | SPIr | IP | 500)
    of the receiver's address (SPIr zero in the request). The source hashes are deliberately
    wrong: strongSwan fakes them to force UDP encapsulation, hence the move to port 4500."""
    for capture in CAPTURES:
        request, response = (decode_message(d.payload) for d in ike_datagrams(capture)[:2])
        spi_i, spi_r = response.header.spi_i, response.header.spi_r
        for message, receiver, sender, responder_spi in [
            (request, "10.0.0.2", "10.0.0.1", bytes(8)),
            (response, "10.0.0.1", "10.0.0.2", spi_r),
        ]:
            destination = message.notify(NotifyType.NAT_DETECTION_DESTINATION_IP)
            source = message.notify(NotifyType.NAT_DETECTION_SOURCE_IP)
            assert destination is not None and source is not None
            assert nd.nat_detection_digest(destination) == nd.nat_detection_hash(
                spi_i, responder_spi, ipaddress.IPv4Address(receiver), 500
            )
            assert nd.nat_detection_digest(source) != nd.nat_detection_hash(
                spi_i, responder_spi, ipaddress.IPv4Address(sender), 500
            )


def test_nat_detection_notify() -> None:
    address = ipaddress.IPv6Address("2001:db8::1")
    notify = nd.nat_detection_notify(
        NotifyType.NAT_DETECTION_DESTINATION_IP, bytes(8), bytes(8), address, 4500
    )
    assert len(nd.nat_detection_digest(notify)) == 20
    malformed(NotifyPayload(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(19)), "hash of 19 bytes")
    with pytest.raises(ValueError):
        nd.nat_detection_notify(NotifyType.COOKIE, bytes(8), bytes(8), address, 500)
    with pytest.raises(ValueError):
        nd.nat_detection_digest(NotifyPayload(NotifyType.COOKIE, b"x"))


def test_rekey_sa() -> None:
    notify = nd.rekey_sa_notify(ProtocolId.ESP, b"\xc1\x2b\x3a\x44")
    assert (notify.protocol, notify.spi) == (ProtocolId.ESP, b"\xc1\x2b\x3a\x44")
    assert nd.rekey_sa_spi(notify) == (ProtocolId.ESP, b"\xc1\x2b\x3a\x44")
    malformed(NotifyPayload(NotifyType.REKEY_SA, b"", 1, bytes(8)), "protocol IKE is not ESP")
    malformed(NotifyPayload(NotifyType.REKEY_SA, b"", 3, b""), "SPI of 0 bytes")
    malformed(NotifyPayload(NotifyType.REKEY_SA, b"x", 3, bytes(4)), "1 unexpected data bytes")
    with pytest.raises(ValueError):
        nd.rekey_sa_notify(ProtocolId.IKE, bytes(4))


def test_invalid_ke_payload() -> None:
    assert nd.invalid_ke_group(nd.invalid_ke_notify(DhId.MODP_2048)) is DhId.MODP_2048
    assert nd.invalid_ke_group(NotifyPayload(NotifyType.INVALID_KE_PAYLOAD, b"\x10\x00")) == 4096
    malformed(NotifyPayload(NotifyType.INVALID_KE_PAYLOAD, b"\x0e"), "group of 1 bytes")


def test_set_window_size() -> None:
    assert nd.window_size(nd.set_window_size_notify(5)) == 5
    malformed(NotifyPayload(NotifyType.SET_WINDOW_SIZE, bytes(2)), "window size of 2 bytes")
    malformed(NotifyPayload(NotifyType.SET_WINDOW_SIZE, bytes(4)), "window size 0")


def test_signature_hash_algorithms() -> None:
    notify = nd.signature_hash_algorithms_notify([HashAlgorithm.SHA2_256, 300])
    assert notify.data == b"\x00\x02\x01\x2c"
    assert nd.signature_hash_algorithms(notify) == (HashAlgorithm.SHA2_256, 300)
    malformed(NotifyPayload(NotifyType.SIGNATURE_HASH_ALGORITHMS, b"\x00\x02\x00"), "3 bytes")


def test_error_notifies_with_data() -> None:
    notify = NotifyPayload(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, b"\x31")
    assert nd.unsupported_critical_payload_type(notify) is PayloadType.GSPM
    malformed(NotifyPayload(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, b""), "payload type of 0")
    assert (
        nd.invalid_message_id(NotifyPayload(NotifyType.INVALID_MESSAGE_ID, bytes(3) + b"\x07")) == 7
    )
    malformed(NotifyPayload(NotifyType.INVALID_MESSAGE_ID, b"\x07"), "message ID of 1 bytes")


def test_empty_status_notifies() -> None:
    notify = nd.fragmentation_supported_notify()
    assert notify == NotifyPayload(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)
    nd.check_notify_data(notify)
    nd.check_notify_data(nd.empty_notify(NotifyType.INITIAL_CONTACT))
    malformed(NotifyPayload(NotifyType.INITIAL_CONTACT, b"x"), "INITIAL_CONTACT notify: 1")
    with pytest.raises(ValueError):
        nd.empty_notify(NotifyType.COOKIE)


def test_notifies_without_known_format_pass_and_valid_ones_check_clean() -> None:
    nd.check_notify_data(NotifyPayload(40960, b"anything"))
    for notify in [
        nd.cookie_notify(b"x"),
        nd.rekey_sa_notify(ProtocolId.AH, bytes(4)),
        nd.invalid_ke_notify(19),
        nd.set_window_size_notify(1),
        nd.signature_hash_algorithms_notify([1, 2]),
        NotifyPayload(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, b"\x31"),
        NotifyPayload(NotifyType.INVALID_MESSAGE_ID, bytes(4)),
        NotifyPayload(NotifyType.NAT_DETECTION_SOURCE_IP, bytes(20)),
    ]:
        nd.check_notify_data(notify)


def test_accessor_of_the_wrong_notify_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="expected a COOKIE notify, got INITIAL_CONTACT"):
        nd.cookie_value(NotifyPayload(NotifyType.INITIAL_CONTACT))


def test_typed_data_of_real_messages_is_well_formed() -> None:
    for capture in CAPTURES:
        for datagram in ike_datagrams(capture):
            for notify in decode_message(datagram.payload).all(NotifyPayload):
                nd.check_notify_data(notify)


@pytest.mark.parametrize(
    ("notify", "wire"),
    [
        (nd.cookie_notify(b"ck"), "00004006" + "636b"),
        (nd.set_window_size_notify(2), "00004001" + "00000002"),
        (nd.invalid_ke_notify(DhId.ECP_256), "00000011" + "0013"),
        (nd.rekey_sa_notify(ProtocolId.ESP, bytes.fromhex("c12b3a44")), "03044009" + "c12b3a44"),
        (nd.fragmentation_supported_notify(), "0000402e"),
        (nd.empty_notify(NotifyType.INITIAL_CONTACT), "00004000"),
        (nd.empty_notify(NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED), "0000400a"),
        (nd.empty_notify(NotifyType.NON_FIRST_FRAGMENTS_ALSO), "0000400b"),
        (nd.empty_notify(NotifyType.USE_TRANSPORT_MODE), "00004007"),
        (nd.signature_hash_algorithms_notify([2, 3, 4]), "0000402f" + "000200030004"),
        (
            nd.nat_detection_notify(
                NotifyType.NAT_DETECTION_SOURCE_IP,
                bytes(8),
                bytes(8),
                ipaddress.IPv4Address("0.0.0.0"),
                0,
            ),
            "00004004" + "60ab0dd2ef31cfb96d52fa0a429c3803417db5c2",
        ),
    ],
)
def test_constructors_produce_the_rfc_wire_format(notify: NotifyPayload, wire: str) -> None:
    """Protocol, SPI size, Notify Message Type (IANA number), SPI, data."""
    assert notify.encode_body().hex() == wire
