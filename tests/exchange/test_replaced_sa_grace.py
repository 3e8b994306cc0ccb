"""Make-before-break on the receiving side (RFC 7296 section 2.8): ESP the peer sent on a
Child SA just before the rekey's DELETE may be read after it (IKE and ESP come in on
different sockets, so the gateway cannot keep their order), and must still be opened. Both
SA databases keep a replaced SA's inbound half for REPLACED_INBOUND_GRACE seconds after its
delete, as strongSwan does (`charon.delete_rekeyed_delay`), then forget it; a tunnel that
loses its last SA keeps none.

Under load `pyike run` lost pings at each Child SA rekey this way (`#pkts invalid sa (rcv)`
at the side that read the DELETE first)."""

from __future__ import annotations

import pytest

from pyike.ipsec.sad import REPLACED_INBOUND_GRACE, InstalledChild
from tests.support.harness import PROBE, Harness, only_sa, pair, send_esp


def _sending(h: Harness, node: str) -> InstalledChild:
    child = h[node].sad.tunnel("Tunnel0").current
    assert child is not None
    return child


def _rekeyed_with_one_in_flight(sender: str) -> tuple[Harness, str, bytes, int]:
    """R1 rekeys the Child SA while `sender` has one packet on the old SA still on its way:
    (harness, receiver, the packet, its SPI)."""
    h = pair()
    receiver = "R2" if sender == "R1" else "R1"
    old = _sending(h, sender)
    late = old.outbound.encapsulate(PROBE)
    sa = only_sa(h, "R1")
    h["R1"].engine.rekey_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
    h.settle()  # the rekey and the old SA's delete are done on both sides
    assert old.spi_out not in h[receiver].sad.children
    assert _sending(h, sender) is not old
    return h, receiver, late, old.spi_out


@pytest.mark.parametrize("sender", ["R2", "R1"], ids=["to-rekey-initiator", "to-rekey-responder"])
def test_esp_sent_on_the_old_sa_before_its_delete_is_opened_after_it(sender: str) -> None:
    h, receiver, late, spi = _rekeyed_with_one_in_flight(sender)
    kept = h[receiver].sad.inbound(spi)
    assert kept is not None
    assert kept.inbound.decapsulate(late).payload == PROBE
    state = h[receiver].sad.tunnel("Tunnel0")
    decaps = state.retired_in.packets + sum(c.inbound.counters.packets for c in state.children)
    assert decaps == 1  # the flow's `#pkts decaps` counts it
    send_esp(h, "R1", "R2")  # the new SAs carry the traffic meanwhile
    send_esp(h, "R2", "R1")


def test_the_replaced_sa_goes_after_the_grace() -> None:
    h, receiver, _late, spi = _rekeyed_with_one_in_flight("R2")
    sad = h[receiver].sad
    sad.expire(h.now)  # the delete was under a second ago
    assert sad.inbound(spi) is not None
    sad.expire(h.now + REPLACED_INBOUND_GRACE)  # as the host's timer does
    assert sad.inbound(spi) is None and not sad.retained
    assert sad.tunnel("Tunnel0").children == [_sending(h, receiver)]


def test_a_tunnel_that_goes_down_keeps_no_replaced_sa() -> None:
    h, receiver, _late, spi = _rekeyed_with_one_in_flight("R2")
    h["R1"].engine.clear(h.now, None)  # `clear crypto ikev2 sa`
    h.settle()
    for node in ("R1", "R2"):
        sad = h[node].sad
        assert sad.tunnel("Tunnel0").current is None
        assert not sad.retained and sad.tunnel("Tunnel0").children == []
    assert h[receiver].sad.inbound(spi) is None
