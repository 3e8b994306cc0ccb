"""What the gateway's parts take, built by hand: host interfaces as netlink lists them, and
the engine's record of an installed Child SA."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto.keys import ChildKeys
from pyike.ike.events import ChildSaInfo, Endpoint
from pyike.net.binding import HostInterface
from pyike.traffic_selector import TrafficSelector


def host_interface(name: str, index: int, *addresses: str) -> HostInterface:
    return HostInterface(name, index, tuple(ipaddress.ip_interface(a) for a in addresses))


def child_sa_info(**changes: Any) -> ChildSaInfo:
    """An AES-CBC-128/HMAC-SHA1-96 Child SA of Tunnel0 from 10.0.0.1 to 10.0.0.2 in UDP 4500
    (SPIs c0ffee01 in, 0badf00d out), initiated here; `changes` replace its fields."""
    child = ChildSaInfo(
        ike_sa_id=1,
        spi_in=bytes.fromhex("c0ffee01"),
        spi_out=bytes.fromhex("0badf00d"),
        encr=EncrId.AES_CBC,
        encr_key_bits=128,
        integ=IntegId.HMAC_SHA1_96,
        esn=False,
        local_ts=(TrafficSelector.any4(),),
        remote_ts=(TrafficSelector.any4(),),
        mode="tunnel",
        lifetime_seconds=3600,
        lifetime_kilobytes=4608000,
        udp_encapsulation=True,
        local=Endpoint.of("10.0.0.1", 4500),
        remote=Endpoint.of("10.0.0.2", 4500),
        pfs_group=None,
        tunnel="Tunnel0",
        initiator=True,
        keys=ChildKeys(b"\x01" * 16, b"\x02" * 20, b"\x03" * 16, b"\x04" * 20),
    )
    return replace(child, **changes)
