"""IPv4 fragmentation (RFC 791) and reassembly for packets addressed to the router itself."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pyike.node.ip import IPv4Packet

REASSEMBLY_TIMEOUT = 15.0  # seconds a partial datagram is held
MAX_DATAGRAM = 65535


def fragment(packet: IPv4Packet, mtu: int, even: bool = False) -> list[IPv4Packet]:
    """Split `packet` into fragments of at most `mtu` bytes: as many full ones as it takes and
    the rest, or with `even`, that many of about the same size (IOS's IPsec pre-fragmentation,
    so that no fragment is near the limit). Options are copied only when their copy flag is
    set; pyike's own packets carry none, so later fragments simply omit them."""
    if packet.total_length <= mtu:
        return [packet]
    chunk = (mtu - packet.header_length) // 8 * 8
    if chunk <= 0:
        raise ValueError(f"MTU {mtu} too small to fragment")
    data = packet.payload
    if even:
        count = -(-len(data) // chunk)
        share = -(-len(data) // count)
        chunk = (share + 7) // 8 * 8  # offsets count in 8s; still at most the full size
    out = []
    for start in range(0, len(data), chunk):
        piece = data[start : start + chunk]
        last = start + chunk >= len(data)
        out.append(
            replace(
                packet,
                payload=piece,
                frag_offset=packet.frag_offset + start,
                mf=packet.mf or not last,
                options=packet.options if start == 0 else b"",
            )
        )
    return out


@dataclass
class _Partial:
    first_seen: float
    pieces: dict[int, bytes] = field(default_factory=dict)
    total: int | None = None
    head: IPv4Packet | None = None


class Reassembler:
    """Collects fragments by (source, destination, protocol, identification)."""

    def __init__(self, timeout: float = REASSEMBLY_TIMEOUT) -> None:
        self.timeout = timeout
        self._partials: dict[tuple[int, int, int, int], _Partial] = {}
        self.timeouts = 0
        self.reassembled = 0

    def __len__(self) -> int:
        return len(self._partials)

    def add(self, packet: IPv4Packet, now: float) -> IPv4Packet | None:
        """Feed one fragment; the whole datagram comes back when its last piece arrives."""
        self.expire(now)
        if not packet.is_fragment:
            return packet
        key = (packet.src, packet.dst, packet.protocol, packet.ident)
        partial = self._partials.setdefault(key, _Partial(now))
        partial.pieces[packet.frag_offset] = packet.payload
        if packet.frag_offset == 0:
            partial.head = packet
        if not packet.mf:
            partial.total = packet.frag_offset + len(packet.payload)
        if partial.total is None or partial.head is None:
            return None
        data = bytearray()
        for offset in sorted(partial.pieces):
            if offset != len(data):
                return None  # a hole (or an overlap, which pyike does not try to merge)
            data += partial.pieces[offset]
        if len(data) != partial.total or partial.total > MAX_DATAGRAM:
            return None
        del self._partials[key]
        self.reassembled += 1
        return replace(partial.head, payload=bytes(data), mf=False, frag_offset=0)

    def expire(self, now: float) -> None:
        stale = [k for k, p in self._partials.items() if now - p.first_seen >= self.timeout]
        for key in stale:
            del self._partials[key]
        self.timeouts += len(stale)
