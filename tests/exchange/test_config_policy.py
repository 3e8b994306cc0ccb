"""Two routers built from IOS configuration text (config_policy), negotiating in the harness:
crypto maps with ACL selectors, asymmetric keys, identities, IPv6, and the failures IOS
reports for mismatched keys, proposals and transform sets."""

from __future__ import annotations

import ipaddress

from pyike.adapter.config_policy import policy_for_config
from pyike.codec.registry import DhId, EncrId, IntegId, NotifyType
from pyike.config import load
from pyike.ike import ChildSaInstalled, IkeSaUp, NegotiationFailed, TrafficSelector, TunnelSpec
from tests.support.harness import Harness, check_consistent, internal_errors, only_sa


def routers(r1: str, r2: str, a1: str = "10.0.0.1", a2: str = "10.0.0.2") -> Harness:
    """R1 and R2 from configuration text; R1 initiates its first tunnel or map entry."""
    built = []
    for name, text in (("r1.cfg", r1), ("r2.cfg", r2)):
        result = load(text, name)
        assert result.ok, [str(d) for d in result.errors]
        built.append(policy_for_config(result.config))
    (p1, t1), (p2, _) = built
    h = Harness({"R1": (p1, a1), "R2": (p2, a2)})
    h.tunnels = t1  # type: ignore[attr-defined]
    h["R1"].engine.initiate(0.0, t1[0])
    h.run(until=5.0)
    return h


def vti(
    hostname: str,
    local: str,
    peer: str,
    *,
    proposal: str = "",
    local_key: str = "cisco",
    remote_key: str = "cisco",
    transform: str = "esp-aes 256 esp-sha256-hmac",
    extra_profile: str = "",
    mode: str = "ipsec ipv4",
    mask: str = "255.255.255.0",
) -> str:
    v6 = ":" in local
    address = f"ipv6 address {local}/64" if v6 else f"ip address {local} {mask}"
    keyring_address = f"{peer}/128" if v6 else f"{peer} 255.255.255.255"
    match = "::/0" if v6 else "0.0.0.0"
    policy = (
        f"crypto ikev2 proposal P\n {proposal}\ncrypto ikev2 policy POL\n proposal P\n"
        if proposal
        else ""
    )
    return f"""hostname {hostname}
{policy}crypto ikev2 keyring KR
 peer PEER
  address {keyring_address}
  pre-shared-key local {local_key}
  pre-shared-key remote {remote_key}
crypto ikev2 profile PROF
 match identity remote address {match}
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
{extra_profile}crypto ipsec transform-set TS {transform}
crypto ipsec profile IPSEC
 set transform-set TS
 set ikev2-profile PROF
interface Ethernet0/0
 {address}
interface Tunnel0
 tunnel source Ethernet0/0
 tunnel mode {mode}
 tunnel destination {peer}
 tunnel protection ipsec profile IPSEC
"""


def _failures(h: Harness, node: str) -> list[tuple[NotifyType | None, bool]]:
    return [(f.notify, f.sent) for f in h[node].of_type(NegotiationFailed)]


# --- policy-based VPNs: crypto maps ------------------------------------------------------

CRYPTO_MAP = """hostname {host}
crypto ikev2 proposal AES
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal AES
crypto ikev2 keyring KR
 peer FAR
  address {peer} 255.255.255.255
  pre-shared-key map-key
crypto ikev2 profile MAP-PROF
 match identity remote address {peer} 255.255.255.255
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ipsec transform-set GCM esp-gcm 256
crypto map VPN 10 ipsec-isakmp
 set peer {peer}
 set transform-set GCM
 set ikev2-profile MAP-PROF
 set pfs group14
 set security-association lifetime seconds 1800
 match address VPN-TRAFFIC
interface GigabitEthernet0/0
 ip address {local} 255.255.255.0
 crypto map VPN
ip access-list extended VPN-TRAFFIC
{acl}"""

R1_ACL = """ permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255
 permit tcp host 10.1.9.9 host 10.2.9.9 eq 443
"""
R2_ACL = """ permit ip 10.2.1.0 0.0.0.255 10.1.0.0 0.0.255.255
 permit tcp host 10.2.9.9 eq 443 host 10.1.9.9
"""


def _crypto_maps() -> Harness:
    return routers(
        CRYPTO_MAP.format(host="R1", local="10.0.0.1", peer="10.0.0.2", acl=R1_ACL),
        CRYPTO_MAP.format(host="R2", local="10.0.0.2", peer="10.0.0.1", acl=R2_ACL),
    )


