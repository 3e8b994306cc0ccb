"""`config show` output reads back to the same model for every usable corpus configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyike.config import load, load_file
from pyike.config.writer import render
from tests.support.config_compare import comparable
from tests.support.paths import CONFIG_CORPUS

USABLE = sorted(CONFIG_CORPUS.glob("ok_*.cfg"))


@pytest.mark.parametrize("path", USABLE, ids=[p.name for p in USABLE])
def test_show_round_trips(path: Path) -> None:
    original = load_file(path)
    printed = render(original.config, show_keys=True)
    again = load(printed, original.config.file)
    assert again.errors == ()
    assert comparable(again.config) == comparable(original.config)
    assert render(again.config, show_keys=True) == printed


def test_show_orders_like_ios() -> None:
    printed = render(load_file(CONFIG_CORPUS / "ok_full_running_config.cfg").config)
    order = [
        "version 15.4",
        "hostname EDGE1",
        "crypto pki trustpoint",
        "crypto ikev2 proposal PROP-1",
        "crypto ikev2 policy POL-1",
        "crypto ikev2 keyring KR-1",
        "crypto ikev2 profile PROF-1",
        "crypto ikev2 dpd 60 5 periodic",
        "crypto ipsec transform-set TS-1",
        "crypto ipsec profile IPSEC-1",
        "interface Loopback0",
        "interface Tunnel100",
        "interface GigabitEthernet0/0",
        "ip route 0.0.0.0 0.0.0.0 203.0.113.1",
        "router ospf 1",
        "line vty 0 4",
        "\nend\n",
    ]
    positions = [printed.index(x) for x in order]
    assert positions == sorted(positions)
    assert "Building configuration" not in printed
    assert "s3cretcommunity" not in printed and "snmp-server community ***** *****" in printed
    assert "Authorized access only." in printed


def test_disabled_defaults_are_printed() -> None:
    printed = render(load_file(CONFIG_CORPUS / "ok_no_forms.cfg").config)
    for line in (
        "no crypto ikev2 proposal default",
        "no crypto ikev2 policy default",
        "no crypto ipsec transform-set default",
        "no crypto ipsec profile default",
    ):
        assert line in printed


def test_unmodified_defaults_are_not_printed() -> None:
    printed = render(load("crypto ikev2 proposal default\ncrypto ipsec profile default\n").config)
    assert "default" not in printed


def test_masked_unmodelled_sub_mode_lines_keep_their_indentation() -> None:
    text = "hostname R\nline vty 0 4\n password s3cr3t\n transport input ssh\nend\n"
    shown = render(load(text).config)
    assert "\nline vty 0 4\n password *****\n transport input ssh\n" in shown
    assert "s3cr3t" not in shown
