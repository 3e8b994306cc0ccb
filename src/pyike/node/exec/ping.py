"""`ping`: ICMP echoes on the router's clock, reported with IOS's characters.

`!` reply, `.` timeout, `U` unreachable, `M` could not fragment, `&` lifetime exceeded,
`Q` source quench, `?` anything else. Round-trip times are virtual milliseconds. Echoes are
sent one at a time (up to IOS's 2147483647), their sequence numbers wrapping at 65536, and the
escape sequence (`abort`) ends the ping with the summary of the echoes so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from itertools import count

from pyike.ios_names import milliseconds as ms
from pyike.node import icmp, icmpv6
from pyike.node.exec.probe import ProbeJob
from pyike.node.ip import IPv4Packet, IPv6Packet
from pyike.node.router import Router

PATTERN = b"\xab\xcd"  # IOS's default data pattern
ICMP_IP_HEADERS = 28
ICMPV6_IP_HEADERS = 48
LINE_WIDTH = 70
SEQUENCE_SPACE = 1 << 16  # ICMP echo sequence numbers are 16 bits and wrap
_idents = count(1)


@dataclass(frozen=True)
class PingOptions:
    target: IPv4Address | IPv6Address
    repeat: int = 5
    size: int = 100  # the whole IP datagram, as IOS counts it
    timeout: float = 2.0
    source: IPv4Address | IPv6Address | None = None
    df: bool = False
    vrf: str | None = None  # `ping vrf NAME ...`: sent and routed in that VRF

    @property
    def ipv6(self) -> bool:
        return self.target.version == 6


class PingJob(ProbeJob):
    def __init__(self, router: Router, options: PingOptions) -> None:
        super().__init__(router)
        self.options = options
        self.ident = next(_idents) & 0xFFFF
        self.completed = 0  # echoes answered, refused or timed out
        self.replies = 0
        self._rtt_min = self._rtt_sum = self._rtt_max = 0  # of the replies, in ms
        self._sequence = 0
        self._column = 0

    def start(self) -> PingJob:
        o = self.options
        self.write("Type escape sequence to abort.\n")
        self.write(
            f"Sending {o.repeat}, {o.size}-byte ICMP Echos to {_text(o.target)}, "
            f"timeout is {_seconds(o.timeout)} seconds:\n"
        )
        if o.source is not None:
            self.write(f"Packet sent with a source address of {_text(o.source)} \n")
        if o.df:
            self.write("Packet sent with the DF bit set\n")
        self.router.listen(self._key, self._on_icmp)
        self._send()
        return self

    @property
    def _key(self) -> tuple[str, int]:
        return ("echo6" if self.options.ipv6 else "echo", self.ident)

    def _send(self) -> None:
        o = self.options
        self._sequence = (self._sequence + 1) % SEQUENCE_SPACE
        source = self._source(o.target, o.source, o.vrf)
        headers = ICMPV6_IP_HEADERS if o.ipv6 else ICMP_IP_HEADERS
        data = (PATTERN * o.size)[: max(o.size - headers, 0)]
        self._probe_sent(o.timeout)
        if source is None:
            return  # no route: the echo never leaves; IOS reports a timeout
        if o.ipv6:
            request = icmpv6.echo(True, self.ident, self._sequence, data)
            self.router.v6.originate(icmpv6.packet(source, int(o.target), request), o.vrf)
            return
        message = icmp.echo(True, self.ident, self._sequence, data)
        packet = icmp.packet(
            source, int(o.target), message, ident=self.router.next_ident(), df=o.df
        )
        self.router.originate(packet, o.vrf)

    def _on_icmp(self, packet: IPv4Packet | IPv6Packet, message: icmp.IcmpMessage) -> None:
        if isinstance(packet, IPv6Packet):
            self._on_icmpv6(message)
            return
        if message.type == icmp.ECHO_REPLY:
            if message.sequence != self._sequence:
                return
            self._reply()
            return
        quoted = icmp.quoted_packet(message)
        if quoted is None or int.from_bytes(quoted.payload[6:8], "big") != self._sequence:
            return
        if message.type == icmp.DEST_UNREACHABLE:
            self._record("M" if message.code == icmp.FRAGMENTATION_NEEDED else "U")
        elif message.type == icmp.TIME_EXCEEDED:
            self._record("&")
        elif message.type == icmp.SOURCE_QUENCH:
            self._record("Q")
        else:
            self._record("?")

    def _on_icmpv6(self, message: icmp.IcmpMessage) -> None:
        if message.type == icmpv6.ECHO_REPLY:
            if message.sequence == self._sequence:
                self._reply()
            return
        quoted = icmpv6.quoted_packet(message)
        if quoted is None or int.from_bytes(quoted.payload[6:8], "big") != self._sequence:
            return
        marks = {
            icmpv6.DEST_UNREACHABLE: "U",
            icmpv6.PACKET_TOO_BIG: "M",
            icmpv6.TIME_EXCEEDED: "&",
        }
        self._record(marks.get(message.type, "?"))

    def _on_timeout(self) -> None:
        self._record(".")

    def _reply(self) -> None:
        rtt = ms(self._round_trip)
        self._rtt_min = min(self._rtt_min, rtt) if self.replies else rtt
        self._rtt_max = max(self._rtt_max, rtt)
        self._rtt_sum += rtt
        self.replies += 1
        self._record("!")

    def _record(self, char: str) -> None:
        self._cancel_timer()
        self.completed += 1
        if self._column == LINE_WIDTH:
            self.write("\n")
            self._column = 0
        self.write(char)
        self._column += 1
        if self.completed < self.options.repeat:
            self._send()
        else:
            self._finish()

    def abort(self) -> None:
        """IOS's escape sequence: the echo in flight is dropped, the summary counts the
        echoes completed so far."""
        if not self.done:
            self._cancel_timer()
            self._finish()

    def _finish(self) -> None:
        self.router.unlisten(self._key)
        ok = self.replies
        line = f"\nSuccess rate is {self.success_rate} percent ({ok}/{self.completed})"
        if ok:
            average = self._rtt_sum // ok
            line += f", round-trip min/avg/max = {self._rtt_min}/{average}/{self._rtt_max} ms"
        self.write(line + "\n")
        self.finish()

    @property
    def rtt_max_ms(self) -> int:
        """The longest round trip of the replies so far, in ms (0 before the first)."""
        return self._rtt_max

    @property
    def success_rate(self) -> int:
        return self.replies * 100 // self.completed if self.completed else 0


def _text(address: IPv4Address | IPv6Address) -> str:
    """IOS prints IPv6 addresses in capitals."""
    return str(address).upper()


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
