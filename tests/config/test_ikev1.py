"""IKEv1 beside IKEv2 (issue 13): `crypto isakmp policy|key|profile`, `crypto keyring` and
`set isakmp-profile` are read the way IOS reads them and kept, keys masked; a tunnel or crypto
map entry without `set ikev2-profile` on a router with IKEv1 configured uses IKEv1, which
pyike does not negotiate, and `config check` says so by name."""

from __future__ import annotations

import pytest

from pyike.cli import main
from pyike.config import load
from pyike.config.writer import render
from tests.support.paths import REALCONFIGS

SITE_B = REALCONFIGS / "gre-ipsec" / "jc-gre-ikev2-ikev1-site-b.cfg"
KEY = "somesayERS"  # the IKEv1 key in SITE_B's `crypto keyring IPV4`

IKEV1 = """\
crypto keyring KR vrf blue
  local-address GigabitEthernet 0/0
  pre-shared-key address 192.0.2.2 key s3cr3t-ring
  pre-shared-key hostname peer2.example.com key 0 other-s3cr3t
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
 lifetime 28800
crypto isakmp key s3cr3t-wild address 0.0.0.0 0.0.0.0 no-xauth
crypto isakmp profile IKE1
   keyring KR
   match identity address 192.0.2.2 255.255.255.255
   match identity host peer2.example.com
   initiate mode aggressive
   keepalive 10 retry 3
"""


def test_ikev1_blocks_are_kept_and_printed_back_with_keys_masked() -> None:
    result = load(IKEV1)
    assert result.ok, [d.format() for d in result.errors]
    shown = render(result.config)
    assert "s3cr3t" not in shown
    for line in (
        "crypto keyring KR vrf blue\n  local-address GigabitEthernet 0/0\n"
        "  pre-shared-key address 192.0.2.2 key 6 *****\n",
        "crypto isakmp policy 10\n encr aes 256\n hash sha256\n authentication pre-share\n"
        " group 14\n lifetime 28800\n",
        "crypto isakmp key 6 ***** address 0.0.0.0 0.0.0.0 no-xauth\n",
        "crypto isakmp profile IKE1\n   keyring KR\n   match identity address 192.0.2.2 "
        "255.255.255.255\n   match identity host peer2.example.com\n"
        "   initiate mode aggressive\n   keepalive 10 retry 3\n",
    ):
        assert line in shown
    revealed = render(result.config, show_keys=True)
    assert "crypto isakmp key s3cr3t-wild address" in revealed
    assert "pre-shared-key hostname peer2.example.com key other-s3cr3t" in revealed


def test_ikev1_blocks_are_not_counted_as_unmodelled() -> None:
    notes = [d.message for d in load(IKEV1).diagnostics]
    assert not any("not modelled" in n and "isakmp" in n for n in notes)


@pytest.mark.parametrize(
    ("line", "marked"),
    [
        ("crypto isakmp policy 10\n hash sha999\n", "sha999"),
        ("crypto isakmp policy 10\n group 3\n", "3"),
        ("crypto isakmp profile P\n match identity adress 1.1.1.1\n", "adress"),
        ("crypto keyring K\n pre-shard-key address 1.1.1.1 key s3cr3t\n", "pre-shard-key"),
    ],
)
def test_a_typo_in_an_ikev1_block_is_refused_at_the_marker(line: str, marked: str) -> None:
    errors = [d for d in load(line, "r.cfg").errors]
    assert errors and errors[0].message == "% Invalid input detected at '^' marker."
    text = errors[0].format()
    assert "s3cr3t" not in text
    echo, caret = text.splitlines()[:2]
    assert echo.index(marked) == caret.index("^")


def test_config_check_names_the_tunnel_that_uses_ikev1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(SITE_B)]) == 1
    out = capsys.readouterr().out
    assert KEY not in out
    assert (
        "warning: Tunnel101 uses IKEv1 (no set ikev2-profile in IPsec profile IPV4): pyike "
        "does not negotiate IKEv1, so it will not come up"
    ) in out
    assert "Tunnel102 uses" not in out  # the IKEv2 tunnel beside it
    assert out.rstrip().endswith("usable, but Tunnel101 cannot come up")


def test_a_crypto_map_entry_with_an_isakmp_profile_uses_ikev1() -> None:
    text = (
        IKEV1 + "crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set isakmp-profile IKE1\n"
        " match address 101\n"
        "crypto map CM 20 ipsec-isakmp\n set peer 192.0.2.3\n set ikev2-profile P2\n"
        " match address 101\n"
        "crypto ikev2 profile P2\n match identity remote address 192.0.2.3 255.255.255.255\n"
        " authentication local pre-share key k\n authentication remote pre-share key k\n"
        "access-list 101 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
        "interface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n crypto map CM\n"
    )
    result = load(text)
    assert result.blocked == ("crypto map CM 10",)
    assert "set isakmp-profile IKE1" in render(result.config)


def test_without_ikev1_or_an_ikev2_profile_the_tunnel_is_named_too() -> None:
    text = (
        "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
        "crypto ipsec profile NOIKE\n set transform-set default\n"
        "interface Tunnel0\n tunnel source Ethernet0/0\n tunnel destination 10.0.0.2\n"
        " tunnel mode ipsec ipv4\n tunnel protection ipsec profile NOIKE\n"
    )
    result = load(text)
    assert result.blocked == ("Tunnel0",)
    message = next(d.message for d in result.diagnostics if d.blocks == "Tunnel0")
    assert "has no IKEv2 profile" in message and "IOS would use IKEv1" in message


def test_config_explain_says_ikev1_instead_of_describing_ikev2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "explain", str(SITE_B)]) == 0
    out = capsys.readouterr().out
    ikev1, ikev2 = out.split("\nTunnel102: ")
    assert "  Tunnel101 uses IKEv1 (no set ikev2-profile in IPsec profile IPV4)" in ikev1
    assert "IKEv2 policy" not in ikev1 and "IKEv2 profile" not in ikev1
    assert "  Child SA (IPsec profile IPV4):" in ikev1
    assert "IKEv2 profile WTF" in ikev2


def test_a_repeated_profile_setting_replaces_the_first_and_no_removes_it() -> None:
    profile = "crypto isakmp profile P\n keepalive 10 retry 3\n keepalive 20 retry 5\n"
    cfg = load(profile).config
    assert cfg.isakmp_profiles["P"].extra == ("keepalive 20 retry 5",)
    cfg = load(profile + " no keepalive 20 retry 5\n initiate mode aggressive\n").config
    assert cfg.isakmp_profiles["P"].extra == ("initiate mode aggressive",)
