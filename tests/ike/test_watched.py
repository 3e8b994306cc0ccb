"""IkeSa's watched attributes: setting one tells the context (its deadlines, its indexes);
an attribute nothing watches is a plain one, and a context cannot watch one IkeSa does not
declare watched."""

from __future__ import annotations

import ipaddress
import random

import pytest

from pyike.ike import timers
from pyike.ike.context import INDEX_INPUTS, Context
from pyike.ike.events import Endpoint
from pyike.ike.ike_sa import WATCHABLE, IkeSa
from tests.support.policies import seed_router1

LOCAL = Endpoint(ipaddress.ip_address("10.0.0.1"))
PEER = Endpoint(ipaddress.ip_address("10.0.0.2"))
MOVED = Endpoint(ipaddress.ip_address("10.0.0.3"))


def _context() -> Context:
    return Context(seed_router1(), random.Random(1).randbytes, None, timers.DEADLINE_INPUTS)


def test_every_deadline_and_index_input_is_watchable() -> None:
    assert timers.DEADLINE_INPUTS | INDEX_INPUTS <= WATCHABLE


def test_a_context_refuses_to_watch_an_attribute_ikesa_does_not_declare() -> None:
    with pytest.raises(ValueError, match="last_heard"):
        Context(seed_router1(), random.Random(1).randbytes, None, frozenset({"last_heard"}))


def test_setting_a_watched_attribute_touches_and_reindexes_the_sa() -> None:
    ctx = _context()
    sa = IkeSa(ctx, initiator=False, local=LOCAL, remote=PEER, spi_i=bytes(range(8)))
    assert not ctx.touched  # made, not yet in the tables: nothing to tell
    ctx.add(sa, bytes(8))
    assert ctx.sas_with_peer(PEER) == [sa]
    ctx.touched.clear()
    sa.remote = MOVED
    assert sa.remote is MOVED
    assert ctx.sas_with_peer(PEER) == [] and ctx.sas_with_peer(MOVED) == [sa]
    sa.dpd_next = 5.0
    assert ctx.touched == {sa.sa_id}
    ctx.touched.clear()
    sa.last_heard = 7.0  # watched by nothing
    assert sa.last_heard == 7.0 and not ctx.touched
