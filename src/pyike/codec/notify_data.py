"""Typed Notification Data for the notifies whose data the RFCs define.

Decoding a message never looks inside notification data; these accessors do, and raise
DecodeError(INVALID_SYNTAX) naming the notify when the data is malformed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import struct
from collections.abc import Iterable
from functools import lru_cache

from pyike.codec.errors import DecodeError
from pyike.codec.payloads import NotifyPayload
from pyike.codec.registry import (
    DhId,
    HashAlgorithm,
    NotifyType,
    PayloadType,
    ProtocolId,
    as_enum,
    by_value,
    name_of,
)

MAX_COOKIE_SIZE = 64
NAT_DETECTION_HASH_SIZE = 20

# Status notifies whose Notification Data is empty (RFC 7296, 4555, 4739, 5685, 6311, 6023,
# 7383, 7791, 8784, 9242, 9329, 9347 ...).
EMPTY_DATA_NOTIFIES: frozenset[int] = frozenset(
    {
        NotifyType.INITIAL_CONTACT,
        NotifyType.ADDITIONAL_TS_POSSIBLE,
        NotifyType.USE_TRANSPORT_MODE,
        NotifyType.HTTP_CERT_LOOKUP_SUPPORTED,
        NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED,
        NotifyType.NON_FIRST_FRAGMENTS_ALSO,
        NotifyType.MOBIKE_SUPPORTED,
        NotifyType.NO_ADDITIONAL_ADDRESSES,
        NotifyType.UPDATE_SA_ADDRESSES,
        NotifyType.MULTIPLE_AUTH_SUPPORTED,
        NotifyType.ANOTHER_AUTH_FOLLOWS,
        NotifyType.EAP_ONLY_AUTHENTICATION,
        NotifyType.CHILDLESS_IKEV2_SUPPORTED,
        NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED,
        NotifyType.IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED,
        NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
        NotifyType.CLONE_IKE_SA_SUPPORTED,
        NotifyType.USE_PPK,
        NotifyType.INTERMEDIATE_EXCHANGE_SUPPORTED,
        NotifyType.IP4_ALLOWED,
        NotifyType.IP6_ALLOWED,
        NotifyType.USE_AGGFRAG,
    }
)


_PROTOCOL_IDS = by_value(ProtocolId)
_NAT_DETECTION = (NotifyType.NAT_DETECTION_SOURCE_IP, NotifyType.NAT_DETECTION_DESTINATION_IP)


def _fail(notify: NotifyPayload, detail: str) -> DecodeError:
    name = name_of(NotifyType, notify.notify_type)
    return DecodeError(f"{name} notify: {detail}", payload=PayloadType.NOTIFY)


def _expect(notify: NotifyPayload, notify_type: NotifyType) -> None:
    if notify.notify_type != notify_type:
        raise ValueError(
            f"expected a {notify_type.name} notify, got {name_of(NotifyType, notify.notify_type)}"
        )


def _status(
    notify_type: NotifyType, data: bytes = b"", protocol: int = 0, spi: bytes = b""
) -> NotifyPayload:
    return NotifyPayload(notify_type, data, _PROTOCOL_IDS.get(protocol, protocol), spi)


# --- COOKIE (RFC 7296 section 2.6) -------------------------------------------------------


def cookie_notify(cookie: bytes) -> NotifyPayload:
    if not 1 <= len(cookie) <= MAX_COOKIE_SIZE:
        raise ValueError(f"a cookie is 1 to {MAX_COOKIE_SIZE} bytes")
    return _status(NotifyType.COOKIE, cookie)


def cookie_value(notify: NotifyPayload) -> bytes:
    _expect(notify, NotifyType.COOKIE)
    if not 1 <= len(notify.data) <= MAX_COOKIE_SIZE:
        raise _fail(notify, f"cookie of {len(notify.data)} bytes, expected 1 to {MAX_COOKIE_SIZE}")
    return notify.data


# --- NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP (RFC 7296 section 2.23) -------


def nat_detection_hash(
    spi_i: bytes, spi_r: bytes, address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int
) -> bytes:
    """SHA-1(SPIi | SPIr | IP | Port), the NAT detection hash of RFC 7296 section 2.23."""
    return hashlib.sha1(spi_i + spi_r + address.packed + struct.pack("!H", port)).digest()


def nat_detection_notify(
    notify_type: NotifyType,
    spi_i: bytes,
    spi_r: bytes,
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    port: int,
) -> NotifyPayload:
    if notify_type not in _NAT_DETECTION:
        raise ValueError(f"{notify_type.name} is not a NAT detection notify")
    return _status(notify_type, nat_detection_hash(spi_i, spi_r, address, port))


def nat_detection_digest(notify: NotifyPayload) -> bytes:
    if notify.notify_type not in _NAT_DETECTION:
        raise ValueError("expected a NAT_DETECTION_SOURCE_IP or _DESTINATION_IP notify")
    if len(notify.data) != NAT_DETECTION_HASH_SIZE:
        raise _fail(notify, f"hash of {len(notify.data)} bytes, expected {NAT_DETECTION_HASH_SIZE}")
    return notify.data


# --- REKEY_SA (RFC 7296 section 1.3.3) ---------------------------------------------------


def rekey_sa_notify(protocol: ProtocolId, spi: bytes) -> NotifyPayload:
    if protocol not in (ProtocolId.ESP, ProtocolId.AH) or len(spi) != 4:
        raise ValueError("REKEY_SA names a 4-byte ESP or AH SPI")
    return _status(NotifyType.REKEY_SA, b"", protocol, spi)


def rekey_sa_spi(notify: NotifyPayload) -> tuple[ProtocolId, bytes]:
    """The (protocol, SPI) of the Child SA being rekeyed."""
    _expect(notify, NotifyType.REKEY_SA)
    if notify.protocol not in (ProtocolId.ESP, ProtocolId.AH):
        raise _fail(notify, f"protocol {name_of(ProtocolId, notify.protocol)} is not ESP or AH")
    if len(notify.spi) != 4:
        raise _fail(notify, f"SPI of {len(notify.spi)} bytes, expected 4")
    if notify.data:
        raise _fail(notify, f"{len(notify.data)} unexpected data bytes")
    return ProtocolId(notify.protocol), notify.spi


# --- INVALID_KE_PAYLOAD (RFC 7296 section 1.2) -------------------------------------------


def invalid_ke_notify(group: DhId | int) -> NotifyPayload:
    return _status(NotifyType.INVALID_KE_PAYLOAD, struct.pack("!H", group))


def invalid_ke_group(notify: NotifyPayload) -> DhId | int:
    """The group the responder asks for."""
    _expect(notify, NotifyType.INVALID_KE_PAYLOAD)
    if len(notify.data) != 2:
        raise _fail(notify, f"group of {len(notify.data)} bytes, expected 2")
    return as_enum(DhId, int.from_bytes(notify.data, "big"))


# --- SET_WINDOW_SIZE (RFC 7296 section 2.3) ----------------------------------------------


@lru_cache(maxsize=64)  # made once: every IKE_AUTH announces the configured window
def set_window_size_notify(size: int) -> NotifyPayload:
    return _status(NotifyType.SET_WINDOW_SIZE, struct.pack("!I", size))


def window_size(notify: NotifyPayload) -> int:
    _expect(notify, NotifyType.SET_WINDOW_SIZE)
    if len(notify.data) != 4:
        raise _fail(notify, f"window size of {len(notify.data)} bytes, expected 4")
    size = int.from_bytes(notify.data, "big")
    if size == 0:
        raise _fail(notify, "window size 0")
    return size


# --- SIGNATURE_HASH_ALGORITHMS (RFC 7427 section 4) --------------------------------------


def signature_hash_algorithms_notify(algorithms: Iterable[HashAlgorithm | int]) -> NotifyPayload:
    data = b"".join(struct.pack("!H", a) for a in algorithms)
    return _status(NotifyType.SIGNATURE_HASH_ALGORITHMS, data)


def signature_hash_algorithms(notify: NotifyPayload) -> tuple[HashAlgorithm | int, ...]:
    _expect(notify, NotifyType.SIGNATURE_HASH_ALGORITHMS)
    if len(notify.data) % 2:
        raise _fail(notify, f"{len(notify.data)} bytes is not a list of 2-byte identifiers")
    return tuple(
        as_enum(HashAlgorithm, int.from_bytes(notify.data[i : i + 2], "big"))
        for i in range(0, len(notify.data), 2)
    )


# --- errors with defined data (RFC 7296 section 3.10.1) ----------------------------------


def unsupported_critical_payload_type(notify: NotifyPayload) -> PayloadType | int:
    _expect(notify, NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD)
    if len(notify.data) != 1:
        raise _fail(notify, f"payload type of {len(notify.data)} bytes, expected 1")
    return as_enum(PayloadType, notify.data[0])


def invalid_message_id(notify: NotifyPayload) -> int:
    _expect(notify, NotifyType.INVALID_MESSAGE_ID)
    if len(notify.data) != 4:
        raise _fail(notify, f"message ID of {len(notify.data)} bytes, expected 4")
    return int.from_bytes(notify.data, "big")


# --- the empty-data status notifies ------------------------------------------------------


@lru_cache(maxsize=64, typed=True)  # made once per type: the same few in every exchange
def empty_notify(notify_type: NotifyType) -> NotifyPayload:
    """INITIAL_CONTACT, IKEV2_FRAGMENTATION_SUPPORTED, ESP_TFC_PADDING_NOT_SUPPORTED, ..."""
    if notify_type not in EMPTY_DATA_NOTIFIES:
        raise ValueError(f"{notify_type.name} is not a notify without data")
    return _status(notify_type)


def fragmentation_supported_notify() -> NotifyPayload:
    return empty_notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)


def check_notify_data(notify: NotifyPayload) -> None:
    """Validates the data of any notify whose data format pyike knows; others pass."""
    match notify.notify_type:
        case NotifyType.COOKIE:
            cookie_value(notify)
        case NotifyType.NAT_DETECTION_SOURCE_IP | NotifyType.NAT_DETECTION_DESTINATION_IP:
            nat_detection_digest(notify)
        case NotifyType.REKEY_SA:
            rekey_sa_spi(notify)
        case NotifyType.INVALID_KE_PAYLOAD:
            invalid_ke_group(notify)
        case NotifyType.SET_WINDOW_SIZE:
            window_size(notify)
        case NotifyType.SIGNATURE_HASH_ALGORITHMS:
            signature_hash_algorithms(notify)
        case NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD:
            unsupported_critical_payload_type(notify)
        case NotifyType.INVALID_MESSAGE_ID:
            invalid_message_id(notify)
        case notify_type if notify_type in EMPTY_DATA_NOTIFIES and notify.data:
            raise _fail(notify, f"{len(notify.data)} unexpected data bytes")
