"""NHRP in GRE (protocol type 0x2001, DMVPN) as IOS's `debug nhrp packet` prints it: in
the clear (a multipoint tunnel without `tunnel protection`) or opened from ESP
(`pyike.decode.esp`). Nothing here raises on bad input: a malformed NHRP packet is one
line saying so."""

from __future__ import annotations

from dataclasses import dataclass

from pyike.capture import CapturedDatagram
from pyike.nhrp import codec as nhrp_codec
from pyike.nhrp import debug as nhrp_debug
from pyike.nhrp.codec import GRE_PROTOCOL_NHRP
from pyike.node.gre import parse_gre


def gre_nhrp_lines(gre_bytes: bytes) -> tuple[str, ...]:
    """The NHRP packet a GRE packet (its header on) carries, as IOS prints it; () when it
    is not GRE carrying NHRP."""
    gre = parse_gre(gre_bytes)
    if gre is None or gre.protocol_type != GRE_PROTOCOL_NHRP:
        return ()
    return tuple(nhrp_lines(gre.payload))


def nhrp_lines(wire: bytes) -> list[str]:
    """An NHRP packet as IOS's `debug nhrp packet` prints it, headed by its type and size."""
    try:
        packet = nhrp_codec.decode(wire)
    except nhrp_codec.NhrpDecodeError as error:
        return [f"NHRP: malformed packet ({error}), {len(wire)} octets"]
    head = f"NHRP: {packet.type.ios_name}, packet size: {len(wire)}"
    return [head, *(line.text for line in nhrp_debug.dump(packet, wire))]


@dataclass(frozen=True)
class DecodedGre:
    """A GRE packet of the capture, in the clear, carrying NHRP."""

    datagram: CapturedDatagram
    nhrp: tuple[str, ...]

    @property
    def troubled(self) -> bool:
        return self.datagram.truncated or self.nhrp[0].startswith("NHRP: malformed")


def decode_gre(datagram: CapturedDatagram) -> DecodedGre | None:
    """The NHRP a clear GRE packet carries; None for GRE carrying anything else."""
    lines = gre_nhrp_lines(datagram.payload)
    return DecodedGre(datagram, lines) if lines else None


__all__ = ["DecodedGre", "decode_gre", "gre_nhrp_lines", "nhrp_lines"]
