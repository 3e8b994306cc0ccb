"""Reading IKE datagrams out of pcap and pcapng captures.

Framing (pcap/pcapng, link layers, IPv4/IPv6, UDP) is left to scapy; this module only
decides which UDP payloads are IKE (RFC 7296 section 2.23, RFC 3948): everything on port
500, and on port 4500 the datagrams that start with the four-byte non-ESP marker. NAT
keepalives (a single 0xFF byte) and UDP-encapsulated ESP are reported but not IKE.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

IKE_PORT = 500
NAT_T_PORT = 4500
NON_ESP_MARKER = b"\x00\x00\x00\x00"


class CaptureError(Exception):
    """The capture file cannot be read from this point on."""


class DatagramKind(enum.Enum):
    IKE = "IKE"
    ESP_IN_UDP = "ESP-in-UDP"
    NAT_KEEPALIVE = "NAT-keepalive"
    OTHER = "other"


@dataclass(frozen=True)
class CapturedDatagram:
    """One UDP datagram on an IKE port, as captured."""

    index: int  # frame number, 1-based as Wireshark counts
    timestamp: float  # seconds since the epoch
    src: str
    sport: int
    dst: str
    dport: int
    kind: DatagramKind
    payload: bytes  # the IKE message itself (non-ESP marker removed) or the raw UDP payload
    truncated: bool = False  # the capture holds fewer bytes than were on the wire

    @property
    def is_ike(self) -> bool:
        return self.kind is DatagramKind.IKE

    @property
    def non_esp_marker(self) -> bool:
        return self.kind is DatagramKind.IKE and NAT_T_PORT in (self.sport, self.dport)


def classify(sport: int, dport: int, payload: bytes) -> tuple[DatagramKind, bytes]:
    """Decide what a UDP payload on the IKE ports carries; strip the non-ESP marker."""
    ports = (sport, dport)
    if NAT_T_PORT in ports:
        if payload == b"\xff":
            return DatagramKind.NAT_KEEPALIVE, payload
        if payload.startswith(NON_ESP_MARKER):
            return DatagramKind.IKE, payload[len(NON_ESP_MARKER) :]
        return DatagramKind.ESP_IN_UDP, payload
    if IKE_PORT in ports:
        return DatagramKind.IKE, payload
    return DatagramKind.OTHER, payload


def _udp_payload(layer: Any) -> bytes:
    # scapy keeps the raw bytes it dissected; prefer them over a rebuild, which could
    # normalise a malformed message and hide what was really on the wire.
    original = getattr(layer, "original", None)
    if isinstance(original, bytes):
        return original
    return bytes(layer)


def read_capture(
    path: str | os.PathLike[str], *, ike_only: bool = True
) -> Iterator[CapturedDatagram]:
    """Yield the datagrams on UDP 500/4500 in `path`, in capture order.

    Raises CaptureError (naming the frame) if the file is not a capture or is cut short.
    """
    try:
        from scapy.error import Scapy_Exception
        from scapy.layers.inet import IP, UDP
        from scapy.layers.inet6 import IPv6
        from scapy.utils import PcapReader
    except ImportError as exc:  # pragma: no cover - scapy is a declared dependency
        raise CaptureError(f"scapy is needed to read captures: {exc}") from exc

    # Truncated frames are reported per datagram; scapy's own warning would only repeat it.
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    try:
        reader = PcapReader(os.fspath(path))
    except FileNotFoundError as exc:
        raise CaptureError(f"{path}: no such file") from exc
    except (Scapy_Exception, OSError, ValueError) as exc:
        raise CaptureError(f"{path}: not a pcap or pcapng capture ({exc})") from exc

    index = 0
    with reader:
        while True:
            try:
                packet = reader.read_packet()
            except EOFError:
                return
            except Exception as exc:  # scapy raises assorted types on a damaged file
                raise CaptureError(
                    f"{path}: frame {index + 1} is damaged or the capture is cut short ({exc})"
                ) from exc
            index += 1
            if UDP not in packet:
                continue
            layer = IP if IP in packet else IPv6 if IPv6 in packet else None
            if layer is None:
                continue
            ip = packet[layer]
            udp = packet[UDP]
            sport, dport = int(udp.sport), int(udp.dport)
            if not {sport, dport} & {IKE_PORT, NAT_T_PORT}:
                continue
            raw = _udp_payload(udp.payload)
            wire_len = int(udp.len) - 8 if udp.len is not None else len(raw)
            kind, payload = classify(sport, dport, raw)
            if ike_only and kind is not DatagramKind.IKE:
                continue
            yield CapturedDatagram(
                index=index,
                timestamp=float(packet.time),
                src=str(ip.src),
                sport=sport,
                dst=str(ip.dst),
                dport=dport,
                kind=kind,
                payload=payload,
                truncated=len(raw) < wire_len,
            )
