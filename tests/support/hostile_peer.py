"""Mutated IKE and ESP datagrams for the hostile-peer test, from a seeded RNG (the same plan
every run). Each kind is built so that a gateway must drop it, and says which counter of
`show crypto ikev2 stats` or `show crypto ipsec sa detail` must count it; the datagrams go
out through `hostile_sender.py` inside the attacker's namespace.

ESP mutations start from packets captured on their way to the gateway (so their SPI is one
of its inbound SAs): replayed as they are, given a fresh sequence number and a wrong ICV, cut
to a length the transform cannot have, cut below the ESP header, or given an SPI no SA has.
IKE mutations are an IKE_SA_INIT request broken in its header or its payload chain, and
messages on the established IKE SA's SPIs that cannot be genuine: encrypted payloads and
fragments (in and out of order, and impossible numbers) with random contents, responses to
requests never sent, the wrong initiator flag."""

from __future__ import annotations

import random
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyike.codec import IkeHeader, KePayload, Message, NoncePayload, encode_message, make_flags
from pyike.codec.message import Payload
from pyike.codec.registry import DhId, ExchangeType, PayloadType
from pyike.ike.proposals import ike_sa_payload
from tests.support.ike_flood import PROPOSAL

UDP, ESP = 17, 50
IKE_PORT, NAT_T_PORT = 500, 4500
MARKER = bytes(4)
HEADER = 28

# Counters (what `counter_deltas` reads in the show output).
DISPATCH = "IKEv2 packets dropped at dispatch"
REPLAY = "replay failed"
VERIFY = "verify failed"
INVALID_LEN = "invalid len"
BELOW_HEADER = "invalid len, below the ESP header"  # counted apart by the metrics
INVALID_SA = "invalid sa"
NOT_A_PEER = "from no peer"  # ESP from an address no tunnel has as its peer


@dataclass(frozen=True)
class EspShape:
    """What an ESP transform makes of a packet's length: IV, ICV and cipher block sizes."""

    iv: int
    icv: int
    block: int

    @property
    def overhead(self) -> int:
        return 8 + self.iv + self.icv  # SPI, sequence number, IV, ICV

    def impossible(self, length: int) -> bool:
        """A length no packet of this transform has (at least the pad length and next
        header octets, whole cipher blocks)."""
        body = length - self.overhead
        return body < 2 or body % self.block != 0


@dataclass(frozen=True)
class Hostile:
    """One datagram, where it goes and the counter that must count it."""

    counter: str
    source: str
    destination: str
    protocol: int
    data: bytes
    sport: int = 0
    dport: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "destination": self.destination,
            "protocol": self.protocol,
            "sport": self.sport,
            "dport": self.dport,
            "data": self.data.hex(),
        }


# -- ESP -------------------------------------------------------------------------------------


def _with_seq(packet: bytes, seq: int) -> bytes:
    return packet[:4] + struct.pack("!I", seq) + packet[8:]


def _flip_last(packet: bytes) -> bytes:
    return packet[:-1] + bytes([packet[-1] ^ 0x01])


def esp_mutations(
    rng: random.Random, captured: Sequence[bytes], known_spis: set[int], shape: EspShape, n: int
) -> list[tuple[str, bytes]]:
    """`n` (counter, ESP packet) pairs, the kinds in turn."""

    def replay() -> tuple[str, bytes]:
        return REPLAY, rng.choice(captured)

    def wrong_icv() -> tuple[str, bytes]:
        fresh = rng.randrange(1 << 31, 1 << 32)  # ahead of the window: it passes replay
        return VERIFY, _flip_last(_with_seq(rng.choice(captured), fresh))

    def bad_length() -> tuple[str, bytes]:
        packet = rng.choice(captured)
        lengths = [n for n in range(8, len(packet)) if shape.impossible(n)]
        return INVALID_LEN, packet[: rng.choice(lengths)]

    def below_header() -> tuple[str, bytes]:
        size = rng.randrange(1, 8)
        data = bytes([rng.randrange(1, 256)]) + rng.randbytes(size - 1)
        return BELOW_HEADER, data if data != b"\xff" else b"\xfe"  # 0xFF: a NAT keepalive

    def bad_spi() -> tuple[str, bytes]:
        spi = rng.randrange(1, 1 << 32)
        while spi in known_spis:
            spi = rng.randrange(1, 1 << 32)
        body = rng.randbytes(rng.randrange(4, 40) * 4)
        return INVALID_SA, struct.pack("!I", spi) + body

    kinds: list[Callable[[], tuple[str, bytes]]] = [
        replay,
        wrong_icv,
        bad_length,
        below_header,
        bad_spi,
    ]
    return [kinds[i % len(kinds)]() for i in range(n)]


# -- IKE -------------------------------------------------------------------------------------


