"""ConfigPolicy's answers, question by question, against what IOS would use."""

from __future__ import annotations

import pytest

from pyike.adapter.config_policy import ConfigPolicy, policy_for_config, tunnels_to_initiate
from pyike.codec.registry import DhId, EncrId, IntegId, PrfId
from pyike.config import load
from pyike.config.model import Config
from pyike.ike import DpdSettings, Endpoint, Identity, TrafficSelector
from tests.support.paths import CONFIG_CORPUS


def config(text: str) -> Config:
    result = load(text, "test.cfg")
    assert result.ok, [str(d) for d in result.errors]
    return result.config


def corpus(name: str) -> Config:
    return config((CONFIG_CORPUS / name).read_text(encoding="utf-8"))


def at(address: str, port: int = 500) -> Endpoint:
    return Endpoint.of(address, port)


GLOBALS = """hostname G
crypto ikev2 dpd 10 3 on-demand
crypto ikev2 nat keepalive 20
crypto ikev2 cookie-challenge 100
crypto ikev2 window 10
crypto ikev2 limit max-in-negotiation-sa 500
crypto ikev2 fragmentation mtu 1200
crypto ipsec security-association lifetime seconds 7200
crypto ipsec security-association lifetime kilobytes 99999
crypto ikev2 keyring KR
 peer P
  address 10.0.0.2
  pre-shared-key k
crypto ikev2 profile PROF
 match identity remote address 10.0.0.2 255.255.255.255
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
 lifetime 600
crypto ikev2 profile OWN-DPD
 match identity remote address 10.0.0.3 255.255.255.255
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
 dpd 30 5 periodic
 nat keepalive 45
crypto ipsec profile IPSEC
 set ikev2-profile PROF
 set pfs group14
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
interface Tunnel0
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv4
 tunnel destination 10.0.0.2
 tunnel protection ipsec profile IPSEC
"""


def test_global_settings_reach_the_engine() -> None:
    s = ConfigPolicy(config(GLOBALS)).settings
    assert (s.window_size, s.cookie_challenge, s.max_in_negotiation) == (10, 100, 500)
    assert (s.fragmentation_mtu, s.nat_keepalive) == (1200, 20)


def test_ios_defaults_when_nothing_is_configured() -> None:
    policy, tunnels = policy_for_config(corpus("ok_vti_seed_like.cfg"))
    s = policy.settings
    assert (s.window_size, s.cookie_challenge, s.fragmentation_mtu) == (5, None, None)
    assert tunnels and tunnels[0].lifetime_seconds == 3600
    assert tunnels[0].lifetime_kilobytes == 4608000


def test_profile_lifetime_and_dpd_own_or_global() -> None:
    policy = ConfigPolicy(config(GLOBALS))
    prof = policy.profile("PROF")
    assert prof is not None
    assert prof.lifetime == 600
    assert prof.dpd == DpdSettings(10, 3, "on-demand")  # the global `crypto ikev2 dpd`
    assert prof.nat_keepalive == 20
    own = policy.profile("OWN-DPD")
    assert own is not None
    assert own.lifetime == 86400
    assert own.dpd == DpdSettings(30, 5, "periodic")
    assert own.nat_keepalive == 45
    assert policy.profile("NOPE") is None


def test_tunnel_takes_pfs_from_ipsec_profile_and_global_lifetimes() -> None:
    (tunnel,) = tunnels_to_initiate(config(GLOBALS))
    assert (tunnel.name, tunnel.profile, tunnel.pfs_group) == ("Tunnel0", "PROF", DhId.MODP_2048)
    assert (tunnel.local, tunnel.remote) == (at("10.0.0.1"), at("10.0.0.2"))
    assert (tunnel.lifetime_seconds, tunnel.lifetime_kilobytes) == (7200, 99999)
    # no transform set named: IOS's default transform set (esp-aes esp-sha-hmac)
    (ts,) = tunnel.transform_sets
    assert (ts.encr, ts.key_bits, ts.integ, ts.mode) == (
        EncrId.AES_CBC,
        128,
        IntegId.HMAC_SHA1_96,
        "tunnel",
    )
    assert tunnel.local_ts == tunnel.remote_ts == (TrafficSelector.any4(),)


