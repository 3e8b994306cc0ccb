"""Outbound and inbound ESP SAs: sequence numbers, anti-replay, counters and volume limits.

An SA never reads a clock or an RNG: CBC IVs come from the `random_bytes` it is given, AEAD
IVs are the 64-bit sequence number (unique per SA, which is all RFC 4106 section 3.1 and
RFC 7634 section 2 ask), and time lifetimes are the engine's business. The SA reports when
its byte or packet limits (or its sequence numbers) run out through `limit_state`, and
refuses traffic once a hard limit is reached.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

from pyike.crypto.keys import ChildKeys
from pyike.ipsec.contexts import esp_context
from pyike.ipsec.errors import (
    EspConfigError,
    EspIntegrityError,
    EspLifetimeExpired,
    EspMalformedPacket,
    EspPayloadError,
    EspReplayError,
    EspSpiMismatch,
)
from pyike.ipsec.esp import (
    HEADER_SIZE,
    MAX_SEQ_32,
    MAX_SEQ_64,
    NEXT_HEADER_IPV4,
    NEXT_HEADER_IPV6,
    Buffer,
    Decapsulated,
    encrypted_part,
    high_order_bits,
    pack_header,
    split_encrypted_part,
    unpack_header,
)
from pyike.ipsec.replay import DEFAULT_WINDOW, ReplayWindow
from pyike.ipsec.transforms import EspTransform

RandomBytes = Callable[[int], bytes]


class EspMode(enum.Enum):
    """Tunnel: the payload is a whole IP packet. Transport: what followed the IP header."""

    TUNNEL = "Tunnel"
    TRANSPORT = "Transport"


class LimitState(enum.IntEnum):
    OK = 0
    SOFT = 1  # time to rekey
    HARD = 2  # the SA must not carry traffic any more


@dataclass(frozen=True)
class SaLimits:
    """Volume lifetimes (RFC 4301 section 4.4.2.1); None means no limit. Bytes are payload
    octets (the inner packet in tunnel mode)."""

    soft_bytes: int | None = None
    hard_bytes: int | None = None
    soft_packets: int | None = None
    hard_packets: int | None = None

    def __post_init__(self) -> None:
        for soft, hard, unit in (
            (self.soft_bytes, self.hard_bytes, "byte"),
            (self.soft_packets, self.hard_packets, "packet"),
        ):
            if any(v is not None and v < 0 for v in (soft, hard)):
                raise EspConfigError(f"negative {unit} limit")
            if soft is not None and hard is not None and soft > hard:
                raise EspConfigError(f"soft {unit} limit {soft} is above the hard limit {hard}")

    def state(self, packets: int, octets: int) -> LimitState:
        if _reached(octets, self.hard_bytes) or _reached(packets, self.hard_packets):
            return LimitState.HARD
        if _reached(octets, self.soft_bytes) or _reached(packets, self.soft_packets):
            return LimitState.SOFT
        return LimitState.OK


def _reached(value: int, limit: int | None) -> bool:
    return limit is not None and value >= limit


@dataclass
class OutboundCounters:
    packets: int = 0  # IOS #pkts encaps / encrypt / digest
    bytes: int = 0
    send_errors: int = 0  # refused: hard limit reached or unusable payload


@dataclass
class InboundCounters:
    packets: int = 0  # IOS #pkts decaps / decrypt / verify
    bytes: int = 0
    replay_failures: int = 0
    integrity_failures: int = 0
    malformed: int = 0  # bad length or padding
    spi_mismatches: int = 0
    expired: int = 0  # dropped after the hard limit

    @property
    def recv_errors(self) -> int:
        return (
            self.replay_failures
            + self.integrity_failures
            + self.malformed
            + self.spi_mismatches
            + self.expired
        )


class _EspSa:
    counters: OutboundCounters | InboundCounters

    def __init__(
        self,
        spi: int,
        transform: EspTransform,
        encr_key: bytes,
        integ_key: bytes,
        mode: EspMode,
        esn: bool,
        limits: SaLimits,
    ) -> None:
        if not 0 < spi <= MAX_SEQ_32:
            raise EspConfigError(f"SPI {spi} is not a non-zero 32-bit value")
        self.spi = spi
        self.transform = transform
        self.mode = mode
        self.esn = esn
        self.limits = limits
        self._context = esp_context(transform, encr_key, integ_key)
        self._hard_bytes = math.inf if limits.hard_bytes is None else limits.hard_bytes
        self._hard_packets = math.inf if limits.hard_packets is None else limits.hard_packets

    def __repr__(self) -> str:
        esn = ", ESN" if self.esn else ""
        return (
            f"{type(self).__name__}(spi=0x{self.spi:08X}, {self.transform.name},"
            f" {self.mode.value}{esn})"
        )

    @property
    def limit_state(self) -> LimitState:
        return self.limits.state(self.counters.packets, self.counters.bytes)

    @property
    def remaining_bytes(self) -> int | None:
        limit = self.limits.hard_bytes
        return None if limit is None else max(limit - self.counters.bytes, 0)


class OutboundEspSa(_EspSa):
    counters: OutboundCounters

    def __init__(
        self,
        spi: int,
        transform: EspTransform,
        encr_key: bytes,
        integ_key: bytes = b"",
        *,
        random_bytes: RandomBytes | None = None,
        mode: EspMode = EspMode.TUNNEL,
        esn: bool = False,
        limits: SaLimits = SaLimits(),
        tfc_pad_to: int = 0,
        next_seq: int = 1,
    ) -> None:
        """`tfc_pad_to` > 0 pads every payload to at least that many octets (TFC padding,
        only when the peer did not send ESP_TFC_PADDING_NOT_SUPPORTED). `next_seq` is the
        first sequence number to send."""
        super().__init__(spi, transform, encr_key, integ_key, mode, esn, limits)
        self._random_iv = not transform.is_aead and transform.iv_size > 0
        if self._random_iv and random_bytes is None:
            raise EspConfigError(f"{transform.encr.name} needs random_bytes for its IVs")
        self._random_bytes = random_bytes
        self._max_seq = MAX_SEQ_64 if esn else MAX_SEQ_32
        if not 0 < next_seq <= self._max_seq + 1:
            raise EspConfigError(f"first sequence number {next_seq} is out of range")
        if tfc_pad_to < 0:
            raise EspConfigError("TFC padding length must not be negative")
        self.next_seq = next_seq
        self.tfc_pad_to = tfc_pad_to
        self.counters = OutboundCounters()
        self._alignment = transform.alignment
        self._iv_size = transform.iv_size

    @property
    def limit_state(self) -> LimitState:
        if self.next_seq > self._max_seq:
            return LimitState.HARD
        return super().limit_state

    def _next_header(self, payload: bytes, next_header: int | None) -> int:
        if next_header is not None:
            if not 0 <= next_header <= 255:
                raise EspPayloadError(f"next header {next_header} is not an octet")
            return next_header
        if self.mode is EspMode.TRANSPORT:
            raise EspPayloadError("transport mode needs the payload's protocol number")
        version = payload[0] >> 4 if payload else None
        if version == 4:
            return NEXT_HEADER_IPV4
        if version == 6:
            return NEXT_HEADER_IPV6
        raise EspPayloadError("tunnel mode payload is not an IPv4 or IPv6 packet")

    def encapsulate(self, payload: bytes, next_header: int | None = None) -> bytes:
        """The ESP packet (SPI through ICV) carrying `payload`.

        In tunnel mode the next header (4 or 41) is read from the inner packet; in transport
        mode it is the protocol of the payload and must be given.
        """
        seq = self.next_seq
        counters = self.counters
        if (
            seq > self._max_seq
            or counters.bytes >= self._hard_bytes
            or counters.packets >= self._hard_packets
        ):
            counters.send_errors += 1
            raise EspLifetimeExpired("encaps: SA has reached its hard lifetime", spi=self.spi)
        try:
            next_header = self._next_header(payload, next_header)
        except EspPayloadError as exc:
            counters.send_errors += 1
            raise EspPayloadError(exc.detail, spi=self.spi) from None
        tfc = max(self.tfc_pad_to - len(payload), 0)
        plaintext = encrypted_part(payload, next_header, self._alignment, tfc)
        if self._random_iv:
            assert self._random_bytes is not None
            iv = self._random_bytes(self._iv_size)
        else:
            iv = seq.to_bytes(self._iv_size, "big") if self._iv_size else b""
        seq_hi = high_order_bits(seq) if self.esn else b""
        packet = self._context.seal(pack_header(self.spi, seq), iv, plaintext, seq_hi)
        self.next_seq = seq + 1
        counters.packets += 1
        counters.bytes += len(payload)
        return packet


class InboundEspSa(_EspSa):
    counters: InboundCounters

    def __init__(
        self,
        spi: int,
        transform: EspTransform,
        encr_key: bytes,
        integ_key: bytes = b"",
        *,
        mode: EspMode = EspMode.TUNNEL,
        esn: bool = False,
        replay_window: int = DEFAULT_WINDOW,
        limits: SaLimits = SaLimits(),
    ) -> None:
        """`replay_window` 0 turns anti-replay off (IOS `replay disable`)."""
        super().__init__(spi, transform, encr_key, integ_key, mode, esn, limits)
        self.replay = ReplayWindow(replay_window, esn=esn)
        self.counters = InboundCounters()
        self._overhead = HEADER_SIZE + transform.iv_size + transform.icv_size
        self._block = transform.encr.block_size

    def decapsulate(self, packet: Buffer) -> Decapsulated:
        """Check, verify and decrypt one ESP packet (SPI through ICV).

        Raises only EspError subclasses, each counted: EspMalformedPacket (lengths,
        padding), EspSpiMismatch, EspLifetimeExpired, EspReplayError, EspIntegrityError.
        """
        counters = self.counters
        encrypted = len(packet) - self._overhead
        if encrypted < 2 or encrypted % self._block:
            counters.malformed += 1
            raise EspMalformedPacket(
                f"decaps: {len(packet)}-octet packet does not fit {self.transform.name}",
                spi=self.spi,
            )
        spi, seq_low = unpack_header(packet)
        if spi != self.spi:
            counters.spi_mismatches += 1
            raise EspSpiMismatch(
                f"decaps: rec'd IPSEC packet has invalid spi 0x{spi:08X}", spi=self.spi
            )
        if counters.bytes >= self._hard_bytes or counters.packets >= self._hard_packets:
            counters.expired += 1
            raise EspLifetimeExpired("decaps: SA has reached its hard lifetime", spi=self.spi)
        seq = self.replay.infer(seq_low)
        why = self.replay.reason(seq)
        if why is not None:
            counters.replay_failures += 1
            raise EspReplayError(f"decrypt: replay check failed, {why}", spi=self.spi, seq=seq)
        seq_hi = high_order_bits(seq) if self.esn else b""
        try:
            plaintext, start = self._context.open(packet, seq_hi)
        except EspIntegrityError as exc:
            counters.integrity_failures += 1
            raise EspIntegrityError(exc.detail, spi=self.spi) from None
        # Authentic from here on: the window moves even if the trailer turns out bad.
        self.replay.accept(seq)
        try:
            next_header, payload = split_encrypted_part(plaintext, start)
        except EspMalformedPacket as exc:
            counters.malformed += 1
            raise type(exc)(exc.detail, spi=self.spi) from None
        if self.mode is EspMode.TUNNEL:
            payload = _without_tfc_padding(payload, next_header)
        counters.packets += 1
        counters.bytes += len(payload)
        return Decapsulated(next_header, payload, seq)


def _without_tfc_padding(payload: bytes, next_header: int) -> bytes:
    """The inner packet cut to its own length (RFC 4303 section 2.7: TFC padding follows it)."""
    if next_header == NEXT_HEADER_IPV4 and len(payload) >= 20:
        length = int.from_bytes(payload[2:4], "big")
    elif next_header == NEXT_HEADER_IPV6 and len(payload) >= 40:
        length = 40 + int.from_bytes(payload[4:6], "big")
    else:
        return payload
    return payload[:length] if 0 < length < len(payload) else payload


def child_sa_pair(
    transform: EspTransform,
    keys: ChildKeys,
    *,
    initiator: bool,
    spi_in: int,
    spi_out: int,
    random_bytes: RandomBytes | None = None,
    mode: EspMode = EspMode.TUNNEL,
    esn: bool = False,
    replay_window: int = DEFAULT_WINDOW,
    limits: SaLimits = SaLimits(),
    tfc_pad_to: int = 0,
) -> tuple[InboundEspSa, OutboundEspSa]:
    """Both SAs of a child SA from its KEYMAT: the initiator sends with the `*_i` keys
    (RFC 7296 section 2.17). `spi_in` is the SPI this side chose."""
    out_keys = (keys.encr_i, keys.integ_i) if initiator else (keys.encr_r, keys.integ_r)
    in_keys = (keys.encr_r, keys.integ_r) if initiator else (keys.encr_i, keys.integ_i)
    inbound = InboundEspSa(
        spi_in,
        transform,
        *in_keys,
        mode=mode,
        esn=esn,
        replay_window=replay_window,
        limits=limits,
    )
    outbound = OutboundEspSa(
        spi_out,
        transform,
        *out_keys,
        random_bytes=random_bytes,
        mode=mode,
        esn=esn,
        limits=limits,
        tfc_pad_to=tfc_pad_to,
    )
    return inbound, outbound
