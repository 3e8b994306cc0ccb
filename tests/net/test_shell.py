"""The gateway's exec shell (`pyike exec`, `pyike cli`) applies the same IOS output filters
as the lab's routers; only its configuration is needed for `show running-config`."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import cast

from pyike.config import load_file
from pyike.net.shell import GatewayControl, GatewayShell
from pyike.show.ike_counters import Ikev2Counters
from pyike.trace.ios_debug import DebugFormatter
from tests.support.paths import SEED_CONFIGS


def shell() -> GatewayShell:
    config = load_file(SEED_CONFIGS / "router1.cfg").config
    crypto = cast(GatewayControl, SimpleNamespace(counters=Ikev2Counters(), clear_ipsec=None))
    return GatewayShell(crypto, lambda: config, DebugFormatter(datetime(2013, 11, 11)))


def test_section_and_a_bar_inside_the_expression() -> None:
    gateway = shell()
    tunnel = gateway.execute("show running-config | section interface Tunnel0")
    assert tunnel.startswith("interface Tunnel0\n ip address 172.16.0.101")
    assert " tunnel destination 10.0.0.2\n" in tunnel
    assert all(line.startswith(("interface Tunnel0", " ")) for line in tunnel.splitlines())
    both = gateway.execute("show running-config | include ^interface (Tunnel|Loopback)0|^hostname")
    assert both.splitlines() == ["hostname Router1", "interface Loopback0", "interface Tunnel0"]


def test_a_bad_filter_is_refused_as_ios_refuses_it() -> None:
    assert shell().execute("show running-config | frob x") == (
        " " * len("Router1#show running-config | ") + "^\n% Invalid input detected at '^' marker.\n"
    )
