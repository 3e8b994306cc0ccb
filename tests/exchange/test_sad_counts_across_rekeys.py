"""A flow's `#pkts` counters outlive its rekeyed Child SAs, but the SAs themselves (their
keys and cipher contexts) do not: the SA database folds a removed SA's counts into its
tunnel's and forgets it, so a gateway that rekeys every few seconds for days keeps one SA per
tunnel, not every SA it ever had (a replaced SA only for its grace after the delete)."""

from __future__ import annotations

from pyike.ipsec.sad import REPLACED_INBOUND_GRACE
from pyike.show.views import flow_counters
from tests.support.harness import only_sa, pair, send_esp


def test_rekeys_keep_the_counts_not_the_sas() -> None:
    h = pair()
    rekeys = 6
    for n in range(rekeys):
        send_esp(h, "R1", "R2")
        send_esp(h, "R2", "R1")
        initiator = ("R1", "R2")[n % 2]
        sa = only_sa(h, initiator)
        h[initiator].engine.rekey_child_sa(h.now, sa.sa_id, sa.children[0].spi_in)
        h.advance(2)
    send_esp(h, "R1", "R2")
    for node, sent, received in (("R1", rekeys + 1, rekeys), ("R2", rekeys, rekeys + 1)):
        h[node].sad.expire(h.now + REPLACED_INBOUND_GRACE)  # the replaced SAs' grace is over
        state = h[node].sad.tunnels["Tunnel0"]
        assert [c.info.spi_in for c in state.children] == [only_sa(h, node).children[0].spi_in]
        counts = flow_counters(
            (state.retired_in, *(c.inbound.counters for c in state.children)),
            (state.retired_out, *(c.outbound.counters for c in state.children)),
        )
        assert (counts.encaps, counts.decaps) == (sent, received)
