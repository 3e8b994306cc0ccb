"""Text and JSON views of decoded capture messages and ESP packets."""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from pyike import ios_names
from pyike.capture import CapturedDatagram
from pyike.codec.generic import GENERIC_HEADER_SIZE
from pyike.codec.message import Payload
from pyike.codec.payloads import NotifyPayload
from pyike.codec.registry import PayloadType, name_of
from pyike.codec.sa import Transform
from pyike.codec.udp_encap import Carried
from pyike.decode.certificates import CertificateNotes
from pyike.decode.esp import DecodedEsp
from pyike.decode.gre import DecodedGre
from pyike.decode.pipeline import DecodedMessage
from pyike.trace.packet_dump import header_line, payload_lines

Decoded = DecodedMessage | DecodedEsp | DecodedGre


def _timestamp(seconds: float) -> str:
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):  # beyond the years 1 to 9999
        return f"{seconds:.6f} s since 1970 (a time stamp outside the calendar)"
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _frame(d: CapturedDatagram) -> str:
    if d.kind in (Carried.ESP, Carried.GRE):
        return f"Frame {d.index} at {_timestamp(d.timestamp)}: {d.src} -> {d.dst}"
    return f"Frame {d.index} at {_timestamp(d.timestamp)}: {d.src}:{d.sport} -> {d.dst}:{d.dport}"


def heading(record: DecodedMessage) -> str:
    d = record.datagram
    marker = " (non-ESP marker)" if d.non_esp_marker else ""
    text = _frame(d)
    if record.message is not None:
        h = record.message.header
        text += f"  I_SPI={h.spi_i.hex().upper()} R_SPI={h.spi_r.hex().upper()}"
    return text + marker


def text_lines(record: Decoded, notes: CertificateNotes | None = None) -> list[str]:
    """The heading, then the message as `debug crypto ikev2 packet` prints it (with
    `notes`: each certificate's subject and each CERTREQ's CAs under their blocks), or the
    ESP packet's SPI, sequence number and contents."""
    if isinstance(record, DecodedEsp):
        return esp_lines(record)
    if isinstance(record, DecodedGre):
        return gre_lines(record)
    lines = [heading(record)]
    lines.extend(f"IKEv2-ERROR:{problem}" for problem in record.problems)
    if record.error is not None:
        err = record.error
        lines.append(
            f"IKEv2-ERROR:malformed message, {err.payload_name} at offset {err.offset}: "
            f"{err.detail}; a responder would answer {err.notify.name}"
        )
        return lines
    message = record.message
    assert message is not None
    lines.append(f"IKEv2:{header_line(message.header)}")
    lines.append("Payload contents:")
    lines.extend(payload_lines(message.payloads, extra=notes))
    if record.inner is not None:
        lines.extend(payload_lines(record.inner, extra=notes))
    lines.extend(f"IKEv2:{note}" for note in record.notes)
    return lines


def esp_lines(record: DecodedEsp) -> list[str]:
    d = record.datagram
    lines = [_frame(d) + (" (ESP in UDP)" if d.kind is Carried.ESP_IN_UDP else " (ESP)")]
    lines.extend(f"ESP-ERROR:{problem}" for problem in record.problems)
    if record.spi is None:
        return lines
    text = f"ESP: SPI 0x{record.spi:08X}, sequence number {record.seq}"
    lines.append(text + (f", {record.transform}" if record.transform else ""))
    if record.inner is not None:
        lines.append(f"ESP: {record.inner.summary()}")
        lines += record.inner.nhrp
    elif record.dummy:
        lines.append("ESP: a dummy packet (Next Header 59), to be discarded")
    lines.extend(f"ESP:{note}" for note in record.notes)
    return lines


def gre_lines(record: DecodedGre) -> list[str]:
    lines = [_frame(record.datagram) + " (GRE)"]
    if record.datagram.truncated:
        lines.append("GRE-ERROR:the capture holds only part of this packet")
    return lines + list(record.nhrp)


def _plain(value: Any) -> Any:
    """A JSON-ready form of codec values: bytes as hex, enums by name, addresses as text."""
    if isinstance(value, IntEnum):
        return value.name
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    if isinstance(value, Transform):
        fields = _fields(value)
        fields["name"] = ios_names.transform_name(value.type, value.id)
        return fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _payload_json(payload: Payload) -> dict[str, Any]:
    kind = int(payload.payload_type)
    out: dict[str, Any] = {
        "payload": ios_names.payload_name(kind),
        "type": kind,
        "type_name": name_of(PayloadType, kind),
        "length": GENERIC_HEADER_SIZE + len(payload.encode_body()),
    }
    if isinstance(payload, NotifyPayload):
        out["notify"] = ios_names.notify_name(payload.notify_type)
    out.update(_fields(payload))
    return out


def json_object(record: Decoded) -> dict[str, Any]:
    if isinstance(record, DecodedEsp):
        return esp_json(record)
    if isinstance(record, DecodedGre):
        return gre_json(record)
    d = record.datagram
    out: dict[str, Any] = {
        "frame": d.index,
        "time": d.timestamp,
        "src": d.src,
        "sport": d.sport,
        "dst": d.dst,
        "dport": d.dport,
        "non_esp_marker": d.non_esp_marker,
    }
    if record.error is not None:
        out["error"] = {
            "detail": record.error.detail,
            "payload": record.error.payload_name,
            "offset": record.error.offset,
            "notify": record.error.notify.name,
        }
    if record.message is not None:
        h = record.message.header
        out["header"] = {
            "spi_i": h.spi_i.hex(),
            "spi_r": h.spi_r.hex(),
            "next_payload": ios_names.payload_name(h.next_payload),
            "version": f"{h.major_version}.{h.minor_version}",
            "exchange": ios_names.exchange_name(h.exchange_type),
            "exchange_type": int(h.exchange_type),
            "flags": {"initiator": h.initiator, "response": h.response, "version": h.version},
            "message_id": h.message_id,
            "length": h.length,
        }
        out["payloads"] = [_payload_json(p) for p in record.message.payloads]
    if record.inner is not None:
        out["decrypted"] = [_payload_json(p) for p in record.inner]
    out["notes"] = list(record.notes)
    out["problems"] = list(record.problems)
    return out


def esp_json(record: DecodedEsp) -> dict[str, Any]:
    d = record.datagram
    udp = d.kind is Carried.ESP_IN_UDP
    out: dict[str, Any] = {
        "frame": d.index,
        "time": d.timestamp,
        "src": d.src,
        "sport": d.sport if udp else None,
        "dst": d.dst,
        "dport": d.dport if udp else None,
        "esp": {"spi": record.spi, "seq": record.seq, "transform": record.transform},
        "dummy": record.dummy,
        "inner": None if record.inner is None else _plain(record.inner),
    }
    if record.inner is not None:
        out["inner"]["protocol_name"] = record.inner.protocol_name
        out["inner"]["summary"] = record.inner.summary()
    out["notes"] = list(record.notes)
    out["problems"] = list(record.problems)
    return out


def gre_json(record: DecodedGre) -> dict[str, Any]:
    d = record.datagram
    return {
        "frame": d.index,
        "time": d.timestamp,
        "src": d.src,
        "dst": d.dst,
        "gre": {"nhrp": list(record.nhrp)},
        "problems": ["the capture holds only part of this packet"] if d.truncated else [],
    }
