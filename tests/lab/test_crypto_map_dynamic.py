"""Dynamic crypto maps (`crypto dynamic-map DYN SEQ`, `crypto map CMAP SEQ ipsec-isakmp dynamic
DYN`): the hub accepts any spoke its IKEv2 profile authenticates, for the selectors the spoke
asks (within the dynamic map's ACL when it has one), never initiates, and with `reverse-route`
routes each spoke's LAN through that spoke while its SA is up.

The crypto-map-dynamic example: a hub and two spokes with ordinary crypto maps toward it."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

from pyike.adapter.config_policy import policy_for_config
from pyike.config import load
from pyike.config.explain import explain
from pyike.config.query import child_sa_policies, not_negotiated
from pyike.config.validate import validate
from pyike.config.writer import render
from pyike.ike.events import Endpoint
from pyike.ike.policy import ProfileSpec
from pyike.lab.lab import Lab
from pyike.net.runtime import not_applied_lines
from tests.support.lab_texts import running_lab
from tests.support.paths import EXAMPLES

DIR = EXAMPLES / "crypto-map-dynamic"
HUB_LAN_PING = "ping 10.0.0.1 source Loopback0"
REVERSE = " reverse-route\n"
RRI_SPOKE1 = "S        10.1.0.0 [1/0] via 203.0.113.11"


def texts(hub_changes: tuple[tuple[str, str], ...] = ()) -> list[str]:
    hub = (DIR / "hub.cfg").read_text()
    for old, new in hub_changes:
        assert old in hub
        hub = hub.replace(old, new)
    return [hub, (DIR / "spoke1.cfg").read_text(), (DIR / "spoke2.cfg").read_text()]


def session(lab: Lab, router: str) -> str:
    return lab.exec(router, "show crypto session")


def test_each_spoke_sets_up_its_own_sa_through_the_one_entry() -> None:
    lab = running_lab(texts())
    for spoke in ("Spoke1", "Spoke2"):
        assert "!!!!!" in lab.exec(spoke, HUB_LAN_PING)
    ipsec = lab.exec("Hub", "show crypto ipsec sa")
    assert ipsec.count("Crypto map tag: CMAP, local addr 203.0.113.1") == 1
    assert "remote ident (addr/mask/prot/port): (10.1.0.0/255.255.255.0/0/0)" in ipsec
    assert "remote ident (addr/mask/prot/port): (10.2.0.0/255.255.255.0/0/0)" in ipsec
    assert session(lab, "Hub").count("Session status: UP-ACTIVE") == 2
    assert "Dynamic map template tag: DYN" in lab.exec("Hub", "show crypto map")
    template = lab.exec("Hub", "show crypto dynamic-map tag DYN")
    assert template.startswith('Crypto Map Template"DYN" 10\n        IKEv2 Profile: SPOKES\n')
    assert "        Reverse Route Injection Enabled\n" in template
    assert "% Incomplete command." in lab.exec("Hub", "show crypto dynamic-map tag")


def test_reverse_route_follows_the_sa_and_the_hub_never_initiates() -> None:
    lab = running_lab(texts())
    assert RRI_SPOKE1 in lab.exec("Hub", "show ip route static")
    assert "!!!!!" in lab.exec("Hub", "ping 10.1.0.1 source Loopback0")
    lab.exec("Spoke1", "clear crypto session")
    lab.run_for(5.0)
    assert RRI_SPOKE1 not in lab.exec("Hub", "show ip route static")
    assert "Success rate is 0 percent" in lab.exec("Hub", "ping 10.1.0.1 source Loopback0")
    assert "203.0.113.11" not in session(lab, "Hub")  # traffic did not make the hub initiate
    assert "!!!" in lab.exec("Spoke1", HUB_LAN_PING)  # the spoke's traffic brings it back
    assert RRI_SPOKE1 in lab.exec("Hub", "show ip route static")
    assert "!!!!!" in lab.exec("Hub", "ping 10.1.0.1 source Loopback0")


def test_without_reverse_route_the_hub_has_no_route_to_the_spokes() -> None:
    lab = running_lab(texts(((REVERSE, ""),)))
    assert "Session status: UP-ACTIVE" in session(lab, "Spoke1")
    assert "10.1.0.0" not in lab.exec("Hub", "show ip route")
    assert "Success rate is 0 percent" in lab.exec("Hub", "ping 10.1.0.1 source Loopback0")


def test_the_dynamic_maps_acl_bounds_what_a_spoke_may_ask() -> None:
    acl = "ip access-list extended FROM-SPOKE1\n permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
    hub_changes = ((REVERSE, REVERSE + " match address FROM-SPOKE1\n"),)
    hub, spoke1, spoke2 = texts(hub_changes)
    lab = running_lab([hub + acl, spoke1, spoke2])
    assert "!!!!!" in lab.exec("Spoke1", HUB_LAN_PING)
    assert "Success rate is 0 percent" in lab.exec("Spoke2", HUB_LAN_PING)
    assert "Session status: UP-ACTIVE" not in session(lab, "Spoke2")


def test_read_written_back_and_removed() -> None:
    hub = texts()[0]
    config = load(hub).raise_for_errors()
    (entry,) = config.dynamic_maps["DYN"]
    assert (entry.transform_sets, entry.ikev2_profile, entry.reverse_route) == (
        ("TSET",),
        "SPOKES",
        True,
    )
    assert config.crypto_maps["CMAP"][0].dynamic == "DYN"
    text = render(config)
    assert "crypto dynamic-map DYN 10\n set transform-set TSET\n" in text
    assert "crypto map CMAP 65535 ipsec-isakmp dynamic DYN\n" in text
    again = load(text).raise_for_errors()
    assert {n: [replace(e, source=None) for e in es] for n, es in again.dynamic_maps.items()} == {
        n: [replace(e, source=None) for e in es] for n, es in config.dynamic_maps.items()
    }
    removed = load(text.replace("\nend\n", "\nno crypto dynamic-map DYN 10\n")).raise_for_errors()
    assert removed.dynamic_maps == {"DYN": ()} or removed.dynamic_maps == {}
    assert not config.not_modelled


def test_config_check_names_what_will_not_come_up() -> None:
    missing = load(texts()[0].replace("ipsec-isakmp dynamic DYN", "ipsec-isakmp dynamic NOPE"))
    warnings = [d.format() for d in validate(missing.raise_for_errors())]
    assert any("crypto map CMAP 65535: dynamic map NOPE does not exist" in w for w in warnings)
    ikev1 = load(texts()[0].replace(" set ikev2-profile SPOKES\n", "")).raise_for_errors()
    reason = not_negotiated(ikev1)["crypto map CMAP 65535 dynamic DYN 10"]
    assert "no set ikev2-profile in crypto map CMAP 65535 dynamic DYN 10" in reason
    assert reason.endswith("so it will not come up")


def test_explained() -> None:
    text = explain(load(texts()[0]).raise_for_errors())
    assert "for any peer IKEv2 profile SPOKES authenticates" in text
    assert "protects what each peer asks for (no match address)" in text
    assert "reverse-route: a static route to each SA's remote subnet, via its peer" in text


def test_pyike_run_accepts_no_peer_through_it_and_says_so() -> None:
    config = load(texts()[0]).raise_for_errors()
    (dynamic,) = [c for c in child_sa_policies(config) if c.dynamic]
    assert dynamic.ikev2_profile is not None
    profile = ProfileSpec(dynamic.ikev2_profile.name, ())
    assert dynamic.local is not None
    here, spoke = Endpoint(dynamic.local), Endpoint(ip_address("203.0.113.11"))
    lab_policy, _ = policy_for_config(config)
    assert lab_policy.tunnels_for_peer(here, spoke, profile)
    run_policy, _ = policy_for_config(config, dynamic_maps=False)
    assert not run_policy.tunnels_for_peer(here, spoke, profile)
    assert not_applied_lines(config) == [
        "%PYIKE-4-NOT_APPLIED: 'crypto map CMAP 65535 ipsec-isakmp dynamic DYN': pyike run"
        " accepts no peer through it (it could not carry their traffic); pyike lab applies it"
    ]
