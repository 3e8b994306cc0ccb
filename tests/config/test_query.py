"""What the engine will ask of a configuration."""

from __future__ import annotations

from ipaddress import ip_address

from pyike.codec.registry import DhId, EncrId, IntegId, PrfId, TsType
from pyike.config import defaults, load, load_file
from pyike.config.model import Identity, IdentityKind
from pyike.config.query import (
    child_sa_policies,
    ike_sa_settings,
    keyring_lookup_order,
    match_profile,
    proposals_for,
    psk_for_peer,
    select_policy,
    signing_key,
    tunnel_policy,
    verification_key,
)
from tests.support.paths import CONFIG_CORPUS, SEED_CONFIGS


def test_router1_offers_its_own_proposal() -> None:
    cfg = load_file(SEED_CONFIGS / "router1.cfg").config
    (proposal,) = proposals_for(cfg, ip_address("10.0.0.1"))
    assert [e.id for e in proposal.encryption] == [EncrId.TRIPLE_DES, EncrId.AES_CBC]
    assert proposal.integrity == (IntegId.HMAC_SHA1_96,)
    assert proposal.prf == (PrfId.HMAC_SHA1,)  # derived from integrity
    assert proposal.groups == (DhId.MODP_1024,)


def test_router2_offers_the_15_transform_default_proposal() -> None:
    cfg = load_file(SEED_CONFIGS / "router2.cfg").config
    assert select_policy(cfg, ip_address("10.0.0.2")).name == "default"  # type: ignore[union-attr]
    (proposal,) = proposals_for(cfg, ip_address("10.0.0.2"))
    count = (
        len(proposal.encryption)
        + len(proposal.integrity)
        + len(proposal.prf)
        + len(proposal.groups)
    )
    assert count == 15
    assert [e.key_bits for e in proposal.encryption] == [256, 192, 128]
    assert proposal.groups == (DhId.MODP_1536, DhId.MODP_1024)


def test_seed_tunnel_child_sa() -> None:
    cfg = load_file(SEED_CONFIGS / "router1.cfg").config
    policy = tunnel_policy(cfg, "Tunnel0")
    assert policy is not None
    assert policy.local == ip_address("10.0.0.1") and policy.peers == (ip_address("10.0.0.2"),)
    (ts,) = policy.transform_sets
    assert ts.encryption is not None and ts.encryption.id is EncrId.TRIPLE_DES
    assert policy.pfs is None
    assert (policy.lifetime_seconds, policy.lifetime_kilobytes) == (3600, 4608000)
    ((local, remote),) = policy.selectors
    assert (str(local.start), str(local.end)) == ("0.0.0.0", "255.255.255.255")
    assert local.ts_type is TsType.TS_IPV4_ADDR_RANGE and remote.protocol == 0
    assert policy.ikev2_profile is not None and policy.ikev2_profile.name == "IKEV2-SETUP"
    settings = ike_sa_settings(cfg, policy.ikev2_profile)
    assert (settings.lifetime, settings.window, settings.dpd) == (120, 5, None)


def test_seed_profile_and_keys() -> None:
    cfg = load_file(SEED_CONFIGS / "router1.cfg").config
    peer = ip_address("10.0.0.2")
    profile = match_profile(cfg, Identity.address(peer))
    assert profile is not None and profile.name == "IKEV2-SETUP"
    keys = psk_for_peer(cfg, profile, peer)
    assert keys.local is not None and keys.local.reveal() == "cisco"
    assert keys.local_origin == "keyring KEYRNG peer peer1"
    assert "cisco" not in repr(keys)


def test_asymmetric_keys_sign_local_verify_remote() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_asymmetric_keys.cfg").config
    peer = ip_address("10.1.1.2")
    profile = match_profile(cfg, Identity.address(peer))
    assert profile is not None
    assert signing_key(cfg, profile, peer).reveal() == "key-R1-signs"  # type: ignore[union-attr]
    assert verification_key(cfg, profile, peer).reveal() == "key-R2-signs"  # type: ignore[union-attr]


