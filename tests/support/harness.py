"""Two (or more) IkeEngines joined by an in-memory network with a virtual clock.

Deterministic: each engine draws from its own seeded random source. Faults are injected per
datagram by its sequence number on the wire (1 = the first datagram anyone sent) or by a
predicate: drop, duplicate, delay (which reorders). A NAT can rewrite one router's address.
Each router also applies its engine's events to an SA database, as the lab and the gateway
do, so tests can check that traffic crosses the tunnels the engines agreed on.

`pair()` is the usual start: the seed's two routers (R1, R2), their tunnel up.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from pyike.codec import IkeHeader, Message, decode_header, decode_message, open_protected
from pyike.codec.registry import ExchangeType
from pyike.crypto.sk import IkeSkCipher
from pyike.ike import Datagram, Endpoint, IkeEngine, Policy, StaticPolicy
from pyike.ike.events import EngineEvent
from pyike.ike.ike_sa import IkeSa
from pyike.ike.trace import ErrorTrace, SmTrace, TraceRecord
from pyike.ipsec.sad import SecurityAssociationDatabase
from tests.support.policies import PHASE1_PROP, R1, R2, site, tunnel_of

LATENCY = 0.005


class SeededRandom:
    """Deterministic bytes. ``nonce_first_bytes``: the first octets the next nonces (the
    draws of ``nonce_size`` octets) start with, to decide which nonce is lowest."""

    def __init__(self, seed: int, nonce_size: int = 20) -> None:
        self._random = random.Random(seed)
        self.nonce_size = nonce_size
        self.nonce_first_bytes: list[int] = []

    def __call__(self, n: int) -> bytes:
        data = self._random.randbytes(n)
        if n == self.nonce_size and self.nonce_first_bytes:
            data = bytes([self.nonce_first_bytes.pop(0)]) + data[1:]
        return data


@dataclass
class WireRecord:
    number: int
    time: float
    sender: str
    datagram: Datagram
    header: IkeHeader | None

    @property
    def exchange(self) -> str:
        if self.header is None:
            return "?"
        try:
            return ExchangeType(self.header.exchange_type).name
        except ValueError:
            return str(self.header.exchange_type)

    @property
    def response(self) -> bool:
        return self.header is not None and self.header.response


Fault = Callable[[WireRecord], "str | tuple[str, float] | None"]


@dataclass
class Node:
    name: str
    engine: IkeEngine
    addresses: set[str]
    events: list[EngineEvent] = field(default_factory=list)
    trace: list[TraceRecord] = field(default_factory=list)
    random: SeededRandom | None = None
    sad: SecurityAssociationDatabase = field(
        default_factory=lambda: SecurityAssociationDatabase(random.Random(0).randbytes)
    )

    def sm(self) -> list[tuple[str, str]]:
        return [(r.state.value, r.event.value) for r in self.trace if isinstance(r, SmTrace)]

    def of_type(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self.events if isinstance(e, kind)]


@dataclass
class Nat:
    """Source NAT for datagrams from ``inside`` (private address) to the others."""

    inside: str
    public: str
    port_map: dict[int, int] = field(default_factory=lambda: {500: 1500, 4500: 4501})


class Harness:
    def __init__(
        self,
        policies: dict[str, tuple[Policy, str]],
        seed: int = 1,
        nat: Nat | None = None,
    ) -> None:
        self.now = 0.0
        self.nodes: dict[str, Node] = {}
        for index, (name, (policy, address)) in enumerate(policies.items()):
            rng = SeededRandom(seed * 1000 + index)
            sad = SecurityAssociationDatabase(random.Random(0).randbytes)
            engine = IkeEngine(policy, rng, traffic=sad)
            self.nodes[name] = Node(name, engine, {address}, random=rng, sad=sad)
        self.nat = nat
        self.wire: list[WireRecord] = []
        self.faults: dict[int, str | tuple[str, float]] = {}
        self.rules: list[Fault] = []
        self._queue: list[tuple[float, int, str, Datagram]] = []
        self._seq = 0

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    # --- the network --------------------------------------------------------------------

    def _owner(self, address: str) -> Node | None:
        return next((n for n in self.nodes.values() if address in n.addresses), None)

    def _translate(self, sender: Node, datagram: Datagram) -> Datagram:
        nat = self.nat
        if nat is None:
            return datagram
        if str(datagram.local.address) == nat.inside:
            port = nat.port_map.get(datagram.local.port, datagram.local.port)
            return Datagram(Endpoint.of(nat.public, port), datagram.remote, datagram.data)
        if str(datagram.remote.address) == nat.public:
            back = {v: k for k, v in nat.port_map.items()}
            port = back.get(datagram.remote.port, datagram.remote.port)
            return Datagram(datagram.local, Endpoint.of(nat.inside, port), datagram.data)
        return datagram

    def _collect(self) -> None:
        for node in self.nodes.values():
            events = node.engine.events()
            for event in events:
                node.sad.apply(event, self.now)
            node.events += events
            node.trace += node.engine.trace()
            for datagram in node.engine.datagrams_to_send():
                self._emit(node, datagram)

    def _emit(self, sender: Node, datagram: Datagram) -> None:
        number = len(self.wire) + 1
        data = datagram.data
        if datagram.remote.port == 4500 and data[:4] == bytes(4):
            data = data[4:]
        try:
            header: IkeHeader | None = decode_header(data)
        except Exception:
            header = None
        record = WireRecord(number, self.now, sender.name, datagram, header)
        self.wire.append(record)
        action = self.faults.get(number)
        for rule in self.rules:
            action = action or rule(record)
        delay = LATENCY
        copies = 1
        if action == "drop":
            return
        if action == "dup":
            copies = 2
        if isinstance(action, tuple) and action[0] == "delay":
            delay += action[1]
        translated = self._translate(sender, datagram)
        for _ in range(copies):
            self._seq += 1
            heapq.heappush(self._queue, (self.now + delay, self._seq, sender.name, translated))

    def _deliver(self, datagram: Datagram) -> None:
        node = self._owner(str(datagram.remote.address))
        if node is None:
            return
        node.engine.receive_datagram(self.now, datagram.remote, datagram.local, datagram.data)

    def inject(self, to: str, local: Endpoint, remote: Endpoint, data: bytes) -> None:
        """Delivers hostile or hand-made bytes to one router now."""
        self.nodes[to].engine.receive_datagram(self.now, local, remote, data)
        self._collect()

    # --- time ---------------------------------------------------------------------------

    def run(self, until: float | None = None, max_steps: int = 10000) -> None:
        """Delivers datagrams and fires timers until nothing is pending or ``until``."""
        self._collect()
        for _ in range(max_steps):
            deadlines = [
                d for n in self.nodes.values() if (d := self._next_deadline(n)) is not None
            ]
            next_timer = min(deadlines) if deadlines else None
            next_packet = self._queue[0][0] if self._queue else None
            candidates = [t for t in (next_timer, next_packet) if t is not None]
            if not candidates:
                break
            at = min(candidates)
            if until is not None and at > until:
                break
            self.now = max(self.now, at)
            if next_packet is not None and next_packet <= at:
                _, _, _, datagram = heapq.heappop(self._queue)
                self._deliver(datagram)
            else:
                for node in self.nodes.values():
                    node.engine.handle_timer(self.now)
            self._collect()
        if until is not None:
            self.now = max(self.now, until)

    @staticmethod
    def _next_deadline(node: Node) -> float | None:
        """The engine keeps its next deadline incrementally: every scenario checks it against
        a look at every SA."""
        deadline = node.engine.next_deadline()
        full = node.engine.scan_deadline()
        assert deadline == full, f"{node.name}: stale next deadline {deadline} != {full}"
        return deadline

    def advance(self, seconds: float) -> None:
        self.run(until=self.now + seconds)

    def settle(self) -> None:
        """Delivers what is in flight without letting timers run far."""
        self.run(until=self.now + 1.0)


def check_consistent(h: Harness, a: str = "R1", b: str = "R2", children: int = 1) -> None:
    """Both routers hold the same single IKE SA and matching Child SAs."""
    sas_a = [sa for sa in h[a].engine.ike_sas if sa.established and not sa.deleting]
    sas_b = [sa for sa in h[b].engine.ike_sas if sa.established and not sa.deleting]
    assert len(sas_a) == 1 and len(sas_b) == 1, (sas_a, sas_b)
    sa_a, sa_b = sas_a[0], sas_b[0]
    assert (sa_a.spi_i, sa_a.spi_r) == (sa_b.spi_i, sa_b.spi_r)
    assert sa_a.initiator != sa_b.initiator
    assert sa_a.suite == sa_b.suite and sa_a.keys == sa_b.keys
    pairs_a = sorted((c.spi_in, c.spi_out) for c in sa_a.children)
    pairs_b = sorted((c.spi_out, c.spi_in) for c in sa_b.children)
    assert pairs_a == pairs_b
    assert len(pairs_a) == children
    for child_a in sa_a.children:
        child_b = next(c for c in sa_b.children if c.spi_in == child_a.spi_out)
        assert child_a.transform == child_b.transform
        info_a = child_a.info(sa_a.sa_id, sa_a.local, sa_a.remote, False)
        info_b = child_b.info(sa_b.sa_id, sa_b.local, sa_b.remote, False)
        assert info_a.encr_key_out == info_b.encr_key_in
        assert info_a.encr_key_in == info_b.encr_key_out
        assert info_a.integ_key_out == info_b.integ_key_in
        assert info_a.integ_key_in == info_b.integ_key_out
        assert info_a.encr_key_out != info_a.encr_key_in
    # no SA left behind half-way: every SA either side still holds is the one above
    for node, sa in ((a, sa_a), (b, sa_b)):
        others = [o for o in h[node].engine.ike_sas if o is not sa]
        assert not others, (node, [(o.sa_id, o.established, o.deleting) for o in others])


PROBE = bytes.fromhex("4500001c00000000400100000a0000010a000002") + bytes(8)  # an IPv4 ICMP


def check_data_path(h: Harness, tunnel: str = "Tunnel0", a: str = "R1", b: str = "R2") -> None:
    """A packet each router sends into ``tunnel`` is opened by the other one."""
    for sender, receiver in ((a, b), (b, a)):
        send_esp(h, sender, receiver, tunnel)


def send_esp(
    h: Harness, sender: str, receiver: str, tunnel: str = "Tunnel0", *, lost: bool = False
) -> None:
    """One packet ``sender`` sends into ``tunnel`` now, opened by ``receiver`` unless
    ``lost``; both SA databases note it, as the lab's and the gateway's data planes do."""
    out = h[sender].sad.outbound(tunnel, h.now)
    assert out is not None, f"{sender} has no SA to send through {tunnel}"
    esp = out.outbound.encapsulate(PROBE)
    if lost:
        return
    into = h[receiver].sad.inbound(out.spi_out)
    assert into is not None, f"{receiver} has no inbound SA 0x{out.spi_out:08X}"
    assert into.inbound.decapsulate(esp).payload == PROBE
    h[receiver].sad.note_inbound(into, h.now)


def internal_errors(h: Harness) -> list[str]:
    return [
        r.text
        for n in h.nodes.values()
        for r in n.trace
        if isinstance(r, ErrorTrace) and r.text.startswith("internal error")
    ]


# -- shortcuts ---------------------------------------------------------------------------------


def pair(
    p1: StaticPolicy | None = None,
    p2: StaticPolicy | None = None,
    *,
    seed: int = 1,
    nat: Nat | None = None,
    up: bool = True,
    **common: object,
) -> Harness:
    """R1 and R2 (by default the seed's proposal, `common` for both sites); with `up`, R1
    has brought the tunnel up."""
    p1 = p1 or site(R1, R2, proposals=(PHASE1_PROP,), **common)  # type: ignore[arg-type]
    p2 = p2 or site(R2, R1, proposals=(PHASE1_PROP,), **common)  # type: ignore[arg-type]
    h = Harness({"R1": (p1, R1), "R2": (p2, R2)}, seed=seed, nat=nat)
    h.policies = (p1, p2)  # type: ignore[attr-defined]
    if up:
        h["R1"].engine.initiate(0.0, tunnel_of(p1))
        h.run(until=1.0)
    return h


def only_sa(h: Harness, node: str) -> IkeSa:
    sas = [sa for sa in h[node].engine.ike_sas if sa.established and not sa.deleting]
    assert len(sas) == 1, sas
    return sas[0]


def open_as(sa: IkeSa, data: bytes, *, sent_by_initiator: bool) -> tuple[Message, list]:  # type: ignore[type-arg]
    """Decrypts a message of ``sa`` with the codec and the SA's keys (an independent path)."""
    assert sa.suite is not None and sa.keys is not None
    to_r, to_i = IkeSkCipher.pair(sa.suite, sa.keys)
    if data[:4] == bytes(4):
        data = data[4:]
    return open_protected(data, to_r if sent_by_initiator else to_i)


def wire_message(h: Harness, number: int) -> Message:
    data = h.wire[number - 1].datagram.data
    return decode_message(data[4:] if data[:4] == bytes(4) else data)
