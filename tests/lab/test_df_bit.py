"""`crypto ipsec df-bit {copy|set|clear}`: what the outer IPv4 header of tunnel-mode ESP does
with the DF bit, globally or on the interface the ESP leaves from, the interface's winning (IOS's
default: copy the inner packet's; transport mode keeps the original header's).

The seed's routers with `ip mtu 1500` on their tunnels: a 1,500-octet packet fits the tunnel
but not the Ethernet once encrypted, so the encrypting router must fragment the ESP packet,
which only a clear DF bit allows. The configuration is read, written back, and told apart from
what `pyike run` applies (the kernel sets its DF bit)."""

from __future__ import annotations

import pytest

from pyike.config import load
from pyike.config.writer import render
from pyike.lab.lab import Lab
from pyike.net.runtime import not_applied_lines
from tests.support.lab_texts import running_lab
from tests.support.paths import SEED_CONFIGS

PING = "ping 192.168.2.1 source Loopback0 size 1500"
ALL = "Success rate is 100 percent (5/5)"
NONE = "Success rate is 0 percent (0/5)"
ETHERNET = "interface Ethernet0/0\n"


def seed_texts(
    global_lines: str = "", ethernet_lines: str = "", gre_transform: str | None = None
) -> list[str]:
    """The seed's routers, their tunnels' IP MTU raised to the Ethernet's, with lines added;
    with `gre_transform`, the tunnel is GRE over IPsec with that transform set."""
    texts = []
    for name in ("router1.cfg", "router2.cfg"):
        text = (SEED_CONFIGS / name).read_text()
        mode, transform = " tunnel mode ipsec ipv4\n", " esp-3des esp-sha-hmac\n"
        assert mode in text and transform in text and ETHERNET in text
        if gre_transform is None:
            text = text.replace(mode, mode + " ip mtu 1500\n")
        else:
            text = text.replace(mode, " tunnel mode gre ip\n ip mtu 1500\n")
            text = text.replace(transform, gre_transform)
        text = text.replace(ETHERNET, ETHERNET + ethernet_lines)
        texts.append(global_lines + text)
    return texts


def success(lab: Lab, command: str) -> str:
    out = lab.exec("Router1", command)
    return next(line for line in out.splitlines() if line.startswith("Success rate"))


@pytest.mark.parametrize(
    ("global_lines", "ethernet_lines", "with_df", "without_df"),
    [
        ("", "", NONE, ALL),  # copy: a DF packet's ESP cannot be fragmented, others can
        ("crypto ipsec df-bit copy\n", "", NONE, ALL),
        ("crypto ipsec df-bit clear\n", "", ALL, ALL),
        ("crypto ipsec df-bit set\n", "", NONE, NONE),
        ("", " crypto ipsec df-bit clear\n", ALL, ALL),  # the interface's own
        ("crypto ipsec df-bit set\n", " crypto ipsec df-bit clear\n", ALL, ALL),  # wins
    ],
    ids=["default", "copy", "clear", "set", "interface-clear", "interface-over-global"],
)
def test_the_outer_df_bit_decides_whether_the_esp_packet_is_fragmented(
    global_lines: str, ethernet_lines: str, with_df: str, without_df: str
) -> None:
    lab = running_lab(seed_texts(global_lines, ethernet_lines))
    assert success(lab, f"{PING} df-bit").startswith(with_df)
    assert success(lab, PING).startswith(without_df)
    # a packet whose ESP fits is never affected
    assert success(lab, "ping 192.168.2.1 source Loopback0 size 1000 df-bit").startswith(ALL)


@pytest.mark.parametrize(
    ("transform", "with_set"),
    [
        (" esp-aes esp-sha-hmac\n mode transport\n", ALL),  # the GRE header's own, clear
        (" esp-aes esp-sha-hmac\n", NONE),  # tunnel mode: `set` applies
    ],
    ids=["transport", "tunnel"],
)
def test_gre_over_ipsec_follows_df_bit_in_tunnel_mode_only(transform: str, with_set: str) -> None:
    """IOS applies the setting to tunnel mode; in either mode, what copy copies is the GRE
    delivery header's DF bit, which IOS leaves clear (no `tunnel path-mtu-discovery`)."""
    copy = running_lab(seed_texts(gre_transform=transform))
    assert success(copy, f"{PING} df-bit").startswith(ALL)
    set_ = running_lab(seed_texts("crypto ipsec df-bit set\n", gre_transform=transform))
    assert success(set_, PING).startswith(with_set)


def test_df_bit_lines_are_read_and_written_back_as_ios_shows_them() -> None:
    texts = seed_texts("crypto ipsec df-bit clear\n", " crypto ipsec df-bit set\n")
    config = load(texts[0]).raise_for_errors()
    assert config.ipsec.df_bit == "clear"
    assert config.interfaces["Ethernet0/0"].df_bit == "set"
    assert not [n for n in config.not_modelled if "df-bit" in str(n)]
    shown = render(config)
    assert "\ncrypto ipsec df-bit clear\n" in shown
    assert "\ninterface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n" in shown
    assert " crypto ipsec df-bit set\n" in shown
    again = load(shown).raise_for_errors()
    assert (again.ipsec.df_bit, again.interfaces["Ethernet0/0"].df_bit) == ("clear", "set")
    negated = load(texts[0] + "no crypto ipsec df-bit\n").raise_for_errors()
    assert negated.ipsec.df_bit is None


def test_an_unknown_df_bit_setting_is_refused_at_its_word() -> None:
    result = load("crypto ipsec df-bit maybe\n")
    (error,) = result.errors
    assert "% Invalid input detected at '^' marker." in error.format()


def test_pyike_run_says_it_does_not_apply_df_bit() -> None:
    texts = seed_texts("crypto ipsec df-bit clear\n", " crypto ipsec df-bit set\n")
    assert not_applied_lines(load(texts[0]).raise_for_errors()) == [
        "%PYIKE-4-NOT_APPLIED: 'crypto ipsec df-bit clear': pyike run leaves the outer DF bit"
        " of its ESP to the kernel (path MTU discovery); pyike lab applies it",
        "%PYIKE-4-NOT_APPLIED: 'crypto ipsec df-bit set' on Ethernet0/0: pyike run leaves the"
        " outer DF bit of its ESP to the kernel (path MTU discovery); pyike lab applies it",
    ]
    assert not_applied_lines(load(seed_texts()[0]).raise_for_errors()) == []
