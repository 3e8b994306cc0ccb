"""IKE message fragmentation (RFC 7383): splitting an outgoing SK message into SKF fragments
and collecting incoming fragments until the message is whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyike.codec import IkeHeader, Payload, encode_payload_chain, reassemble_fragments
from pyike.codec.header import HEADER_SIZE
from pyike.codec.protect import encode_protected_fragment, split_for_fragments
from pyike.codec.udp_encap import NON_ESP_MARKER
from pyike.crypto.sk import IkeSkCipher

IP_UDP_OVERHEAD = {4: 20 + 8, 6: 40 + 8}  # what an IKE datagram costs of the MTU, by IP version
_SKF_HEADERS = 4 + 4  # generic payload header + fragment number and total
MAX_FRAGMENTS = 64


def fragment(
    header: IkeHeader,
    payloads: list[Payload],
    cipher: IkeSkCipher,
    random_bytes: Callable[[int], bytes],
    mtu: int,
    ip_version: int,
    nat_t: bool,
) -> list[bytes]:
    """The SKF messages carrying ``payloads``, each fitting ``mtu`` octets of IP datagram.
    Each fragment's IV comes from ``random_bytes``."""
    first_type, plaintext = encode_payload_chain(payloads)
    overhead = IP_UDP_OVERHEAD[ip_version] + HEADER_SIZE + _SKF_HEADERS
    overhead += len(NON_ESP_MARKER) if nat_t else 0
    overhead += cipher.sealed_length(0)  # IV, one pad-length octet, ICV
    block = cipher.encr.block_size
    room = mtu - overhead - block
    chunk_size = max(block, room - room % block)
    chunks = split_for_fragments(plaintext, chunk_size)
    return [
        encode_protected_fragment(
            header, first_type, chunk, number, len(chunks), cipher, random_bytes(cipher.iv_size)
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


@dataclass
class FragmentBuffer:
    """The fragments received so far of one message."""

    total: int
    first_inner_type: int = 0
    chunks: dict[int, bytes] = field(default_factory=dict)

    def add(self, number: int, total: int, first_inner_type: int, chunk: bytes) -> bool:
        """Stores a fragment; False when it contradicts the others (then it is ignored)."""
        if total != self.total or number in self.chunks:
            return False
        self.chunks[number] = chunk
        if number == 1:
            self.first_inner_type = first_inner_type
        return True

    @property
    def complete(self) -> bool:
        return len(self.chunks) == self.total

    def payloads(self) -> list[Payload]:
        ordered = [self.chunks[n] for n in range(1, self.total + 1)]
        return reassemble_fragments(self.first_inner_type, ordered)
