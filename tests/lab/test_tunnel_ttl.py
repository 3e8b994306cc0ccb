"""`tunnel ttl N`: the TTL of a tunnel's delivery header (IOS's default 255), whether the
router sends it as GRE or as the ESP that protects it, shown by `show interfaces`. With a
router between the two sites, TTL 1 dies there (the tunnel comes up, IKE being the router's own
traffic, and carries nothing one way); TTL 2 gets through.

The GRE over IPsec example's sites, SiteB moved behind a transit router."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.writer import render
from pyike.lab.lab import Lab
from pyike.net.runtime import not_applied_lines
from tests.support.lab_texts import running_lab
from tests.support.paths import EXAMPLES

PING = "ping 192.168.20.1 source Loopback0"
TRANSIT = (
    "hostname ISP\ninterface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n"
    "interface GigabitEthernet0/1\n ip address 203.0.113.1 255.255.255.252\n"
)
PROTECTION = " tunnel protection ipsec profile GRE-PROT\n"


def sites(ttl_line: str = "", protected: bool = True) -> list[str]:
    """SiteA (with `ttl_line` on Tunnel0) and SiteB, the transit router between them."""
    a = (EXAMPLES / "gre-over-ipsec" / "site-a.cfg").read_text()
    b = (EXAMPLES / "gre-over-ipsec" / "site-b.cfg").read_text()
    a = (
        a.replace("198.51.100.2", "203.0.113.2")
        + "ip route 203.0.113.0 255.255.255.252 198.51.100.2\n"
    )
    b = b.replace("ip address 198.51.100.2 255", "ip address 203.0.113.2 255")
    b += "ip route 198.51.100.0 255.255.255.252 203.0.113.1\n"
    assert PROTECTION in a and PROTECTION in b
    a = a.replace(" tunnel key 42\n", " tunnel key 42\n" + ttl_line)
    if not protected:
        a, b = a.replace(PROTECTION, ""), b.replace(PROTECTION, "")
    return [a, b, TRANSIT]


def lab_of(ttl_line: str, protected: bool) -> Lab:
    return running_lab(sites(ttl_line, protected))


@pytest.mark.parametrize("protected", [True, False], ids=["gre-over-ipsec", "plain-gre"])
def test_ttl_1_dies_at_the_router_between(protected: bool) -> None:
    lab = lab_of(" tunnel ttl 1\n", protected)
    assert "Success rate is 0 percent" in lab.exec("SiteA", PING)
    if protected:  # IKE is the router's own traffic, sent with 255: the SA is up
        assert "UP-ACTIVE" in lab.exec("SiteA", "show crypto session")
    assert "!!!!!" in running_lab(sites(protected=protected)).exec("SiteA", PING)


@pytest.mark.parametrize("protected", [True, False], ids=["gre-over-ipsec", "plain-gre"])
def test_ttl_2_crosses_one_router(protected: bool) -> None:
    lab = lab_of(" tunnel ttl 2\n", protected)
    assert "!!!!!" in lab.exec("SiteA", PING)


def test_shown_by_show_interfaces() -> None:
    lab = lab_of(" tunnel ttl 7\n", True)
    assert "  Tunnel TTL 7\n" in lab.exec("SiteA", "show interfaces Tunnel0")
    assert "  Tunnel TTL 255\n" in lab.exec("SiteB", "show interfaces Tunnel0")


def test_read_written_back_and_removed() -> None:
    config = load(sites(" tunnel ttl 7\n")[0]).raise_for_errors()
    assert config.interfaces["Tunnel0"].tunnel_ttl == 7
    text = render(config)
    assert " tunnel key 42\n tunnel ttl 7\n" in text
    removed = load(text.replace(" tunnel ttl 7\n", " no tunnel ttl\n")).raise_for_errors()
    assert removed.interfaces["Tunnel0"].tunnel_ttl is None
    default = load(sites(" tunnel ttl 255\n")[0]).raise_for_errors()  # IOS shows no default
    assert "tunnel ttl" not in render(default)
    assert not [n for n in config.not_modelled if n.command.startswith("tunnel ttl")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (" tunnel ttl 0\n", "% Invalid input detected at '^' marker."),
        (" tunnel ttl 256\n", "% Invalid input detected at '^' marker."),
        (" tunnel ttl\n", "% Incomplete command."),
    ],
)
def test_bad_values_are_refused_as_ios_refuses_them(line: str, message: str) -> None:
    result = load(sites(line)[0])
    assert [message in d.format() for d in result.errors] == [True], result.errors


def test_only_on_tunnel_interfaces() -> None:
    text = "interface GigabitEthernet0/1\n tunnel ttl 5\n"
    assert [d.line for d in load(text).errors] == [2]


def test_pyike_run_says_it_does_not_apply_it() -> None:
    config = load(sites(" tunnel ttl 7\n")[0]).raise_for_errors()
    assert not_applied_lines(config) == [
        "%PYIKE-4-NOT_APPLIED: 'tunnel ttl 7' on Tunnel0: pyike run sends its tunnels' outer"
        " headers with the kernel's default TTL; pyike lab applies it"
    ]