def test_seed_router2_offers_the_default_proposal() -> None:
    policy, _ = policy_for_config(corpus("ok_smart_defaults.cfg"))
    (proposal,) = policy.ike_proposals(at("10.0.0.2"))
    assert proposal.encryption == (
        (EncrId.AES_CBC, 256),
        (EncrId.AES_CBC, 192),
        (EncrId.AES_CBC, 128),
    )
    assert proposal.integrity == (
        IntegId.HMAC_SHA2_512_256,
        IntegId.HMAC_SHA2_384_192,
        IntegId.HMAC_SHA2_256_128,
        IntegId.HMAC_SHA1_96,
        IntegId.HMAC_MD5_96,
    )
    assert proposal.prf[0] == PrfId.HMAC_SHA2_512
    assert proposal.groups == (DhId.MODP_1536, DhId.MODP_1024)


# The front-door VRF of a local address is that of the interface holding it.
FVRF_INTERFACES = """
vrf definition INTERNET
 address-family ipv4
 exit-address-family
interface GigabitEthernet0/0
 vrf forwarding INTERNET
 ip address 192.0.2.1 255.255.255.0
interface GigabitEthernet0/1
 ip address 198.51.100.1 255.255.255.0
"""


def test_policy_by_local_address_and_fvrf() -> None:
    text = (CONFIG_CORPUS / "ok_fvrf_policies.cfg").read_text(encoding="utf-8")
    policy = ConfigPolicy(config(text + FVRF_INTERFACES))
    mpls = policy.ike_proposals(at("10.50.0.1"))
    assert [p.name for p in mpls] == ["MPLS"]
    # AEAD: no integrity, the configured PRF
    assert mpls[0].integrity == () and mpls[0].prf == (PrfId.HMAC_SHA2_384,)
    assert mpls[0].encryption == ((EncrId.AES_GCM_16, 256),)
    inet = policy.ike_proposals(at("192.0.2.1"))  # on GigabitEthernet0/0, in VRF INTERNET
    assert [p.name for p in inet] == ["INET"]
    # neither policy applies to an address in the global table: the default policy
    other = policy.ike_proposals(at("198.51.100.1"))
    assert [p.name for p in other] == ["default"]


def test_profile_matches_only_its_front_door_vrf() -> None:
    """`match fvrf INTERNET` selects the profile for IKE arriving in INTERNET only; a
    profile without `match fvrf` is for the global table only (IOS)."""
    text = (CONFIG_CORPUS / "ok_fvrf_policies.cfg").read_text(encoding="utf-8")
    text += FVRF_INTERFACES + (
        "crypto ikev2 profile GLOBAL\n match identity remote address 0.0.0.0\n"
        " authentication local pre-share\n authentication remote pre-share\n"
        " keyring local KR\n"
    )
    policy = ConfigPolicy(config(text))
    peer = Identity.address("203.0.113.9")
    in_vrf = policy.profile_for_identity(at("192.0.2.1"), peer)
    in_global = policy.profile_for_identity(at("198.51.100.1"), peer)
    assert in_vrf is not None and in_vrf.name == "INET"
    assert in_global is not None and in_global.name == "GLOBAL"


def test_profile_by_remote_identity_and_local_identity() -> None:
    policy = ConfigPolicy(corpus("ok_multiple_peers.cfg"))
    local = at("198.51.100.1")
    by_fqdn = policy.profile_for_identity(local, Identity.fqdn("spoke1.example.com"))
    assert by_fqdn is not None and by_fqdn.name == "SPOKES"
    assert policy.local_identity(by_fqdn, local) == Identity.address("198.51.100.1")
    assert policy.profile_for_identity(local, Identity.fqdn("spoke1.example.org")) is None
    by_key_id = policy.profile_for_identity(local, Identity.key_id("SPOKE3KEYID"))
    assert by_key_id is not None and by_key_id.name == "SPOKES"
    assert policy.profile_for_identity(local, Identity.key_id("spoke3keyid")) is None
    assert by_fqdn.dpd == DpdSettings(10, 3, "periodic")


