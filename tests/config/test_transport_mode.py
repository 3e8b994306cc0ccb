"""`mode transport` in a transform set is what IOS asks for only when the protected traffic is
the peers' own (GRE over IPsec between the tunnel endpoints); `config explain` says which mode
a tunnel will negotiate, as the engine negotiates it."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.explain import explain
from tests.support.paths import SEED_CONFIGS


@pytest.mark.parametrize(
    ("tunnel_mode", "said"),
    [
        ("gre ip", "esp-3des esp-sha-hmac, transport mode\n"),
        ("ipsec ipv4", "transport mode configured; tunnel mode negotiated"),
    ],
    ids=["gre", "vti"],
)
def test_explain_says_which_mode_a_tunnel_negotiates(tunnel_mode: str, said: str) -> None:
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    for old, new in (
        (" tunnel mode ipsec ipv4\n", f" tunnel mode {tunnel_mode}\n"),
        (" esp-3des esp-sha-hmac\n", " esp-3des esp-sha-hmac\n mode transport\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    result = load(text, "router1.cfg")
    assert result.ok, [str(d) for d in result.errors]
    assert said in explain(result.config)
