"""The SA database's tunnels: which tunnel a child SA belongs to, across a NAT rebinding and
among many tunnels."""

from __future__ import annotations

import os
from dataclasses import replace

from pyike.ike.events import ChildSaDeleted, ChildSaInstalled, Endpoint
from pyike.ipsec.sad import SecurityAssociationDatabase
from tests.support.gateway_inputs import child_sa_info


def _spi(n: int) -> bytes:
    return n.to_bytes(4, "big")


def _install(sad: SecurityAssociationDatabase, n: int, **changes: object) -> None:
    info = child_sa_info(spi_in=_spi(n), spi_out=_spi(n + 0x1000), **changes)
    sad.apply(ChildSaInstalled(0.0, info), 0.0)


def test_an_sa_without_a_tunnel_leaves_its_own_after_a_nat_rebinding() -> None:
    # Such an SA's tunnel is named after its peer's address, which a rebinding changes: the
    # gateway then answers at the new address (RFC 3948), and the SA is still that tunnel's.
    sad = SecurityAssociationDatabase(os.urandom)
    _install(sad, 1, tunnel=None, initiator=False)
    child = sad.children[1]
    child.inbound.counters.packets = 7
    child.info = replace(child.info, remote=Endpoint.of("198.51.100.7", 61000))
    change = sad.apply(ChildSaDeleted(1.0, 1, _spi(1), _spi(0x1001), "deleted"), 1.0)
    assert change.down == ("peer 10.0.0.2",)
    tunnel = sad.tunnels["peer 10.0.0.2"]
    assert tunnel.children == [] and tunnel.retired_in.packets == 7


def test_deleting_the_last_sa_of_one_tunnel_among_many_brings_only_that_one_down() -> None:
    sad = SecurityAssociationDatabase(os.urandom)
    for n in range(1, 201):
        _install(sad, n, tunnel=f"Virtual-Access{n}")
    change = sad.apply(ChildSaDeleted(1.0, 1, _spi(150), _spi(0x1000 + 150), "deleted"), 1.0)
    assert change.down == ("Virtual-Access150",)
    assert sad.tunnels["Virtual-Access150"].current is None
    assert sad.tunnels["Virtual-Access151"].current is sad.children[151]
