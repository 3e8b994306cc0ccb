"""Write what crossed the virtual wire to a pcap file (raw IPv4 link type), via scapy."""

from __future__ import annotations

from pathlib import Path

from scapy.utils import PcapWriter

from pyike.sim.network import CapturedPacket

LINKTYPE_RAW = 101  # packets start with the IP header
EPOCH = 1_700_000_000.0  # virtual time 0 in the file; any fixed instant keeps files stable


class PcapRecorder:
    """A capture hook: `network.add_capture(PcapRecorder(path))`. Optionally one segment."""

    def __init__(self, path: str | Path, segment: str | None = None, epoch: float = EPOCH) -> None:
        self.path = Path(path)
        self.segment = segment
        self.epoch = epoch
        self.count = 0
        self._writer = PcapWriter(str(self.path), linktype=LINKTYPE_RAW, sync=True)
        self._writer.write_header(None)  # a capture of nothing is still a valid file

    def __call__(self, packet: CapturedPacket) -> None:
        if self.segment is not None and packet.segment != self.segment:
            return
        self._writer.write_packet(
            packet.data, sec=int(self.epoch + packet.time), usec=_usec(packet.time)
        )
        self.count += 1

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> PcapRecorder:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()


def _usec(t: float) -> int:
    return round((t - int(t)) * 1_000_000) % 1_000_000
