"""ESP packets of a capture, opened with the keys of an esp_sa table: the SPI, the sequence
number and a one-line summary of the packet inside (RFC 4303), in tunnel mode (an IP packet
inside) or transport mode (a transport payload, between the outer addresses).

Nothing here raises on bad input: a missing key, a failed ICV or a malformed trailer becomes a
problem of that packet. Extended sequence numbers cannot be told from a capture; ESP SAs are
opened without them, as Wireshark does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pyike.capture import CapturedDatagram, IpPacket, parse_ip, skip_ipv6_extensions
from pyike.codec.registry import IntegId
from pyike.codec.udp_encap import Carried
from pyike.crypto.encr import AeadAlgorithm, CipherAlgorithm, encr_algorithm
from pyike.crypto.errors import CryptoError, IntegrityError
from pyike.crypto.integ import IntegAlgorithm, UncheckedIntegrity, integ_algorithm
from pyike.decode.gre import gre_nhrp_lines
from pyike.ipsec.errors import EspError
from pyike.ipsec.esp import (
    HEADER_SIZE,
    NEXT_HEADER_IPV4,
    NEXT_HEADER_IPV6,
    NO_NEXT_HEADER,
    split_encrypted_part,
    unpack_header,
)
from pyike.node.gre import GRE_PROTOCOL
from pyike.wireshark_keys import EspSaKeys, UncheckedIcv

_PROTOCOLS = {1: "ICMP", 6: "TCP", 17: "UDP", 47: "GRE", 50: "ESP", 58: "ICMPv6", 132: "SCTP"}
_PORTS = {6, 17, 132}
_ICMP = {  # (version, type) -> name
    (4, 0): "echo reply",
    (4, 3): "destination unreachable",
    (4, 8): "echo request",
    (4, 11): "time exceeded",
    (6, 1): "destination unreachable",
    (6, 2): "packet too big",
    (6, 3): "time exceeded",
    (6, 128): "echo request",
    (6, 129): "echo reply",
}


@dataclass(frozen=True)
class InnerPacket:
    """What an ESP packet carried."""

    mode: str  # "tunnel" or "transport"
    version: int
    src: str
    dst: str
    protocol: int
    length: int  # octets of the inner packet (tunnel) or transport payload (transport)
    sport: int | None = None
    dport: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    # GRE carrying NHRP (DMVPN): the packet as IOS's `debug nhrp packet` shows it.
    nhrp: tuple[str, ...] = ()

    @property
    def protocol_name(self) -> str:
        return _PROTOCOLS.get(self.protocol, f"protocol {self.protocol}")

    def summary(self) -> str:
        """ "tunnel mode, IPv4 192.168.1.1 -> 192.168.2.1 ICMP echo request (type 8, code 0),
        84 octets"."""
        src, dst = self.src, self.dst
        if self.sport is not None:
            src, dst = _with_port(src, self.sport), _with_port(dst, self.dport)
        text = f"{self.mode} mode, IPv{self.version} {src} -> {dst} {self.protocol_name}"
        if self.icmp_type is not None:
            name = _ICMP.get((self.version, self.icmp_type))
            text += f" {name}" if name else ""
            text += f" (type {self.icmp_type}, code {self.icmp_code})"
        return f"{text}, {self.length} octets"


def _with_port(address: str, port: int | None) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


@dataclass
class DecodedEsp:
    """One ESP packet of the capture and what could be made of it."""

    datagram: CapturedDatagram
    spi: int | None = None
    seq: int | None = None
    sa: EspSaKeys | None = None
    inner: InnerPacket | None = None
    dummy: bool = False  # a TFC dummy packet (Next Header 59)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def troubled(self) -> bool:
        return bool(self.problems)

    @property
    def transform(self) -> str | None:
        if self.sa is None:
            return None
        encr, integ = self.sa.encr.name, self.sa.integ
        if isinstance(integ, UncheckedIcv):
            return f"{encr}/ICV of {integ.size} octets"
        return encr if integ.id == IntegId.NONE else f"{encr}/{integ.name}"