def test_crypto_map_selectors_come_from_the_acl_and_are_narrowed() -> None:
    h = _crypto_maps()
    tunnels: list[TunnelSpec] = h.tunnels  # type: ignore[attr-defined]
    assert [t.name for t in tunnels] == ["crypto map VPN 10", "crypto map VPN 10 line 2"]
    assert tunnels[0].local_ts == (TrafficSelector.of("10.1.0.0/16"),)
    assert tunnels[0].remote_ts == (TrafficSelector.of("10.2.0.0/16"),)
    check_consistent(h)
    child = h["R1"].of_type(ChildSaInstalled)[0].child
    # R2's ACL only protects 10.2.1.0/24: the responder narrowed R1's /16 to it
    assert child.local_ts == (TrafficSelector.of("10.1.0.0/16"),)
    assert child.remote_ts == (TrafficSelector.of("10.2.1.0/24"),)
    assert (child.encr, child.encr_key_bits, child.integ) == (EncrId.AES_GCM_16, 256, IntegId.NONE)
    assert child.lifetime_seconds == 1800 and child.lifetime_kilobytes == 4608000
    assert internal_errors(h) == []


def test_second_acl_entry_is_a_second_child_sa_with_pfs() -> None:
    h = _crypto_maps()
    tunnels: list[TunnelSpec] = h.tunnels  # type: ignore[attr-defined]
    h["R1"].engine.create_child_sa(h.now, only_sa(h, "R1").sa_id, tunnels[1])
    h.advance(2)
    check_consistent(h, children=2)
    second = h["R1"].of_type(ChildSaInstalled)[1].child
    https = TrafficSelector.of("10.2.9.9/32", protocol=6, ports=(443, 443))
    assert second.remote_ts == (https,)
    assert second.local_ts == (TrafficSelector.of("10.1.9.9/32", protocol=6),)
    assert second.pfs_group == DhId.MODP_2048
    assert internal_errors(h) == []


def test_crypto_map_ike_sa_uses_the_configured_proposal() -> None:
    h = _crypto_maps()
    suite = only_sa(h, "R2").suite
    assert suite is not None
    assert (suite.encr, suite.encr_key_bits, suite.integ, suite.dh) == (
        EncrId.AES_CBC,
        256,
        IntegId.HMAC_SHA2_256_128,
        DhId.MODP_2048,
    )
    assert [u.profile for u in h["R2"].of_type(IkeSaUp)] == ["MAP-PROF"]


# --- keys and identities -----------------------------------------------------------------


def test_asymmetric_keys_each_side_signs_with_its_local_key() -> None:
    h = routers(
        vti("R1", "10.0.0.1", "10.0.0.2", local_key="r1-signs", remote_key="r2-signs"),
        vti("R2", "10.0.0.2", "10.0.0.1", local_key="r2-signs", remote_key="r1-signs"),
    )
    check_consistent(h)
    assert _failures(h, "R1") == [] and _failures(h, "R2") == []


def test_asymmetric_keys_swapped_fail_authentication() -> None:
    # R2 expects R1 to sign with "r2-signs": R1's AUTH does not verify
    h = routers(
        vti("R1", "10.0.0.1", "10.0.0.2", local_key="r1-signs", remote_key="r2-signs"),
        vti("R2", "10.0.0.2", "10.0.0.1", local_key="r2-signs", remote_key="r2-signs"),
    )
    assert _failures(h, "R2") == [(NotifyType.AUTHENTICATION_FAILED, True)]
    assert _failures(h, "R1") == [(NotifyType.AUTHENTICATION_FAILED, False)]
    assert not [sa for n in ("R1", "R2") for sa in h[n].engine.ike_sas if sa.established]


def test_psk_mismatch_is_authentication_failed() -> None:
    h = routers(
        vti("R1", "10.0.0.1", "10.0.0.2", local_key="cisco", remote_key="cisco"),
        vti("R2", "10.0.0.2", "10.0.0.1", local_key="cisco123", remote_key="cisco123"),
    )
    assert _failures(h, "R2") == [(NotifyType.AUTHENTICATION_FAILED, True)]
    assert _failures(h, "R1") == [(NotifyType.AUTHENTICATION_FAILED, False)]
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []
    assert internal_errors(h) == []


def test_fqdn_identities_select_profile_and_keyring_peer() -> None:
    r1 = """hostname R1
crypto ikev2 keyring KR
 peer HUB
  address 10.0.0.2
  pre-shared-key fqdn-key
crypto ikev2 profile SPOKE
 match identity remote fqdn hub.example.com
 identity local fqdn spoke1.example.com
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ipsec profile IPSEC
 set ikev2-profile SPOKE
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
interface Tunnel1
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination 10.0.0.2
 tunnel protection ipsec profile IPSEC
"""
    r2 = """hostname HUB
crypto ikev2 keyring KR
 peer WRONG-BY-ADDRESS
  address 10.0.0.0 255.255.255.0
  pre-shared-key not-this-one
 peer SPOKE1
  identity fqdn spoke1.example.com
  pre-shared-key fqdn-key
crypto ikev2 profile OTHERS
 match identity remote fqdn other.example.net
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ikev2 profile SPOKES
 match identity remote fqdn domain example.com
 identity local fqdn hub.example.com
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ipsec profile IPSEC
 set ikev2-profile SPOKES
interface Ethernet0/0
 ip address 10.0.0.2 255.255.255.0
interface Tunnel1
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination 10.0.0.1
 tunnel protection ipsec profile IPSEC
"""
    h = routers(r1, r2)
    check_consistent(h)
    up = h["R2"].of_type(IkeSaUp)[0]
    assert (up.profile, up.remote_id, up.local_id) == (
        "SPOKES",
        "spoke1.example.com",
        "hub.example.com",
    )
    assert internal_errors(h) == []


