"""Name manglers and per-user authorization with local AAA (issue 16): the hub authorizes
each spoke by names derived from its FQDN identity (`crypto ikev2 name-mangler`): the group
by its domain (`fqdn domain`), the user by its host name (`fqdn hostname`, `aaa authorization
user psk list LIST name-mangler M`); the user's attributes take precedence over the group's
attribute by attribute, and a spoke without a policy of its name is refused."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.config.model import Config
from pyike.lab.lab import Lab
from tests.support.flexvpn import hub_text, spoke_text

HUB_AUTHORIZATION = """crypto ikev2 name-mangler BY-DOMAIN
 fqdn domain
crypto ikev2 name-mangler BY-HOST
 fqdn hostname
crypto ikev2 authorization policy branch.example
 pool SPOKE-ADDRESSES
 dns 10.0.0.53
 route set interface
 route set access-list HUB-LAN
crypto ikev2 authorization policy spoke2
 pool VIP-ADDRESSES
ip local pool VIP-ADDRESSES 172.30.0.1 172.30.0.9
"""


def _hub() -> str:
    text = hub_text(3).replace(
        " match identity remote address 0.0.0.0\n",
        " match identity remote fqdn domain branch.example\n",
    )
    text = text.replace(
        " aaa authorization group psk list FLEX SPOKES\n",
        " aaa authorization group psk list FLEX name-mangler BY-DOMAIN\n"
        " aaa authorization user psk list FLEX name-mangler BY-HOST\n",
    )
    return text + HUB_AUTHORIZATION + "crypto ikev2 authorization policy spoke1\n dns 10.1.1.53\n"


def _spoke(n: int) -> str:
    return spoke_text(n).replace(
        " authentication remote pre-share\n",
        f" identity local fqdn spoke{n}.branch.example\n authentication remote pre-share\n",
    )


def _configs(hub: str) -> list[Config]:
    out = []
    for text in (hub, *(_spoke(n) for n in (1, 2, 3))):
        result = load(text)
        result.raise_for_errors()
        out.append(result.config)
    return out


@pytest.fixture(scope="module")
def lab() -> Lab:
    return _run(_hub())


def _run(hub: str) -> Lab:
    lab = Lab(_configs(hub), policy_for_config, seed=0)
    for router in ("Hub", "Spoke1", "Spoke2"):
        lab.exec(router, "debug crypto ikev2 internal")
    lab.bring_up_tunnels()
    lab.run_for(20)
    return lab


def _lent(lab: Lab, spoke: str) -> IPv4Address | None:
    primary = lab.router(spoke).router.interface("Tunnel0").primary
    return None if primary is None else primary.ip


def _dns_received(lab: Lab, spoke: str) -> list[str]:
    return [
        line.split("data: ")[1]
        for line in lab.router(spoke).console
        if "ipv4-dns, length: 4" in line
    ]


def test_the_group_is_authorized_by_the_mangled_domain(lab: Lab) -> None:
    # spoke1: the group policy `branch.example` lends from its pool and routes the hub's
    # Loopback0 and LAN; its user policy `spoke1` sets only the DNS server, which wins
    assert _lent(lab, "Spoke1") == IPv4Address("172.20.0.1")
    assert "S        10.0.0.0/24 is directly connected, Tunnel0" in lab.exec(
        "Spoke1", "show ip route"
    )
    assert "Success rate is 100 percent" in lab.exec("Spoke1", "ping 172.19.0.1")
    assert _dns_received(lab, "Spoke1") == ["10.1.1.53"]


def test_a_users_policy_wins_over_the_groups_attribute_by_attribute(lab: Lab) -> None:
    # spoke2's own policy names another pool; the group's DNS and routes still come
    assert _lent(lab, "Spoke2") == IPv4Address("172.30.0.1")
    assert "Success rate is 100 percent" in lab.exec("Spoke2", "ping 172.19.0.1")
    assert _dns_received(lab, "Spoke2") == ["10.0.0.53"]


def test_a_user_without_a_policy_of_its_name_is_refused(lab: Lab) -> None:
    assert _lent(lab, "Spoke3") is None
    assert not lab.router("Spoke3").router.interface("Tunnel0").line_up
    log = "\n".join(lab.router("Hub").console)
    assert "AAA authorization failed: authorization policy spoke3 is not defined" in log


def test_a_mangler_that_derives_no_name_refuses_the_peer() -> None:
    # an FQDN identity and a mangler with only an e-mail rule: no name, no authorization
    hub = _hub().replace(" fqdn hostname\n", " email username\n")
    lab = _run(hub)
    assert _lent(lab, "Spoke1") is None
    log = "\n".join(lab.router("Hub").console)
    assert (
        "AAA authorization failed: name-mangler BY-HOST derives no name from "
        "spoke1.branch.example" in log
    )
