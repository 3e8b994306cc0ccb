"""`mode transport` in a transform set is what IOS asks for only when the protected traffic is
the peers' own (GRE over IPsec between the tunnel endpoints); `mode transport require` insists,
and for more than the peers' own traffic nothing is negotiated. `config explain` says which
mode a tunnel will negotiate, as the engine negotiates it; `config show` and `show crypto
ipsec transform-set` print the mode as configured."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.explain import explain
from pyike.config.query import wont_come_up
from pyike.config.writer import render
from pyike.show.ipsec_config import show_crypto_ipsec_transform_set
from tests.support.paths import SEED_CONFIGS


def seed_router1(tunnel_mode: str, mode: str) -> str:
    text = (SEED_CONFIGS / "router1.cfg").read_text()
    for old, new in (
        (" tunnel mode ipsec ipv4\n", f" tunnel mode {tunnel_mode}\n"),
        (" esp-3des esp-sha-hmac\n", f" esp-3des esp-sha-hmac\n mode {mode}\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("tunnel_mode", "mode", "said"),
    [
        ("gre ip", "transport", "transport mode (tunnel mode if the peer answers it)\n"),
        ("ipsec ipv4", "transport", "transport mode configured; tunnel mode negotiated"),
        ("gre ip", "transport require", "transport mode, required (a peer that answers tunnel"),
        ("ipsec ipv4", "transport require", "not the peers' own traffic: not negotiated"),
    ],
    ids=["gre", "vti", "gre-require", "vti-require"],
)
def test_explain_says_which_mode_a_tunnel_negotiates(
    tunnel_mode: str, mode: str, said: str
) -> None:
    result = load(seed_router1(tunnel_mode, mode), "router1.cfg")
    assert result.ok, [str(d) for d in result.errors]
    assert said in explain(result.config)


def test_mode_transport_require_is_kept_printed_and_shown() -> None:
    config = load(seed_router1("gre ip", "transport require")).raise_for_errors()
    ts = config.transform_sets["TS"]
    assert (ts.mode, ts.transport_required) == ("transport", True)
    assert "crypto ipsec transform-set TS esp-3des esp-sha-hmac\n mode transport require\n" in (
        render(config)
    )
    assert show_crypto_ipsec_transform_set(config, "TS") == [
        "Transform set TS: { esp-3des esp-sha-hmac  }",
        "   will negotiate = { Transport Require,  },",
        "",
    ]
    again = load(
        seed_router1("gre ip", "transport require") + "crypto ipsec transform-set TS esp-aes\n"
    ).raise_for_errors()
    redefined = again.transform_sets["TS"]  # new transforms, the mode kept (IOS)
    assert (redefined.esp_text, redefined.mode_text) == ("esp-aes", "transport require")
    plain = load(
        seed_router1("gre ip", "transport require") + "crypto ipsec transform-set TS "
        "esp-3des esp-sha-hmac\n mode transport\n"
    ).raise_for_errors()
    assert not plain.transform_sets["TS"].transport_required


def test_a_vti_that_requires_transport_mode_will_not_come_up() -> None:
    reasons = wont_come_up(load(seed_router1("ipsec ipv4", "transport require")).config)
    assert reasons == {
        "Tunnel0": "requires transport mode (mode transport require in transform set TS) for "
        "more than the peers' own traffic: IOS completes no Child SA, so it will not come up"
    }
    assert wont_come_up(load(seed_router1("gre ip", "transport require")).config) == {}
    assert wont_come_up(load(seed_router1("ipsec ipv4", "transport")).config) == {}


def test_the_default_transform_set_is_transport_mode() -> None:
    lines = show_crypto_ipsec_transform_set(load("hostname R\n").config, "default")
    assert lines[1] == "   will negotiate = { Transport,  },"
