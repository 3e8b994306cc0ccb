"""Configuration show commands on the seed routers and on corpus configurations."""

from __future__ import annotations

import pytest

from pyike.config import load, load_file
from pyike.show import (
    show_crypto_ikev2_policy,
    show_crypto_ikev2_profile,
    show_crypto_ikev2_proposal,
    show_crypto_ipsec_profile,
    show_crypto_ipsec_transform_set,
    show_crypto_map,
)
from tests.support.paths import CONFIG_CORPUS, SEED_CONFIGS


def cfg(name: str):  # type: ignore[no-untyped-def]
    path = SEED_CONFIGS / name if name.startswith("router") else CONFIG_CORPUS / name
    return load_file(path).config


def test_seed_proposals_with_the_smart_default_after_them() -> None:
    assert show_crypto_ikev2_proposal(cfg("router1.cfg")) == [
        " IKEv2 proposal: PHASE1-prop",
        "     Encryption : 3DES AES-CBC-128",
        "     Integrity  : SHA96",
        "     PRF        : SHA1",
        "     DH Group   : DH_GROUP_1024_MODP/Group 2",
        " IKEv2 proposal: default",
        "     Encryption : AES-CBC-256 AES-CBC-192 AES-CBC-128",
        "     Integrity  : SHA512 SHA384 SHA256 SHA96 MD596",
        "     PRF        : SHA512 SHA384 SHA256 SHA1 MD5",
        "     DH Group   : DH_GROUP_1536_MODP/Group 5 DH_GROUP_1024_MODP/Group 2",
    ]


def test_named_proposal_and_unknown_name() -> None:
    assert (
        show_crypto_ikev2_proposal(cfg("router2.cfg"), "default")[0] == " IKEv2 proposal: default"
    )
    assert show_crypto_ikev2_proposal(cfg("router1.cfg"), "NOPE") == []


def test_aead_proposal_has_no_integrity_and_explicit_prf() -> None:
    lines = show_crypto_ikev2_proposal(cfg("ok_all_transforms.cfg"), "GCM")
    assert lines == [
        " IKEv2 proposal: GCM",
        "     Encryption : AES-GCM-128 AES-GCM-256",
        "     PRF        : SHA256 SHA384",
        "     DH Group   : DH_GROUP_256_ECP/Group 19 DH_GROUP_CURVE25519/Group 31"
        " DH_GROUP_CURVE448/Group 32",
    ]


def test_modified_default_proposal_replaces_the_smart_default() -> None:
    lines = show_crypto_ikev2_proposal(cfg("ok_modify_defaults.cfg"))
    assert lines[1:3] == ["     Encryption : AES-CBC-128", "     Integrity  : MD596"]
    assert lines.count(" IKEv2 proposal: default") == 1


def test_disabled_default_proposal_is_not_listed() -> None:
    config = load("no crypto ikev2 proposal default\n").config
    assert show_crypto_ikev2_proposal(config) == []


def test_policies_fvrf_and_local_address() -> None:
    lines = show_crypto_ikev2_policy(cfg("ok_fvrf_policies.cfg"))
    assert lines[:8] == [
        " IKEv2 policy : INET",
        "      Match fvrf : INTERNET",
        "      Match address local : any",
        "      Proposal    : INET",
        " IKEv2 policy : MPLS",
        "      Match fvrf : global",
        "      Match address local : 10.50.0.1",
        "      Proposal    : MPLS",
    ]
    assert (
        show_crypto_ikev2_policy(cfg("ok_fvrf_policies.cfg"), "default")[1]
        == "      Match fvrf : any"
    )


def test_seed_profile() -> None:
    lines = show_crypto_ikev2_profile(cfg("router2.cfg"), "IKEV2-SETUP")
    assert lines[0] == "IKEv2 profile: IKEV2-SETUP"
    assert "   address 0.0.0.0" in lines
    assert " Keyring: KEYRNG" in lines
    assert " Lifetime: 120 seconds" in lines
    assert " DPD: disabled" in lines
    assert " Ref Count: 1" in lines
    assert show_crypto_ikev2_profile(cfg("router2.cfg"), "OTHER") == []


def test_profile_local_match_identity_and_keepalive() -> None:
    lines = show_crypto_ikev2_profile(cfg("ok_global_ikev2.cfg"))
    assert "  Local address/interface: 192.168.0.2" in lines
    assert "   address 203.0.113.50 255.255.255.255" in lines
    assert " NAT-keepalive: 30 seconds" in lines
    assert " Lifetime: 86400 seconds" in lines


def test_profile_ipv6_and_fqdn_identities() -> None:
    assert "   address 2001:DB8:2::/64" in show_crypto_ikev2_profile(cfg("ok_ipv6_peers.cfg"))
    text = (
        "crypto ikev2 profile P\n match identity remote fqdn domain example.com\n"
        " identity local fqdn r1.example.com\n authentication local pre-share\n"
        " authentication remote pre-share\n match fvrf any\n"
    )
    lines = show_crypto_ikev2_profile(load(text).config)
    assert "   fqdn domain example.com" in lines
    assert " Local identity: r1.example.com" in lines
    assert "  Fvrf: any" in lines
    assert " Keyring: none" in lines


def test_profile_fvrf_and_ivrf() -> None:
    text = (
        "vrf definition INET\n address-family ipv4\nvrf definition CUST\n address-family ipv4\n"
        "crypto ikev2 profile FLEX\n match fvrf INET\n match identity remote address 0.0.0.0\n"
        " authentication local pre-share\n authentication remote pre-share\n ivrf CUST\n"
    )
    lines = show_crypto_ikev2_profile(load(text).config)
    assert "  Fvrf: INET" in lines and " Ivrf: CUST" in lines
    assert " Ivrf: none" in show_crypto_ikev2_profile(cfg("router1.cfg"))


