"""Shortcuts for the exchange tests."""

from __future__ import annotations

from pyike.codec import Message, decode_message, open_protected
from pyike.crypto.sk import IkeSkCipher
from pyike.ike import StaticPolicy
from pyike.ike.ike_sa import IkeSa
from tests.exchange.harness import Harness, Nat
from tests.exchange.scenarios import PHASE1_PROP, R1, R2, site, tunnel_of


def pair(
    p1: StaticPolicy | None = None,
    p2: StaticPolicy | None = None,
    *,
    seed: int = 1,
    nat: Nat | None = None,
    up: bool = True,
    **common: object,
) -> Harness:
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