def test_profile_keys_override_and_fqdn_matching() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_profile_keys.cfg").config
    remote = Identity(IdentityKind.FQDN, "R2.example.com")
    profile = match_profile(cfg, remote)
    assert profile is not None and profile.name == "DIRECT"
    keys = psk_for_peer(cfg, profile, ip_address("10.9.9.2"), remote)
    assert keys.local_origin == "profile DIRECT"
    assert keys.remote is not None and keys.remote.reveal() == "remote-side-key"
    assert match_profile(cfg, Identity(IdentityKind.FQDN, "r3.example.com")) is None


def test_domain_email_and_key_id_matching() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_multiple_peers.cfg").config
    assert match_profile(cfg, Identity(IdentityKind.FQDN, "x.spoke1.example.com")) is not None
    assert match_profile(cfg, Identity(IdentityKind.EMAIL, "a@spoke2.example.com")) is not None
    assert match_profile(cfg, Identity(IdentityKind.KEY_ID, "SPOKE3KEYID")) is not None
    assert match_profile(cfg, Identity(IdentityKind.EMAIL, "a@evil.org")) is None
    ring = cfg.keyrings["SPOKES"]
    by_id = keyring_lookup_order(ring, None, Identity(IdentityKind.KEY_ID, "SPOKE3KEYID"))
    assert by_id[0].name == "SPOKE3"
    by_host = keyring_lookup_order(ring, None, Identity(IdentityKind.FQDN, "spoke3.example.com"))
    assert [p.name for p in by_host] == ["SPOKE3"]
    assert select_policy(cfg, ip_address("198.51.100.1")).name == "HUB-POL"  # type: ignore[union-attr]
    assert select_policy(cfg, ip_address("198.51.100.2")).name == "default"  # type: ignore[union-attr]


def test_keyring_longest_prefix_first() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_overlapping_keyring.cfg").config
    ring = cfg.keyrings["KR"]
    order = keyring_lookup_order(ring, ip_address("10.1.1.7"))
    assert [p.name for p in order] == ["NARROW", "WIDE", "DUP"]
    assert [p.name for p in keyring_lookup_order(ring, ip_address("10.2.0.1"))] == ["WIDE", "DUP"]


def test_crypto_map_selectors_from_acl() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_crypto_map_numbered_acl.cfg").config
    (policy,) = child_sa_policies(cfg)
    assert [t.name for t in policy.transform_sets] == ["T1", "T2"]
    assert policy.pfs is DhId.MODP_2048
    assert len(policy.selectors) == 4  # the deny entry protects nothing
    local, remote = policy.selectors[1]
    assert (local.protocol, local.start_port, local.end_port) == (6, 80, 80)
    assert (remote.start_port, remote.end_port) == (8000, 8080)
    assert str(remote.start) == "10.20.0.0" and str(remote.end) == "10.20.0.255"


def test_named_acl_and_lifetimes() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_crypto_map_named_acl.cfg").config
    (policy,) = child_sa_policies(cfg)
    assert policy.peers[0] == ip_address("192.0.2.10")  # `default` puts it first
    assert (policy.lifetime_seconds, policy.lifetime_kilobytes) == (1800, 100000)
    assert policy.transform_sets[0].encryption.key_bits == 256  # type: ignore[union-attr]
    ports = [(r.start_port, r.end_port) for _, r in policy.selectors]
    assert ports == [(0, 65535), (443, 443), (0, 99)]


def test_smart_defaults_fill_in_transform_set_and_profile() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_smart_defaults.cfg").config
    policy = tunnel_policy(cfg, "Tunnel1")
    assert policy is not None and policy.ipsec_profile == "default"
    (ts,) = policy.transform_sets
    assert ts.transforms_text() == "esp-aes esp-sha-hmac"
    assert policy.ikev2_profile is not None and policy.ikev2_profile.name == "default"


def test_modified_and_disabled_defaults() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_modify_defaults.cfg").config
    (proposal,) = proposals_for(cfg, ip_address("10.0.0.1"))
    assert proposal.groups == (DhId.MODP_1024,)  # replaced, not appended
    policy = tunnel_policy(cfg, "Tunnel0")
    assert policy is not None and policy.lifetime_seconds == 7200
    assert policy.replay_window == 512
    assert policy.transform_sets[0].transforms_text() == "esp-aes 256 esp-sha512-hmac"
    none = load_file(CONFIG_CORPUS / "ok_no_forms.cfg").config
    assert select_policy(none, ip_address("192.0.2.1")).name == "ONLY"  # type: ignore[union-attr]
    (only,) = proposals_for(none, None)
    assert [e.key_bits for e in only.encryption] == [256] and only.groups == (DhId.MODP_2048,)
    assert "ONLY" in none.policies and "GONE" not in none.proposals