def test_seed_transform_sets() -> None:
    assert show_crypto_ipsec_transform_set(cfg("router1.cfg"), "TS") == [
        "Transform set TS: { esp-3des esp-sha-hmac  }",
        "   will negotiate = { Tunnel,  },",
        "",
    ]
    assert show_crypto_ipsec_transform_set(cfg("router1.cfg"), "NOPE") == []


def test_transform_set_spellings() -> None:
    lines = show_crypto_ipsec_transform_set(cfg("ok_all_transforms.cfg"))
    sets = [line for line in lines if line.startswith("Transform set")]
    assert sets == [
        "Transform set A: { esp-3des esp-md5-hmac  }",
        "Transform set B: { esp-aes esp-sha-hmac  }",
        "Transform set C: { esp-192-aes esp-sha256-hmac  }",
        "Transform set D: { esp-256-aes esp-sha384-hmac  }",
        "Transform set E: { esp-null esp-sha512-hmac  }",
        "Transform set F: { esp-gcm  }",
        "Transform set G: { esp-chacha20-poly1305  }",
        "Transform set H: { esp-sha-hmac  }",
        "Transform set default: { esp-aes esp-sha-hmac  }",
    ]


def test_transport_mode_transform_set() -> None:
    text = "crypto ipsec transform-set T esp-gcm 256\n mode transport\n"
    assert show_crypto_ipsec_transform_set(load(text).config, "T") == [
        "Transform set T: { esp-gcm 256  }",
        "   will negotiate = { Transport,  },",
        "",
    ]


def test_seed_ipsec_profile() -> None:
    assert show_crypto_ipsec_profile(cfg("router1.cfg"), "phse2-prof") == [
        "IPSEC profile phse2-prof",
        "        IKEv2 Profile: IKEV2-SETUP",
        "        Security association lifetime: 4608000 kilobytes/3600 seconds",
        "        Responder-Only (Y/N): N",
        "        PFS (Y/N): N",
        "        Mixed-mode : Disabled",
        "        Transform sets={ ",
        "                TS:  { esp-3des esp-sha-hmac  } , ",
        "        }",
        "",
    ]
    assert show_crypto_ipsec_profile(cfg("router1.cfg"), "NOPE") == []


def test_ipsec_profile_defaults_and_pfs() -> None:
    lines = show_crypto_ipsec_profile(cfg("ok_modify_defaults.cfg"), "default")
    assert "        Security association lifetime: 4608000 kilobytes/7200 seconds" in lines
    assert "                default:  { esp-256-aes esp-sha512-hmac  } , " in lines
    many = show_crypto_ipsec_profile(cfg("ok_all_transforms.cfg"), "MANY")
    assert many[3:5] == ["        PFS (Y/N): Y", "        DH group:  group24"]
    assert sum("{ esp-" in line for line in many) == 6


def test_seed_crypto_map_is_the_tunnel_head() -> None:
    lines = show_crypto_map(cfg("router2.cfg"))
    assert lines[0] == 'Crypto Map IPv4 "Tunnel0-head-0" 65536 ipsec-isakmp'
    assert "        Profile name: phse2-prof" in lines
    assert 'Crypto Map IPv4 "Tunnel0-head-0" 65537 ipsec-isakmp' in lines
    assert "        Peer = 10.0.0.1" in lines
    assert "            access-list  permit ip any any" in lines
    assert lines[-3:] == [
        "        Interfaces using crypto map Tunnel0-head-0:",
        "                Tunnel0",
        "",
    ]


def test_crypto_map_entries() -> None:
    lines = show_crypto_map(cfg("ok_crypto_map_two_entries.cfg"))
    first = lines[: lines.index("") + 1]
    assert first == [
        'Crypto Map IPv4 "MULTI" 10 ipsec-isakmp',
        "        Description: to A",
        "        Peer = 192.0.2.1",
        "        IKEv2 Profile: MAPS",
        "        Access-List SS dynamic: False",
        "        Extended IP access list 101",
        "            access-list 101 permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255",
        "        Current peer: 192.0.2.1",
        "        Security association lifetime: 4608000 kilobytes/3600 seconds",
        "        Dualstack (Y/N): N",
        "        Responder-Only (Y/N): N",
        "        PFS (Y/N): N",
        "        Mixed-mode : Disabled",
        "        Transform sets={ ",
        "                default:  { esp-aes esp-sha-hmac  } , ",
        "        }",
        "        Interfaces using crypto map MULTI:",
        "                GigabitEthernet0/0",
        "",
    ]
    assert "        DH group:  group2" in lines


def test_gre_over_ipsec_and_ipv6_tunnel_maps() -> None:
    gre = show_crypto_map(cfg("ok_gre_over_ipsec.cfg"))
    assert any(line.startswith("            access-list  permit gre host ") for line in gre)
    v6 = show_crypto_map(cfg("ok_ipv6_peers.cfg"))
    assert v6[0] == 'Crypto Map IPv6 "Tunnel6-head-0" 65536 ipsec-isakmp'
    assert "        Peer = 2001:DB8:2::2" in v6
    assert "            access-list  permit ipv6 any any" in v6


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIG_CORPUS.glob("ok_*.cfg")))
def test_every_corpus_config_shows_without_error(name: str) -> None:
    config = cfg(name)
    for show in (
        show_crypto_ikev2_proposal,
        show_crypto_ikev2_policy,
        show_crypto_ikev2_profile,
        show_crypto_ipsec_transform_set,
        show_crypto_ipsec_profile,
    ):
        assert all(isinstance(line, str) and "\n" not in line for line in show(config))
    assert all("None" not in line for line in show_crypto_map(config))