def test_local_identity_defaults_to_the_address() -> None:
    policy = ConfigPolicy(config(GLOBALS))
    prof = policy.profile("PROF")
    assert prof is not None
    assert policy.local_identity(prof, at("10.0.0.1")) == Identity.address("10.0.0.1")
    fqdn = ConfigPolicy(corpus("ok_profile_keys.cfg")).profile("DIRECT")
    assert fqdn is not None and fqdn.local_identity == Identity.fqdn("r1.example.com")


def test_keys_by_identity_then_address_then_hostname() -> None:
    policy = ConfigPolicy(corpus("ok_multiple_peers.cfg"))
    prof = policy.profile("SPOKES")
    assert prof is not None
    # identity first, wherever the peer is
    assert policy.verification_key(prof, at("192.0.2.77"), Identity.fqdn("spoke1.example.com")) == (
        b"spoke1-key"
    )
    # no identity (the initiator looks the key up before it knows one): by address
    assert policy.signing_key(prof, at("203.0.113.2"), None) == b"spoke2-key"
    # by hostname for an FQDN identity no peer names as its identity
    assert policy.signing_key(prof, at("192.0.2.77"), Identity.fqdn("spoke3.example.com")) == (
        b"spoke3-key"
    )
    assert policy.signing_key(prof, at("192.0.2.77"), None) is None


def test_asymmetric_keys_sign_local_verify_remote() -> None:
    policy = ConfigPolicy(corpus("ok_asymmetric_keys.cfg"))
    prof = policy.profile("ASYM-PROF")
    assert prof is not None
    assert policy.signing_key(prof, at("10.1.1.2"), None) == b"key-R1-signs"
    assert policy.verification_key(prof, at("10.1.1.2"), None) == b"key-R2-signs"


def test_profile_keys_override_the_keyring() -> None:
    policy = ConfigPolicy(corpus("ok_profile_keys.cfg"))
    prof = policy.profile("DIRECT")
    assert prof is not None
    assert policy.signing_key(prof, at("10.9.9.2"), None) == b"local-side-key"
    assert policy.verification_key(prof, at("10.9.9.2"), None) == b"remote-side-key"


def test_type6_keys_cannot_be_used() -> None:
    text = (CONFIG_CORPUS / "ok_type6_key.cfg").read_text(encoding="utf-8")
    text += """crypto ikev2 profile P6
 match identity remote address 10.0.0.2 255.255.255.255
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
"""
    policy = ConfigPolicy(config(text))
    prof = policy.profile("P6")
    assert prof is not None
    assert policy.signing_key(prof, at("10.0.0.2"), None) is None
    assert policy.verification_key(prof, at("10.0.0.2"), None) is None


def test_crypto_map_entries_one_spec_per_acl_entry_default_peer_initiated() -> None:
    cfg = corpus("ok_crypto_map_named_acl.cfg")
    tunnels = tunnels_to_initiate(cfg)
    # `set peer 192.0.2.10 default` is tried first
    assert {t.remote for t in tunnels} == {at("192.0.2.10")}
    assert len(tunnels) == 3  # three permit entries; the deny protects nothing
    first = tunnels[0]
    assert first.name == "crypto map VPN 20"
    assert first.local_ts == (TrafficSelector.of("172.16.0.0/20"),)
    assert first.remote_ts == (TrafficSelector.of("172.17.0.0/20"),)
    assert [(t.encr, t.key_bits) for t in first.transform_sets] == [
        (EncrId.AES_GCM_16, 256),
        (EncrId.AES_GCM_16, 128),
    ]
    assert (first.pfs_group, first.lifetime_seconds, first.lifetime_kilobytes) == (
        DhId.ECP_256,
        1800,
        100000,
    )
    tcp = tunnels[1]
    assert tcp.local_ts == (TrafficSelector.of("172.16.1.0/24", 6, (1024, 65535)),)
    assert tcp.remote_ts == (TrafficSelector.of("172.17.1.1/32", 6, (443, 443)),)
    # the other peer is accepted as a responder
    policy = ConfigPolicy(cfg)
    prof = policy.profile("PROF")
    assert len(policy.tunnels_for_peer(at("192.0.2.10"), at("192.0.2.9"), prof)) == 3
    assert policy.tunnels_for_peer(at("192.0.2.10"), at("192.0.2.11"), prof) == []