def decode_esp(datagram: CapturedDatagram, keys: Sequence[EspSaKeys]) -> DecodedEsp:
    record = DecodedEsp(datagram)
    packet = datagram.payload
    if datagram.truncated:
        record.problems.append("the capture holds only part of this packet")
    if len(packet) < HEADER_SIZE:
        record.problems.append(f"{len(packet)} octets: shorter than an ESP header")
        return record
    record.spi, record.seq = unpack_header(packet)
    record.sa = next((k for k in keys if k.matches(record.spi, datagram.src, datagram.dst)), None)
    if record.sa is None:
        record.notes.append(f"no keys for ESP SA 0x{record.spi:08X}: contents not shown")
        return record
    if isinstance(record.sa.integ, UncheckedIcv):
        record.notes.append("ICV not checked")
    try:
        next_header, payload = _open(record.sa, packet)
    except IntegrityError:
        record.problems.append(
            f"decrypt: mac verification failed for SPI 0x{record.spi:08X}: wrong key, or the "
            "packet was altered; contents not shown"
        )
        return record
    except (CryptoError, EspError) as exc:
        record.problems.append(f"cannot decrypt with the keys given: {exc}")
        return record
    record.dummy = next_header == NO_NEXT_HEADER
    if not record.dummy:
        record.inner = _inner(datagram, next_header, payload)
    return record


def _integrity(sa: EspSaKeys) -> IntegAlgorithm | None:
    if isinstance(sa.integ, UncheckedIcv):
        return UncheckedIntegrity(sa.integ.size)
    return None if sa.integ.id == IntegId.NONE else integ_algorithm(sa.integ.id)


def _open(sa: EspSaKeys, packet: bytes) -> tuple[int, bytes]:
    """(next header, payload) of an ESP packet: its ICV verified (unless unchecked), then
    decrypted (RFC 4303 section 3.4)."""
    encr = encr_algorithm(sa.encr.id, sa.encr.key_length)
    integ = _integrity(sa)
    start = HEADER_SIZE + encr.iv_size
    icv_size = encr.icv_size if integ is None else integ.icv_size
    if len(packet) < start + icv_size + 2:
        raise CryptoError(f"{len(packet)} octets: too short for {sa.encr.name}")
    iv = packet[HEADER_SIZE:start]
    if isinstance(encr, AeadAlgorithm):
        plaintext = encr.open(sa.encr_key, iv, packet[start:], packet[:HEADER_SIZE])
    else:
        assert isinstance(encr, CipherAlgorithm)
        end = len(packet) - icv_size
        if integ is not None and not integ.verify(sa.integ_key, packet[:end], packet[end:]):
            raise IntegrityError(f"{integ.name}: ICV check failed")
        plaintext = encr.decrypt(sa.encr_key, iv, packet[start:end])
    return split_encrypted_part(plaintext, 0)


def _inner(datagram: CapturedDatagram, next_header: int, payload: bytes) -> InnerPacket | None:
    if next_header in (NEXT_HEADER_IPV4, NEXT_HEADER_IPV6):
        packet = parse_ip(payload)
        if packet is None:
            return None
        if packet.version == 4:
            length = int.from_bytes(payload[2:4], "big")
        else:
            length = 40 + int.from_bytes(payload[4:6], "big")
        return _summary("tunnel", packet, length)
    version, protocol, offset = 4, next_header, 0
    if ":" in datagram.src:  # extension headers may come first in IPv6 transport mode
        version = 6
        protocol, offset = skip_ipv6_extensions(next_header, payload, 0)
    data = payload[offset:]
    transport = IpPacket(version, datagram.src, datagram.dst, protocol, data, len(data))
    return _summary("transport", transport, len(payload))


def _summary(mode: str, packet: IpPacket, length: int) -> InnerPacket:
    data, protocol = packet.payload, packet.protocol
    inner = InnerPacket(mode, packet.version, packet.src, packet.dst, protocol, length)
    if protocol in _PORTS and len(data) >= 4:
        sport, dport = int.from_bytes(data[:2], "big"), int.from_bytes(data[2:4], "big")
        return replace(inner, sport=sport, dport=dport)
    if protocol in (1, 58) and len(data) >= 2:
        return replace(inner, icmp_type=data[0], icmp_code=data[1])
    if protocol == GRE_PROTOCOL:
        return replace(inner, nhrp=gre_nhrp_lines(data))
    return inner


def is_esp(datagram: CapturedDatagram) -> bool:
    return datagram.kind in (Carried.ESP, Carried.ESP_IN_UDP)
