"""A transform set with AH is never turned into an ESP-only proposal: pyike has no AH, and
negotiating the set's ESP transforms alone would protect less than configured."""

from __future__ import annotations

import pytest

from pyike.adapter.config_policy import ConfigPolicy, transform_set_spec, tunnels_to_initiate
from pyike.codec.registry import EncrId
from pyike.config import load
from pyike.config.model import Config
from pyike.ike import Endpoint
from tests.support.routers import AH_ROUTER

ROUTER = AH_ROUTER
LOCAL, PEER = Endpoint.of("10.0.0.1", 500), Endpoint.of("10.0.0.2", 500)


def _config(text: str) -> Config:
    result = load(text)
    assert result.ok, [d.format() for d in result.errors]
    return result.config


def test_a_tunnel_whose_sets_all_have_ah_is_neither_initiated_nor_accepted() -> None:
    cfg = _config(ROUTER)
    assert tunnels_to_initiate(cfg) == []
    policy = ConfigPolicy(cfg)
    assert policy.tunnels_for_peer(LOCAL, PEER, policy.profile("PROF")) == []


def test_only_the_sets_without_ah_are_offered_and_accepted() -> None:
    cfg = _config(ROUTER.replace(" set transform-set AH\n", " set transform-set AH ESP\n"))
    (tunnel,) = tunnels_to_initiate(cfg)
    assert [(t.name, t.encr, t.key_bits) for t in tunnel.transform_sets] == [
        ("ESP", EncrId.AES_CBC, 256)
    ]
    policy = ConfigPolicy(cfg)
    (accepted,) = policy.tunnels_for_peer(LOCAL, PEER, policy.profile("PROF"))
    assert [t.name for t in accepted.transform_sets] == ["ESP"]


def test_a_set_with_ah_has_no_esp_only_spec() -> None:
    ts = _config(ROUTER).transform_sets["AH"]
    with pytest.raises(ValueError, match="AH"):
        transform_set_spec(ts)