def init_request(rng: random.Random) -> bytes:
    """A well-formed IKE_SA_INIT request (the seed's proposal, MODP-1024, a nonce)."""
    header = IkeHeader(
        spi_i=rng.randbytes(8),
        exchange_type=ExchangeType.IKE_SA_INIT,
        flags=make_flags(initiator=True, response=False),
    )
    payloads: list[Payload] = [
        ike_sa_payload([PROPOSAL]),
        KePayload(DhId.MODP_1024, b"\x7f" + rng.randbytes(127)),
        NoncePayload(rng.randbytes(32)),
    ]
    return encode_message(Message(header, payloads))


def _set_length(message: bytes, length: int) -> bytes:
    return message[:24] + struct.pack("!I", length) + message[28:]


def _broken_init(rng: random.Random) -> bytes:
    """An IKE_SA_INIT request broken in its header or its payload chain."""
    message = init_request(rng)
    first = HEADER  # the first payload's generic header
    choice = rng.randrange(6)
    if choice == 0:  # cut inside the chain, the header's length agreeing
        cut = rng.randrange(HEADER + 1, len(message) - 1)
        return _set_length(message[:cut], cut)
    if choice == 1:  # the header's length disagreeing with the datagram's
        return _set_length(message, len(message) + rng.choice((-7, -1, 1, 9, 1000)))
    if choice == 2:  # a payload length below its own header
        return message[: first + 2] + struct.pack("!H", rng.randrange(4)) + message[first + 4 :]
    if choice == 3:  # a payload length past the end
        too_long = len(message) - first + rng.randrange(1, 200)
        return message[: first + 2] + struct.pack("!H", too_long) + message[first + 4 :]
    if choice == 4:  # another major version
        return message[:17] + bytes([rng.choice((0x10, 0x30, 0xF0))]) + message[18:]
    # an unknown payload type marked critical first in the chain
    return message[:16] + bytes([200]) + message[17 : first + 1] + b"\x80" + message[first + 2 :]


def _on_sa(
    rng: random.Random,
    spi_i: bytes,
    spi_r: bytes,
    *,
    initiator: bool,
    response: bool,
    fragment: tuple[int, int] | None = None,
) -> bytes:
    """A message on the IKE SA (spi_i, spi_r) whose encrypted payload (SK, or SKF with
    fragment (number, total)) is random: IV 16, some blocks, ICV 12."""
    body = rng.randbytes(16 + 16 * rng.randrange(1, 6) + 12)
    if fragment is None:
        kind, prefix = PayloadType.SK, b""
    else:
        kind, prefix = PayloadType.SKF, struct.pack("!HH", *fragment)
    payload = struct.pack("!BBH", PayloadType.NONE, 0, 4 + len(prefix) + len(body))
    payload += prefix + body
    exchange = rng.choice((ExchangeType.INFORMATIONAL, ExchangeType.CREATE_CHILD_SA))
    flags = make_flags(initiator=initiator, response=response)
    header = struct.pack(
        "!8s8sBBBBII", spi_i, spi_r, kind, 0x20, exchange, flags,
        rng.randrange(0, 8), HEADER + len(payload),
    )  # fmt: skip
    return header + payload


def ike_mutations(
    rng: random.Random, spi_i: bytes, spi_r: bytes, peer_is_initiator: bool, n: int
) -> list[bytes]:
    """`n` IKE messages a gateway must drop; the SA's own are as its peer would send them
    (the peer's initiator flag), except those with the wrong one."""

    def garbage() -> list[bytes]:
        return [rng.randbytes(rng.randrange(1, HEADER))]

    def broken_init() -> list[bytes]:
        return [_broken_init(rng)]

    def forged_request() -> list[bytes]:
        return [_on_sa(rng, spi_i, spi_r, initiator=peer_is_initiator, response=False)]

    def unasked_response() -> list[bytes]:
        return [_on_sa(rng, spi_i, spi_r, initiator=peer_is_initiator, response=True)]

    def wrong_flag() -> list[bytes]:
        return [_on_sa(rng, spi_i, spi_r, initiator=not peer_is_initiator, response=False)]

    def fragments() -> list[bytes]:
        total = rng.randrange(2, 6)
        numbers = [(i, total) for i in range(1, total + 1)]
        rng.shuffle(numbers)  # out of order
        numbers.append(rng.choice(((0, total), (total + 1, total), (1, 0))))  # impossible
        return [
            _on_sa(rng, spi_i, spi_r, initiator=peer_is_initiator, response=False, fragment=f)
            for f in numbers
        ]

    kinds = [garbage, broken_init, forged_request, unasked_response, wrong_flag, fragments]
    out: list[bytes] = []
    while len(out) < n:
        out += rng.choice(kinds)()
    return out[:n]
