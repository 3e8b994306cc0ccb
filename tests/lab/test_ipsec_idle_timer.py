"""The IPsec SA idle timer (`crypto ipsec security-association idle-time` globally, `set
security-association idle-time` in a crypto map entry, the entry's winning): an SA that carried
nothing, either way, for that long is deleted, with its IKE SA when it was that one's last, as
IOS does; the next packet the crypto map protects negotiates them again (and is lost, as the
first packet of a crypto map is).

The crypto map example's two sites, with a second ACL line (SiteA's Loopback1 to SiteB's LAN),
so that one IKE SA holds two child SAs."""

from __future__ import annotations

from pyike.config import load
from pyike.config.writer import render
from pyike.lab.lab import Lab
from tests.support.lab_texts import running_lab
from tests.support.paths import EXAMPLES, SEED_CONFIGS

LINE_1 = "ping 192.168.20.1 source Loopback0"
LINE_2 = "ping 192.168.20.1 source Loopback1"
MATCH = " match address VPN-TRAFFIC\n"


def site_texts(global_lines: str = "", entry_lines: str = "") -> list[str]:
    a = (EXAMPLES / "crypto-map" / "site-a.cfg").read_text()
    b = (EXAMPLES / "crypto-map" / "site-b.cfg").read_text()
    assert MATCH in a and MATCH in b
    a = a.replace(MATCH, MATCH + entry_lines)
    a += "ip access-list extended VPN-TRAFFIC\n permit ip 172.31.10.0 0.0.0.255 192.168.20.0 0.0.0.255\n"
    b += "ip access-list extended VPN-TRAFFIC\n permit ip 192.168.20.0 0.0.0.255 172.31.10.0 0.0.0.255\n"
    return [global_lines + a, b]


def status(lab: Lab, router: str) -> str:
    text = lab.exec(router, "show crypto session")
    return next(line.strip() for line in text.splitlines() if "Session status" in line)


def child_sas(lab: Lab, router: str) -> int:
    return len(lab.router(router).crypto.sad.children)


def test_an_idle_crypto_map_sa_goes_with_its_ike_sa_and_traffic_brings_it_back() -> None:
    lab = running_lab(site_texts(entry_lines=" set security-association idle-time 60\n"))
    lab.exec("SiteA", LINE_1)
    assert status(lab, "SiteA") == "Session status: UP-ACTIVE"
    lab.run_for(50.0)
    assert "!!!!!" in lab.exec("SiteA", LINE_1)  # traffic restarts the count
    lab.run_for(50.0)
    assert status(lab, "SiteB") == "Session status: UP-ACTIVE"
    lab.run_for(20.0)  # 70 s without a packet
    assert (status(lab, "SiteA"), status(lab, "SiteB")) == ("Session status: DOWN",) * 2
    assert child_sas(lab, "SiteA") == child_sas(lab, "SiteB") == 0
    assert ".!!!!" in lab.exec("SiteA", LINE_1)  # negotiated again on demand
    assert status(lab, "SiteB") == "Session status: UP-ACTIVE"


def test_an_idle_child_sa_goes_alone_while_another_carries_traffic() -> None:
    lab = running_lab(site_texts("crypto ipsec security-association idle-time 60\n"))
    lab.exec("SiteA", LINE_1)
    lab.exec("SiteA", LINE_2)
    assert child_sas(lab, "SiteA") == 2
    for _ in range(4):  # line 1 kept busy, line 2 idle
        lab.run_for(30.0)
        lab.exec("SiteA", LINE_1)
    assert child_sas(lab, "SiteA") == child_sas(lab, "SiteB") == 1
    assert status(lab, "SiteA") == "Session status: UP-ACTIVE"
    assert ".!!!!" in lab.exec("SiteA", LINE_2)
    assert child_sas(lab, "SiteA") == 2


def test_without_an_idle_timer_an_idle_sa_stays() -> None:
    lab = running_lab(site_texts())
    lab.exec("SiteA", LINE_1)
    lab.run_for(600.0)
    assert status(lab, "SiteA") == "Session status: UP-ACTIVE"


def test_idle_time_lines_are_read_written_back_and_checked() -> None:
    entry = " set security-association idle-time 120 default\n"
    config = load(site_texts("crypto ipsec security-association idle-time 300\n", entry)[0])
    shown = render(config.raise_for_errors())
    assert "\ncrypto ipsec security-association idle-time 300\n" in shown
    assert "\n set security-association idle-time 120 default\n" in shown
    assert load(shown).raise_for_errors().crypto_maps["CMAP"][0].idle_time == 120
    too_short = load(site_texts(entry_lines=" set security-association idle-time 59\n")[0])
    (error,) = too_short.errors
    assert "% Invalid input detected at '^' marker." in error.format()


def test_a_global_idle_time_says_it_leaves_tunnel_interfaces_alone() -> None:
    text = "crypto ipsec security-association idle-time 300\n"
    text += (SEED_CONFIGS / "router1.cfg").read_text()
    warnings = [w.format() for w in load(text).warnings]
    assert any(
        "pyike applies it to crypto map SAs only; those of Tunnel0 stay while their tunnel is up"
        in w
        for w in warnings
    )