def test_responder_tunnels_follow_the_profile_and_the_local_address() -> None:
    policy = ConfigPolicy(config(GLOBALS))
    prof = policy.profile("PROF")
    other = policy.profile("OWN-DPD")
    assert [t.name for t in policy.tunnels_for_peer(at("10.0.0.1"), at("10.0.0.2"), prof)] == [
        "Tunnel0"
    ]
    assert policy.tunnels_for_peer(at("10.0.0.1"), at("10.0.0.2"), other) == []
    assert policy.tunnels_for_peer(at("10.0.0.9"), at("10.0.0.2"), prof) == []


@pytest.mark.parametrize(
    "change",
    [
        (
            " tunnel protection ipsec profile IPSEC\n",
            " tunnel protection ipsec profile IPSEC\n shutdown\n",
        ),
        (" set ikev2-profile PROF\n", ""),
    ],
    ids=["shut-down", "no-ikev2-profile"],
)
def test_tunnels_that_are_not_initiated(change: tuple[str, str]) -> None:
    assert tunnels_to_initiate(config(GLOBALS.replace(*change))) == []


def test_ipv6_tunnel() -> None:
    (tunnel,) = tunnels_to_initiate(corpus("ok_ipv6_peers.cfg"))
    assert tunnel.local == at("2001:db8:1::1") and tunnel.remote == at("2001:db8:2::2")
    assert tunnel.local_ts == (TrafficSelector.of("::/0"),)
    policy = ConfigPolicy(corpus("ok_ipv6_peers.cfg"))
    prof = policy.profile_for_identity(tunnel.local, Identity.address("2001:db8:2::2"))
    assert prof is not None and prof.name == "V6PROF"
    assert policy.profile_for_identity(tunnel.local, Identity.address("10.0.0.2")) is None
    assert policy.signing_key(prof, tunnel.remote, None) == b"v6-secret"


def test_secrets_never_in_reprs() -> None:
    policy, tunnels = policy_for_config(corpus("ok_asymmetric_keys.cfg"))
    text = repr(policy) + repr(tunnels) + repr(policy.profile("ASYM-PROF"))
    assert "key-R1-signs" not in text and "key-R2-signs" not in text


TRANSPORT_SET = """crypto ipsec transform-set TS esp-aes esp-sha-hmac
 mode transport
"""


@pytest.mark.parametrize(
    ("change", "mode"),
    [
        (("", ""), "tunnel"),  # a VTI protects any/any
        ((" tunnel mode ipsec ipv4\n", " tunnel mode gre ip\n"), "transport"),
    ],
    ids=["vti", "gre"],
)
def test_transport_mode_only_for_the_peers_own_traffic_on_tunnels(
    change: tuple[str, str], mode: str
) -> None:
    text = TRANSPORT_SET + GLOBALS.replace(*change).replace(
        " set pfs group14\n", " set pfs group14\n set transform-set TS\n"
    )
    (tunnel,) = tunnels_to_initiate(config(text))
    assert [ts.mode for ts in tunnel.transform_sets] == [mode]


@pytest.mark.parametrize(
    ("acl", "mode"),
    [
        ("permit ip host 10.0.0.1 host 10.0.0.2", "transport"),
        ("permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255", "tunnel"),
    ],
    ids=["peer-to-peer", "subnets"],
)
def test_transport_mode_only_for_the_peers_own_traffic_on_crypto_maps(acl: str, mode: str) -> None:
    text = (
        TRANSPORT_SET
        + GLOBALS.split("crypto ipsec profile")[0]
        + f"""ip access-list extended ACL
 {acl}
crypto map CMAP 10 ipsec-isakmp
 set peer 10.0.0.2
 set transform-set TS
 set ikev2-profile PROF
 match address ACL
interface Ethernet0/0
 ip address 10.0.0.1 255.255.255.0
 crypto map CMAP
"""
    )
    (tunnel,) = tunnels_to_initiate(config(text))
    assert [ts.mode for ts in tunnel.transform_sets] == [mode]