def test_ipv6_and_gre_selectors() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_ipv6_peers.cfg").config
    policy = tunnel_policy(cfg, "Tunnel6")
    assert policy is not None
    assert policy.local == ip_address("2001:db8:1::1")
    assert policy.selectors[0][0].ts_type is TsType.TS_IPV6_ADDR_RANGE
    assert match_profile(cfg, Identity.address(ip_address("2001:db8:2::2"))) is not None
    gre = load_file(CONFIG_CORPUS / "ok_gre_over_ipsec.cfg").config
    gre_policy = tunnel_policy(gre, "Tunnel7")
    assert gre_policy is not None
    ((local, remote),) = gre_policy.selectors
    assert local.protocol == 47 and local.start == local.end == ip_address("10.0.0.1")
    assert remote.protocol == 47 and remote.start == remote.end == ip_address("10.0.0.2")


def test_global_ikev2_settings() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_global_ikev2.cfg").config
    profile = cfg.profiles["NATPROF"]
    s = ike_sa_settings(cfg, profile)
    assert (s.window, s.nat_keepalive, s.fragmentation_mtu, s.cookie_challenge) == (
        10,
        30,
        1200,
        100,
    )
    assert s.dpd is not None and (s.dpd.interval, s.dpd.mode) == (10, "on-demand")
    assert match_profile(cfg, Identity.address(ip_address("203.0.113.50"))) is None  # local
    assert (
        match_profile(cfg, Identity.address(ip_address("203.0.113.50")), ip_address("192.168.0.2"))
        is profile
    )
    policy = tunnel_policy(cfg, "Tunnel0")
    assert policy is not None and policy.pfs is DhId.MODP_768  # `set pfs` alone: group 1


def test_fvrf_policy_selection() -> None:
    cfg = load_file(CONFIG_CORPUS / "ok_fvrf_policies.cfg").config
    assert select_policy(cfg, ip_address("1.1.1.1"), "INTERNET").name == "INET"  # type: ignore[union-attr]
    assert select_policy(cfg, ip_address("10.50.0.1")).name == "MPLS"  # type: ignore[union-attr]
    (gcm,) = proposals_for(cfg, ip_address("10.50.0.1"))
    assert gcm.integrity == () and gcm.prf == (PrfId.HMAC_SHA2_384,)
    remote = Identity.address(ip_address("9.9.9.9"))
    assert match_profile(cfg, remote, fvrf="INTERNET") is not None
    assert match_profile(cfg, remote) is None


def test_no_policy_means_no_proposals() -> None:
    cfg = load("no crypto ikev2 policy default\n").config
    assert select_policy(cfg, None) is None and proposals_for(cfg, None) == ()


DH_GROUPS_CONFIG = """\
no crypto ikev2 proposal default
crypto ikev2 proposal P
 encryption aes-cbc-256
 integrity sha256
 group 14 19
crypto ikev2 policy POL
 proposal P
crypto ipsec transform-set TS esp-aes esp-sha-hmac
crypto ipsec profile PROF
 set transform-set TS
 set pfs group2
access-list 101 permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255
crypto map CMAP 10 ipsec-isakmp
 set peer 192.0.2.2
 set transform-set TS
 set pfs group5
 match address 101
"""


def test_dh_groups_are_the_proposals_and_the_pfs_groups() -> None:
    cfg = load(DH_GROUPS_CONFIG).config
    assert defaults.dh_groups(cfg) == {
        DhId.MODP_2048,
        DhId.ECP_256,
        DhId.MODP_1024,  # the IPsec profile's PFS
        DhId.MODP_1536,  # the crypto map entry's
    }
    # IOS's default proposal counts while it is not disabled
    with_default = load(DH_GROUPS_CONFIG.replace("no crypto ikev2 proposal default\n", "")).config
    assert defaults.dh_groups(with_default) == defaults.dh_groups(cfg) | set(
        defaults.DEFAULT_PROPOSAL.groups
    )
