"""`encryption des`, `esp-des`, `group 24` and `set pfs group24`: accepted as IOS accepts them,
DES with a warning, modelled, printed back and shown."""

from __future__ import annotations

from pyike.codec.registry import DhId, EncrId
from pyike.config import load
from pyike.config.writer import render
from pyike.show import (
    show_crypto_ikev2_proposal,
    show_crypto_ipsec_profile,
    show_crypto_ipsec_transform_set,
    show_crypto_map,
)

CONFIG = """\
hostname LEGACY
crypto ikev2 proposal OLD
 encryption des aes-cbc-128
 integrity md5
 group 24 2
crypto ikev2 policy POL
 proposal OLD
crypto ipsec transform-set TS esp-des esp-md5-hmac
crypto ipsec profile PROF
 set transform-set TS
 set pfs group24
crypto map CMAP 10 ipsec-isakmp
 set peer 10.0.0.2
 set transform-set TS
 set pfs group24
 match address 101
access-list 101 permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255
"""


def test_des_and_group_24_load_with_a_warning_for_des_at_its_lines() -> None:
    result = load(CONFIG, "legacy.cfg")
    assert result.errors == ()
    warnings = {d.line: d.message for d in result.warnings}
    assert warnings[3].startswith("encryption des: DES is a weak, legacy cipher (56-bit key)")
    assert warnings[8].startswith("esp-des: DES is a weak, legacy cipher (56-bit key)")
    assert "aes-cbc-128" not in warnings[3]
    cfg = result.config
    proposal = cfg.proposals["OLD"]
    assert [(e.id, e.key_bits) for e in proposal.encryption] == [
        (EncrId.DES, None),
        (EncrId.AES_CBC, 128),
    ]
    assert proposal.groups == (DhId.MODP_2048_256, DhId.MODP_1024)
    ts = cfg.transform_sets["TS"]
    assert ts.encryption is not None and ts.encryption.id == EncrId.DES
    assert cfg.ipsec_profiles["PROF"].pfs == DhId.MODP_2048_256
    assert [e.pfs for e in cfg.crypto_maps["CMAP"]] == [DhId.MODP_2048_256]


def test_a_config_without_des_has_no_des_warning() -> None:
    result = load(
        CONFIG.replace("des aes-cbc-128", "3des aes-cbc-128").replace("esp-des", "esp-3des")
    )
    assert not [d for d in result.warnings if "DES is a weak" in d.message]


def test_des_and_group_24_print_back_as_configured() -> None:
    printed = render(load(CONFIG).config)
    for line in (
        " encryption des aes-cbc-128",
        " group 24 2",
        "crypto ipsec transform-set TS esp-des esp-md5-hmac",
        " set pfs group24",
    ):
        assert line in printed.splitlines()
    again, first = load(printed).config, load(CONFIG).config
    assert again.proposals["OLD"].encryption == first.proposals["OLD"].encryption
    assert again.proposals["OLD"].groups == first.proposals["OLD"].groups
    assert again.transform_sets["TS"].encryption == first.transform_sets["TS"].encryption


def test_des_and_group_24_in_the_crypto_show_commands() -> None:
    cfg = load(CONFIG).config
    proposal = show_crypto_ikev2_proposal(cfg, "OLD")
    assert "     Encryption : DES AES-CBC-128" in proposal
    assert "     PRF        : MD5" in proposal
    assert (
        "     DH Group   : DH_GROUP_2048_256_MODP/Group 24 DH_GROUP_1024_MODP/Group 2" in proposal
    )
    assert show_crypto_ipsec_transform_set(cfg, "TS")[0] == (
        "Transform set TS: { esp-des esp-md5-hmac  }"
    )
    assert "DH group:  group24" in "\n".join(show_crypto_ipsec_profile(cfg, "PROF"))
    assert "DH group:  group24" in "\n".join(show_crypto_map(cfg))