# --- proposals and transform sets --------------------------------------------------------


def test_ike_proposal_mismatch_is_no_proposal_chosen() -> None:
    h = routers(
        vti(
            "R1",
            "10.0.0.1",
            "10.0.0.2",
            proposal="encryption aes-cbc-256\n integrity sha256\n group 14",
        ),
        vti("R2", "10.0.0.2", "10.0.0.1", proposal="encryption 3des\n integrity md5\n group 2"),
    )
    assert _failures(h, "R2") == [(NotifyType.NO_PROPOSAL_CHOSEN, True)]
    assert _failures(h, "R1") == [(NotifyType.NO_PROPOSAL_CHOSEN, False)]
    assert h["R1"].engine.ike_sas == [] and h["R2"].engine.ike_sas == []


def test_default_proposal_accepts_a_configured_one() -> None:
    # R2 has no IKEv2 policy: IOS's default proposal answers R1's AES-CBC-192/SHA384/group 5
    h = routers(
        vti(
            "R1",
            "10.0.0.1",
            "10.0.0.2",
            proposal="encryption aes-cbc-192\n integrity sha384\n group 5",
        ),
        vti("R2", "10.0.0.2", "10.0.0.1"),
    )
    check_consistent(h)
    suite = only_sa(h, "R1").suite
    assert suite is not None
    assert (suite.encr_key_bits, suite.integ, suite.dh) == (
        192,
        IntegId.HMAC_SHA2_384_192,
        DhId.MODP_1536,
    )


def test_transform_set_mismatch_keeps_the_ike_sa_without_child() -> None:
    h = routers(
        vti("R1", "10.0.0.1", "10.0.0.2", transform="esp-aes 256 esp-sha256-hmac"),
        vti("R2", "10.0.0.2", "10.0.0.1", transform="esp-3des esp-md5-hmac"),
    )
    check_consistent(h, children=0)
    assert _failures(h, "R2") == [(NotifyType.NO_PROPOSAL_CHOSEN, True)]
    assert _failures(h, "R1") == [(NotifyType.NO_PROPOSAL_CHOSEN, False)]
    assert internal_errors(h) == []


# --- IPv6 ---------------------------------------------------------------------------------


def test_ipv6_peers_over_an_ipv6_vti() -> None:
    a1, a2 = "2001:db8::1", "2001:db8::2"
    h = routers(
        vti("R1", a1, a2, mode="ipsec ipv6"),
        vti("R2", a2, a1, mode="ipsec ipv6"),
        a1,
        a2,
    )
    check_consistent(h)
    sa = only_sa(h, "R1")
    assert sa.remote.address == ipaddress.ip_address(a2)
    assert str(sa.local_id) == a1 and str(sa.remote_id) == a2
    child = h["R1"].of_type(ChildSaInstalled)[0].child
    assert child.local_ts == child.remote_ts == (TrafficSelector.of("::/0"),)
    assert internal_errors(h) == []


def test_a_vti_negotiates_tunnel_mode_whatever_its_transform_set_says() -> None:
    """IOS asks for transport mode only for the peers' own traffic; a VTI protects any/any."""
    transport = "esp-aes esp-sha-hmac\n mode transport"
    h = routers(
        vti("R1", "10.0.0.1", "10.0.0.2", transform=transport),
        vti("R2", "10.0.0.2", "10.0.0.1", transform=transport),
    )
    check_consistent(h)
    for node in ("R1", "R2"):
        assert [e.child.mode for e in h[node].of_type(ChildSaInstalled)] == ["tunnel"]
    assert internal_errors(h) == []


def test_child_sas_take_the_configured_anti_replay_window() -> None:
    """The global `crypto ipsec security-association replay window-size`, or the IPsec
    profile's own `set security-association replay window-size` before it."""
    global_window = "crypto ipsec security-association replay window-size 1024\n"
    own_window = " set security-association replay window-size 512\n"
    r2 = vti("R2", "10.0.0.2", "10.0.0.1").replace(
        " set ikev2-profile PROF\n", " set ikev2-profile PROF\n" + own_window
    )
    h = routers(global_window + vti("R1", "10.0.0.1", "10.0.0.2"), global_window + r2)
    check_consistent(h)
    assert h["R1"].of_type(ChildSaInstalled)[0].child.replay_window == 1024
    assert h["R2"].of_type(ChildSaInstalled)[0].child.replay_window == 512
    assert internal_errors(h) == []
